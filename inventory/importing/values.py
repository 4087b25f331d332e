"""Cell parsers: turn what people type in spreadsheets into typed values, or say why not.

Every parser takes one non-blank cell (str, int, float, datetime or date, as the reader gives
it) and returns the value, or raises `BadValue` with a reason a user can act on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from inventory.models import AgencyKind, ComputerKind, ComputerStatus, ProbeMethod
from inventory.probe_address import address_literal, destination, refusal, web_url_problem
from inventory.text_keys import fold

# Excel counts days from 1899-12-30 (its 1900 leap-year bug is folded into this origin).
EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST_YEAR = 1980
LATEST_YEAR = 2100
_SERIAL_MIN = (date(EARLIEST_YEAR, 1, 1) - EXCEL_EPOCH).days
_SERIAL_MAX = (date(LATEST_YEAR, 12, 31) - EXCEL_EPOCH).days


class BadValue(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


# -- text -------------------------------------------------------------------------------------


def text(value: object, max_length: int | None = None) -> str:
    """A cell as text; numbers typed into text columns (asset tags, serials) lose any '.0'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    out = str(value).strip()
    if max_length is not None and len(out) > max_length:
        raise BadValue(f"longer than {max_length} characters")
    if "\x00" in out:  # PostgreSQL refuses it in text; no one types it
        raise BadValue("contains a NUL character (byte 0)")
    return out


# -- numbers ----------------------------------------------------------------------------------

# The largest value each kind of number may have: far above any real one, far below what a
# database column holds (PostgreSQL's INTEGER stops at 2,147,483,647), so a stray "1e20" or a
# 20-digit head-count is a clear error instead of an overflow.
MAX_COUNT = 1_000_000  # people or things in one agency
MAX_AMOUNT_VND = 10**12  # one computer's price: a thousand billion đồng
MAX_RAM_GB = 65_536
MAX_BANDWIDTH_MBPS = 1_000_000


def _finite(value: int | float) -> float:
    """A number cell as a float; Excel can store 1E+400 (infinity) and Python ints of any size."""
    try:
        number = float(value)
    except OverflowError:
        raise BadValue("too large") from None
    if math.isnan(number):
        raise BadValue("not a number (NaN)")
    if math.isinf(number):
        raise BadValue("infinite (too large for any column)")
    return number


def _at_most(number: float, limit: float) -> float:
    if number > limit:
        raise BadValue(f"larger than {limit:,.0f}")
    return number


_CURRENCY = re.compile(r"(?i)\s*(vnđ|vnd|đồng|đ|d|usd|\$)\s*$|^\s*(vnđ|vnd|\$)\s*")
_DIGITS = re.compile(r"^[+-]?[0-9.,\s ]*[0-9][0-9.,\s ]*$")


def amount(value: object, *, decimal_point: bool = False) -> float:
    """A money amount: 15000000, "15.000.000", "15,000,000 đ", "2.266,13", "2266.13".

    Vietnamese files group thousands with dots, English ones with commas. With both present the
    last one is the decimal mark. A lone separator followed by exactly three digits is read as
    grouping ("15.000" is fifteen thousand đồng), unless `decimal_point` (Snipe-IT's format).
    """
    return _at_most(_grouped_number(value, decimal_point=decimal_point), MAX_AMOUNT_VND)


def _grouped_number(value: object, *, decimal_point: bool = False) -> float:
    """A non-negative number written with thousands grouped, as in `amount`."""
    if isinstance(value, bool):
        raise BadValue("not an amount")
    if isinstance(value, int | float):
        result = _finite(value)
    else:
        raw = _CURRENCY.sub("", str(value)).strip()
        if not _DIGITS.match(raw):
            raise BadValue("not an amount")
        raw = raw.replace(" ", "").replace("\u00a0", "")
        if decimal_point:
            raw = raw.replace(",", "")
        else:
            raw = _normalise_separators(raw)
        try:
            result = float(raw)
        except ValueError:
            raise BadValue("not an amount") from None
        result = _finite(result)  # 400 digits make infinity
    if result < 0:
        raise BadValue("negative")
    return result


