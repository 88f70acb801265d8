/// \file Elementwise operations: one table of scalar ops, one Op that maps a
/// scalar op over broadcast tensors.
///
/// Each table row is the whole definition of a scalar op: name, arity, infix
/// symbol for pp, dtype rule, and its reference arithmetic in the float
/// (double) and integer (int64, wrapping) domains.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "compiler/graph/op.hpp"

namespace hypatia {

/// How the output dtype follows from the operands' dtypes.
enum class DTypeRule {
  Upcast,        ///< numpy promotion of all operands (bool op bool stays bool)
  UpcastNoBool,  ///< as Upcast, but all-bool operands are a TypeError (numpy's bool - bool)
  Float,         ///< promotion, then upgrade_to_float (transcendental functions)
  TrueDiv,       ///< promotion; integer or bool operands only: floatX, computed in double (Theano's TrueDiv)
  UpcastMin8,    ///< as Upcast, but all-bool operands give int8 (Theano's upcast_out_min8: bool ** bool)
  Compare,       ///< bool result, operands compared in their promoted dtype
  Switch,        ///< bool-ish condition first; result is the promotion of the other two
  Cast,          ///< the op's target dtype
  Second,        ///< the dtype of the second operand (fill)
  Bitwise,       ///< as Upcast, on integers and booleans only (a float is a TypeError)
  Shift,         ///< as Upcast, on integers only; all-bool operands give int8 (numpy's shifts)
};

/// Gradients of a scalar op at the output's shape, given its inputs `x`, its
/// output `z` and the output's gradient `g`; a null Var means no gradient.
using ScalarGrad = std::vector<Var> (*)(const std::vector<Var>& x, const Var& z, const Var& g);

struct ScalarOp {
  std::string_view name;
  int arity;
  /// pp's infix symbol ("+", "**"; "-" with arity 1 is prefix); empty: function form.
  std::string_view infix;
  DTypeRule rule;
  /// Reference arithmetic on doubles.
  double (*on_float)(const double* x);
  /// Reference arithmetic on int64 with wrap-around; null when the op always computes in floats.
  std::int64_t (*on_int)(const std::int64_t* x);
  /// Reverse-mode derivative; null for piecewise-constant ops (zero gradient).
  ScalarGrad grad;
  /// Generated C++: an expression of the operands {0}, {1}, {2}, already in
  /// the compute type (float or double; int64 for the integer form, which
  /// may set `int err` on failure). Empty integer form: computes in floats.
  std::string_view cpp_float;
  std::string_view cpp_int;
};

/// The float dtype `op`'s arithmetic runs in when its operands promote to
/// `compute` and the op computes in floats: `compute` itself when it is a float,
/// double for a true division of integers (rounded to floatX after, as
/// Theano's `(double)x / y`), otherwise upgrade_to_float(compute).
DType float_arithmetic_dtype(const ScalarOp& op, DType compute);

/// The scalar op named `name` ("add", "exp", ...); throws hp::Error for an unknown name.
const ScalarOp& scalar_op(std::string_view name);
/// Every scalar op, in table order.
const std::vector<ScalarOp>& scalar_ops();

class ElemwiseOp : public Op {
 public:
  explicit ElemwiseOp(const ScalarOp& scalar, std::optional<DType> cast_to = std::nullopt);
  const ScalarOp& scalar() const { return scalar_; }
  std::optional<DType> cast_to() const { return cast_to_; }
  /// The dtype a C++ float meeting integer operands gives: floatX when the op was made.
  DType weak_float_dtype() const { return weak_float_dtype_; }

  std::string name() const override;
  TensorType infer_type(const std::vector<Var>& inputs) const override;
  Array perform(const Apply& node, const std::vector<Array>& inputs) const override;
  std::string pretty(const std::vector<std::string>& args) const override;
  std::vector<InputGrad> grad(const Apply& node, const Var& output_grad) const override;
  bool emit_cpp(CppEmitter& cg, const Apply& node) const override;
  bool emit_cuda(CudaEmitter& cg, const Apply& node) const override;

  /// C++ of this op applied to `loads` (expressions of the inputs' dtypes),
  /// converted to `out_dtype`, with the reference's exact semantics.
  std::string scalar_cpp(const std::vector<Var>& inputs, DType out_dtype,
                         const std::vector<std::string>& loads) const;
  /// Whether the generated expression may set `err` (integer division by zero...).
  bool may_fail(const std::vector<Var>& inputs) const;

 private:
  /// The dtype the arithmetic runs in, from the operands' dtypes.
  DType compute_dtype(const std::vector<Var>& inputs) const;

  const ScalarOp& scalar_;
  std::optional<DType> cast_to_;
  /// config().floatX when the op was made: a C++ float meeting integer
  /// tensors gives this dtype, so a node rebuilt later (givens, rewrites,
  /// eval's copy) under another floatX keeps its type and its arithmetic.
  DType weak_float_dtype_;
};

struct LoopOperand;
/// Emits the checks that elementwise operands' shapes agree and returns the
/// broadcast output shape, one C++ expression per axis.
std::vector<std::string> emit_broadcast_shape(CppEmitter& cg, const std::vector<Var>& inputs, int ndim);
/// The operands of an elementwise loop: tensors, or literals for 0-d constants.
std::vector<LoopOperand> loop_operands(CppEmitter& cg, const std::vector<Var>& inputs);

/// Applies the scalar op `name` to the operands.
Var elemwise(std::string_view name, const std::vector<Var>& operands);

/// numpy promotion of operands where C++ numbers are weak (NEP 50): a number
/// takes the tensors' dtype; a float number with integer tensors gives
/// `weak_float_dtype` (floatX when the node is made).
DType promote_operands(const std::vector<Var>& operands, DType weak_float_dtype);

/// False for a C++ integer (weak literal) outside the range of the integer
/// dtype it meets (NEP 50: `x_int8 + 300` is an error, as in numpy 2); true
/// for anything else.
bool literal_fits(const Var& x, DType dtype);

/// The broadcast pattern of operands of possibly different ranks, aligned on
/// the right (missing leading axes broadcast).
std::vector<bool> broadcast_pattern(const std::vector<Var>& operands);

/// The shape elementwise operands broadcast to at run time, checking that
/// only axes the types mark broadcastable stretch. hp::ShapeError names the
/// node and the shapes.
Shape broadcast_shapes(const Apply& node, const std::vector<Array>& inputs);

}  // namespace hypatia
