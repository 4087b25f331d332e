"""The composite index: normalisation, inversion, weights, ranks, no-data, configuration."""

from pathlib import Path

import pandas as pd
import pytest

from inventory.errors import IctrError
from readiness.index import load_config
from readiness.index.composite import composite_index
from readiness.index.config import IndicatorWeight, parse_config
from readiness.index.normalise import goalpost, minmax, zscore


def test_goalpost_caps_at_one_and_inverts_lower_is_better() -> None:
    values = pd.Series([50.0, 100.0, 130.0, None])
    assert goalpost(values, 100, True).tolist()[:3] == [0.5, 1.0, 1.0]
    assert pd.isna(goalpost(values, 100, True).iloc[3])
    ages = pd.Series([2.0, 4.0, 8.0, None])  # target 4 years: 8 years scores a half
    assert goalpost(ages, 4, False).tolist()[:3] == [1.0, 1.0, 0.5]
    assert pd.isna(goalpost(ages, 4, False).iloc[3])


def test_minmax_and_zscore() -> None:
    values = pd.Series([10.0, 20.0, 40.0])
    assert minmax(values, True).tolist() == [0.0, pytest.approx(1 / 3), 1.0]
    assert minmax(values, False).tolist() == [1.0, pytest.approx(2 / 3), 0.0]
    z = zscore(values, True)
    assert z.mean() == pytest.approx(0.0) and z.std(ddof=0) == pytest.approx(1.0)
    assert zscore(values, False).tolist() == pytest.approx((-z).tolist())


@pytest.mark.parametrize(
    "function, values, expected",
    [
        # lower is better: zero or below is at (or under) any target
        (lambda v: goalpost(v, 4, False), [0.0, -1.0, 8.0, None], [1.0, 1.0, 0.5, None]),
        (lambda v: goalpost(v, 100, True), [0.0, 250.0], [0.0, 1.0]),
        # every unit alike, or one unit alone: all score 1, no data stays no data
        (lambda v: minmax(v, True), [3.0, 3.0, None], [1.0, 1.0, None]),
        (lambda v: minmax(v, False), [7.0], [1.0]),
        (lambda v: minmax(v, True), [None, None], [None, None]),
    ],
)
def test_normalisation_edges(function, values, expected) -> None:
    out = function(pd.Series(values, index=[f"u{i}" for i in range(len(values))], dtype=float))
    assert list(out.index) == [f"u{i}" for i in range(len(values))]
    assert [None if pd.isna(x) else x for x in out] == expected


def config(**pillars_and_indicators):
    raw = {"pillars": pillars_and_indicators.pop("pillars"), "indicators": pillars_and_indicators}
    return parse_config(raw, "test")


def test_index_is_weighted_mean_of_pillars_worked_by_hand() -> None:
    cfg = config(
        pillars={"infrastructure": 0.5, "human_resources": 0.25, "services": 0.25},
        internet_share_pct={"weight": 3, "method": "goalpost", "target": 100},
        mean_computer_age_years={"weight": 1, "method": "goalpost", "target": 4},
        officials_per_computer={"weight": 1, "method": "goalpost", "target": 1},
        dossiers_on_time_pct={"weight": 1, "method": "goalpost", "target": 100},
    )
    values = pd.DataFrame(
        {
            "internet_share_pct": [80.0, 100.0],
            "mean_computer_age_years": [8.0, 4.0],
            "officials_per_computer": [2.0, 1.0],
            "dossiers_on_time_pct": [90.0, 50.0],
        },
        index=["A", "B"],
    )
    out = composite_index(values, cfg)
    # A: infrastructure (3*0.8 + 1*0.5)/4 = 0.725; human 0.5; services 0.9
    assert out.loc["A", "pillar_infrastructure"] == pytest.approx(0.725)
    assert out.loc["A", "index"] == pytest.approx(0.5 * 0.725 + 0.25 * 0.5 + 0.25 * 0.9)
    # B: 1, 1, 0.5
    assert out.loc["B", "index"] == pytest.approx(0.5 + 0.25 + 0.125)
    assert out["rank"].tolist() == [2, 1]


