"""Hà Giang's published ICT figures for December 2020, which the synthetic demo reproduces,
and the demo's fixed dates.

Each figure is a ratio whose numerator and denominator the demo fixes exactly, so a query
over the demo database gives the published value to two decimals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PROVINCE_CODE = "02"
PERIOD = "2020"
AS_OF = date(2020, 12, 31)
# The demo runs on to its last day inside today's Tuyên Quang; fixed, so it is deterministic.
LAST_DAY = date(2026, 11, 30)
LAST_ROUND = datetime(2026, 11, 30, 23, 55, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)
# What 2021-2026 draws from, apart from 2020's generator (whose rows stay as they were).
SEED_2026 = 20261130
DATASET_MARKER = "synthetic-demo:ha-giang-2020-tuyen-quang-2026:v2"

# Computers in use per official, at provincial departments and district People's Committees (%).
COMPUTERS_PER_OFFICIAL_PCT = 104.06
# Computers in use that are connected to the internet, all agencies (%).
INTERNET_SHARE_PCT = 91.14
CONNECTION_POINTS = 73
CERTIFICATES = 5885
# Administrative procedures offered online at level 3 and level 4, of all procedures (%).
PROCEDURES_LEVEL3_PCT = 19.28
PROCEDURES_LEVEL4_PCT = 14.79
# Dossiers resolved early or on time, of dossiers received (%).
DOSSIERS_ON_TIME_PCT = 89.32
# Procedures whose time to resolve was cut by more than 30 %, of all procedures (%).
PROCEDURES_CUT_30_PCT = 31.55
# Every agency uses an e-office system and has its one-stop shop connected to the
# public-service portal, as the province reported for 2020 (100 % and 100 %).

# How well served each district is, 1.0 for the provincial city; remote highland districts
# lower. Drives the spread of every per-district figure in the demo.
DISTRICT_READINESS = {
    "024": 1.00,  # Thành phố Hà Giang
    "034": 0.92,  # Bắc Quang
    "030": 0.88,  # Vị Xuyên
    "035": 0.84,  # Quang Bình
    "029": 0.80,  # Quản Bạ
    "031": 0.78,  # Bắc Mê
    "028": 0.76,  # Yên Minh
    "032": 0.68,  # Hoàng Su Phì
    "033": 0.67,  # Xín Mần
    "027": 0.64,  # Mèo Vạc
    "026": 0.62,  # Đồng Văn
}