def _normalise_separators(raw: str) -> str:
    dots, commas = raw.count("."), raw.count(",")
    if dots and commas:
        decimal_mark = "." if raw.rfind(".") > raw.rfind(",") else ","
        grouping = "," if decimal_mark == "." else "."
        if raw.count(decimal_mark) > 1:
            raise BadValue("not an amount")
        return raw.replace(grouping, "").replace(decimal_mark, ".")
    for sep in (".", ","):
        count = raw.count(sep)
        if not count:
            continue
        tail = raw.rsplit(sep, 1)[1]
        if count > 1 or len(tail) == 3:
            if any(len(part) != 3 for part in raw.split(sep)[1:]):
                raise BadValue("not an amount")
            return raw.replace(sep, "")
        return raw.replace(sep, ".")
    return raw


def decimal(value: object) -> float:
    """A plain decimal number where "," or "." is the decimal mark: 22.8231, "22,8231"."""
    if isinstance(value, bool):
        raise BadValue("not a number")
    if isinstance(value, int | float):
        return _finite(value)
    raw = str(value).strip().replace(" ", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        number = float(raw)  # also reads "nan" and "inf"
    except ValueError:
        raise BadValue("not a number") from None
    return _finite(number)


def whole(value: object) -> int:
    """A count of people or things: 25, "25", 25.0, "1.250"."""
    number = _grouped_number(value)
    if not number.is_integer():
        raise BadValue("not a whole number")
    return int(_at_most(number, MAX_COUNT))


_RAM = re.compile(r"(?i)^\s*([0-9]+(?:[.,][0-9]+)?)\s*(gb|g|gib|mb|m|mib)?\s*(ram)?\s*$")


def ram_gb(value: object) -> float:
    """Memory in GB: 8, "8GB", "8 GB", "512 MB", "1,5"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = _finite(value)
        if number < 0:
            raise BadValue("negative")
        return _at_most(number, MAX_RAM_GB)
    match = _RAM.match(str(value))
    if not match:
        raise BadValue("not a memory size (e.g. 8 or 8 GB)")
    number = _finite(float(match.group(1).replace(",", ".")))
    unit = (match.group(2) or "gb").lower()
    return _at_most(number / 1024 if unit.startswith("m") else number, MAX_RAM_GB)


_MBPS = re.compile(r"(?i)^\s*([0-9]+(?:[.,][0-9]+)?)\s*(mbps|mb/s|mbit/s|m)?\s*$")


def bandwidth_mbps(value: object) -> float:
    """Bandwidth: 100, "100 Mbps", "100Mb/s"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = _finite(value)
        if number < 0:
            raise BadValue("negative")
        return _at_most(number, MAX_BANDWIDTH_MBPS)
    match = _MBPS.match(str(value))
    if not match:
        raise BadValue("not a bandwidth in Mbps (e.g. 100 or 100 Mbps)")
    return _at_most(_finite(float(match.group(1).replace(",", "."))), MAX_BANDWIDTH_MBPS)


def latitude(value: object) -> float:
    number = decimal(value)
    if not -90 <= number <= 90:
        raise BadValue("latitude outside -90..90")
    return number


def longitude(value: object) -> float:
    number = decimal(value)
    if not -180 <= number <= 180:
        raise BadValue("longitude outside -180..180")
    return number


# -- dates ------------------------------------------------------------------------------------


class Purchase:
    """A purchase known to the day (year and date) or only to the year (date None)."""

    __slots__ = ("year", "date")

    def __init__(self, year: int, day: date | None) -> None:
        self.year = year
        self.date = day

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Purchase) and (self.year, self.date) == (other.year, other.date)

    def __hash__(self) -> int:
        return hash((self.year, self.date))

    def __repr__(self) -> str:
        return f"Purchase({self.year}, {self.date})"


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")


def _full_year(two_digits: int, today: date) -> int:
    """'23' is 2023; a two-digit year that would be in the future is the previous century."""
    year = 2000 + two_digits
    return year if year <= today.year else year - 100


