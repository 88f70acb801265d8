/// \file What an op's CUDA code generation writes into: one CUDA source (one
/// NVRTC program) holding a kernel or two per node, and the host-side plan
/// saying how each node is launched.
///
/// The CPU backend writes one function that runs the whole graph; on the GPU
/// the host walks the plan (one CudaStep per node) and launches kernels. Ops
/// emit through Op::emit_cuda with the three kernel shapes here:
///
///  - elementwise: a grid-stride loop with three paths chosen per call by the
///    host: packed 4-element loads and stores where every operand is
///    contiguous, of the output's shape and aligned (HP_VECTOR), a flat loop
///    (HP_FLAT), and coordinates + strides for anything else (broadcasting,
///    views);
///  - reduction of an elementwise expression over some axes: one block per
///    output element (grid-stride over them), per-thread accumulation
///    (compensated for float sums, as the reference), warp shuffles, then
///    shared memory. When the outputs are few and the reduced range long the
///    host splits each range over gridDim.y blocks that write partials, and a
///    second kernel (`<name>_finish`) combines them: two passes;
///  - softmax along the last axis: one block per row;
///  - lines along one axis (cumulative ops, sort): one thread per line,
///    running the op's own statements over it.
///
/// Each node's element is a __device__ function of the operands' values, so
/// the three paths share one expression. User names never become
/// identifiers; they appear only in comments, escaped.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "hypatia/graph.hpp"
#include "runtime/cuda/program.hpp"

namespace hypatia {

/// One operand of a kernel: a tensor parameter, or a literal for a 0-d constant.
struct CudaOperand {
  DType dtype;
  std::string literal;  ///< a CUDA constant expression; empty for a tensor parameter
};

/// The statements computing one element from the operands' values `args`
/// (parameter names or literals): locals, then a final `return ...;`. They may
/// set `err` (an int&) to 1 when the element is an error (integer division by
/// zero): the scalar expressions of the op table pass `&err` to the helpers.
using CudaElementBody = std::function<std::vector<std::string>(const std::vector<std::string>& args)>;

/// How the host runs one node of the program.
struct CudaStep {
  /// What the executor does for the step (runtime/cuda/program.hpp).
  using Kind = cuda::PlanStep::Kind;
  Kind kind = Kind::Host;
  int node = 0;
  std::string kernel, finish_kernel;
  // Reductions: the axes of the elementwise value, the accumulator's size
  // (bytes of one partial), and whether an empty range is an error (max, min, argmax).
  std::vector<int> kept_axes, reduced_axes;
  /// The node's inputs before this one are not kernel operands (they only order the node).
  std::size_t first_input = 0;
  int partial_bytes = 0;
  bool no_identity = false;
};

/// A reduction of an elementwise expression.
struct CudaReduction {
  std::string kind;         ///< "sum", "mean", "max", "min", "prod" or "argmax"
  std::vector<int> axes;    ///< reduced axes of the value, sorted
  int value_ndim = 0;       ///< rank of the elementwise value (operands aligned to it)
  DType value_dtype;
  DType out_dtype;
  bool initial_neg_inf = false;  ///< max: -inf over empty axes instead of an error
};

/// x[entries] with integer index tensors (numpy's advanced indexing): the
/// static plan. The host gives the output's shape and each sliced axis's
/// first element (they depend on the shapes), the kernel reads the indices.
struct CudaGather {
  DType dtype;
  int out_ndim = 0;
  struct Axis {
    bool tensor = false;     ///< an index tensor (else a slice)
    int index = 0;           ///< tensor: which of `indices`
    int out_axis = 0;        ///< slice: the output axis it becomes
    std::int64_t step = 1;   ///< slice: its step
  };
  std::vector<Axis> x_axes;  ///< one per axis of x
  struct Index {
    DType dtype;
    int ndim = 0;
    std::string literal;     ///< a 0-d constant's value; empty for a tensor parameter
  };
  std::vector<Index> indices;
  int b_first = 0;           ///< the output axis where the indices' broadcast shape B starts
  int b_rank = 0;
};

class CudaEmitter {
 public:
  /// Threads per block of every kernel (a multiple of 32, so block
  /// reductions see whole warps); kernels say so with __launch_bounds__.
  static constexpr int kBlockThreads = cuda::kBlockThreads;

