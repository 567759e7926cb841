#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster on 127.0.0.1, then remove it.

    python scripts/throwaway_postgres.py -- pytest -q

The command sees TENURE_DATABASE_URL pointing at the cluster. If TENURE_TEST_POSTGRES_URL
is set, that server is used instead and nothing is started. As root, initdb and postgres
run as the unprivileged ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def find_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    sys.exit(
        "PostgreSQL's server binaries (initdb, postgres) were not found: install Debian's "
        "`postgresql` package, or set TENURE_TEST_POSTGRES_URL to a server to use."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        sys.exit("usage: throwaway_postgres.py -- COMMAND [ARGS…]")
    configured = os.environ.get("TENURE_TEST_POSTGRES_URL")
    if configured:
        print(f"PostgreSQL: using TENURE_TEST_POSTGRES_URL ({configured.split('@')[-1]})")
        return subprocess.call(argv, env={**os.environ, "TENURE_DATABASE_URL": configured})

    bindir = find_bindir()
    as_root = os.geteuid() == 0
    run_as: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    workdir = Path(tempfile.mkdtemp(prefix="tenure-pg-"))
    data = workdir / "data"
    port = free_port()
    if as_root:
        entry = pwd.getpwnam("postgres")
        os.chown(workdir, entry.pw_uid, entry.pw_gid)
    try:
        subprocess.run(
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "tenure",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Durability off (fsync, commit waits, full pages): the cluster lives for one test run
        # and is thrown away.
        options = (
            f"-h 127.0.0.1 -p {port} -k {workdir} -F -c max_connections=50"
            " -c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            [
                *run_as,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(workdir / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        version = subprocess.run(
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True
        ).stdout.strip()
        print(f"PostgreSQL: started a throwaway cluster ({version}) on 127.0.0.1:{port}")
        url = f"postgres://tenure@127.0.0.1:{port}/postgres"
        return subprocess.call(argv, env={**os.environ, "TENURE_DATABASE_URL": url})
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(workdir, ignore_errors=True)
        print("PostgreSQL: throwaway cluster stopped and removed")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