def _checked_year(year: int, today: date) -> int:
    if year < EARLIEST_YEAR or year > LATEST_YEAR:
        raise BadValue(f"year {year} outside {EARLIEST_YEAR}..{LATEST_YEAR}")
    if year > today.year:
        raise BadValue("in the future")
    return year


def _checked_date(year: int, month: int, day: int, today: date) -> date:
    try:
        result = date(year, month, day)
    except ValueError:
        raise BadValue("no such date") from None
    _checked_year(year, today)
    if result > today:
        raise BadValue("in the future")
    return result


def purchase(value: object, *, month_first: bool = False, today: date | None = None) -> Purchase:
    """A purchase date or year.

    Accepts dd/mm/yyyy (or with '-' or '.'), yyyy-mm-dd, a year alone, mm/yyyy (kept as the
    year), and Excel serial dates; with `month_first` (Snipe-IT files) slashes read M/D/YY.
    """
    today = today or date.today()
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return Purchase(_checked_year(value.year, today), _checked_date(*_ymd(value), today))
    if isinstance(value, bool):
        raise BadValue("not a date")
    if isinstance(value, int | float):
        try:
            serial = _finite(value)
        except BadValue:
            raise BadValue("not a date or year") from None
        if serial.is_integer() and EARLIEST_YEAR <= serial <= LATEST_YEAR:
            return Purchase(_checked_year(int(serial), today), None)
        return _from_serial(serial, today)
    raw = str(value).strip()
    if match := _YEAR.match(raw):
        return Purchase(_checked_year(int(match.group(1)), today), None)
    if match := _ISO.match(raw):
        y, m, d = (int(g) for g in match.groups())
        return Purchase(y, _checked_date(y, m, d, today))
    if match := _DMY.match(raw):
        first, second, year_text = match.groups()
        year = int(year_text) if len(year_text) == 4 else _full_year(int(year_text), today)
        m, d = (int(first), int(second)) if month_first else (int(second), int(first))
        return Purchase(year, _checked_date(year, m, d, today))
    if match := _MONTH_YEAR.match(raw):
        month, year = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise BadValue("no such month")
        return Purchase(_checked_year(year, today), None)
    if match := _SERIAL.match(raw):
        return _from_serial(float(raw), today)
    expected = "M/D/YY" if month_first else "dd/mm/yyyy, yyyy-mm-dd or a year"
    raise BadValue(f"not a date (expected {expected})")


def _ymd(day: date) -> tuple[int, int, int]:
    return day.year, day.month, day.day


def _from_serial(serial: float, today: date) -> Purchase:
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise BadValue("not a date or year")
    day = EXCEL_EPOCH + timedelta(days=int(serial))
    return Purchase(day.year, _checked_date(*_ymd(day), today))


def audit_date(value: object, *, today: date | None = None) -> date:
    """A date known to the day (e.g. the last audit)."""
    result = purchase(value, today=today)
    if result.date is None:
        raise BadValue("needs a full date (dd/mm/yyyy)")
    return result.date


# -- words ------------------------------------------------------------------------------------


def _vocabulary(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(alias): key for key, aliases in words.items() for alias in (key, *aliases)}


_BOOLEANS = _vocabulary(
    {
        "true": ("có", "co", "x", "1", "yes", "y", "đúng", "có kết nối", "true", "✓", "v"),
        "false": ("không", "khong", "0", "no", "n", "sai", "không kết nối", "false", "-"),
    }
)


