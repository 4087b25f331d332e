from datetime import date, datetime

import pytest

from inventory.importing import values as v
from inventory.models import AgencyKind, ComputerKind, ComputerStatus

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    "cell, month_first, year, day",
    [
        ("15/03/2019", False, 2019, date(2019, 3, 15)),
        ("5/3/2019", False, 2019, date(2019, 3, 5)),
        ("05-03-2019", False, 2019, date(2019, 3, 5)),
        ("05.03.2019", False, 2019, date(2019, 3, 5)),
        ("2019-03-15", False, 2019, date(2019, 3, 15)),
        ("2019-03-15 00:00:00", False, 2019, date(2019, 3, 15)),
        ("2019", False, 2019, None),
        (2019, False, 2019, None),
        ("03/2019", False, 2019, None),  # month and year: known to the year
        (43539, False, 2019, date(2019, 3, 15)),  # Excel serial date
        ("43539", False, 2019, date(2019, 3, 15)),
        (datetime(2019, 3, 15, 0, 0), False, 2019, date(2019, 3, 15)),
        ("1/23/23", True, 2023, date(2023, 1, 23)),  # Snipe-IT M/D/YY
        ("11/14/22", True, 2022, date(2022, 11, 14)),
        ("3/4/2015", True, 2015, date(2015, 3, 4)),
        ("3/4/2015", False, 2015, date(2015, 4, 3)),  # Vietnamese habit: day first
    ],
)
def test_purchase_dates(cell: object, month_first: bool, year: int, day: date | None) -> None:
    assert v.purchase(cell, month_first=month_first, today=TODAY) == v.Purchase(year, day)


@pytest.mark.parametrize(
    "cell, reason",
    [
        ("31/02/2020", "no such date"),
        ("2030", "in the future"),
        ("15/07/2026", "in the future"),
        ("1975", "year 1975 outside 1980..2100"),
        ("hôm qua", "not a date (expected dd/mm/yyyy, yyyy-mm-dd or a year)"),
        ("13/2019", "no such month"),
        (12, "not a date or year"),
    ],
)
def test_bad_purchase_dates(cell: object, reason: str) -> None:
    with pytest.raises(v.BadValue) as exc:
        v.purchase(cell, today=TODAY)
    assert str(exc.value) == reason


def test_snipeit_date_that_is_impossible_month_first() -> None:
    with pytest.raises(v.BadValue, match="no such date"):
        v.purchase("23/1/23", month_first=True, today=TODAY)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("15.000.000", 15_000_000),
        ("15,000,000", 15_000_000),
        ("15 000 000 đ", 15_000_000),
        ("15.500.000 VNĐ", 15_500_000),
        ("2.266,13", 2266.13),
        ("2,266.13", 2266.13),
        ("2266.13", 2266.13),
        ("2266,5", 2266.5),
        ("15.000", 15_000),
        (15500000, 15_500_000),
        (2266.13, 2266.13),
    ],
)
def test_amounts(cell: object, expected: float) -> None:
    assert v.amount(cell) == expected


def test_snipeit_amounts_use_a_decimal_point() -> None:
    assert v.amount("1,234.567", decimal_point=True) == 1234.567
    assert v.amount("2266.130", decimal_point=True) == 2266.13


@pytest.mark.parametrize("cell", ["mười triệu", "12.34.56", "-500", "1.2.3,4,5"])
def test_bad_amounts(cell: str) -> None:
    with pytest.raises(v.BadValue):
        v.amount(cell)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("Có", True),
        ("có", True),
        ("CO", True),
        ("x", True),
        ("X", True),
        ("1", True),
        (1, True),
        ("yes", True),
        ("Không", False),
        ("khong", False),
        ("0", False),
        (0, False),
        ("no", False),
    ],
)
def test_booleans(cell: object, expected: bool) -> None:
    assert v.boolean(cell) is expected


def test_bad_boolean_names_the_accepted_forms() -> None:
    with pytest.raises(v.BadValue, match="Có/Không, x, 1/0, yes/no"):
        v.boolean("có lẽ")


@pytest.mark.parametrize(
    "cell, kind",
    [
        ("máy bàn", ComputerKind.desktop),
        ("Máy Bàn", ComputerKind.desktop),
        ("may ban", ComputerKind.desktop),
        ("PC", ComputerKind.desktop),
        ("Desktop", ComputerKind.desktop),
        ("máy xách tay", ComputerKind.laptop),
        ("Laptop", ComputerKind.laptop),
        ("máy chủ", ComputerKind.server),
        ("Server", ComputerKind.server),
    ],
)
def test_computer_kinds(cell: str, kind: ComputerKind) -> None:
    assert v.computer_kind(cell) == kind


@pytest.mark.parametrize(
    "cell, status",
    [
        ("Đang sử dụng", ComputerStatus.in_use),
        ("dang su dung", ComputerStatus.in_use),
        ("dự phòng", ComputerStatus.spare),
        ("Hỏng", ComputerStatus.broken),
        ("hư hỏng", ComputerStatus.broken),
        ("Thanh lý", ComputerStatus.retired),
        ("retired", ComputerStatus.retired),
    ],
)
def test_computer_statuses(cell: str, status: ComputerStatus) -> None:
    assert v.computer_status(cell) == status


@pytest.mark.parametrize(
    "cell, kind",
    [
        ("sở/ban/ngành", AgencyKind.provincial),
        ("UBND huyện", AgencyKind.district_committee),
        ("UBND xã", AgencyKind.commune_committee),
        ("khác", AgencyKind.other),
    ],
)
def test_agency_kinds(cell: str, kind: AgencyKind) -> None:
    assert v.agency_kind(cell) == kind


@pytest.mark.parametrize(
    "cell, expected",
    [("80;443", "80,443"), ("80, 443", "80,443"), ("80 443 80", "80,443"), (22, "22")],
)
def test_tcp_ports(cell: object, expected: str) -> None:
    assert v.tcp_ports(cell) == expected


@pytest.mark.parametrize("cell", ["80;http", "0", "70000"])
def test_bad_tcp_ports(cell: str) -> None:
    with pytest.raises(v.BadValue, match="not a TCP port"):
        v.tcp_ports(cell)


def test_addresses_and_coordinates() -> None:
    assert v.host_address(" 127.10.0.1 ") == "127.10.0.1"
    assert v.host_address("Portal.HaGiang.gov.vn") == "portal.hagiang.gov.vn"
    with pytest.raises(v.BadValue):
        v.host_address("999.1.1.1")
    assert v.latitude("22,8231") == pytest.approx(22.8231)
    assert v.longitude("104.983") == pytest.approx(104.983)  # not thousands: a decimal
    with pytest.raises(v.BadValue, match="latitude outside"):
        v.latitude("122.5")


@pytest.mark.parametrize(
    "cell, gb", [("8GB", 8.0), ("8 GB", 8.0), (4, 4.0), ("512 MB", 0.5), ("1,5", 1.5)]
)
def test_ram(cell: object, gb: float) -> None:
    assert v.ram_gb(cell) == gb


def test_numbers_in_text_columns_lose_the_trailing_zero() -> None:
    assert v.text(1001.0) == "1001"
    with pytest.raises(v.BadValue, match="longer than 3 characters"):
        v.text("abcd", max_length=3)
