"""The lifecycle policy file: defaults, the shipped file, and each bad value refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from inventory.errors import IctrError
from inventory.lifecycle.policy import POLICY_FILE, Policy, load_policy, parse_policy
from inventory.models import ComputerKind


def test_shipped_file_states_the_documented_defaults() -> None:
    assert load_policy(POLICY_FILE) == Policy()
    policy = Policy()
    assert policy.service_life[ComputerKind.desktop] == 5
    assert policy.service_life[ComputerKind.laptop] == 4
    assert policy.service_life[ComputerKind.server] == 6
    assert policy.os_end("Windows 10 Pro") == ("Windows 10", date(2025, 10, 14))


@pytest.mark.parametrize(
    "os_name, policy_name",
    [
        ("Windows XP SP3", "Windows XP"),
        ("Win7", "Windows 7"),
        ("windows 8.1 pro", "Windows 8.1"),
        ("Windows 8", "Windows 8"),
        ("Windows Server 2008 R2", "Windows Server 2008 R2"),
        ("Windows 11", None),
        ("Windows 100", None),
        ("", None),
    ],
)
def test_os_names(os_name: str, policy_name: str | None) -> None:
    found = Policy().os_end(os_name)
    assert (found[0] if found else None) == policy_name


def test_a_partial_file_keeps_other_defaults(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        '[service_life_years]\nlaptop = 3\n[os_support_end]\n"Windows 11" = 2031-10-14\n'
    )
    policy = load_policy(path)
    assert policy.service_life[ComputerKind.laptop] == 3
    assert policy.service_life[ComputerKind.desktop] == 5
    assert policy.os_end("Windows 11 Pro") == ("Windows 11", date(2031, 10, 14))
    assert policy.os_end("Windows 7") == ("Windows 7", date(2020, 1, 14))


@pytest.mark.parametrize(
    "text, message",
    [
        ("[lifetime]\ndesktop = 5\n", "unknown section [lifetime]; known: age_unknown, "
         "new_computers, os_support_end, replacement_cost_vnd, service_life_years"),
        ("[service_life_years]\ntablet = 3\n",
         "unknown kind 'tablet' in [service_life_years]; kinds: desktop, laptop, server, other"),
        ("[service_life_years]\ndesktop = 0\n",
         "service_life_years.desktop must be a whole number of years from 1 to 30, got 0"),
        ("[service_life_years]\ndesktop = 4.5\n",
         "service_life_years.desktop must be a whole number of years from 1 to 30, got 4.5"),
        ("[replacement_cost_vnd]\nlaptop = -1\n",
         "replacement_cost_vnd.laptop must be a whole number of VND (0 or more), got -1"),
        ('[new_computers]\nkind = "tablet"\n',
         "new_computers.kind must be one of desktop, laptop, server, other, got 'tablet'"),
        ("[new_computers]\nper_official = 9\n",
         "new_computers.per_official must be from 0 to 5, got 9"),
        ('[age_unknown]\ndue = "yes"\n', "age_unknown.due must be true or false, got 'yes'"),
        ('[os_support_end]\n"Windows 10" = "2025-10-14"\n',
         "os_support_end.'Windows 10' must be a date such as 2025-10-14, got '2025-10-14'"),
        ("service_life_years = 5\n", "service_life_years must be a table ([service_life_years])"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_with_their_key(text: str, message: str) -> None:
    import tomllib

    with pytest.raises(IctrError) as exc:
        parse_policy(tomllib.loads(text), "p.toml")
    assert str(exc.value) == f"lifecycle policy p.toml: {message}"


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[service_life_years\n")
    with pytest.raises(IctrError, match=r"lifecycle policy .*p.toml: not valid TOML"):
        load_policy(path)
    with pytest.raises(IctrError, match="lifecycle policy .*nope.toml not found"):
        load_policy(tmp_path / "nope.toml")