def boolean(value: object) -> bool:
    """Có/Không, x, 1/0, yes/no, true/false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    found = _BOOLEANS.get(fold(str(value))) or _BOOLEANS.get(str(value).strip().lower())
    if found is None:
        raise BadValue("not yes/no (Có/Không, x, 1/0, yes/no)")
    return found == "true"


COMPUTER_KIND_WORDS: dict[str, tuple[str, ...]] = {
    ComputerKind.desktop: (
        "máy bàn",
        "máy tính bàn",
        "máy tính để bàn",
        "máy để bàn",
        "pc",
        "desktop",
        "desktops",
        "máy trạm",
        "workstation",
        "all in one",
        "aio",
    ),
    ComputerKind.laptop: (
        "máy xách tay",
        "máy tính xách tay",
        "laptop",
        "laptops",
        "notebook",
        "notebooks",
        "xách tay",
    ),
    ComputerKind.server: ("máy chủ", "server", "servers", "máy tính chủ"),
    ComputerKind.other: ("khác", "other", "máy tính bảng", "tablet", "tablets"),
}
_COMPUTER_KINDS = _vocabulary(COMPUTER_KIND_WORDS)


def computer_kind(value: object) -> ComputerKind:
    found = _COMPUTER_KINDS.get(fold(str(value)))
    if found is None:
        raise BadValue("unknown kind (máy bàn/PC/desktop, máy xách tay/laptop, máy chủ/server)")
    return ComputerKind(found)


COMPUTER_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    ComputerStatus.in_use: (
        "đang sử dụng",
        "đang dùng",
        "sử dụng",
        "tốt",
        "in use",
        "in_use",
        "deployed",
        "active",
    ),
    ComputerStatus.spare: (
        "dự phòng",
        "chưa sử dụng",
        "spare",
        "ready to deploy",
        "pending",
        "in stock",
    ),
    ComputerStatus.broken: (
        "hỏng",
        "hư hỏng",
        "hư",
        "hỏng hóc",
        "broken",
        "out for repair",
        "faulty",
    ),
    ComputerStatus.retired: (
        "thanh lý",
        "đã thanh lý",
        "chờ thanh lý",
        "retired",
        "archived",
        "disposed",
        "lost",
        "lost/stolen",
    ),
}
_COMPUTER_STATUSES = _vocabulary(COMPUTER_STATUS_WORDS)


def computer_status(value: object) -> ComputerStatus:
    found = _COMPUTER_STATUSES.get(fold(str(value)))
    if found is None:
        raise BadValue("unknown status (đang sử dụng, dự phòng, hỏng, thanh lý)")
    return ComputerStatus(found)


AGENCY_KIND_WORDS: dict[str, tuple[str, ...]] = {
    AgencyKind.provincial: (
        "sở/ban/ngành",
        "sở, ban, ngành",
        "sở ban ngành",
        "sở",
        "ban",
        "ngành",
        "cấp tỉnh",
        "provincial",
    ),
    AgencyKind.district_committee: (
        "ubnd huyện",
        "ubnd huyện/thành phố",
        "ubnd cấp huyện",
        "ủy ban nhân dân huyện",
        "huyện",
        "cấp huyện",
        "district",
        "district committee",
        "district_committee",
    ),
    AgencyKind.commune_committee: (
        "ubnd xã",
        "ubnd xã/phường/thị trấn",
        "ubnd cấp xã",
        "ủy ban nhân dân xã",
        "xã",
        "cấp xã",
        "commune",
        "commune committee",
        "commune_committee",
    ),
    AgencyKind.other: ("khác", "other"),
}
_AGENCY_KINDS = _vocabulary(AGENCY_KIND_WORDS)


def agency_kind(value: object) -> AgencyKind:
    found = _AGENCY_KINDS.get(fold(str(value)))
    if found is None:
        raise BadValue("unknown kind (sở/ban/ngành, UBND huyện, UBND xã, khác)")
    return AgencyKind(found)


_PROBE_METHODS = _vocabulary(
    {
        ProbeMethod.auto: ("tự động",),
        ProbeMethod.icmp: ("ping",),
        ProbeMethod.tcp: (),
        ProbeMethod.both: ("cả hai", "icmp+tcp"),
    }
)


def probe_method(value: object) -> ProbeMethod:
    found = _PROBE_METHODS.get(fold(str(value)))
    if found is None:
        raise BadValue("unknown probe method (auto, icmp, tcp, both)")
    return ProbeMethod(found)


# -- network ----------------------------------------------------------------------------------

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")


def host_address(value: object) -> str:
    """An IP address a probe may be sent to (IPv4-mapped ones stored as IPv4), or a host name."""
    raw = text(value)
    try:
        ip = address_literal(raw)
    except ValueError as exc:
        raise BadValue(str(exc)) from None
    if ip is not None:
        why = refusal(ip)
        if why:
            raise BadValue(f"not a probe target: {why}")
        return str(destination(ip))
    if _HOSTNAME.match(raw.lower()) and not raw.replace(".", "").isdigit():
        return raw.lower()
    raise BadValue("not an IP address or host name")


_NO_WEBSITE = {fold(w) for w in ("không", "không có", "chưa có", "no", "none")} | {"-", "0"}


def website(value: object) -> str:
    """A web address (http or https, with a host); "Không", "chưa có" or "-" is "" (the
    agency has none). No other scheme: the address is shown as a link on the dashboard."""
    raw = text(value, max_length=200)
    if raw in _NO_WEBSITE or fold(raw) in _NO_WEBSITE:
        return ""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(raw)
    except ValueError:
        raise BadValue("not a web address (http:// or https://)") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in raw:
        raise BadValue("not a web address (http:// or https://)")
    problem = web_url_problem(raw)  # the website is checked: the probes' rule applies
    if problem:
        raise BadValue(problem)
    return raw


def tcp_ports(value: object) -> str:
    """Ports as people write them ("80;443", "80, 443", "80 443") stored as "80,443"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        parts = [text(value)]
    else:
        parts = [p for p in re.split(r"[;,\s]+", str(value).strip()) if p]
    ports: list[int] = []
    for part in parts:
        # isdigit() also admits "²" and thousand-digit strings, which int() refuses.
        if (
            not (part.isascii() and part.isdigit() and len(part) <= 5)
            or not 1 <= int(part) <= 65535
        ):
            raise BadValue(f"{part!r} is not a TCP port (1..65535)")
        if int(part) not in ports:
            ports.append(int(part))
    joined = ",".join(str(p) for p in ports)
    if len(joined) > 200:  # ConnectionPoint.tcp_ports
        raise BadValue(f"{len(ports)} ports: more than fit in 200 characters")
    return joined


