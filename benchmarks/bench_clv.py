"""Benchmark the BG/NBD fitter on a million simulated customers, against ``lifetimes``.

Simulates customers from the BG/NBD model with the CDNOW estimates of Fader, Hardie & Lee
(2005) as the truth (seeded), fits Tenure's ``BetaGeoFitter`` and, in a separate Python that
has ``lifetimes`` installed, ``lifetimes.BetaGeoFitter`` on the same data, then prints
times, their ratio and the parameter differences. ``lifetimes`` is never a dependency of
Tenure: it runs in its own virtualenv, in a subprocess.

Two layouts of the same customers are timed:

- ``daily``: recency and T in whole days (shown in weeks), as ``rfm_summary`` produces from
  a ledger; customers share histories, which Tenure's fitter exploits;
- ``exact``: continuous recency, every history distinct (the worst case for Tenure).

Without ``lifetimes`` the alternative measured in the same run is ``per_customer_fit``: the
textbook likelihood over every customer, minimised by Nelder-Mead as ``lifetimes`` does (its
estimates agree with Tenure's to about 1e-7).

Usage::

    python benchmarks/bench_clv.py                                # Tenure, per-customer fit
    python benchmarks/bench_clv.py --lifetimes-python /path/to/venv/bin/python
    python benchmarks/bench_clv.py --create-lifetimes-venv        # build one, then use it

``--create-lifetimes-venv`` makes ``~/.cache/tenure/bench-lifetimes-venv`` (or
``$XDG_CACHE_HOME``) with lifetimes 0.11.3 and the old NumPy/SciPy/pandas it still works with
on Python 3.11.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy

from tenure.insights.clv import BetaGeoFitter, simulate_bgnbd
from tenure.insights.clv.bgnbd import _Likelihood

TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PARAMS = ("r", "alpha", "a", "b")
HORIZON = 52.0
LIFETIMES_PINS = [
    "lifetimes==0.11.3",
    "numpy==1.26.4",
    "scipy==1.11.4",
    "pandas==1.5.3",
    "autograd==1.6.2",
]

# Runs inside the lifetimes virtualenv: fit, predict, report as JSON on stdout.
LIFETIMES_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np, scipy, pandas, lifetimes
from lifetimes import BetaGeoFitter
warnings.simplefilter("ignore")
data = np.load(sys.argv[1])
horizon = float(sys.argv[2])
x, t_x, T = data["frequency"], data["recency"], data["T"]
start = time.perf_counter()
model = BetaGeoFitter().fit(x, t_x, T)
fit_seconds = time.perf_counter() - start
start = time.perf_counter()
with np.errstate(all="ignore"):
    expected = np.asarray(
        model.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, T), float
    )
predict_seconds = time.perf_counter() - start
np.save(sys.argv[3], expected)
print(json.dumps({
    "fit_seconds": fit_seconds,
    "predict_seconds": predict_seconds,
    "params": [float(model.params_[k]) for k in ("r", "alpha", "a", "b")],
    "versions": {"lifetimes": lifetimes.__version__, "numpy": np.__version__,
                 "scipy": scipy.__version__, "pandas": pandas.__version__},
}))
"""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tenure" / "bench-lifetimes-venv"


