#!/usr/bin/env bash
# Creates bench/peer/.venv with the peers hypatia-bench compares against:
# numpy, PyTensor (C backend) and JAX on CPU, all from PyPI. Python is for
# benchmarks only; the library never depends on it. Idempotent: a venv that
# already imports all three is left alone. A peer that fails to install is
# reported and skipped (hypatia-bench then prints "unavailable" in its row).
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv" || { echo "peer setup: cannot create $venv with $python" >&2; exit 1; }
  "$venv/bin/python" -m pip install --quiet --upgrade pip || true
fi

for package in numpy pytensor "jax[cpu]"; do
  module="${package%%[*}"
  if "$venv/bin/python" -c "import $module" 2>/dev/null; then continue; fi
  echo "peer setup: installing $package"
  "$venv/bin/python" -m pip install --quiet "$package" || echo "peer setup: $package failed to install; skipped" >&2
done

"$venv/bin/python" - <<'PY'
import importlib
for name in ("numpy", "pytensor", "jax"):
    try:
        print(f"peer setup: {name} {importlib.import_module(name).__version__}")
    except Exception as error:  # a peer that fails is reported, never fatal
        print(f"peer setup: {name} unavailable ({type(error).__name__}: {error})")
PY
