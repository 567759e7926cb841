"""Headless Chromium (Debian's packages): where it is and how it is started.

The fixtures (``browser``, ``page``, ``login``) live in ``tests/conftest.py`` so that every
module shares one Chromium: Playwright's sync API allows one instance per process.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A test run leaves the tree clean: screenshots go to a build folder unless `make screenshots`
# points them at docs/img on purpose to refresh the documentation's images.
SCREENSHOTS = Path(
    os.environ.get("TENURE_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "build" / "screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def chromium_path() -> str:
    """Chromium's headless shell where installed: it renders the same pages with about half
    the CPU of the full browser in headless mode, which also runs its own interface."""
    for candidate in ("chromium-headless-shell", "chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    pytest.fail(
        "Chromium is not installed: `make test` installs Debian's chromium-headless-shell package"
    )
