#!/usr/bin/env bash
# Runs one molecule scenario (argument) or all of them inside the lab's control-node environment.
# Starts the lab when it is not running and stops it again afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
awslab=.venv/bin/awslab
started=0
if ! "$awslab" status >/dev/null 2>&1; then "$awslab" up; started=1; fi
cleanup() { if [ "$started" -eq 1 ]; then "$awslab" down; fi; }
trap cleanup EXIT
if [ -n "${1:-}" ]; then
  "$awslab" exec -- .venv/bin/molecule test -s "$1"
else
  "$awslab" exec -- .venv/bin/pytest -q tests/molecule
fi
