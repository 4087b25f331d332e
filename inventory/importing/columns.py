"""THE alias table: every column the importers understand, by canonical name, with the
Vietnamese and English headers people write for it. Extend it here and nowhere else.

Headers are matched with `text_keys.compact` (case, diacritics, spacing and punctuation
ignored), also after dropping a bracketed note such as "(VNĐ)", "(GB)" or "(*)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from inventory.errors import IctrError
from inventory.models.services import SERVICE_COUNTS
from inventory.text_keys import compact


@dataclass(frozen=True)
class Column:
    name: str  # canonical English name, also accepted as a header
    label: str  # the Vietnamese header written by the exporter
    aliases: tuple[str, ...] = ()


# Where a unit is given: a GSO code or a name, in any of these columns. A commune is looked
# up inside the district when both are given (commune names repeat across districts).
_UNIT_COLUMNS = (
    Column("unit", "Mã ĐVHC", ("Đơn vị hành chính", "ĐVHC", "Địa bàn", "Unit code")),
    Column("district", "Huyện/Thành phố", ("Huyện", "Quận/Huyện", "Huyện/TP", "District")),
    Column("commune", "Xã/Phường", ("Xã/Phường/Thị trấn", "Xã", "Phường", "Commune", "Ward")),
)

COMPUTER_COLUMNS: tuple[Column, ...] = (
    Column(
        "asset_tag",
        "Mã tài sản",
        ("Số hiệu tài sản", "Số hiệu", "Mã TS", "Mã máy", "Asset tag", "Asset number", "Tag"),
    ),
    Column("serial", "Số serial", ("Serial", "Số seri", "Số sê-ri", "Serial number", "S/N", "SN")),
    Column("kind", "Loại máy", ("Loại", "Loại thiết bị", "Chủng loại", "Type", "Kind")),
    Column("manufacturer", "Hãng sản xuất", ("Hãng", "Hãng SX", "Nhà sản xuất", "Brand")),
    Column("model", "Model", ("Kiểu máy", "Mẫu máy", "Model máy", "Dòng máy")),
    Column("cpu", "CPU", ("Bộ vi xử lý", "Vi xử lý", "Chip", "Processor")),
    Column("ram_gb", "RAM (GB)", ("RAM", "Bộ nhớ RAM", "Dung lượng RAM", "Bộ nhớ", "Memory")),
    Column("os", "Hệ điều hành", ("HĐH", "OS", "Operating system")),
    Column(
        "purchase_date",
        "Ngày mua",
        (
            "Ngày mua sắm",
            "Thời gian mua",
            "Ngày đưa vào sử dụng",
            "Ngày sử dụng",
            "Ngày trang bị",
            "Purchase date",
            "Purchased",
        ),
    ),
    Column(
        "purchase_year",
        "Năm mua",
        ("Năm sử dụng", "Năm đưa vào sử dụng", "Năm trang bị", "Năm mua sắm", "Purchase year"),
    ),
    Column(
        "purchase_cost",
        "Nguyên giá (VND)",
        ("Nguyên giá", "Giá mua", "Giá trị", "Đơn giá", "Thành tiền", "Cost", "Price"),
    ),
    Column("agency_code", "Mã cơ quan", ("Mã đơn vị", "Mã đơn vị sử dụng", "Agency code")),
    Column(
        "agency",
        "Cơ quan",
        (
            "Đơn vị sử dụng",
            "Cơ quan sử dụng",
            "Đơn vị",
            "Tên cơ quan",
            "Tên đơn vị",
            "Cơ quan/Đơn vị",
            "Agency",
        ),
    ),
    *_UNIT_COLUMNS,
    Column(
        "internet",
        "Kết nối Internet",
        ("Internet", "Có Internet", "Nối mạng Internet", "Kết nối mạng Internet"),
    ),
    Column(
        "status",
        "Tình trạng",
        ("Trạng thái", "Tình trạng sử dụng", "Hiện trạng", "Tình trạng máy", "Status"),
    ),
    Column(
        "os_upgrade_blocker",
        "Lý do không nâng cấp HĐH",
        ("Lý do không nâng cấp được HĐH", "Lý do không nâng cấp", "OS upgrade blocker"),
    ),
    Column("last_audit", "Ngày kiểm kê", ("Kiểm kê lần cuối", "Last audit")),
    Column("notes", "Ghi chú", ("Note", "Notes", "Comments", "Chú thích")),
)

AGENCY_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã cơ quan", ("Mã đơn vị", "Agency code")),
    Column(
        "name",
        "Tên cơ quan",
        ("Tên đơn vị", "Cơ quan", "Đơn vị", "Tên cơ quan/đơn vị", "Agency", "Agency name"),
    ),
    Column("kind", "Loại cơ quan", ("Loại đơn vị", "Loại hình", "Cấp", "Kind", "Type")),
    *_UNIT_COLUMNS,
    Column(
        "officials",
        "Số CBCCVC",
        (
            "Số cán bộ công chức viên chức",
            "Số cán bộ, công chức, viên chức",
            "Số CBCC",
            "Số cán bộ",
            "CBCCVC",
            "Officials",
        ),
    ),
    Column(
        "signing_officials",
        "Số người ký số",
        (
            "Số người có thẩm quyền ký",
            "Số người ký",
            "Số người có chữ ký số",
            "Signing officials",
        ),
    ),
    Column(
        "website",
        "Trang thông tin điện tử",
        (
            "Website",
            "Địa chỉ website",
            "Địa chỉ trang thông tin điện tử",
            "Trang TTĐT",
            "Cổng thông tin điện tử",
            "Cổng/Trang thông tin điện tử",
        ),
    ),
    Column(
        "e_office",
        "Dùng e-office",
        (
            "E-office",
            "eOffice",
            "Có e-office",
            "Sử dụng e-office",
            "Phần mềm QLVB",
            "Hệ thống QLVB",
            "Quản lý văn bản và điều hành",
            "Hệ thống quản lý văn bản và điều hành",
        ),
    ),
    Column(
        "one_stop_connected",
        "Một cửa kết nối Cổng DVC",
        (
            "Một cửa điện tử kết nối Cổng DVC",
            "Kết nối Cổng DVC",
            "Kết nối Cổng dịch vụ công",
            "Một cửa kết nối Cổng dịch vụ công",
            "One-stop connected",
            "One-stop shop connected",
        ),
    ),
)

POINT_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã điểm", ("Mã điểm kết nối", "Point code")),
    Column("name", "Tên điểm", ("Tên điểm kết nối", "Point name")),
    Column("agency_code", "Mã cơ quan", ("Mã đơn vị", "Agency code")),
    Column("agency", "Cơ quan", ("Đơn vị", "Tên cơ quan", "Tên đơn vị", "Agency")),
    *_UNIT_COLUMNS,
    Column("address", "Địa chỉ IP", ("IP", "Địa chỉ", "IP address", "Host")),
    Column("tcp_ports", "Cổng TCP", ("Cổng", "Ports", "TCP port")),
    Column("latitude", "Vĩ độ", ("Lat",)),
    Column("longitude", "Kinh độ", ("Lon", "Lng", "Long")),
    Column("provider", "Nhà cung cấp", ("Nhà mạng", "ISP")),
    Column("bandwidth_mbps", "Băng thông (Mbps)", ("Băng thông", "Tốc độ", "Bandwidth")),
    Column("probe_method", "Phương thức đo", ("Phương thức kiểm tra", "Probe method")),
    Column("agent", "Máy đo", ("Probe agent",)),
    Column("active", "Đang theo dõi", ("Theo dõi", "Hoạt động", "Active")),
)

# The one-stop-shop system's periodic report. Decree 42/2022's full online (toàn trình) and
# partial online (một phần) are the 2020 scheme's level 4 and level 3: same columns.
SERVICE_COLUMNS: tuple[Column, ...] = (
    Column("agency_code", "Mã cơ quan", ("Mã đơn vị", "Agency code")),
    Column(
        "agency",
        "Cơ quan",
        ("Đơn vị", "Tên cơ quan", "Tên đơn vị", "Cơ quan/Đơn vị", "Tên cơ quan/đơn vị", "Agency"),
    ),
    *_UNIT_COLUMNS,
    Column("period", "Kỳ báo cáo", ("Kỳ", "Kỳ BC", "Thời gian", "Thời kỳ", "Period")),
    Column(
        "procedures",
        "Số TTHC",
        (
            "Tổng số TTHC",
            "TTHC",
            "Số thủ tục hành chính",
            "Tổng số thủ tục hành chính",
            "Số TTHC đang thực hiện",
            "Procedures",
        ),
    ),
    Column(
        "procedures_level3",
        "TTHC mức độ 3 (một phần)",
        (
            "Mức độ 3",
            "TTHC mức độ 3",
            "Số TTHC mức độ 3",
            "DVC mức độ 3",
            "DVCTT mức độ 3",
            "Một phần",
            "Trực tuyến một phần",
            "DVC trực tuyến một phần",
            "DVCTT một phần",
            "Level 3",
            "Partial online",
        ),
    ),
    Column(
        "procedures_level4",
        "TTHC mức độ 4 (toàn trình)",
        (
            "Mức độ 4",
            "TTHC mức độ 4",
            "Số TTHC mức độ 4",
            "DVC mức độ 4",
            "DVCTT mức độ 4",
            "Toàn trình",
            "Trực tuyến toàn trình",
            "DVC trực tuyến toàn trình",
            "DVCTT toàn trình",
            "Level 4",
            "Full online",
        ),
    ),
    Column(
        "procedures_cut_30",
        "TTHC cắt giảm trên 30% thời gian",
        (
            "Số TTHC cắt giảm thời gian trên 30%",
            "TTHC cắt giảm thời gian trên 30%",
            "Cắt giảm trên 30%",
            "Cắt giảm thời gian trên 30%",
            "Procedures cut 30",
            "Time cut by more than 30%",
        ),
    ),
    Column(
        "dossiers_received",
        "Hồ sơ tiếp nhận",
        ("Số hồ sơ tiếp nhận", "Tổng số hồ sơ", "Tổng số hồ sơ tiếp nhận", "Dossiers received"),
    ),
    Column(
        "dossiers_online",
        "Hồ sơ tiếp nhận trực tuyến",
        (
            "Số hồ sơ tiếp nhận trực tuyến",
            "Tiếp nhận trực tuyến",
            "Hồ sơ trực tuyến",
            "Hồ sơ nộp trực tuyến",
            "Dossiers online",
            "Received online",
        ),
    ),
    Column(
        "dossiers_on_time",
        "Hồ sơ giải quyết trước hạn, đúng hạn",
        (
            "Giải quyết trước hạn, đúng hạn",
            "Giải quyết trước hạn và đúng hạn",
            "Giải quyết đúng hạn",
            "Số hồ sơ giải quyết đúng hạn",
            "Số hồ sơ giải quyết trước hạn, đúng hạn",
            "Trước hạn, đúng hạn",
            "Đúng hạn",
            "Dossiers on time",
            "Resolved on time",
        ),
    ),
)
CERTIFICATE_COLUMNS: tuple[Column, ...] = (
    Column(
        "serial",
        "Số hiệu chứng thư",
        (
            "Số hiệu CTS",
            "Số serial",
            "Số sê-ri",
            "Serial",
            "Serial number",
            "Số hiệu",
            "Mã chứng thư",
        ),
    ),
    Column("holder", "Họ và tên", ("Họ tên", "Tên thuê bao", "Người sử dụng", "Holder", "Name")),
    Column("title", "Chức vụ", ("Chức danh", "Title", "Position")),
    Column("agency_code", "Mã cơ quan", ("Mã đơn vị", "Agency code")),
    Column(
        "agency",
        "Cơ quan/đơn vị",
        ("Cơ quan", "Đơn vị", "Tên cơ quan", "Tên đơn vị", "Đơn vị công tác", "Agency", "OU"),
    ),
    # A certificate file's O, tried when its OU names no agency.
    Column("organisation", "Tổ chức", ("Organization", "O")),
    Column(
        "kind",
        "Loại chứng thư",
        ("Loại CTS", "Loại", "Loại chứng thư số", "Kind", "Type", "Certificate type"),
    ),
    Column(
        "issued_on",
        "Ngày hiệu lực",
        ("Ngày có hiệu lực", "Hiệu lực từ", "Ngày cấp", "Valid from", "Issued", "Not before"),
    ),
    Column(
        "expires_on",
        "Ngày hết hạn",
        ("Ngày hết hiệu lực", "Hiệu lực đến", "Hết hạn", "Valid to", "Expires", "Not after"),
    ),
    Column("status", "Tình trạng", ("Trạng thái", "Tình trạng chứng thư", "Status")),
    Column("revoked_on", "Ngày thu hồi", ("Thu hồi ngày", "Revoked", "Revoked on")),
    Column("email", "Thư điện tử", ("Email", "E-mail", "Địa chỉ email", "Hộp thư")),
    Column("token", "Số token", ("Token", "Mã token", "Số hiệu token", "USB token")),
    Column("file", "Tệp", ("File", "Tên tệp")),
)

# Which agency took over from which, and from what day (district People's Committees and
# offices dissolved, departments merged in 2025). Each side by code, or by name and unit.
SUCCESSION_COLUMNS: tuple[Column, ...] = (
    Column(
        "agency_code",
        "Mã cơ quan cũ",
        ("Mã đơn vị cũ", "Mã cơ quan", "Mã đơn vị", "Old agency code", "Agency code"),
    ),
    Column(
        "agency",
        "Cơ quan cũ",
        (
            "Tên cơ quan cũ",
            "Đơn vị cũ",
            "Tên đơn vị cũ",
            "Cơ quan",
            "Đơn vị",
            "Tên cơ quan",
            "Old agency",
            "Agency",
        ),
    ),
    Column(
        "unit",
        "ĐVHC cơ quan cũ",
        ("Mã ĐVHC cũ", "ĐVHC cũ", "Địa bàn cũ", "Mã ĐVHC", "ĐVHC", "Old unit", "Unit"),
    ),
    Column(
        "successor_code",
        "Mã cơ quan kế thừa",
        (
            "Mã đơn vị kế thừa",
            "Mã cơ quan mới",
            "Mã đơn vị mới",
            "Successor code",
            "New agency code",
        ),
    ),
    Column(
        "successor",
        "Cơ quan kế thừa",
        (
            "Tên cơ quan kế thừa",
            "Đơn vị kế thừa",
            "Cơ quan mới",
            "Tên cơ quan mới",
            "Đơn vị mới",
            "Successor",
            "New agency",
        ),
    ),
    Column(
        "successor_unit",
        "ĐVHC cơ quan kế thừa",
        ("Mã ĐVHC mới", "ĐVHC mới", "Địa bàn mới", "Successor unit", "New unit"),
    ),
    Column(
        "succeeded_on",
        "Ngày kế thừa",
        (
            "Từ ngày",
            "Ngày hiệu lực",
            "Ngày sáp nhập",
            "Ngày chuyển giao",
            "Succeeded on",
            "Date",
            "From",
        ),
    ),
)

WEBSITE_COLUMNS: tuple[Column, ...] = (
    Column("agency_code", "Mã cơ quan", ("Mã đơn vị", "Agency code")),
    Column(
        "agency",
        "Cơ quan",
        ("Đơn vị", "Tên cơ quan", "Tên đơn vị", "Cơ quan chủ quản", "Agency", "Agency name"),
    ),
    *_UNIT_COLUMNS,
    Column(
        "url",
        "Địa chỉ website",
        (
            "Website",
            "Địa chỉ",
            "Địa chỉ truy cập",
            "Tên miền",
            "Đường dẫn",
            "URL",
            "Address",
            "Web address",
        ),
    ),
    Column(
        "kind",
        "Loại",
        ("Loại trang", "Loại hệ thống", "Loại website", "Phân loại", "Kind", "Type"),
    ),
    Column("agent", "Máy đo", ("Probe agent", "Agent")),
    Column("active", "Đang theo dõi", ("Theo dõi", "Hoạt động", "Active")),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "computers": COMPUTER_COLUMNS,
    "agencies": AGENCY_COLUMNS,
    "points": POINT_COLUMNS,
    "services": SERVICE_COLUMNS,
    "certificates": CERTIFICATE_COLUMNS,
    "successions": SUCCESSION_COLUMNS,
    "websites": WEBSITE_COLUMNS,
}

# At least one column of each group must be present in the file.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "computers": (("asset_tag",),),
    "agencies": (("name", "code"),),
    "points": (("code",),),
    "services": (("agency", "agency_code"), SERVICE_COUNTS),
    "certificates": (("serial",),),
    "successions": (("agency", "agency_code"), ("successor", "successor_code"), ("succeeded_on",)),
    "websites": (("url",), ("agency", "agency_code")),
}

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|\*")


def header_keys(header: str) -> tuple[str, ...]:
    """The keys a header is looked up by: as written, and without bracketed notes."""
    keys = [compact(header), compact(_BRACKETED.sub(" ", header))]
    return tuple(dict.fromkeys(k for k in keys if k))


def alias_index(columns: tuple[Column, ...]) -> dict[str, str]:
    """compact(alias) -> canonical name; an alias claimed twice is a programming error."""
    index: dict[str, str] = {}
    for column in columns:
        for alias in (column.name, column.label, *column.aliases):
            for key in header_keys(alias):
                owner = index.setdefault(key, column.name)
                if owner != column.name:
                    raise AssertionError(f"alias {alias!r} claimed by {owner} and {column.name}")
    return index


@dataclass
class HeaderMatch:
    """Which file column holds which canonical field, and what was left out."""

    row_number: int  # the header's row as Excel shows it
    headers: list[str]
    positions: dict[str, int] = field(default_factory=dict)  # canonical name -> column index
    ignored: list[str] = field(default_factory=list)

    def header_of(self, name: str) -> str:
        return self.headers[self.positions[name]]

    def has(self, name: str) -> bool:
        return name in self.positions


def count_known(headers: list[str], index: dict[str, str]) -> int:
    return sum(1 for h in headers if any(k in index for k in header_keys(h)))


def match_header(
    entity: str,
    headers: list[str],
    row_number: int,
    *,
    fixed: dict[str, str] | None = None,
    source: str = "",
) -> HeaderMatch:
    """Map a header row to canonical names. `fixed` maps compact(header) to a name first
    (used for known export formats such as Snipe-IT's)."""
    index = alias_index(COLUMNS[entity])
    match = HeaderMatch(row_number=row_number, headers=headers)
    for position, header in enumerate(headers):
        if not header.strip():
            continue
        keys = header_keys(header)
        name = next((fixed[k] for k in keys if fixed and k in fixed), None)
        if name is None:
            name = next((index[k] for k in keys if k in index), None)
        if name is None or name == "":
            match.ignored.append(header)
            continue
        if name in match.positions:
            earlier = headers[match.positions[name]]
            raise IctrError(
                f"{source}: columns {earlier!r} and {header!r} both give {name}; keep one of them"
            )
        match.positions[name] = position
    missing = [group for group in REQUIRED[entity] if not any(n in match.positions for n in group)]
    if missing:
        wanted = " or ".join(_describe(n, entity) for n in missing[0])
        # A damaged file's "header" can hold thousands of cells: name the first few.
        named = [repr(h if len(h) <= 60 else h[:59] + "…") for h in headers if h.strip()]
        found = ", ".join(named[:30]) + (f" and {len(named) - 30} more" if len(named) > 30 else "")
        found = found or "none"
        raise IctrError(
            f"{source}: required column {wanted} is missing (header row {row_number}); "
            f"columns found: {found}"
        )
    return match


def _describe(name: str, entity: str) -> str:
    column = next(c for c in COLUMNS[entity] if c.name == name)
    return f"{column.name} ({column.label})"
