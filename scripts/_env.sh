# Shared set-up for ./scripts/run and ./scripts/test: create .venv when missing and install the project
# into it (a no-op when the installed copy already matches pyproject.toml).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
STAMP=".venv/.cex-arb-installed"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  # pip's notes about unused local index folders are noise; real errors still fail the script.
  .venv/bin/python -m pip install --quiet -e ".[dev]" 2> >(grep -v "is ignored: it is neither" >&2)
  touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
