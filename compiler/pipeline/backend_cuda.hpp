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
/// Not done yet: cuBLAS for dot, device-resident shared variables and
/// hp::Array on the device (to_device/to_host), profiling per node.
/// WRITTEN WITHOUT A GPU: never executed; tests/gpu/run.sh checks it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/rewrite/optimize.hpp"
#include "hypatia/graph.hpp"
#include "runtime/program.hpp"

namespace hypatia {

/// Optimises `outputs` with `mode`'s passes under `selection`, less the CPU
/// BLAS specialisations (specialize_gemm, specialize_dot: on the GPU products
/// stay Dot, for cuBLAS, and sum(x * y) a fused reduction kernel). `label`
/// ("compile('f')") starts error messages.
std::unique_ptr<Program> compile_for_cuda(const std::vector<Var>& inputs, const std::vector<Var>& outputs, Mode mode,
                                          const PassSelection& selection, const std::string& name,
                                          const std::string& label);

}  // namespace hypatia
