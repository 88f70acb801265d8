#!/usr/bin/env bash
# CI's sanitizer stage (issue 9): builds the "asan" preset of CMakePresets.json
# (RelWithDebInfo, AddressSanitizer + UndefinedBehaviorSanitizer on every
# target and on JIT-generated code; undefined behaviour aborts) and runs the
# test suite under it with leak detection on.
#
#   bash tools/ci_sanitize.sh [build-dir]     (default: build-asan)
#
# Left out to keep CI within its 30 minutes on a 2-core machine:
#  - the <suite>_debug reruns: the same programs again with Debug as the
#    default mode; they exercise the reference evaluator, which the plain runs
#    and the Debug-mode cases inside them already cover under the sanitizers;
#  - packaging_*: they install the library and build a downstream project
#    against it, which would need the same -fsanitize flags, and they rebuild
#    the library once more (minutes); they check CMake files, not memory.
# cuda_codegen is left out too: its time (51 s here) is NVRTC's, not our code's.
# Everything else runs: ~45 suites, one at a time (some check timings).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}

launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

# The same settings as the preset's test step (CMakePresets.json, testPresets "asan").
export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# fuzz_fuzz's fixed seeds: 6 of 24 here (231 s under the sanitizers for all 24);
# the first stage runs all of them.
export HYPATIA_FUZZ_SEEDS=6

start=$SECONDS
cmake --preset asan -B "$build" "${launcher[@]}"
cmake --build "$build" -j2
built=$SECONDS
ctest --test-dir "$build" --output-on-failure -E '(_debug$|^packaging_|^cuda_codegen$)'
echo "ci_sanitize: build $((built - start)) s, tests $((SECONDS - built)) s"
