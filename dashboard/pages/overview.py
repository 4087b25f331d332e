"""Placeholder home page until the map lands: what the database holds."""

import streamlit as st

from inventory.db import get_engine, session_scope
from inventory.status import database_status

LABELS = {
    "districts": "Huyện/thành phố",
    "communes": "Xã/phường/thị trấn",
    "agencies": "Cơ quan, đơn vị",
    "officials": "Cán bộ, công chức, viên chức",
    "computers": "Máy tính",
    "points": "Điểm kết nối mạng TSLCD",
    "certificates": "Chứng thư số",
}


def render() -> None:
    st.title("Theo dõi mức độ sẵn sàng ứng dụng CNTT")
    with session_scope(get_engine()) as session:
        figures = database_status(session)
    if figures["synthetic_demo"]:
        st.warning("Dữ liệu mô phỏng (synthetic) — không phải số liệu thật.", icon="⚠️")
    columns = st.columns(len(LABELS))
    for column, (key, label) in zip(columns, LABELS.items(), strict=True):
        column.metric(label, f"{figures[key]:,}".replace(",", "."))