  template <class... Args>
  void line(fmt::format_string<Args...> format, Args&&... args) {
    std::string text = fmt::format(format, std::forward<Args>(args)...);
    *out_ += text.empty() ? "\n" : std::string(indent_ * 2, ' ') + text + "\n";
  }
  void open(const std::string& head);  ///< "head {" and indent
  void close();                        ///< dedent and "}"

  /// Starts node `index`; `comment` (user text: escaped) names it in the source.
  void begin_node(int index, const std::string& comment);
  int node_index() const { return node_; }

  /// CUDA spelling of a dtype: "double", "float", "hp_i64", ...
  static std::string c_type(DType dtype);
  /// A CUDA constant expression for the single element of a 0-d constant, exact
  /// (hexadecimal floats; NaN and infinities through the ABI's HP_NAN, HP_INF).
  static std::string literal(const Array& value);
  /// The kernel operands of a node's inputs: literals for 0-d constants.
  static std::vector<CudaOperand> operands_of(const std::vector<Var>& inputs);

  /// out[i] = body(operands[i]...) over the output's elements (rank `out_ndim`).
  void elementwise(DType out_dtype, int out_ndim, const std::vector<CudaOperand>& operands,
                   const CudaElementBody& body, bool may_fail);
  /// out = reduce(body(operands...)) over `reduction.axes` of the value's shape.
  void reduction(const CudaReduction& reduction, const std::vector<CudaOperand>& operands,
                 const CudaElementBody& body, bool may_fail);
  /// Softmax of a tensor of `ndim` >= 1 and dtype `in` along its last axis, into `out` (a float dtype).
  void softmax(DType in, DType out, int ndim);
  /// One thread per line of `in` (rank `ndim`, dtype `in`) along `axis`, into
  /// `out` of the same shape (dtype `out`): `body` runs once per line with
  /// `x` and `y` pointing at the line's first elements of the input and the
  /// output, `n` its length, `sx` and `so` its strides (in elements).
  void lines(DType in, DType out, int ndim, int axis, const std::vector<std::string>& body);
  /// out[i] = x[the position element i's indices pick] over the output's elements:
  /// kernel(n, hp_error, out, x, first element of each axis of x (hp_i64; 0
  /// where an index tensor picks), the index tensors that are not literals).
  /// An index out of range sets the error flag (the reference then names it).
  void gather(const CudaGather& plan);

  /// The whole source: the ABI header, then every node's kernels.
  std::string finish(const std::string& header_comment) const;
  const std::vector<CudaStep>& steps() const { return steps_; }
  /// A node without kernels (run on the host).
  void host_step(int node);
  /// The last kernel's operands start at node input `k` (see CudaStep::first_input).
  void set_first_input(std::size_t k) { steps_.back().first_input = k; }
  /// The names of every __global__ function written, in order.
  const std::vector<std::string>& kernels() const { return kernels_; }

 private:
  /// Writes `HP_DEVICE OT <unit>_elem(x0, x1, ..., int& err)` (tensor operands
  /// only: literals are substituted into the body) and returns its name.
  std::string element_function(DType out_dtype, const std::vector<CudaOperand>& operands,
                               const CudaElementBody& body, bool may_fail);
  /// "<unit>_elem(load0, load1, err)" for the tensor operands' loads.
  static std::string element_call(const std::string& function, const std::vector<CudaOperand>& operands,
                                  const std::vector<std::string>& loads, bool may_fail);
  /// "hp_cuda_tensor in0, hp_cuda_tensor in1" for the tensor operands.
  static std::string tensor_params(const std::vector<CudaOperand>& operands);
  /// "const float* p0 = (const float*)in0.data;" for each tensor operand.
  void operand_pointers(const std::vector<CudaOperand>& operands);
  std::string kernel_head(const std::string& name, const std::string& params);
  /// Appends the current node's step.
  CudaStep& add_step(CudaStep::Kind kind, std::string kernel);

  /// Kernels are written as units named by a placeholder; a unit whose text
  /// an earlier node wrote already is not written again: nodes that differ
  /// only in their index share one kernel (a deep network has a few distinct
  /// kernels, not one per layer). end_unit() returns the unit's name.
  void begin_unit();
  std::string end_unit(const std::string& name);

  std::string source_;
  std::string unit_;                 ///< the unit being written
  std::string* out_ = &source_;      ///< where line() writes
  std::vector<std::string> unit_kernels_;
  std::unordered_map<std::string, std::string> units_;  ///< unit text -> its name
  std::vector<CudaStep> steps_;
  std::vector<std::string> kernels_;
  int indent_ = 0;
  int node_ = -1;
};

}  // namespace hypatia
