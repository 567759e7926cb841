"""``tenure score``'s work: read the ledger, segment, write snapshots.

Only this module and imports touch the ledger; pages read the snapshots.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from tenure.ledger import features as ledger_features
from tenure.ledger import store
from tenure.scoring.models import ScoringRun
from tenure.scoring.services import scoring_run

#: Months of monthly revenue kept per account: three years shows a seasonal rhythm.
SERIES_MONTHS = 36


def run_scoring(
    *, as_of: dt.date, ledger_url: str | None = None, progress: Callable[[str], None] = print
) -> ScoringRun:
    """Compute revenue features in the ledger, then segment and snapshot the portfolio."""
    started = time.perf_counter()
    con = store.connect(ledger_url)
    lines = store.order_lines(con)
    features = ledger_features.to_polars(ledger_features.account_features(lines, as_of=as_of))
    monthly = ledger_features.to_polars(
        ledger_features.monthly_revenue(lines, as_of=as_of, months=SERIES_MONTHS)
    )
    progress(
        f"Ledger features for {features.height:,} accounts in {time.perf_counter() - started:.1f} s"
    )
    run = scoring_run(as_of=as_of, features=features, monthly=monthly, progress=progress)
    progress(f"Scoring run for {as_of} done in {time.perf_counter() - started:.1f} s")
    return run
