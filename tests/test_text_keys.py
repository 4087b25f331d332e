import pytest

from inventory.text_keys import compact, fold


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Huyện Đồng Văn", "huyen dong van"),
        ("HUYỆN  ĐỒNG-VĂN", "huyen dong van"),
        ("  Mã tài sản ", "ma tai san"),
        ("Sở Lao động - Thương binh và Xã hội", "so lao dong thuong binh va xa hoi"),
        ("Kết nối Internet", "ket noi internet"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_compact_ignores_spacing() -> None:
    assert compact("Mã tài sản") == compact("MaTaiSan") == "mataisan"
    assert compact("Asset Tag") != compact("Asset Tags")
