#include "compiler/rewrite/specialize_dot.hpp"

#include <unordered_map>

#include "compiler/graph/rebuild.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/match.hpp"
#include "compiler/ops/reduce.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {

std::vector<Var> specialize_dot(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  // How many times each variable is read (outputs count as reads).
  std::unordered_map<const VarNode*, int> uses;
  for (const auto& node : topological_order(outputs, inputs)) {
    for (const Var& in : node->inputs()) ++uses[in.node()];
  }
  for (const Var& v : outputs) ++uses[v.node()];
  // An elementwise value read once is computed inside the fused reduction and never stored.
  auto in_memory = [&](const Var& v) {
    return !v.owner() || !dynamic_cast<const ElemwiseOp*>(&v.owner()->op()) || uses[v.node()] > 1;
  };
  return rebuild(inputs, outputs, [&](const Apply& node, const std::vector<Var>& operands) -> std::optional<Var> {
    const auto info = reduction_of(node.op());
    if (!info || info->kind != "sum" || !info->all_axes || info->keepdims) return std::nullopt;
    const Var& product = node.inputs()[0];
    if (!computed_by(product, "mul") || uses[product.node()] != 1) return std::nullopt;
    const Var& x = operand(product, 0);
    const Var& y = operand(product, 1);
    const TensorType vector_type(DType::Float64, {false});
    if (!(x.type() == vector_type) || !(y.type() == vector_type) || !in_memory(x) || !in_memory(y)) {
      return std::nullopt;
    }
    const Var& rebuilt = operands[0];  // the product over the rewritten x and y
    Var result = dot(operand(rebuilt, 0), operand(rebuilt, 1));
    if (!(result.type() == node.output().type())) return std::nullopt;
    return result;
  });
}

}  // namespace hypatia
