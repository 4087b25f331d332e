"""The lifecycle policy seen by the indicators: service life by kind, OS support on a date."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from inventory.lifecycle.policy import Policy, load_policy


@dataclass(frozen=True)
class AgePolicy:
    """What 'within service life' and 'supported OS' mean (from the lifecycle policy)."""

    life_years: Mapping[str, int]
    os_supported: Callable[[str | None, date], bool]


def os_supported(policy: Policy, os_name: str | None, at: date) -> bool:
    """Supported unless the policy lists the OS with an end of support on or before `at`.

    An unrecorded OS is not counted as supported; an OS the policy does not list (e.g. a newer
    release) is.
    """
    if not os_name or not os_name.strip():
        return False
    end = policy.os_end(os_name)
    return end is None or end[1] > at


def age_policy_from_lifecycle(path: Path | None = None) -> AgePolicy:
    policy = load_policy(path)
    return AgePolicy(
        life_years={kind.value: years for kind, years in policy.service_life.items()},
        os_supported=lambda os_name, at: os_supported(policy, os_name, at),
    )
