"""``tenure score``'s work: read the ledger, segment, write snapshots.

Only this module and imports touch the ledger; pages read the snapshots.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from tenure.ledger import features as ledger_features
from tenure.ledger import store
from tenure.scoring.health_risk import prepare_health_and_risk
from tenure.scoring.models import ScoringRun
from tenure.scoring.services import scoring_run

#: Months of monthly revenue kept per account: three years shows a seasonal rhythm.
SERIES_MONTHS = 36


def run_scoring(
    *, as_of: dt.date, ledger_url: str | None = None, progress: Callable[[str], None] = print
) -> ScoringRun:
    """Compute revenue features in the ledger, then segment and snapshot the portfolio.

    Health, churn risk and CLV are prepared before the snapshots' transaction opens (the
    fitting and training take the time) and written inside it.
    """
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
    health = prepare_health_and_risk(as_of=as_of, lines=lines, features=features, progress=progress)
    run = scoring_run(
        as_of=as_of, features=features, monthly=monthly, progress=progress, health=health
    )
    progress(f"Scoring run for {as_of} done in {time.perf_counter() - started:.1f} s")
    return run
