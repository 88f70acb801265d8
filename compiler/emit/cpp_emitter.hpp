/// \file What an op's C++ code generation writes into: one translation unit
/// with one entry point `hp_main(hp_context*, const hp_tensor* inputs)`.
///
/// Every variable of the graph is an `hp_tensor` local (data, rank, shape,
/// strides in elements). Ops emit their code through Op::emit_cpp, using the
/// helpers here for names, types, allocation, error exits and elementwise
/// loop nests; the driver (cpp_codegen.cpp) walks the graph. User-chosen
/// names never become identifiers: they appear only in comments, escaped.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "hypatia/graph.hpp"

namespace hypatia {

/// One operand of an elementwise loop.
struct LoopOperand {
  std::string tensor;  ///< hp_tensor expression ("v3"); ignored when `literal` is set
  DType dtype;
  std::vector<bool> broadcastable;  ///< the operand's static pattern (its own rank)
  std::string literal;              ///< a C++ constant expression for 0-d literals
  /// The operand is the output's own memory (an in-place loop): read through
  /// the output pointer, so no two pointers of the loop alias.
  bool in_output = false;
};

/// The C++ expression of one element given the operands' load expressions.
using ElementExpr = std::function<std::string(const std::vector<std::string>&)>;

/// One output of a multi-output elementwise loop.
struct LoopOutput {
  std::string tensor;  ///< hp_tensor local, allocated and contiguous
  DType dtype;
};

/// One element of several outputs: statements (declaring the locals they
/// share), then one value expression per output.
struct ElementBody {
  std::vector<std::string> statements;
  std::vector<std::string> values;
};
using ElementBodyExpr = std::function<ElementBody(const std::vector<std::string>&)>;

/// A reduction of an elementwise expression, for CppEmitter::reduction.
struct ReductionLoop {
  std::string kind;                ///< "sum", "mean", "max", "min" or "prod"
  std::vector<int> axes;           ///< reduced axes of the elementwise shape: sorted, unique
  DType value_dtype;               ///< dtype of the elementwise value
  std::vector<std::string> shape;  ///< the elementwise (broadcast) shape, one C++ expression per axis
  bool initial_neg_inf = false;    ///< max: -inf over empty axes instead of an error
};

class CppEmitter {
 public:
  /// `output_index(v)` is the function output v should be written to directly, or -1.
  explicit CppEmitter(std::function<int(const Var&)> output_index);

  // --- text -----------------------------------------------------------------------
  template <class... Args>
  void line(fmt::format_string<Args...> format, Args&&... args) {
    std::string text = fmt::format(format, std::forward<Args>(args)...);
    *out_ += text.empty() ? "\n" : std::string(indent_ * 2, ' ') + text + "\n";
  }
  /// Lines from here to end_function() go into a helper function placed
  /// before hp_main (optimised for speed; hp_main is optimised for size):
  /// `static int NAME(PARAMS)`, returning 0, or 1 where fail_if fails inside
  /// it (the call site, `fail_if("NAME(...)")`, returns the node's code). end_function() returns NAME, PREFIX_N: nodes
  /// whose functions have the same text share one (a 200-layer network has
  /// a few distinct reductions, not 200).
  void begin_function(const std::string& prefix, const std::string& params);
  std::string end_function();
  void open(const std::string& head);  ///< "head {" and indent
  void close();                        ///< dedent and "}"
  /// Text placed before hp_main (helper functions of the current node).
  void prelude(const std::string& text) { prelude_ += text; }
  /// A fresh identifier with the given prefix ("hp_body" -> "hp_body_4").
  std::string fresh(const std::string& prefix);

  // --- variables --------------------------------------------------------------------
  /// The hp_tensor local that holds v.
  const std::string& tensor(const Var& v);
  void bind(const Var& v, std::string tensor_name);
  /// C++ spelling of a dtype: "double", "float", "hp_i64", "hp_bool", ...
  static std::string c_type(DType dtype);
  /// The ABI's name of a dtype code, for runtime calls: "HP_FLOAT64", ...
  static std::string dtype_code(DType dtype);
  /// A C++ constant expression for the single element of a 0-d constant, exact.
  static std::string literal(const Array& value);
  /// Converts expression `expr` of C type `from` to dtype `to` as the reference
  /// does (float to int saturates, to bool is != 0, integers wrap).
  static std::string convert(const std::string& expr, DType from, DType to);

  // --- the node being emitted -----------------------------------------------------------
  void begin_node(int index, const std::string& comment);
  int node_index() const { return node_; }
  /// `if (condition) return <this node's error code>;`
  void fail_if(const std::string& condition);
  /// Declares `name` (an hp_tensor for `out`) with rank and shape expressions,
  /// contiguous strides, and data from the function's outputs or scratch memory.
  void allocate(const Var& out, const std::string& name, const std::vector<std::string>& shape);
  /// The shape expressions of hp_tensor `tensor` of rank `ndim`: "t.shape[0]", "t.shape[1]", ...
  static std::vector<std::string> shape_of(const std::string& tensor, int ndim);
  /// Values whose scratch memory no node after the current one reads (the
  /// memory plan's releases after this node); set before each node.
  void set_dying(std::vector<Var> values) { dying_ = std::move(values); }
  /// In place: declares `name` for `out` on the memory of `input` instead of
  /// allocating, when `input` is scratch memory of this call (never a
  /// caller's array, a constant, a shared variable or a function output)
  /// that no later node reads, and `out` is not a function output and has
  /// input's dtype and broadcast pattern (hence its shape; scratch memory is
  /// contiguous). The input's memory then belongs to `out`. Returns whether
  /// it did.
  bool reuse_input(const Var& out, const std::string& name, const Var& input);
  /// Whether the last allocate() wrote straight into a function output.
  bool allocated_as_output(const Var& v) const;
  /// The tensor holding v when allocate() took it from scratch memory, else "".
  std::string scratch_tensor(const Var& v) const;
  /// Declares `name` as a contiguous scratch copy of tensor `from` (dtype
  /// `from_dtype`) converted to `to_dtype`.
  void contiguous_copy(const std::string& name, const std::string& from, DType from_dtype, DType to_dtype,
                       int ndim);
  /// `(T*)((char*)t.data + (offset) * sizeof(T))`: moves a data pointer by elements.
  static std::string offset_data(const std::string& tensor, const std::string& offset, DType dtype);

