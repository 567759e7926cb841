#!/usr/bin/env bash
# Install what the test suite needs from Debian's packages when it is missing:
# PostgreSQL's server binaries (for the throwaway cluster) and Chromium (browser tests).
set -euo pipefail

need=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  need+=(postgresql)
fi
# The demo's fonts for screenshots: DejaVu is small and covers the UI's characters.
if [ ! -d /usr/share/fonts/truetype/dejavu ]; then
  need+=(fonts-dejavu-core)
fi
# Pango for WeasyPrint's PDF exports (meeting briefs, reviews).
if ! { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q "libpangoft2-1.0.so.0"; then
  need+=(libpango-1.0-0 libpangoft2-1.0-0)
fi
# Java for the Spark ledger tests (pyspark runs Spark in a local JVM).
if ! command -v java >/dev/null; then
  need+=(default-jre-headless)
fi
# faketime runs the suite a second time under a shifted clock (no test may depend on the date).
if ! command -v faketime >/dev/null; then
  need+=(faketime)
fi

# The browser tests drive Chromium's headless shell: the full browser in headless mode also
# runs its own interface, and took 106 CPU-seconds of the browser tests' 179 against 54 for
# the shell (2026-12-08). Where Debian has no shell package, the full browser does.
shell_missing=""
if ! command -v chromium-headless-shell >/dev/null; then
  shell_missing=1
fi
browser_missing=""
if [ -n "$shell_missing" ] && ! command -v chromium >/dev/null; then
  browser_missing=1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    sudo="sudo"
  elif [ ${#need[@]} -eq 0 ] && [ -z "$browser_missing" ]; then
    exit 0 # only the faster shell is missing: the full browser will do
  else
    echo "Please install as root: apt-get install ${need[*]} chromium-headless-shell" >&2
    exit 1
  fi
fi
if [ ${#need[@]} -eq 0 ] && [ -z "$shell_missing" ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
if [ -n "$shell_missing" ]; then
  if apt-cache show chromium-headless-shell >/dev/null 2>&1; then
    need+=(chromium-headless-shell)
  elif [ -n "$browser_missing" ]; then
    need+=(chromium)
  fi
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing from Debian's packages: ${need[*]}"
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
