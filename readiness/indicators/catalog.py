"""The indicators: stable snake_case keys, their pillar, direction, unit and labels.

Keys are part of the JSON interface and of stored snapshots: never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

LEVELS = ("province", "district", "commune", "agency")


class Pillar(StrEnum):
    infrastructure = "infrastructure"
    human_resources = "human_resources"
    services = "services"


PILLAR_LABELS = {
    Pillar.infrastructure: ("Hạ tầng kỹ thuật", "Technical infrastructure"),
    Pillar.human_resources: ("Nhân lực", "Human resources"),
    Pillar.services: ("Ứng dụng, dịch vụ", "Applications and services"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    pillar: Pillar
    higher_is_better: bool
    unit: str  # "%", "years", "ms", "ratio", "count"
    label_vi: str
    label_en: str
    scale: float = 1.0  # value = scale * numerator / denominator


def _i(key: str, pillar: Pillar, higher: bool, unit: str, vi: str, en: str) -> Indicator:
    return Indicator(key, pillar, higher, unit, vi, en, 100.0 if unit == "%" else 1.0)


INFRA, HR, SERVICES = Pillar.infrastructure, Pillar.human_resources, Pillar.services

INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in [
        _i(
            "computers_per_official_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ máy tính/CBCCVC (sở, ngành, UBND huyện)",
            "Computers per official (departments, district committees)",
        ),
        _i(
            "commune_computers_per_official_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ máy tính/CBCC cấp xã",
            "Computers per official (communes)",
        ),
        _i(
            "internet_share_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ máy tính kết nối Internet",
            "Computers connected to the internet",
        ),
        _i(
            "within_service_life_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ máy tính trong niên hạn sử dụng",
            "Computers within service life",
        ),
        _i(
            "supported_os_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ máy tính dùng hệ điều hành còn hỗ trợ",
            "Computers on a supported OS",
        ),
        _i(
            "mean_computer_age_years",
            INFRA,
            False,
            "years",
            "Tuổi trung bình của máy tính (năm)",
            "Mean computer age (years)",
        ),
        _i(
            "unknown_age_computers",
            INFRA,
            False,
            "count",
            "Số máy tính không rõ năm mua",
            "Computers of unknown age",
        ),
        _i(
            "connection_points",
            INFRA,
            True,
            "count",
            "Số điểm kết nối mạng TSLCD",
            "Connection points",
        ),
        _i(
            "points_up_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ điểm kết nối đang hoạt động",
            "Connection points up now",
        ),
        _i("availability_24h_pct", INFRA, True, "%", "Độ sẵn sàng 24 giờ", "Availability, 24 h"),
        _i("availability_7d_pct", INFRA, True, "%", "Độ sẵn sàng 7 ngày", "Availability, 7 days"),
        _i(
            "availability_30d_pct", INFRA, True, "%", "Độ sẵn sàng 30 ngày", "Availability, 30 days"
        ),
        _i(
            "median_rtt_7d_ms",
            INFRA,
            False,
            "ms",
            "Độ trễ trung vị 7 ngày (ms)",
            "Median RTT, 7 days (ms)",
        ),
        _i("loss_7d_pct", INFRA, False, "%", "Tỷ lệ mất gói 7 ngày", "Packet loss, 7 days"),
        _i(
            "valid_certificates_per_signing_official",
            HR,
            True,
            "ratio",
            "Chứng thư số còn hiệu lực/người ký số",
            "Valid certificates per signing official",
        ),
        _i(
            "officials_per_computer",
            HR,
            False,
            "ratio",
            "Số CBCCVC/máy tính",
            "Officials per computer",
        ),
        _i(
            "procedures_level3_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ TTHC trực tuyến mức độ 3",
            "Procedures online at level 3",
        ),
        _i(
            "procedures_level4_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ TTHC trực tuyến mức độ 4",
            "Procedures online at level 4",
        ),
        _i(
            "dossiers_online_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
            "Dossiers received online",
        ),
        _i(
            "dossiers_on_time_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ hồ sơ giải quyết đúng, trước hạn",
            "Dossiers resolved early or on time",
        ),
    ]
}
