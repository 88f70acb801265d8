#!/usr/bin/env bash
# The benchmark suite in one command: builds hypatia-bench (in build-bench/,
# Release, -j2), sets up the Python peers (bench/peer/.venv: numpy, PyTensor,
# JAX from PyPI; skipped with --no-peers) and runs it. Arguments go to
# hypatia-bench: --quick, --no-peers, --no-compile, --only GRAPHS, --out DIR
# (default build-bench/hypatia-bench-results).
#
#   bash bench/run.sh            # the full suite (about half an hour on 2 cores)
#   bash bench/run.sh --quick    # small sizes, few repeats (a few minutes)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HYPATIA_BENCH_BUILD_DIR:-$root/build-bench}"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target hypatia-bench

if [[ " $* " != *" --no-peers "* ]]; then
  bash "$root/bench/peer/setup.sh" || echo "run.sh: peer setup failed; hypatia-bench will say which peers are missing" >&2
fi

out=(--out "$build/hypatia-bench-results")
for arg in "$@"; do [[ "$arg" == --out* ]] && out=(); done
exec "$build/bench/hypatia-bench" "${out[@]}" "$@"
