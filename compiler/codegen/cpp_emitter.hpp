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
  /// `static int NAME(PARAMS)`, returning 0 or the node's error code, as
  /// fail_if does inside it. Returns NAME.
  std::string begin_function(const std::string& prefix, const std::string& params);
  void end_function();
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
                   const std::function<std::string(const std::vector<std::string>&)>& expr,
                   bool needs_err, bool allow_flat = true);

  std::string finish(const std::string& header_comment, const std::string& epilogue) const;

 private:
  void flat_loop(const std::string& out, DType out_dtype, const std::vector<LoopOperand>& operands,
                 const std::function<std::string(const std::vector<std::string>&)>& expr,
                 bool needs_err);
  void strided_loop(const std::string& out, DType out_dtype, int out_ndim,
                    const std::vector<LoopOperand>& operands,
                    const std::function<std::string(const std::vector<std::string>&)>& expr,
                    bool needs_err);

  /// Emits `text` once per distinct text, with each placeholder replaced by
  /// prefix_N; returns N (the same N for the same text).
  std::string shared_function(const std::string& text, const std::vector<std::string>& placeholders,
                              const std::vector<std::string>& prefixes);

  std::function<int(const Var&)> output_index_;
  std::unordered_map<std::string, std::string> shared_functions_;
  std::unordered_map<const void*, std::string> tensors_;
  std::unordered_map<const void*, bool> as_output_;
  std::unordered_map<std::string, int> counters_;
  std::string prelude_;
  std::string body_;
  std::string function_;              ///< the helper function being written
  std::string* out_ = &body_;         ///< where line() writes
  int saved_indent_ = 0;
  int indent_ = 1;
  int node_ = -1;
};

/// Escapes user text for a // comment: control characters and non-ASCII as \xNN.
std::string comment_text(const std::string& text);

}  // namespace hypatia
