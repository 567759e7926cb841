"""The ``tenure`` command: Tenure's own commands plus every Django management command.

``tenure init``, ``tenure demo``, ``tenure serve`` and the rest are Django management
commands living in the apps, so ``tenure X`` and ``python -m django X`` are the same thing.
"""

from __future__ import annotations

import os
import sys

#: Tenure's own commands, listed first by ``tenure help``.
TENURE_COMMANDS = {
    "init": "create the data folder, migrate the database, create an administrator",
    "createuser": "add a user (a key account manager, a director, an analyst)",
    "demo": "load the seeded demo portfolio and serve it",
    "serve": "serve the web app on 127.0.0.1 (--production: gunicorn, 2 workers)",
    "check": "report configuration problems (--deploy for a server)",
    "backup": "write one archive of the database, ledger and secret key (--out DIR)",
    "contact": "export everything about a person, or erase them on request",
    "opportunities": "backtest the growth suggestions against popularity (--backtest)",
    "backtest": "backtest churn risk and health against baselines; writes charts",
    "restore": "restore a backup archive into an empty installation (--force to replace)",
    "import": "import order lines, accounts, contacts or currency rates (tenure import WHAT FILE)",
    "score": "read the ledger, segment the portfolio and write snapshots",
    "segment": "print the concentration summary and tier table (--report, --csv FILE)",
    "seasonality": "seasonal profiles and the forecast backtest (--backtest)",
    "touchpoints": "plan seasonal preparation touchpoints before each peak (--seasonal)",
    "survey": "send, remind, close survey campaigns; import answers collected elsewhere",
    "alerts": "raise tasks from the alert rules, close cleared ones (--digest: email them)",
}


def usage() -> str:
    width = max(len(name) for name in TENURE_COMMANDS)
    lines = ["usage: tenure COMMAND [options]", "", "Tenure commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in TENURE_COMMANDS.items()]
    lines += [
        "",
        "Run `tenure COMMAND --help` for a command's options.",
        "Every Django management command works too (`tenure migrate`, `tenure shell`…):",
        "`tenure help --all` lists them.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"} or argv == ["help"]:
        print(usage())
        return 0
    if argv[:2] == ["help", "--all"]:
        argv = ["help"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tenure", *argv])
    return 0