# -- one record's fields ----------------------------------------------------------------------
# The rules of a record's fields, for every writer of them: the importers read cells with
# these, the dashboard's record edits (inventory/record_edits.py) read a form's values with
# the same functions, so a value refused by one is refused by the other with the same words.

COMPUTER_TEXT_LIMITS = {
    "serial": 100,
    "manufacturer": 100,
    "model": 150,
    "cpu": 150,
    "os": 100,
    "os_upgrade_blocker": 200,
    "notes": 2000,
}
ASSET_TAG_MISSING = "asset tag is missing"
POINT_CODE_MISSING = "point code is missing"


def asset_tag(value: object) -> str:
    return text(value, max_length=64)


def point_code(value: object) -> str:
    return text(value, max_length=40)


# A connection point's fields other than its code, agency and unit, each with its parser.
POINT_FIELDS: dict[str, Callable[[object], object]] = {
    "name": partial(text, max_length=200),
    "address": host_address,
    "tcp_ports": tcp_ports,
    "latitude": latitude,
    "longitude": longitude,
    "provider": partial(text, max_length=100),
    "bandwidth_mbps": bandwidth_mbps,
    "probe_method": probe_method,
    "agent": partial(text, max_length=64),
    "active": boolean,
}
# What an empty value of a point's optional field stores; the others (name, address) are
# required and an empty value keeps what is stored.
POINT_CLEARABLE = {
    "latitude": None,
    "longitude": None,
    "provider": None,
    "bandwidth_mbps": None,
    "tcp_ports": "",
    "agent": "",
}
POINT_REQUIRED_HINT = {
    "name": "Tên điểm",
    "address": "Địa chỉ IP",
    "unit_code": "Mã ĐVHC, or an agency whose unit is used",
}


def point_missing(name: str) -> tuple[str, str]:
    """The column a new point's missing `name` is reported in, and the reason."""
    column = "unit" if name == "unit_code" else name
    return column, f"a new point needs a {column} ({POINT_REQUIRED_HINT[name]})"


def head_counts(officials: int, signing_officials: int) -> None:
    """An agency's head-counts together: no more people who sign than officials."""
    if signing_officials > officials:
        raise BadValue(f"more people who sign than officials ({officials})")
