/// \file device=cuda: what hp::compile does for the CUDA backend.
///
/// Checks that a GPU is usable (hp::Error naming what is missing where no
/// driver or no GPU exists: never a crash), optimises the graph, generates
/// its CUDA program, compiles it for the device's architecture through the
/// disk cache, and returns the Program that runs it.
///
/// Each call uploads the inputs (shared variables included) into blocks of
/// the caching allocator, runs the plan (CudaProgramText::steps) step by
/// step on the default stream: kernel launches sized from the device's
/// multiprocessor count, host steps (dot, views, indexing, joins) through
/// the reference perform on downloaded values, then downloads the outputs.
/// A kernel's error flag makes the reference evaluator raise the error.
/// Dot runs through cuBLAS where it is available. Not done yet:
/// device-resident shared variables and hp::Array on the device
/// (to_device/to_host), profiling per node.
/// WRITTEN WITHOUT A GPU: never executed; tests/gpu/run.sh checks it.
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
