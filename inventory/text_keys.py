"""Keys for matching Vietnamese text typed by people: case, diacritics and spacing ignored.

"Huyện Đồng Văn", "huyen dong van" and "HUYỆN  ĐỒNG-VĂN" all give the same key, so headers,
agency names and unit names can be matched however a spreadsheet spells them.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, no diacritics (đ becomes d), runs of other characters as one space."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", bare).strip()


def compact(text: str) -> str:
    """`fold` without any spaces: for headers such as "Mã tài sản" vs "MaTaiSan"."""
    return fold(text).replace(" ", "")
