"""A Spark standalone cluster on 127.0.0.1: one master and one worker, started from the
pyspark package's own ``bin/spark-class`` and stopped when the block ends."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

#: How long the master and the worker get to come up on a busy two-core machine.
START_SECONDS = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(log: Path, text: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.5)
    shown = log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"the Spark {what} did not start:\n{shown}")


@contextlib.contextmanager
def standalone_cluster(folder: Path, *, cores: int = 2, memory: str = "1g") -> Iterator[str]:
    """Yield the master's ``spark://127.0.0.1:PORT`` URL while a master and a worker run."""
    import pyspark

    spark_home = Path(pyspark.__file__).parent
    spark_class = str(spark_home / "bin" / "spark-class")
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        # The worker's own scratch and its executors' working folders stay in the test's.
        "SPARK_WORKER_DIR": str(folder / "work"),
        "SPARK_LOCAL_DIRS": str(folder / "local"),
    }
    port = free_port()
    master_url = f"spark://127.0.0.1:{port}"
    processes: list[subprocess.Popen] = []

    def start(what: str, main_class: str, *args: str, ready: str) -> None:
        log = folder / f"{what}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [spark_class, main_class, *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        _wait_for(log, ready, process, what)

    try:
        start(
            "master",
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(port)),
            *("--webui-port", str(free_port())),
            ready="I have been elected leader",
        )
        start(
            "worker",
            "org.apache.spark.deploy.worker.Worker",
            *("--host", "127.0.0.1", "--cores", str(cores), "--memory", memory),
            *("--webui-port", str(free_port()), master_url),
            ready="Successfully registered with master",
        )
        yield master_url
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
