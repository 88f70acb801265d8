/// \file Graph -> one CUDA source (one NVRTC program) and the host-side plan
/// of the CUDA backend.
///
/// Every node whose op has CUDA code (Op::emit_cuda: elementwise and fused
/// elementwise ops, reductions and fused reductions, softmax) becomes one
/// kernel, or two for a reduction (its second pass); the others (dot, which
/// cuBLAS computes; views; the rest) are host steps. The source starts with
/// codegen_templates/cuda_abi.h and includes no header, so NVRTC compiles it
/// in isolation for any architecture: that is what the tests do without a GPU.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/emit/cuda_emitter.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

struct CudaProgramText {
  std::string source;
  /// One step per node, in the order the host runs them.
  std::vector<CudaStep> steps;
  /// Node i of the plan.
  std::vector<std::shared_ptr<Apply>> nodes;
  /// Every __global__ function of the source (the PTX's .entry points).
  std::vector<std::string> kernels;
};

/// The CUDA program computing `outputs` from `inputs` (an optimised graph:
/// the output of optimize()); `function_name` is user text, used in a comment.
CudaProgramText generate_cuda(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                              const std::string& function_name);

}  // namespace hypatia
