"""`ictr status`: the configured province's era under the keys it always had, the other era
beside them (units from vietnamadminunits, loaded by `ictr init`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ictr.cli.main import app
from inventory.settings import get_settings
from tests.import_fixtures import write_csv

runner = CliRunner()


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(
    "province, mine, other",
    [
        (
            "02",  # 2020 Hà Giang, loaded with today's Tuyên Quang
            {"era": 2020, "provinces": 1, "districts": 11, "communes": 193},
            {"2025": {"units": 125, "provinces": 1, "communes": 124, "agencies": 1}},
        ),
        (
            "08@2025",  # today's Tuyên Quang, loaded with 2020 Hà Giang and Tuyên Quang
            {"era": 2025, "provinces": 1, "districts": 0, "communes": 124},
            {
                "2020": {
                    "units": 350,
                    "provinces": 2,
                    "districts": 18,
                    "communes": 330,
                    "agencies": 2,
                }
            },
        ),  # fmt: skip
    ],
)
def test_status_counts_the_configured_era_and_the_other(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    province: str,
    mine: dict[str, int],
    other: dict[str, dict[str, int]],
) -> None:
    monkeypatch.setenv("ICTR_PROVINCE_CODE", province)
    get_settings.cache_clear()
    invoke("init")
    agencies = [
        ["Tên cơ quan", "Mã ĐVHC"],
        ["UBND huyện Đồng Văn", "026"],  # 2020
        ["UBND xã Phố Cáo", "00745"],  # 2020 by --era
        ["UBND phường Hà Giang 1", "00694@2025"],  # 2025
    ]
    invoke("import", "agencies", str(write_csv(tmp_path / "a.csv", agencies[:3])), "--era", "2020")
    invoke("import", "agencies", str(write_csv(tmp_path / "b.csv", agencies[::3])))

    figures = json.loads(invoke("status", "--json").stdout)
    assert {key: figures[key] for key in mine} == mine
    assert figures["agencies"] == 3  # every agency, whatever its era, as before
    assert figures["other_eras"] == other
    # Every key of the release before eras is still there.
    assert {"database", "provinces", "districts", "communes", "agencies", "officials",
            "computers", "points", "certificates", "probe_rounds",
            "synthetic_demo"} <= figures.keys()  # fmt: skip

    (year, counts), *_ = other.items()
    listed = ", ".join(f"{n} {what}" for what, n in counts.items() if what != "units")
    assert f"era {year}         {listed}" in invoke("status").stdout.splitlines()
