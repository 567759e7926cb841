"""How an account's health moved between two snapshots, and why.

The change is explained by the measures whose contributions moved most. When the two
snapshots were scored with different scorecard versions the comparison is marked: part of
the change may come from new weights or bands rather than from the account.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["HealthChange", "health_change"]


@dataclass(frozen=True)
class HealthChange:
    """The move of an account's health from ``previous`` to ``current``.

    Attributes
    ----------
    change
        Current score minus previous score (``None`` when either is unknown).
    movers
        ``(measure key, change in contribution)``, biggest moves first.
    version_changed
        The two scores come from different scorecard versions.
    """

    change: float | None
    movers: tuple[tuple[str, float], ...]
    version_changed: bool


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def health_change(
    current_score: float | None,
    current_contributions: Mapping[str, float | None],
    previous_score: float | None,
    previous_contributions: Mapping[str, float | None],
    *,
    current_version: str = "",
    previous_version: str = "",
    top: int = 3,
    min_move: float = 0.5,
) -> HealthChange:
    """Compare two health snapshots of one account.

    Parameters
    ----------
    current_score, previous_score
        The two scores (0–100), or ``None``.
    current_contributions, previous_contributions
        Measure key → contribution (points of the score); a missing measure counts as 0
        points, which is what it added to that score.
    current_version, previous_version
        Scorecard versions, to mark a change of scorecard.
    top
        Most movers returned.
    min_move
        Smallest change in points worth naming.

    Examples
    --------
    >>> c = health_change(62.0, {"tone": 4.0, "cadence": 10.0}, 70.0,
    ...                   {"tone": 10.0, "cadence": 12.0})
    >>> c.change, c.movers
    (-8.0, (('tone', -6.0), ('cadence', -2.0)))
    """
    now, before = _number(current_score), _number(previous_score)
    change = None if now is None or before is None else now - before
    keys = set(current_contributions) | set(previous_contributions)
    deltas = []
    for key in sorted(keys):
        delta = (_number(current_contributions.get(key)) or 0.0) - (
            _number(previous_contributions.get(key)) or 0.0
        )
        if abs(delta) >= min_move:
            deltas.append((key, round(delta, 2)))
    deltas.sort(key=lambda item: (-abs(item[1]), item[0]))
    return HealthChange(
        change=None if change is None else round(change, 2),
        movers=tuple(deltas[:top]),
        version_changed=bool(current_version and previous_version)
        and current_version != previous_version,
    )
