"""What a ledger's length allows: horizon, minimum history, cut-offs and backtest folds.

Training at a cut-off *t* needs ``min_history_days`` of orders before *t* (to say anything
about an account) and ``horizon_days`` after it (to know the outcome). A backtest fold at
*c* then needs its own horizon after *c*, and its model's training cut-offs must have ended
their horizons before *c*. With every setting at its default (180-day horizon, 180 days of
minimum history, four folds 90 days apart) that takes more than two years of data; a new
installation often has one. :func:`plan_for_history` keeps the configured settings when the
ledger allows them and otherwise gives way in a fixed order, saying what it changed:

1. fewer folds (down to two) and training cut-offs a month apart;
2. a shorter minimum history (down to ``min_history_floor``);
3. a shorter horizon, in 30-day steps down to 90 days;
4. a single fold;
5. a shorter horizon still, down to ``horizon_floor``.

Only when even that does not fit does it refuse, naming the days it would need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

__all__ = ["HistoryPlan", "plan_for_history"]

#: Training cut-offs that must fit before the first fold (the model calibrates on the latest).
MIN_TRAINING_CUTOFFS = 2


@dataclass(frozen=True)
class HistoryPlan:
    """Settings that fit the ledger, and what was changed from the configured ones.

    Attributes
    ----------
    horizon_days, min_history_days
        Days ahead the label looks; days of orders needed before a training cut-off.
    folds, every_days
        Backtest evaluation cut-offs and the days between them (``folds`` is 0 for a
        plan that only trains).
    step_days
        Days between training cut-offs.
    notes
        One sentence per setting that was changed, for the command's output.
    """

    horizon_days: int
    min_history_days: int
    folds: int
    every_days: int
    step_days: int
    notes: tuple[str, ...] = ()

    def needed_days(self, training_cutoffs: int = MIN_TRAINING_CUTOFFS) -> int:
        """Days of ledger this plan needs (first order day to last, inclusive)."""
        folds = max(self.folds, 0)
        evaluation = self.horizon_days + (folds - 1) * self.every_days if folds else 0
        return (
            self.min_history_days
            + (training_cutoffs - 1) * self.step_days
            + self.horizon_days
            + evaluation
        )

    def evaluation_cutoffs(self, last_day: dt.date) -> list[dt.date]:
        """Return the folds' cut-offs, oldest first; the latest horizon ends on ``last_day``."""
        latest = last_day + dt.timedelta(days=1 - self.horizon_days)
        return sorted(latest - dt.timedelta(days=self.every_days * k) for k in range(self.folds))


def _shorter(horizon: int, floor: int) -> list[int]:
    """Shorter horizons to try: whole months below ``horizon``, not under ``floor``."""
    steps = []
    value = horizon - horizon % 30 if horizon % 30 else horizon - 30
    while value >= floor:
        steps.append(value)
        value -= 30
    return steps


def plan_for_history(
    first_day: dt.date,
    last_day: dt.date,
    *,
    horizon_days: int,
    min_history_days: int = 180,
    folds: int = 4,
    every_days: int = 90,
    step_days: int = 30,
    min_history_floor: int = 90,
    horizon_floor: int = 30,
) -> HistoryPlan:
    """Fit the settings to a ledger running from ``first_day`` to ``last_day``.

    Parameters
    ----------
    first_day, last_day
        The ledger's first and last order dates.
    horizon_days, min_history_days, folds, every_days, step_days
        The configured settings (``folds=0``: training only, as ``tenure score`` does).
    min_history_floor, horizon_floor
        How far the minimum history and the horizon may be shortened.

    Returns
    -------
    HistoryPlan
        The configured settings when they fit, else the first relaxation that fits.

    Raises
    ------
    ValueError
        If the ledger is too short even for the floors; the message names the days needed.

    Examples
    --------
    One year of orders cannot hold a 180-day horizon twice over:

    >>> plan = plan_for_history(dt.date(2025, 1, 1), dt.date(2025, 12, 31), horizon_days=180)
    >>> plan.horizon_days, plan.min_history_days, plan.folds
    (120, 90, 1)
    """
    for name, value in (
        ("horizon_days", horizon_days),
        ("min_history_days", min_history_days),
        ("every_days", every_days),
        ("step_days", step_days),
        ("min_history_floor", min_history_floor),
        ("horizon_floor", horizon_floor),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number of days >= 1, got {value!r}")
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 0:
        raise ValueError(f"folds must be a whole number >= 0, got {folds!r}")
    span = (last_day - first_day).days + 1
    configured = HistoryPlan(horizon_days, min_history_days, folds, every_days, step_days)

    def fits(plan: HistoryPlan) -> bool:
        return plan.needed_days() <= span

    candidates = [configured]
    relaxed = replace(configured, folds=min(folds, 2), step_days=min(step_days, 30))
    candidates.append(relaxed)
    relaxed = replace(relaxed, min_history_days=min(min_history_days, min_history_floor))
    candidates.append(relaxed)
    candidates += [
        replace(relaxed, horizon_days=h) for h in _shorter(horizon_days, max(horizon_floor, 90))
    ]
    if folds > 1:
        single = replace(relaxed, folds=1)
        candidates += [single] + [
            replace(single, horizon_days=h) for h in _shorter(horizon_days, max(horizon_floor, 90))
        ]
    last = candidates[-1]
    shortest = _shorter(last.horizon_days, horizon_floor)
    candidates += [replace(last, horizon_days=h) for h in shortest]
    chosen = next((plan for plan in candidates if fits(plan)), None)
    last = candidates[-1]
    if chosen is None:
        raise ValueError(
            f"the ledger holds {span} days of orders ({first_day} to {last_day}); even a "
            f"{last.horizon_days}-day horizon with {last.min_history_days} days of history "
            f"needs {last.needed_days()}"
        )
    return replace(chosen, notes=_notes(configured, chosen, span))


def _notes(configured: HistoryPlan, chosen: HistoryPlan, span: int) -> tuple[str, ...]:
    why = f"the ledger holds {span} days"
    notes = []
    if chosen.folds != configured.folds:
        notes.append(f"{chosen.folds} fold(s) instead of {configured.folds} ({why})")
    if chosen.step_days != configured.step_days:
        notes.append(
            f"training cut-offs {chosen.step_days} days apart instead of {configured.step_days}"
        )
    if chosen.min_history_days != configured.min_history_days:
        notes.append(
            f"{chosen.min_history_days} days of minimum history instead of "
            f"{configured.min_history_days}"
        )
    if chosen.horizon_days != configured.horizon_days:
        notes.append(
            f"a {chosen.horizon_days}-day horizon instead of {configured.horizon_days} ({why})"
        )
    return tuple(notes)