  /// Writes out[i] = expr(operands[i]...) over out's shape (already allocated,
  /// possibly strided), broadcasting operands along their broadcastable and
  /// missing leading axes. `expr` gets the operands' load expressions. With
  /// `needs_err`, the expression may set `err` (an int) to signal failure.
  /// Contiguous operands take a flat loop split across threads when large
  /// (unless `allow_flat` is false: the output aliases an operand).
  void elementwise(const std::string& out, DType out_dtype, int out_ndim,
                   const std::vector<LoopOperand>& operands,
                   const ElementExpr& expr,
                   bool needs_err, bool allow_flat = true);

  /// Writes every output of `outs` (freshly allocated, of one shape: outs[0]'s)
  /// in one loop over the operands (broadcast as in elementwise()), reading
  /// each operand element once: the multi-output fused loop. Flat and split
  /// across threads when every operand is contiguous and of the outputs'
  /// shape, else on blocks the runtime gathers and scatters.
  void elementwise_outputs(const std::vector<LoopOutput>& outs, const std::vector<LoopOperand>& operands,
                           const ElementBodyExpr& body, bool needs_err);

  /// Output k >= 1 of a multi-output fused node: the value of the
  /// FusedOutputOp node that reads it, registered by the driver before
  /// emission; a null Var when no node reads it.
  Var fused_output(const Apply& node, std::size_t k) const;
  void add_fused_output(const Apply& node, std::size_t k, Var v);

  /// Whether v is bound to an hp_tensor local already.
  bool is_bound(const Var& v) const { return tensors_.count(v.node()) != 0; }

  /// Writes out = reduce(expr(operands...)) over the reduced axes of the
  /// elementwise shape, in one pass (the value is never stored). `out` is
  /// allocated and contiguous, of the reduction's output shape (kept axes in
  /// order, keepdims axes of size 1). Float sums and means are Neumaier's
  /// compensated sums, as the reference's (products, max and min pairwise),
  /// in blocks of 1024 elements, then over the blocks in order: the result
  /// does not depend on the number of threads. Contiguous operands whose pattern
  /// is one of: full, constant along the reduced axes, constant along the
  /// kept ones, all broadcast, take a vectorised path split across threads
  /// when large (for reductions over trailing axes, including all axes);
  /// anything else takes a cold strided loop with compensated sums.
  void reduction(const std::string& out, DType out_dtype, const ReductionLoop& loop,
                 const std::vector<LoopOperand>& operands, const ElementExpr& expr, bool needs_err);

  /// A C++ expression: the sum, as a double, of the `n` contiguous elements
  /// at the pointer expression `data`, compensated as the reference sums
  /// (1e16 + 1 - 1e16 gives 1) and vectorised.
  std::string compensated_sum(const std::string& data, const std::string& n);

  /// The translation unit; `nodes`: how many nodes hp_main computes (past
  /// kOptimizedMainNodes its glue is compiled without optimisation).
  std::string finish(const std::string& header_comment, const std::string& epilogue, int nodes) const;
  static constexpr int kOptimizedMainNodes = 256;

 private:
  void flat_loop(const std::string& out, DType out_dtype, const std::vector<LoopOperand>& operands,
                 const ElementExpr& expr,
                 bool needs_err);
  void flat_loop(const std::vector<LoopOutput>& outs, const std::vector<LoopOperand>& operands,
                 const ElementBodyExpr& body, bool needs_err);
  void strided_loop(const std::string& out, DType out_dtype, int out_ndim,
                    const std::vector<LoopOperand>& operands,
                    const ElementExpr& expr,
                    bool needs_err);

  void blocked_reduction(const std::string& out, DType out_dtype, const ReductionLoop& loop,
                         const std::vector<LoopOperand>& operands, const std::vector<int>& kinds,
                         const ElementExpr& expr, bool needs_err);
  void strided_reduction(const std::string& out, DType out_dtype, const ReductionLoop& loop,
                         const std::vector<LoopOperand>& operands, const ElementExpr& expr, bool needs_err);

  /// Emits `text` once per distinct text, with each placeholder replaced by
  /// prefix_N; returns N (the same N for the same text).
  std::string shared_function(const std::string& text, const std::vector<std::string>& placeholders,
                              const std::vector<std::string>& prefixes);

  std::function<int(const Var&)> output_index_;
  std::unordered_map<std::string, std::string> shared_functions_;
  std::unordered_map<const void*, std::string> tensors_;
  std::unordered_map<const Apply*, std::vector<Var>> fused_outputs_;
  std::unordered_map<const void*, bool> as_output_;
  std::vector<Var> dying_;
  std::unordered_map<const void*, bool> donated_;  ///< scratch memory now owned by another value
  std::unordered_map<std::string, int> counters_;
  std::string prelude_;
  std::string body_;
  std::string function_;              ///< the helper function being written
  std::string function_prefix_;
  std::string* out_ = &body_;         ///< where line() writes
  int saved_indent_ = 0;
  int indent_ = 1;
  int node_ = -1;
};

/// Escapes user text for a // comment: control characters and non-ASCII as \xNN.
std::string comment_text(const std::string& text);

}  // namespace hypatia
