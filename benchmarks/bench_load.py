"""Load benchmark: the production server under mixed read/write traffic, with no lost writes.

Runs ``tenure serve --production`` (gunicorn, 2 workers by default) against PostgreSQL on
127.0.0.1 — a throwaway cluster started with ``scripts/throwaway_postgres.py``, or the server
of ``TENURE_TEST_POSTGRES_URL``, in a database of its own that is dropped afterwards — on a
demo portfolio (``tenure demo --no-serve --accounts 300``). Python threads, each logged in
as a different account manager (session cookie + CSRF token), then send a bounded number of
requests for a bounded time:

- reads: ``GET /`` (my accounts), ``/accounts/``, ``/accounts/<id>/``;
- writes: ``POST /accounts/<id>/log/`` (log a call), each with a unique summary.

It reports requests per second, latency percentiles per kind, errors, and checks that every
acknowledged write (a 302) is in the database, read back by its summary. Each write also
records its audit events, so the figures include the audit trail's cost. Traffic goes to
127.0.0.1 only.

Usage::

    python benchmarks/bench_load.py                      # 20 s, 8 threads, PostgreSQL
    python benchmarks/bench_load.py --database sqlite    # the same on the embedded store
    python benchmarks/bench_load.py --duration 60 --concurrency 16 --workers 4 --json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from _store import copy_migrated

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # never anything else: this is a load generator
DEMO_PASSWORD = "tenure-demo"
READS = (("home", 0.35), ("accounts", 0.25), ("account", 0.40))
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _tenure(*args: str) -> list[str]:
    return [sys.executable, "-m", "tenure", *args]


# --- one simulated account manager ---------------------------------------------------------


@dataclass
class Results:
    """What every thread measured, merged."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)


class Budget:
    """A shared cap on requests, so the run is bounded in count as well as in time."""

    def __init__(self, requests: int, seconds: float) -> None:
        self.left, self.deadline = requests, time.monotonic() + seconds
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


class Manager:
    """One logged-in person on one keep-alive connection."""

    def __init__(self, port: int, username: str) -> None:
        self.port, self.username = port, username
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()  # a closed keep-alive connection: reconnect once
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt == 2 or method == "POST":
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data

    def log_in(self) -> None:
        status, page = self.request("GET", "/login/")
        token = TOKEN.search(page.decode())
        if status != 200 or token is None:
            raise RuntimeError(f"login page: HTTP {status}")
        form = {"username": self.username, "password": DEMO_PASSWORD}
        status, _ = self.request("POST", "/login/", {**form, "csrfmiddlewaretoken": token[1]})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {self.username}: HTTP {status}")


def drive(
    manager: Manager,
    accounts: list[int],
    budget: Budget,
    results: Results,
    *,
    run_id: str,
    number: int,
    write_share: float,
) -> None:
    """Send requests until the budget is spent; record latencies, errors and writes."""
    rng = random.Random(number)  # seeded: the same mix on every run
    kinds, weights = zip(*READS, strict=True)
    sent = 0
    while budget.take():
        sent += 1
        account = rng.choice(accounts)
        if rng.random() < write_share:
            kind, summary = "write", f"bench {run_id} {number}-{sent}"
            form = {
                "kind": "call",
                "occurred_at": time.strftime("%Y-%m-%dT%H:%M"),
                "summary": summary,
                "sentiment": "0",
                "csrfmiddlewaretoken": manager.cookies.get("csrftoken", ""),
            }
            method, path, expected = "POST", f"/accounts/{account}/log/", 302
        else:
            kind = rng.choices(kinds, weights)[0]
            path = {"home": "/", "accounts": "/accounts/", "account": f"/accounts/{account}/"}[kind]
            method, form, expected, summary = "GET", None, 200, ""
        started = time.perf_counter()
        try:
            status, _ = manager.request(method, path, form)
        except (http.client.HTTPException, OSError) as error:
            status = 0
            with results.lock:
                results.errors.append(f"{method} {path}: {error!r}")
        results.add(kind, time.perf_counter() - started)
        if status and status != expected:
            with results.lock:
                results.errors.append(f"{method} {path}: HTTP {status}")
        if kind == "write":
            with results.lock:
                (results.acknowledged if status == 302 else results.unacknowledged).append(summary)


