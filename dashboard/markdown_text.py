"""Text from the data placed in Streamlit's Markdown (titles, captions, alerts) as typed.

`st.title`, `st.caption`, `st.error` and the like read their text as Markdown, with
Streamlit's additions: `:red[...]` colours, `:material/icon:` and emoji shortcodes, `$...$`
formulas. A name such as `![x](http://host/a.png)` would fetch an image, `[link](...)`
would become a link and `**bold**` bold. CommonMark lets any ASCII punctuation character
be backslash-escaped into itself; escaping all of them leaves no syntax to interpret,
Streamlit's included (its shortcode, directive and formula rules all need a bare `:`,
`[` or `$`).
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(value: object) -> str:
    """`value` as Markdown that shows exactly its text."""
    return _PUNCTUATION.sub(r"\\\1", "" if value is None else str(value))
