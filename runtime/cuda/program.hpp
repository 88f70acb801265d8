/// \file The CUDA executor: runs a CUDA program's plan on the GPU. The
/// plan (built by compiler/pipeline/backend_cuda from an optimised graph)
/// names values by slot and steps by kernel, so this side knows arrays,
/// shapes and kernels, never the graph.
///
/// Each call uploads the inputs (shared variables included) into blocks of
/// the caching allocator and runs the steps in order on the default stream:
/// kernel launches sized from the device's multiprocessor count, dot
/// through cuBLAS where it is available, host steps (views, indexing, joins)
/// through the step's host function on downloaded values; then it downloads
/// the outputs. A kernel's error flag makes the plan's `raise_error` raise
/// the error the reference evaluator names.
/// WRITTEN WITHOUT A GPU: never executed; tests/gpu/run.sh checks it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/profile.hpp"
#include "runtime/program.hpp"

namespace hypatia::cuda {

/// Threads per block of every kernel (the kernels' __launch_bounds__).
inline constexpr int kBlockThreads = 256;
/// The highest rank a kernel's tensor parameter holds (cuda_abi.h's hp_cuda_tensor).
inline constexpr int kMaxRank = 8;

/// x[idx]'s output shape, and the first element of x's slices, one per axis of x.
struct GatherGeometry {
  Shape out;
  std::vector<std::int64_t> first;
};

struct PlanStep {
  enum class Kind {
    Elementwise,  ///< `kernel` over the output's elements (the operands aligned to its rank)
    Reduction,    ///< `kernel`, then `finish_kernel` when the host splits the reduced ranges
    Softmax,      ///< `kernel`, one block per row of the last axis
    Lines,        ///< `kernel`, one thread per line along `reduced_axes[0]`; the output has input 0's shape
    Gather,       ///< `kernel` over the output's elements, each read from x at an index (x[idx])
    Host,         ///< no kernel: cuBLAS (dot), or `host` on downloaded values
  };
  Kind kind = Kind::Host;
  std::string kernel, finish_kernel;
  /// Reductions: the axes of the elementwise value, the accumulator's size
  /// (bytes of one partial), and whether an empty range is an error (max, min, argmax).
  std::vector<int> kept_axes, reduced_axes;
  int partial_bytes = 0;
  bool no_identity = false;
  /// The values the kernel reads, in parameter order (0-d constants are
  /// literals in the kernel's source, not operands).
  std::vector<int> operands;
  /// Gather: for each index entry after x, whether it is a literal (a 0-d constant).
  std::vector<bool> literal_indices;
  /// Host steps: every input, constants included, in the node's order.
  std::vector<int> host_inputs;
  int output = 0;
  DType out_dtype = DType::Float64;
  int out_ndim = 0;
  std::string label;  ///< the node as errors name it
  bool is_dot = false;
  /// Host steps (and dot without cuBLAS): the node's reference computation.
  std::function<Array(const std::vector<Array>&)> host;
  /// Gather: the output shape and the first elements, from x's and the index tensors' shapes.
  std::function<GatherGeometry(const Shape& x, const std::vector<Shape>& indices)> gather_shape;
};

struct Plan {
  std::size_t slots = 0;                       ///< values of one call, numbered 0..slots-1
  std::vector<int> inputs;                     ///< the slot of each program input
  std::vector<std::pair<int, Array>> constants;  ///< slots holding constants (uploaded when read)
  std::vector<PlanStep> steps;
  std::vector<int> outputs;  ///< the slot of each program output
  std::vector<NodeProfile> nodes;  ///< op and printed form of each step's node
  /// Raises the error a kernel flagged (the reference evaluator names the op
  /// and the value at fault) for these inputs; returns if it finds none.
  std::function<void(const std::vector<Array>& inputs)> raise_error;
};

/// A Program running `plan` with the kernels of `cubin`.
std::unique_ptr<Program> make_program(Plan plan, const std::string& cubin);

}  // namespace hypatia::cuda