# --- the run -------------------------------------------------------------------------------


def _database_rows(url: str, home: Path, sql: str, params: tuple = ()) -> list[tuple]:
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            return conn.execute(sql, params).fetchall()
    with sqlite3.connect(home / "tenure.sqlite3") as conn:
        return conn.execute(sql.replace("%s", "?"), params).fetchall()


def _wait_healthy(port: int, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped while starting:\n{log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz")


def _percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=1000, method="inclusive")[round(share * 1000) - 1]


def run(args: argparse.Namespace, database_url: str) -> dict[str, object]:
    """Seed, serve, drive, verify in a data folder of its own; return the figures."""
    home = Path(tempfile.mkdtemp(prefix="tenure-bench-"))
    try:
        return _run_in(home, args, database_url)
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


def _run_in(home: Path, args: argparse.Namespace, database_url: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENURE_")}
    env.update(
        TENURE_HOME=str(home),
        TENURE_DATABASE_URL=database_url,
        TENURE_HTTPS="0",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")])),
    )
    if not database_url:
        copy_migrated(home)  # under `make benchmarks`: the demo's migrate finds nothing to do
    print(f"Seeding {args.accounts} demo accounts in {home}…", flush=True)
    started = time.perf_counter()
    seeded = subprocess.run(
        # One scoring run: the benchmark times writes, not the demo's year of history.
        _tenure("demo", "--no-serve", "--accounts", str(args.accounts), "--history-months", "1"),
        env=env,
        capture_output=True,
        text=True,
    )
    try:
        accounts = [
            row[0] for row in _database_rows(database_url, home, "SELECT id FROM accounts_account")
        ]
    except Exception as error:  # the demo's own error says more
        raise RuntimeError(f"tenure demo failed: {seeded.stderr[-2000:]}") from error
    if seeded.returncode != 0:
        tail = (seeded.stderr.strip().splitlines() or ["?"])[-1]
        if not accounts:
            raise RuntimeError(f"tenure demo failed: {seeded.stderr[-2000:]}")
        print(f"  warning: tenure demo failed after loading the CRM ({tail}); going on")
    managers = [
        row[0]
        for row in _database_rows(
            database_url,
            home,
            "SELECT username FROM auth_user WHERE is_superuser = %s ORDER BY id",
            (False,),
        )
    ]
    # Each manager works on the accounts of their own team (what roles allow them to edit).
    teams: dict[str, list[int]] = {}
    for username, account_id in _database_rows(
        database_url,
        home,
        "SELECT u.username, t.account_id FROM accounts_teammembership t "
        "JOIN auth_user u ON u.id = t.user_id ORDER BY t.account_id",
    ):
        teams.setdefault(username, []).append(account_id)
    managers = [m for m in managers if m in teams] or managers
    print(
        f"  {len(accounts)} accounts, {len(managers)} managers in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )

    port = _free_port()
    # The server's log goes to a file: a pipe nobody reads fills up and stalls the workers.
    log = home / "server.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            _tenure("serve", "--production", "--port", str(port), "--workers", str(args.workers)),
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(port, server, log)
        people = [Manager(port, managers[i % len(managers)]) for i in range(args.concurrency)]
        for person in people:
            person.log_in()
        run_id = secrets.token_hex(4)
        results = Results()
        budget = Budget(args.max_requests, args.duration)
        print(
            f"Driving {args.concurrency} threads for up to {args.duration:.0f} s or "
            f"{args.max_requests:,} requests ({args.write_share:.0%} writes)…",
            flush=True,
        )
        began = time.perf_counter()
        threads = [
            threading.Thread(
                target=drive,
                args=(person, teams.get(person.username) or accounts, budget, results),
                kwargs={"run_id": run_id, "number": n, "write_share": args.write_share},
            )
            for n, person in enumerate(people)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    stored = {
        row[0]
        for row in _database_rows(
            database_url,
            home,
            "SELECT summary FROM engagement_interaction WHERE summary LIKE %s",
            (f"bench {run_id} %",),
        )
    }
    audit_events = _database_rows(
        database_url,
        home,
        "SELECT count(*) FROM audit_auditevent WHERE model = %s AND action = %s AND actor <> %s",
        ("engagement.interaction", "create", "tenure demo"),
    )[0][0]
    lost = sorted(set(results.acknowledged) - stored)
    every = [s for values in results.latencies.values() for s in values]
    figures: dict[str, object] = {
        "database": "postgresql" if database_url else "sqlite",
        "workers": args.workers,
        "threads_per_worker": 4,
        "concurrency": args.concurrency,
        "seconds": round(elapsed, 1),
        "requests": len(every),
        "requests_per_second": round(len(every) / elapsed, 1),
        "p50_ms": round(_percentile(every, 0.50) * 1000, 1),
        "p99_ms": round(_percentile(every, 0.99) * 1000, 1),
        "by_kind": {
            kind: {
                "requests": len(values),
                "p50_ms": round(_percentile(values, 0.50) * 1000, 1),
                "p99_ms": round(_percentile(values, 0.99) * 1000, 1),
            }
            for kind, values in sorted(results.latencies.items())
        },
        "errors": len(results.errors),
        "error_samples": sorted(set(results.errors))[:10],
        "writes_acknowledged": len(results.acknowledged),
        "writes_found": len(stored & set(results.acknowledged)),
        "writes_lost": len(lost),
        "writes_unacknowledged_but_stored": len(set(results.unacknowledged) & stored),
        "audit_create_events_for_interactions": audit_events,
        "cpus": os.cpu_count(),
    }
    return figures


def _with_database(args: argparse.Namespace) -> dict[str, object]:
    """Run on SQLite, or in a database of its own on the PostgreSQL server."""
    if args.database == "sqlite":
        return run(args, "")
    server = os.environ["TENURE_DATABASE_URL"]
    import psycopg

    name = f"tenure_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return run(args, f"{server.rsplit('/', 1)[0]}/{name}")
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _report(figures: dict[str, object]) -> None:
    print(
        f"\n{figures['database']}, {figures['workers']} workers × 4 threads, "
        f"{figures['concurrency']} client threads, {figures['cpus']} CPUs (shared with the "
        "client and the database)"
    )
    print(
        f"  {figures['requests']:,} requests in {figures['seconds']} s: "
        f"{figures['requests_per_second']} requests/s, p50 {figures['p50_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, {figures['errors']} errors"
    )
    for kind, row in figures["by_kind"].items():  # type: ignore[attr-defined]
        print(
            f"  {kind:9} {row['requests']:6,}  p50 {row['p50_ms']:7} ms  p99 {row['p99_ms']:7} ms"
        )
    print(
        f"  writes: {figures['writes_acknowledged']:,} acknowledged, "
        f"{figures['writes_found']:,} found in the database, {figures['writes_lost']} lost"
    )
    for sample in figures["error_samples"]:  # type: ignore[attr-defined]
        print(f"  error: {sample}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds (20)")
    parser.add_argument("--max-requests", type=int, default=50_000, help="request cap (50,000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (8)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (2)")
    parser.add_argument("--accounts", type=int, default=300, help="demo accounts (300)")
    parser.add_argument("--write-share", type=float, default=0.2, help="share of writes (0.2)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args(argv)
    url = os.environ.get("TENURE_DATABASE_URL", "")
    if args.database == "postgres" and not url.startswith(("postgres://", "postgresql://")):
        # Start a throwaway cluster (or use TENURE_TEST_POSTGRES_URL) and run again inside it.
        return subprocess.call(
            [
                sys.executable,
                str(ROOT / "scripts" / "throwaway_postgres.py"),
                "--",
                sys.executable,
                __file__,
                *argv,
            ]
        )
    figures = _with_database(args)
    _report(figures)
    if args.json:
        print(json.dumps(figures, indent=2))
    return 1 if figures["writes_lost"] or figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
