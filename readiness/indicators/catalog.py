"""The indicators: stable snake_case keys, their pillar, direction, unit, labels, and the
figures their value is computed from (numerator and denominator).

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


@dataclass(frozen=True)
class Indicator:
    key: str
    pillar: Pillar
    higher_is_better: bool
    unit: str  # "%", "years", "ms", "ratio", "count"
    label_vi: str
    label_en: str
    # The value is scale * numerator / denominator, each the sum of a figure over the unit's
    # records (named in readiness/indicators/by_unit.py); without a denominator the value is
    # the figure itself (a count, a median).
    numerator: str
    denominator: str | None = None

    @property
    def scale(self) -> float:
        return 100.0 if self.unit == "%" else 1.0


INFRA, HR, SERVICES = Pillar.infrastructure, Pillar.human_resources, Pillar.services

INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in [
        Indicator(
            "computers_per_official_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ máy tính/CBCCVC (sở, ngành, UBND huyện)",
            "Computers per official (departments, district committees)",
            numerator="core_computers_in_use",
            denominator="core_officials",
        ),
        Indicator(
            "commune_computers_per_official_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ máy tính/CBCC cấp xã",
            "Computers per official (communes)",
            numerator="commune_computers_in_use",
            denominator="commune_officials",
        ),
        Indicator(
            "internet_share_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ máy tính kết nối Internet",
            "Computers connected to the internet",
            numerator="computers_internet",
            denominator="computers_in_use",
        ),
        Indicator(
            "within_service_life_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ máy tính trong niên hạn sử dụng",
            "Computers within service life",
            numerator="computers_within_life",
            denominator="computers_in_use",
        ),
        Indicator(
            "supported_os_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ máy tính dùng hệ điều hành còn hỗ trợ",
            "Computers on a supported OS",
            numerator="computers_supported_os",
            denominator="computers_in_use",
        ),
        Indicator(
            "mean_computer_age_years",
            INFRA,
            False,
            "years",
            "Tuổi trung bình của máy tính (năm)",
            "Mean computer age (years)",
            numerator="computer_age_years_sum",
            denominator="computers_known_age",
        ),
        Indicator(
            "unknown_age_computers",
            INFRA,
            False,
            "count",
            "Số máy tính không rõ năm mua",
            "Computers of unknown age",
            numerator="computers_unknown_age",
        ),
        Indicator(
            "connection_points",
            INFRA,
            True,
            "count",
            "Số điểm kết nối mạng TSLCD",
            "Connection points",
            numerator="connection_points",
        ),
        Indicator(
            "points_up_pct",
            INFRA,
            True,
            "%",
            "Tỷ lệ điểm kết nối đang hoạt động",
            "Connection points up now",
            numerator="points_up",
            denominator="points_measured",
        ),
        Indicator(
            "availability_24h_pct",
            INFRA,
            True,
            "%",
            "Độ sẵn sàng 24 giờ",
            "Availability, 24 h",
            numerator="good_rounds_24h",
            denominator="rounds_24h",
        ),
        Indicator(
            "availability_7d_pct",
            INFRA,
            True,
            "%",
            "Độ sẵn sàng 7 ngày",
            "Availability, 7 days",
            numerator="good_rounds_7d",
            denominator="rounds_7d",
        ),
        Indicator(
            "availability_30d_pct",
            INFRA,
            True,
            "%",
            "Độ sẵn sàng 30 ngày",
            "Availability, 30 days",
            numerator="good_rounds_30d",
            denominator="rounds_30d",
        ),
        Indicator(
            "median_rtt_7d_ms",
            INFRA,
            False,
            "ms",
            "Độ trễ trung vị 7 ngày (ms)",
            "Median RTT, 7 days (ms)",
            numerator="median_rtt_7d_ms",
        ),
        Indicator(
            "loss_7d_pct",
            INFRA,
            False,
            "%",
            "Tỷ lệ mất gói 7 ngày",
            "Packet loss, 7 days",
            numerator="echoes_lost_7d",
            denominator="echoes_sent_7d",
        ),
        Indicator(
            "valid_certificates_per_signing_official",
            HR,
            True,
            "ratio",
            "Chứng thư số còn hiệu lực/người ký số",
            "Valid certificates per signing official",
            numerator="certificates_valid",
            denominator="signing_officials",
        ),
        Indicator(
            "signing_officials_without_certificate",
            HR,
            False,
            "count",
            "Số người ký số chưa có chứng thư số còn hiệu lực",
            "Signing officials without a valid certificate",
            numerator="signers_without_certificate",
        ),
        Indicator(
            "certificates_expiring_90d",
            HR,
            False,
            "count",
            "Số chứng thư số hết hạn trong 90 ngày tới",
            "Certificates expiring within 90 days",
            numerator="certificates_expiring",
        ),
        Indicator(
            "officials_per_computer",
            HR,
            False,
            "ratio",
            "Số CBCCVC/máy tính",
            "Officials per computer",
            numerator="officials",
            denominator="computers_in_use",
        ),
        Indicator(
            "procedures_level3_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ TTHC trực tuyến mức độ 3",
            "Procedures online at level 3",
            numerator="procedures_level3",
            denominator="procedures",
        ),
        Indicator(
            "procedures_level4_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ TTHC trực tuyến mức độ 4",
            "Procedures online at level 4",
            numerator="procedures_level4",
            denominator="procedures",
        ),
        Indicator(
            "dossiers_online_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
            "Dossiers received online",
            numerator="dossiers_online",
            denominator="dossiers_received",
        ),
        Indicator(
            "dossiers_on_time_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ hồ sơ giải quyết đúng, trước hạn",
            "Dossiers resolved early or on time",
            numerator="dossiers_on_time",
            denominator="dossiers_received",
        ),
        Indicator(
            "procedures_cut_30_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ TTHC cắt giảm trên 30% thời gian giải quyết",
            "Procedures with their time cut by more than 30 %",
            numerator="procedures_cut_30",
            denominator="procedures",
        ),
        # Agency systems: of the agencies that reported (the agencies file's columns).
        Indicator(
            "agencies_e_office_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ cơ quan sử dụng hệ thống quản lý văn bản và điều hành",
            "Agencies using an e-office system",
            numerator="agencies_e_office",
            denominator="agencies_e_office_reported",
        ),
        Indicator(
            "agencies_one_stop_connected_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ cơ quan có một cửa điện tử kết nối Cổng dịch vụ công",
            "Agencies whose one-stop shop is connected to the public-service portal",
            numerator="agencies_one_stop_connected",
            denominator="agencies_one_stop_connected_reported",
        ),
        Indicator(
            "agencies_website_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ cơ quan có trang thông tin điện tử",
            "Agencies with a website",
            numerator="agencies_website",
            denominator="agencies_website_reported",
        ),
        # Websites: of the sites checked in the 30 days up to the date (website_counts.py);
        # the certificate and freshness shares are of the sites that answered.
        Indicator(
            "websites_reachable_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ trang thông tin điện tử truy cập được",
            "Websites reachable",
            numerator="websites_reachable",
            denominator="websites_measured",
        ),
        Indicator(
            "websites_valid_certificate_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ trang thông tin điện tử có chứng chỉ số hợp lệ",
            "Websites with a valid certificate",
            numerator="websites_valid_certificate",
            denominator="websites_reachable",
        ),
        Indicator(
            "websites_updated_30d_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ trang thông tin điện tử cập nhật trong 30 ngày",
            "Websites updated within 30 days",
            numerator="websites_updated_30d",
            denominator="websites_reachable",
        ),
        Indicator(
            "commune_websites_reachable_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ trang thông tin điện tử cấp xã truy cập được",
            "Websites reachable (communes)",
            numerator="commune_websites_reachable",
            denominator="commune_websites_measured",
        ),
        Indicator(
            "commune_websites_valid_certificate_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ trang thông tin điện tử cấp xã có chứng chỉ số hợp lệ",
            "Websites with a valid certificate (communes)",
            numerator="commune_websites_valid_certificate",
            denominator="commune_websites_reachable",
        ),
        Indicator(
            "commune_websites_updated_30d_pct",
            SERVICES,
            True,
            "%",
            "Tỷ lệ trang thông tin điện tử cấp xã cập nhật trong 30 ngày",
            "Websites updated within 30 days (communes)",
            numerator="commune_websites_updated_30d",
            denominator="commune_websites_reachable",
        ),
    ]
}
