#!/usr/bin/env bash
# Runs the PyTensor oracle (GitHub issue 16): builds hypatia-crosscheck in its
# own build directory (build-xc, Release, no tests or examples), creates the
# peers' venv (setup.sh), then runs crosscheck.py with the arguments given:
#
#   bash bench/peer/crosscheck.sh [--count N] [--seed S] [--jobs J] [--linker py|cvm]
#
# The report goes to build-xc/crosscheck/report.md (and report.json). Not part
# of CI or ctest: it needs Python and PyTensor, and takes minutes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${HYPATIA_XC_BUILD:-$root/build-xc}"

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHYPATIA_BUILD_TESTS=OFF -DHYPATIA_BUILD_EXAMPLES=OFF
fi
cmake --build "$build" -j1 --target hypatia-crosscheck
bash "$here/setup.sh"
exec "$here/.venv/bin/python" "$here/crosscheck.py" --driver "$build/bench/hypatia-crosscheck" \
  --work "$build/crosscheck" "$@"
