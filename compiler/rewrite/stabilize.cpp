#include "compiler/rewrite/stabilize.hpp"

#include <cmath>

#include "compiler/graph/rebuild.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/match.hpp"
#include "compiler/ops/reduce.hpp"
#include "compiler/ops/softmax.hpp"
#include "hypatia/nnet.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

bool is_one(const Var& v) {
  return v.is_constant() && v.constant_value().size() == 1 && v.constant_value().item<double>() == 1.0;
}

/// x in the float dtype that exp, sigmoid and softmax compute it in: negating
/// or subtracting in an integer dtype would wrap (-(-128) in int8), and on a
/// bool is refused.
Var as_float(const Var& x) { return is_float(x.dtype()) ? x : cast(x, upgrade_to_float(x.dtype())); }

/// m with infinities replaced by 0, so that x - m stays finite where every x is -inf.
Var finite_or_zero(const Var& m) { return where(abs(m) < INFINITY, m, 0); }

std::optional<Var> log_of_sum_exp(const Var& s) {
  if (!s.owner()) return std::nullopt;
  const std::optional<ReductionInfo> r = reduction_of(s.owner()->op());
  const Var& e = operand(s, 0);
  if (!r || r->kind != "sum" || !computed_by(e, "exp")) return std::nullopt;
  const Var x = as_float(operand(e, 0));
  const std::vector<int> axes = r->axes;
  // max_or_neg_inf: over empty axes the max is -inf (made 0), where max(x) would raise.
  const Var m_keep = finite_or_zero(max_or_neg_inf(x, axes, true));
  const Var m = finite_or_zero(max_or_neg_inf(x, axes, r->keepdims));
  return log(sum(exp(x - m_keep), axes, r->keepdims)) + m;
}

/// -t, without a double negation where t is neg(x). An integer t is
/// negated in float: its own negation may wrap (-(-128) in int8).
Var negated(const Var& t) {
  if (!is_float(t.dtype())) return -as_float(t);
  return computed_by(t, "neg") ? operand(t, 0) : -t;
}

/// The exponent t of exp(t) where one side of the sum `denominator` is 1
/// and the other exp(t) (either order), or nullopt.
std::optional<Var> one_plus_exp(const Var& denominator) {
  if (!computed_by(denominator, "add")) return std::nullopt;
  for (int side : {0, 1}) {
    const Var& e = operand(denominator, 1 - side);
    if (is_one(operand(denominator, side)) && computed_by(e, "exp")) return operand(e, 0);
  }
  return std::nullopt;
}

/// 1 / (1 + exp(t)) -> sigmoid(-t) (Theano's local_inv_1_plus_exp: t is
/// often -(w.x) - b, so any exponent is taken, not only a negation);
/// exp(t) / (1 + exp(t)) -> sigmoid(t) (local_exp_over_1_plus_exp); or nullopt.
std::optional<Var> sigmoid_form(const Var& numerator, const Var& denominator) {
  const std::optional<Var> t = one_plus_exp(denominator);
  if (!t) return std::nullopt;
  if (is_one(numerator)) return sigmoid(negated(*t));
  if (computed_by(numerator, "exp") && operand(numerator, 0).is(*t)) return sigmoid(as_float(*t));
  return std::nullopt;
}

/// The stable form of log(u), or nullopt.
std::optional<Var> stable_log(const Var& u) {
  if (computed_by(u, "sigmoid")) return -softplus(negated(as_float(operand(u, 0))));
  const bool one_minus = computed_by(u, "sub") && is_one(operand(u, 0));
  if (one_minus && computed_by(operand(u, 1), "sigmoid")) return -softplus(operand(operand(u, 1), 0));
  if (computed_by(u, "exp") && is_float(operand(u, 0).dtype())) return operand(u, 0);
  for (int side : {0, 1}) {
    if (!computed_by(u, "add") || !is_one(operand(u, side))) continue;
    const Var& x = operand(u, 1 - side);
    return computed_by(x, "exp") ? softplus(operand(x, 0)) : log1p(x);
  }
  if (one_minus && is_float(operand(u, 1).dtype())) return log1p(-operand(u, 1));
  if (u.owner() && is_softmax(u.owner()->op())) return nnet::log_softmax(operand(u, 0));
  return log_of_sum_exp(u);
}

}  // namespace

std::vector<Var> stabilize(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  return rebuild(inputs, outputs, [](const Apply& node, const std::vector<Var>& operands) -> std::optional<Var> {
    const auto* op = dynamic_cast<const ElemwiseOp*>(&node.op());
    if (!op || op->cast_to()) return std::nullopt;
    const std::string_view name = op->scalar().name;
    const Var out = node.output();
    std::optional<Var> better;
    if (name == "log") better = stable_log(operands[0]);
    else if (name == "log1p" && computed_by(operands[0], "exp")) better = softplus(operand(operands[0], 0));
    else if (name == "true_div") better = sigmoid_form(operands[0], operands[1]);
    // Only where nothing about the node's type changes.
    if (!better || better->type() != out.type()) return std::nullopt;
    return better;
  });
}

Var stable_cost(const Var& cost, const std::vector<Var>& stops) {
  return stabilize(stops, {cost}).front();
}

}  // namespace hypatia