def create_lifetimes_venv(target: Path) -> Path:
    python = target / "bin" / "python"
    if python.exists():
        return python
    print(f"creating {target} with {', '.join(LIFETIMES_PINS)} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *LIFETIMES_PINS], check=True)
    return python


def simulate(n: int, seed: int) -> dict[str, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    # First purchases spread over two years of whole days, observed at one cut-off.
    T = rng.integers(1, 731, n) / 7.0
    data = simulate_bgnbd(T, rng=rng, **TRUTH)
    frequency = data["frequency"].to_numpy().astype(np.float64)
    recency = data["recency"].to_numpy()
    return {
        "daily": {"frequency": frequency, "recency": np.floor(recency * 7.0) / 7.0, "T": T},
        "exact": {"frequency": frequency, "recency": recency, "T": T},
    }


def time_tenure(data: dict[str, np.ndarray], repeat: int) -> tuple[list[float], BetaGeoFitter]:
    times, model = [], BetaGeoFitter()
    for _ in range(repeat):
        start = time.perf_counter()
        model = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
        times.append(time.perf_counter() - start)
    return times, model


def per_customer_fit(data: dict[str, np.ndarray]) -> list[float]:
    """The obvious way, measured when no ``lifetimes`` is at hand: the textbook BG/NBD
    log-likelihood (Fader, Hardie & Lee 2005, eq. 6) summed over every customer, minimised
    by Nelder-Mead in log-parameters from ones, as ``lifetimes`` does, with no gradient and
    no grouping of equal histories."""
    from scipy.optimize import minimize
    from scipy.special import gammaln

    x, t_x, big_t = data["frequency"], data["recency"], data["T"]
    bought = x > 0

    def negative_log_likelihood(log_params: np.ndarray) -> float:
        r, alpha, a, b = np.exp(log_params)
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
        a3 = -(r + x) * np.log(alpha + big_t)
        a4 = np.full_like(a3, -np.inf)
        a4[bought] = (
            np.log(a) - np.log(b + x[bought] - 1) - (r + x[bought]) * np.log(alpha + t_x[bought])
        )
        return float(-(a1 + a2 + np.logaddexp(a3, a4)).sum())

    found = minimize(
        negative_log_likelihood,
        np.zeros(4),
        method="Nelder-Mead",
        options={"maxiter": 5000, "xatol": 1e-8, "fatol": 1e-8},
    )
    return [float(v) for v in np.exp(found.x)]


def run_lifetimes(python: str, data: dict[str, np.ndarray], sample: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customers.npz"
        out = Path(folder) / "expected.npy"
        np.savez(
            path,
            frequency=data["frequency"][:sample],
            recency=data["recency"][:sample],
            T=data["T"][:sample],
        )
        completed = subprocess.run(
            [python, "-c", LIFETIMES_SCRIPT, str(path), str(HORIZON), str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
        report: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
        report["expected"] = np.load(out)
    return report


def show_params(label: str, values: list[float]) -> None:
    print(f"  {label:<26}" + "".join(f"{v:>14.6f}" for v in values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3, help="timed fits per layout")
    parser.add_argument("--layout", choices=["daily", "exact", "both"], default="both")
    parser.add_argument("--lifetimes-python", help="a Python with lifetimes installed")
    parser.add_argument(
        "--create-lifetimes-venv",
        nargs="?",
        const=str(cache_dir()),
        metavar="DIR",
        help=f"create (once) a lifetimes virtualenv, default {cache_dir()}",
    )
    parser.add_argument(
        "--lifetimes-sample", type=int, help="fit lifetimes on the first N customers only"
    )
    args = parser.parse_args()

    lifetimes_python = args.lifetimes_python
    if args.create_lifetimes_venv and not lifetimes_python:
        lifetimes_python = str(create_lifetimes_venv(Path(args.create_lifetimes_venv)))

    print("BG/NBD fit benchmark")
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"
    )
    print(f"  cpus {os.cpu_count()}, load average before {os.getloadavg()[0]:.2f}")
    print(f"  {args.customers:,} customers, seed {args.seed}, truth {TRUTH}")
    layouts = ["daily", "exact"] if args.layout == "both" else [args.layout]
    start = time.perf_counter()
    datasets = simulate(args.customers, args.seed)
    print(f"  simulated in {time.perf_counter() - start:.2f} s")

    for layout in layouts:
        data = datasets[layout]
        likelihood = _Likelihood.from_customers(data["frequency"], data["recency"], data["T"])
        distinct = likelihood.x.size + likelihood.zero_T.size
        print(f"\n== {layout}: {distinct:,} distinct (frequency, recency, T) histories")
        times, model = time_tenure(data, args.repeat)
        ours = [model.r_, model.alpha_, model.a_, model.b_]
        print(
            f"  tenure fit      : best {min(times):.3f} s, median {statistics.median(times):.3f} s"
            f" over {len(times)} runs ({model.n_iter_} optimiser iterations)"
        )
        start = time.perf_counter()
        expected = model.conditional_expected_number_of_purchases_up_to_time(
            HORIZON, data["frequency"], data["recency"], data["T"]
        )
        print(
            f"  tenure predict  : {time.perf_counter() - start:.3f} s (E[purchases] next 52 weeks)"
        )
        print("  parameters" + " " * 20 + "".join(f"{p:>14}" for p in PARAMS))
        show_params("truth", list(TRUTH.values()))
        show_params("tenure", ours)
        if not lifetimes_python:
            start = time.perf_counter()
            theirs = per_customer_fit(data)
            seconds = time.perf_counter() - start
            print(
                f"  per-customer fit: {seconds:.3f} s (no lifetimes given: the textbook "
                "likelihood over every customer, Nelder-Mead, as lifetimes fits)"
            )
            show_params("per-customer", theirs)
            relative = max(abs(o - t) / t for o, t in zip(ours, theirs, strict=True))
            print(
                f"  speed-up        : per-customer / tenure = {seconds / min(times):.1f}x; "
                f"largest relative parameter difference {relative:.1e}"
            )
            continue

        sample = min(args.lifetimes_sample or args.customers, args.customers)
        report = run_lifetimes(lifetimes_python, data, sample)
        theirs = [float(v) for v in report["params"]]  # type: ignore[attr-defined]
        fit_seconds = float(report["fit_seconds"])  # type: ignore[arg-type]
        scope = "all customers" if sample == args.customers else f"first {sample:,} customers"
        print(f"  lifetimes fit   : {fit_seconds:.3f} s on {scope} {report['versions']}")
        show_params("lifetimes", theirs)
        if sample == args.customers:
            print(f"  speed-up        : lifetimes / tenure = {fit_seconds / min(times):.1f}x")
            relative = [(o - t) / t for o, t in zip(ours, theirs, strict=True)]
            print("  tenure - lifetimes, relative" + "".join(f"{v:>14.2e}" for v in relative))
            ll_ours = likelihood.log_likelihood(*ours)[0]
            ll_theirs = likelihood.log_likelihood(*theirs)[0]
            print(
                f"  log-likelihood  : tenure {ll_ours:.4f}, lifetimes {ll_theirs:.4f} "
                f"(difference {ll_ours - ll_theirs:+.2e})"
            )
            their_expected = np.asarray(report["expected"], dtype=np.float64)
            bad = ~np.isfinite(their_expected)
            close = np.abs(their_expected[~bad] - expected[~bad]) / np.maximum(
                expected[~bad], 1e-300
            )
            seconds = float(report["predict_seconds"])  # type: ignore[arg-type]
            print(
                f"  lifetimes predict: {seconds:.3f} s; non-finite values: lifetimes "
                f"{int(bad.sum()):,}, tenure {int((~np.isfinite(expected)).sum()):,}; largest "
                f"relative difference where both finite {close.max():.1e}"
            )
        else:
            print("  (subsample: times and parameters are not comparable one to one)")


if __name__ == "__main__":
    main()
