#!/usr/bin/env bash
# Run on a machine with an NVIDIA GPU and its driver (the `device` tool of a
# session lent one). Builds Hypatia with the CUDA backend, then runs:
#   - every CUDA suite: there the GPU cases execute instead of skipping
#     (every op compiled with device=cuda against device=cpu, two-pass
#     reductions, errors raised from kernels, launches of generated kernels);
#   - gpu_bench: the fused elementwise chain as a fraction of device-to-device
#     copy bandwidth (goal >= 85 %), printed as a doctest MESSAGE.
# LLVM/Clang 19 missing there: builds with HYPATIA_WITH_CLANG=OFF (the CPU
# reference then runs the graphs the GPU results are compared with). The
# other build dependencies are tools/setup.sh's Debian packages (fmt, Boost,
# Graphviz, OpenBLAS, doctest, CLI11, nlohmann-json); the CUDA toolkit is
# optional at build time (nothing is linked) but NVRTC and cuBLAS must be
# loadable at run time (libnvrtc.so.13/.12, libcublas.so.13/.12).
#
#   tests/gpu/run.sh [build-dir]        (default: build-gpu)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-gpu}

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || echo "nvidia-smi not found"

clang=ON
if [ ! -e /usr/lib/llvm-19/lib/cmake/llvm/LLVMConfig.cmake ]; then
  echo "== LLVM 19 not found: building with HYPATIA_WITH_CLANG=OFF"
  clang=OFF
fi

echo "== configure ($build)"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHYPATIA_WITH_CLANG=$clang -DHYPATIA_WITH_CUDA=ON \
  -DHYPATIA_BUILD_BENCH=OFF -DHYPATIA_BUILD_EXAMPLES=OFF

echo "== build"
cmake --build "$build" -j"$(nproc)" --target cuda_codegen cuda_cache cuda_runtime cuda_dump gpu_bench hypatia-dump

echo "== CUDA suites and the GPU benchmark"
status=0
ctest --test-dir "$build" -R '^(cuda|gpu)_' --output-on-failure || status=$?
# The figures (device, GB/s, fraction of copy bandwidth) and every skip message:
"$build/tests/gpu_bench" -s 2>&1 | grep -E "MESSAGE|skipped" || true
"$build/tests/cuda_runtime" -s 2>&1 | grep -E "MESSAGE|skipped" || true
exit $status
