"""How current the ledger behind a scoring run is.

An ERP export is usually a day or a few days old: ledger measures count to the ledger's last
order day (see :meth:`tenure.health.point_in_time.History.ledger_day`) and pages say how far
the orders go. A ledger that has stopped updating is the operator's problem, not a churn
signal on every account: past :data:`STALE_AFTER_DAYS` it is flagged as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tenure.core.dates import day_label

#: Days between the run's day and the ledger's last order after which the ledger is stale.
STALE_AFTER_DAYS = 7


@dataclass(frozen=True)
class LedgerFreshness:
    """The ledger's last order day seen by a run made for ``as_of``."""

    as_of: dt.date
    through: dt.date | None

    @property
    def lag_days(self) -> int | None:
        """Days from the ledger's last order to the run's day (``None`` without orders)."""
        return None if self.through is None else (self.as_of - self.through).days

    @property
    def stale(self) -> bool:
        """Whether the ledger looks like it stopped updating."""
        lag = self.lag_days
        return lag is not None and lag > STALE_AFTER_DAYS

    @property
    def label(self) -> str:
        """What a page says next to ledger figures, e.g. "orders up to 30 Nov 2026"."""
        if self.through is None:
            return "no orders in the ledger"
        return f"orders up to {day_label(self.through)}"

    def warning(self) -> str | None:
        """The operator's warning when the ledger is stale, else ``None``."""
        if not self.stale or self.through is None:
            return None
        return (
            f"The ledger's last order is on {day_label(self.through)}, {self.lag_days} days "
            f"before the run's day ({day_label(self.as_of)}): is the order import still running? "
            "Ledger measures count to the last order day, so accounts are not scored as silent "
            "for the missing days."
        )