def test_a_weight_change_moves_the_ranking() -> None:
    values = pd.DataFrame(
        {"internet_share_pct": [100.0, 50.0], "dossiers_on_time_pct": [40.0, 100.0]},
        index=["A", "B"],
    )

    def ranks(infra: float, services: float) -> list[int]:
        cfg = config(
            pillars={"infrastructure": infra, "services": services},
            internet_share_pct={"method": "goalpost", "target": 100},
            dossiers_on_time_pct={"method": "goalpost", "target": 100},
        )
        return composite_index(values, cfg)["rank"].tolist()

    assert ranks(0.8, 0.2) == [1, 2]  # A: 0.88 against B: 0.6
    assert ranks(0.2, 0.8) == [2, 1]  # A: 0.52 against B: 0.9


def test_lower_is_better_is_inverted_in_minmax() -> None:
    cfg = config(pillars={"infrastructure": 1}, loss_7d_pct={"method": "minmax"})
    out = composite_index(pd.DataFrame({"loss_7d_pct": [0.0, 5.0, 10.0]}, index=list("ABC")), cfg)
    assert out["pillar_infrastructure"].tolist() == [1.0, 0.5, 0.0]
    assert out["rank"].tolist() == [1, 2, 3]


def test_zscore_pillar_is_min_max_of_mean_z() -> None:
    cfg = config(
        pillars={"services": 1},
        procedures_level3_pct={"method": "zscore"},
        procedures_level4_pct={"method": "zscore"},
    )
    values = pd.DataFrame(
        {"procedures_level3_pct": [10.0, 20.0, 30.0], "procedures_level4_pct": [30.0, 10.0, 20.0]},
        index=list("ABC"),
    )
    out = composite_index(values, cfg)
    # z3 = (-1.22, 0, 1.22); z4 = (1.22, -1.22, 0); means (0, -0.61, 0.61) -> min-max
    assert out["pillar_services"].tolist() == pytest.approx([0.5, 0.0, 1.0])


def test_a_unit_missing_a_whole_pillar_has_no_index_and_no_rank() -> None:
    cfg = config(
        pillars={"infrastructure": 0.5, "services": 0.5},
        internet_share_pct={"method": "goalpost", "target": 100},
        dossiers_on_time_pct={"method": "goalpost", "target": 100},
    )
    values = pd.DataFrame(
        {"internet_share_pct": [90.0, 80.0], "dossiers_on_time_pct": [None, 70.0]}, index=["A", "B"]
    )
    out = composite_index(values, cfg)
    assert pd.isna(out.loc["A", "index"]) and pd.isna(out.loc["A", "rank"])
    assert out.loc["B", "rank"] == 1


def test_default_config_loads_and_covers_known_indicators() -> None:
    cfg = load_config()
    assert sum(cfg.pillars.values()) == pytest.approx(1.0)
    assert cfg.indicators["computers_per_official_pct"] == IndicatorWeight(
        "computers_per_official_pct", 2.0, "goalpost", 100.0
    )
    assert cfg.indicators["availability_30d_pct"].target == 99.5


@pytest.mark.parametrize(
    "text, message",
    [
        ("[pillars]\nroads = 1\n", "[pillars] roads: unknown pillar"),
        ("[pillars]\ninfrastructure = -1\n", "weight must be >= 0"),
        (
            "[pillars]\ninfrastructure = 1\n[indicators.speed]\nweight = 1\n",
            "[indicators.speed]: unknown indicator",
        ),
        (
            "[pillars]\ninfrastructure = 1\n[indicators.internet_share_pct]\nmethod = 'rank'\n",
            "method = 'rank': use one of goalpost, minmax, zscore",
        ),
        (
            "[pillars]\ninfrastructure = 1\n[indicators.internet_share_pct]\nmethod = 'goalpost'\n",
            "goalpost needs a target > 0",
        ),
        ("pillars = [", "not valid TOML"),
    ],
)
def test_bad_config_is_refused_with_exact_message(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "index.toml"
    path.write_text(text)
    with pytest.raises(IctrError) as caught:
        load_config(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
