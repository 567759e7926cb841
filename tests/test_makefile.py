"""Every make target the Makefile declares or the docs name has a rule.

A name left in ``.PHONY`` after its rule went (``benchmarks`` stayed there for weeks) or a
``make …`` in the docs that no rule answers sends a reader to "No rule to make target".
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text()

# A rule line: a target, a colon, and not ``:=`` (an assignment).
RULE = re.compile(r"^([A-Za-z0-9_.$()/-]+)\s*:(?!=)", re.MULTILINE)
PHONY = re.compile(r"^\.PHONY:(.*)$", re.MULTILINE)
# `make test-fast` in running text (also after variables: `CLOCK_SHIFT=… make test-clock`),
# or a line of its own in a code block.
DOCS_MAKE = re.compile(r"make ([a-z][a-z0-9-]*)`|^\s*make ([a-z][a-z0-9-]*)\s*$", re.MULTILINE)
# `$(MAKE) --no-print-directory test-sqlite` and the like in recipes.
RECIPE_MAKE = re.compile(r"\$\(MAKE\)(?: -\S+)* ([a-z][a-z0-9-]*)\s*$", re.MULTILINE)


def rules() -> set[str]:
    return set(RULE.findall(MAKEFILE)) - {".PHONY"}


def phony() -> set[str]:
    return {name for line in PHONY.findall(MAKEFILE) for name in line.split()}


def docs_targets() -> dict[str, set[str]]:
    named: dict[str, set[str]] = {}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for match in DOCS_MAKE.finditer(page.read_text()):
            named.setdefault(match.group(1) or match.group(2), set()).add(page.name)
    return named


def test_every_phony_name_has_a_rule():
    assert phony() - rules() == set()


def test_every_rule_without_a_file_is_phony():
    # Rules named after files (the venv's stamp files) are real files; the others must be
    # phony, or a stray file of that name would make them do nothing.
    commands = {name for name in rules() if "/" not in name and "$" not in name}
    assert commands - phony() == set()


def test_the_recipes_call_only_targets_that_exist():
    assert set(RECIPE_MAKE.findall(MAKEFILE)) - rules() == set()


def test_the_docs_name_only_targets_that_exist():
    named = docs_targets()
    assert {"demo", "test", "test-fast", "lint"} <= named.keys()  # the pattern still finds them
    assert {name: pages for name, pages in named.items() if name not in rules()} == {}
