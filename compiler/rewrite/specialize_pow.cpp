#include "compiler/rewrite/specialize_pow.hpp"

#include "compiler/graph/rebuild.hpp"
#include "compiler/ops/elemwise.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {

std::vector<Var> specialize_pow(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  return rebuild(inputs, outputs, [](const Apply& node, const std::vector<Var>& operands) -> std::optional<Var> {
    const auto* op = dynamic_cast<const ElemwiseOp*>(&node.op());
    if (!op || op->scalar().name != "pow" || op->cast_to()) return std::nullopt;
    const Var& x = operands[0];
    const Var& e = operands[1];
    if (!e.is_constant() || e.constant_value().size() != 1) return std::nullopt;
    const Var out = node.output();
    if (x.type() != out.type()) return std::nullopt;  // the exponent changes dtype or pattern
    const double exponent = e.constant_value().item<double>();
    if (exponent == 1) return x;
    if (exponent == 2) return sqr(x);
    return std::nullopt;
  });
}

}  // namespace hypatia
