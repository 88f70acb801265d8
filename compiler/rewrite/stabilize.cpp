#include "compiler/rewrite/stabilize.hpp"

#include <cmath>

#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/reduce.hpp"
#include "compiler/ops/softmax.hpp"
#include "compiler/rewrite/rebuild.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

/// The scalar op computing v, or null.
const ScalarOp* scalar_of(const Var& v) {
  if (!v.owner()) return nullptr;
  const auto* op = dynamic_cast<const ElemwiseOp*>(&v.owner()->op());
  return op && !op->cast_to() ? &op->scalar() : nullptr;
}

bool is(const Var& v, std::string_view name) {
  const ScalarOp* s = scalar_of(v);
  return s && s->name == name;
}

bool is_one(const Var& v) {
  return v.is_constant() && v.constant_value().size() == 1 && v.constant_value().item<double>() == 1.0;
}

const Var& arg(const Var& v, int i) { return v.owner()->inputs()[i]; }

/// m with infinities replaced by 0, so that x - m stays finite where every x is -inf.
Var finite_or_zero(const Var& m) { return where(abs(m) < INFINITY, m, 0); }

std::optional<Var> log_of_sum_exp(const Var& s) {
  if (!s.owner()) return std::nullopt;
  const std::optional<ReductionInfo> r = reduction_of(s.owner()->op());
  const Var& e = arg(s, 0);
  if (!r || r->kind != "sum" || !is(e, "exp")) return std::nullopt;
  const Var& x = arg(e, 0);
  const std::vector<int> axes = r->axes;
  const Var m_keep = finite_or_zero(max(x, axes, true));
  const Var m = finite_or_zero(max(x, axes, r->keepdims));
  return log(sum(exp(x - m_keep), axes, r->keepdims)) + m;
}

}  // namespace

std::vector<Var> stabilize(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  return rebuild(inputs, outputs, [](const Apply& node, const std::vector<Var>& operands) -> std::optional<Var> {
    const auto* op = dynamic_cast<const ElemwiseOp*>(&node.op());
    if (!op || op->cast_to() || op->scalar().name != "log") return std::nullopt;
    const Var& u = operands[0];
    const Var out = node.output();
    std::optional<Var> better;
    if (is(u, "sigmoid")) {
      better = -softplus(-arg(u, 0));
    } else if (is(u, "sub") && is_one(arg(u, 0)) && is(arg(u, 1), "sigmoid")) {
      better = -softplus(arg(arg(u, 1), 0));
    } else if (is(u, "add") && is_one(arg(u, 0))) {
      better = log1p(arg(u, 1));
    } else if (is(u, "add") && is_one(arg(u, 1))) {
      better = log1p(arg(u, 0));
    } else if (u.owner() && is_softmax(u.owner()->op())) {
      const Var& x = arg(u, 0);
      const int last = x.ndim() - 1;
      const Var m = finite_or_zero(max(x, last, true));
      better = x - (log(sum(exp(x - m), last, true)) + m);
    } else {
      better = log_of_sum_exp(u);
    }
    // Only where nothing about the node's type changes.
    if (!better || better->type() != out.type()) return std::nullopt;
    return better;
  });
}

}  // namespace hypatia
