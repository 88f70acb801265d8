/// \file device=cuda: what hp::compile does for the CUDA backend.
///
/// Checks that a GPU is usable (hp::Error naming what is missing where no
/// driver or no GPU exists: never a crash), optimises the graph, generates
/// its CUDA program, compiles it for the device's architecture through the
/// disk cache, and returns the Program that runs it.
///
/// The Program runs on the CUDA executor (runtime/cuda/program.hpp), which
/// this backend feeds a plan: values by slot, steps by kernel, host steps and
/// error reports as functions of arrays.
#pragma once

#include <memory>

#include "compiler/pipeline/backend.hpp"

namespace hypatia {

/// The request's graph optimised with its mode's passes less the CPU BLAS
/// specialisations (specialize_gemm, specialize_dot: on the GPU products stay
/// Dot, for cuBLAS, and sum(x * y) a fused reduction kernel), as a Program
/// running CUDA kernels. hp::Error (never a crash) where no driver or GPU exists.
std::unique_ptr<Program> build_cuda_program(const BackendRequest& request);

}  // namespace hypatia
