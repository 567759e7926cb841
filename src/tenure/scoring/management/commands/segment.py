"""``tenure segment --report``: the Pareto summary and tier table of the latest run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenure.core.csv_cells import write_csv_rows
from tenure.scoring.selectors import portfolio_latest, portfolio_tiers, snapshots_for


class Command(BaseCommand):
    help = "Print the latest run's revenue concentration and tier table; optionally write CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--report", action="store_true", help="print the summary (default)")
        parser.add_argument("--csv", type=Path, help="write one row per account to this file")

    def handle(self, *args: object, **options: object) -> None:
        portfolio = portfolio_latest()
        if portfolio is None:
            raise CommandError("no scoring run yet: run `tenure score` first")
        c = portfolio.concentration
        out = self.stdout.write
        out(f"Revenue concentration as of {portfolio.as_of} (trailing 12 months)")
        out(f"  accounts            {c['n_accounts']:>12,}")
        out(f"  revenue             {c['total_revenue']:>12,.0f}")
        for key, label in (
            ("top_1pct_share", "1"),
            ("top_5pct_share", "5"),
            ("top_10pct_share", "10"),
            ("top_20pct_share", "20"),
        ):
            value = c.get(key)
            shown = f"{value:.1%}" if value is not None else "—"
            out(f"  top {label:>2} % of accounts {shown:>11}")
        gini, hhi = c.get("gini"), c.get("hhi")
        out(f"  Gini                {gini:>12.3f}" if gini is not None else "  Gini — ")
        out(f"  HHI                 {hhi:>12,.0f}" if hhi is not None else "  HHI — ")
        out("")
        out(f"  {'tier':<6}{'accounts':>10}{'key':>6}{'revenue':>16}{'share':>9}")
        for row in portfolio_tiers(portfolio=portfolio):
            share = f"{row['share']:.1%}" if row["share"] is not None else "—"
            out(
                f"  {row['tier']:<6}{row['accounts']:>10,}{row['key_accounts']:>6}"
                f"{row['revenue']:>16,.0f}{share:>9}"
            )
        path = options.get("csv")
        if path:
            self._write_csv(Path(str(path)), portfolio.as_of)
            out(f"Wrote {path}")

    def _write_csv(self, path: Path, as_of: dt.date) -> None:
        fields = [
            "external_id",
            "name",
            "tier",
            "revenue_rank",
            "revenue_t12m",
            "revenue_prev12m",
            "growth",
            "revenue_share",
            "cumulative_share",
            "qualification_score",
            "is_key_account",
            "keylist_action",
        ]
        with path.open("w", newline="") as handle:
            snapshots = snapshots_for(as_of=as_of).order_by("revenue_rank")
            write_csv_rows(
                handle,
                fields,
                (
                    [
                        s.account.external_id,
                        s.account.name,
                        s.tier,
                        s.revenue_rank,
                        s.revenue_t12m,
                        s.revenue_prev12m,
                        s.growth,
                        s.revenue_share,
                        s.cumulative_share,
                        s.qualification_score,
                        s.account.is_key_account,
                        s.keylist_action,
                    ]
                    for s in snapshots.iterator(chunk_size=5000)
                ),
            )
