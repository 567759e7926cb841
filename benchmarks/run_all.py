"""Every benchmark under benchmarks/ at a small size, so none of them can rot (make benchmarks).

Each benchmark runs in its own process with its usual output (its figures, and its ratio
against the obvious alternative measured in the same run); this script then prints each
one's wall and CPU time (its own and its children's) and the total. The sizes are the
smallest at which each benchmark still exercises its code and its comparison; the figures
say the code still runs and still agrees with its alternative, not how fast it is at full
size (the docstring of each benchmark gives the full-size command). Measured total on two
cores: 72 s of CPU, two thirds of it fixed costs of the product commands (the scoring cold
run's churn training, the load benchmark's ``tenure demo``); see docs/development.md.

A benchmark that crashes fails the run. One that runs to the end but misses a budget it
checks (a p95 or a time limit written for a quiet machine) is reported as over budget and
does not: on a small, shared CI machine a single slow request decides a p95 of 20.

Usage::

    python benchmarks/run_all.py                 # all of them
    python benchmarks/run_all.py ledger clv      # some of them, by name
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: name → the benchmark's arguments at its small size.
SMALL: dict[str, list[str]] = {
    "ledger": ["bench_ledger.py", "--lines", "100000", "--accounts", "2000"],
    "scoring": ["bench_scoring.py", "--accounts", "1000", "--lines", "50000"],
    "clv": ["bench_clv.py", "--customers", "5000", "--layout", "daily", "--repeat", "1"],
    "alerts": ["bench_alerts.py", "--accounts", "300", "--sample", "20"],
    "pages": [
        "bench_pages.py",
        "--accounts",
        "100",
        "--interactions",
        "2000",
        "--requests",
        "10",
        "--alternative-requests",
        "5",
    ],
    "seasonality": ["bench_seasonality.py", "--accounts", "300"],
    "load": [
        "bench_load.py",
        "--database",
        "sqlite",
        "--accounts",
        "20",
        "--duration",
        "3",
        "--concurrency",
        "2",
        "--max-requests",
        "200",
    ],
}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(SMALL)}")
    args = parser.parse_args()
    unknown = sorted(set(args.names) - SMALL.keys())
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; choose from {', '.join(SMALL)}")
    names = args.names or list(SMALL)
    env = dict(os.environ, TENURE_HTTPS="0")
    env.pop("TENURE_DATABASE_URL", None)
    rows = []
    for name in names:
        command = [sys.executable, str(HERE / SMALL[name][0]), *SMALL[name][1:]]
        shown = " ".join(["python", f"benchmarks/{SMALL[name][0]}", *SMALL[name][1:]])
        print(f"\n=== {name}: {shown}")
        sys.stdout.flush()
        wall, cpu = time.perf_counter(), _cpu()
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        print(done.stdout, end="")
        if done.returncode == 0:
            verdict = "ok"
        elif "FAIL" in done.stdout:  # it ran to the end and printed its budget verdicts
            verdict = "over budget"
        else:
            verdict = f"FAILED (exit {done.returncode})"
        rows.append((name, wall, cpu, verdict))
    print(f"\n{'benchmark':<12} {'wall s':>8} {'CPU s':>8}  result")
    for name, wall, cpu, verdict in rows:
        print(f"{name:<12} {wall:8.1f} {cpu:8.1f}  {verdict}")
    total_wall = sum(row[1] for row in rows)
    total_cpu = sum(row[2] for row in rows)
    print(f"{'total':<12} {total_wall:8.1f} {total_cpu:8.1f}")
    return 1 if any(row[3].startswith("FAILED") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
