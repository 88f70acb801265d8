#include "compiler/rewrite/canonicalize.hpp"

#include <functional>
#include <numeric>

#include "compiler/graph/rebuild.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/match.hpp"
#include "compiler/ops/shape_ops.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

/// How many times a result is simplified again before the walk moves on.
constexpr int kMaxLocalSteps = 16;

/// A constant broadcastable along every axis (one element) equal to `value`.
bool is_filled_with(const Var& v, double value) {
  if (!v.is_constant() || v.constant_value().size() != 1) return false;
  for (bool b : v.type().broadcastable) {
    if (!b) return false;
  }
  return v.constant_value().item<double>() == value;
}

/// The result of `build`, or nullopt where the ops refuse the operands' types.
std::optional<Var> try_build(const std::function<Var()>& build) {
  try {
    return build();
  } catch (const TypeError&) {
    return std::nullopt;
  }
}

/// v = -x, where moving the negation into arithmetic done in `compute` keeps
/// the value: float negation is exact, and an integer one wraps (-(-128) is
/// -128 in int8) just as that arithmetic does only when it is in the same dtype.
bool movable_neg(const Var& v, DType compute) {
  return computed_by(v, "neg") && (is_float(v.dtype()) || v.dtype() == compute);
}

std::optional<Var> simplify_elemwise(const ElemwiseOp& elemwise, const std::vector<Var>& in) {
  const ScalarOp& op = elemwise.scalar();
  const std::string_view name = op.name;
  if (name == "neg" && computed_by(in[0], "neg")) return operand(in[0], 0);  // -(-x) -> x
  if (op.arity != 2) return std::nullopt;
  const Var& a = in[0];
  const Var& b = in[1];
  const DType promoted = promote_operands(in, elemwise.weak_float_dtype());
  const DType compute = name == "true_div" ? float_arithmetic_dtype(op, promoted) : promoted;
  if (name == "add") {
    if (is_filled_with(b, 0)) return a;
    if (is_filled_with(a, 0)) return b;
    if (movable_neg(b, compute)) return try_build([&] { return a - operand(b, 0); });
    if (movable_neg(a, compute)) return try_build([&] { return b - operand(a, 0); });
  } else if (name == "sub") {
    if (is_filled_with(b, 0)) return a;
    if (is_filled_with(a, 0)) return try_build([&] { return -b; });
    if (movable_neg(b, compute)) return try_build([&] { return a + operand(b, 0); });
    if (a.is(b) && is_integer(a.dtype())) return zeros_like(a);
  } else if (name == "mul") {
    if (is_filled_with(b, 1)) return a;
    if (is_filled_with(a, 1)) return b;
    if (is_filled_with(b, -1)) return try_build([&] { return -a; });
    if (is_filled_with(a, -1)) return try_build([&] { return -b; });
    if (movable_neg(a, compute) && movable_neg(b, compute))
      return try_build([&] { return operand(a, 0) * operand(b, 0); });
    if (computed_by(b, "true_div") && is_filled_with(operand(b, 0), 1))
      return try_build([&] { return a / operand(b, 1); });
    if (computed_by(a, "true_div") && is_filled_with(operand(a, 0), 1))
      return try_build([&] { return b / operand(a, 1); });
  } else if (name == "true_div") {
    if (is_filled_with(b, 1)) return a;
    if (movable_neg(a, compute) && movable_neg(b, compute))
      return try_build([&] { return operand(a, 0) / operand(b, 0); });
  }
  return std::nullopt;
}

/// dimshuffle(dimshuffle(x, inner), outer) as one pattern on x.
std::vector<int> compose(const std::vector<int>& inner, const std::vector<int>& outer) {
  std::vector<int> pattern;
  for (int p : outer) pattern.push_back(p == newaxis ? newaxis : inner[p]);
  return pattern;
}

bool is_identity(const std::vector<int>& pattern, int ndim) {
  if (static_cast<int>(pattern.size()) != ndim) return false;
  for (int i = 0; i < ndim; ++i) {
    if (pattern[i] != i) return false;
  }
  return true;
}

std::optional<Var> simplify_dimshuffle(const std::vector<int>& pattern, const Var& x) {
  if (is_identity(pattern, x.ndim())) return x;
  if (!x.owner()) return std::nullopt;
  if (const auto inner = dimshuffle_pattern(x.owner()->op())) {
    return dimshuffle(operand(x, 0), compose(*inner, pattern));
  }
  return std::nullopt;
}

std::optional<Var> simplify_reshape(const Shape& target, const Var& x) {
  if (!x.owner()) return std::nullopt;
  const Op& inner = x.owner()->op();
  if (reshape_target(inner) || is_flatten(inner)) return reshape(operand(x, 0), target);
  return std::nullopt;
}

/// One simplification of the node op(in), or nullopt.
std::optional<Var> simplify(const Op& op, const std::vector<Var>& in) {
  if (const auto* e = dynamic_cast<const ElemwiseOp*>(&op)) {
    if (e->cast_to()) return *e->cast_to() == in[0].dtype() ? std::optional<Var>(in[0]) : std::nullopt;
    return simplify_elemwise(*e, in);
  }
  if (const auto pattern = dimshuffle_pattern(op)) return simplify_dimshuffle(*pattern, in[0]);
  if (const auto target = reshape_target(op)) return simplify_reshape(*target, in[0]);
  return std::nullopt;
}

}  // namespace

std::vector<Var> canonicalize(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  return rebuild(inputs, outputs,
                 [](const Apply& node, const std::vector<Var>& operands) -> std::optional<Var> {
                   const TensorType& type = node.output().type();
                   std::optional<Var> result;
                   const Op* op = &node.op();
                   const std::vector<Var>* in = &operands;
                   for (int step = 0; step < kMaxLocalSteps; ++step) {
                     const std::optional<Var> next = simplify(*op, *in);
                     // Only where nothing about the node's type changes.
                     if (!next || next->type() != type) break;
                     result = next;
                     if (!result->owner()) break;
                     op = &result->owner()->op();
                     in = &result->owner()->inputs();
                   }
                   return result;
                 });
}

}  // namespace hypatia
