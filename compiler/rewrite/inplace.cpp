#include "compiler/rewrite/inplace.hpp"

#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "compiler/graph/rebuild.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/fused_elemwise.hpp"

namespace hypatia {
namespace {

/// `node` (a lone Elemwise) as a one-op Composite over placeholders; 0-d constants stay inside.
std::pair<std::vector<Var>, Var> as_composite(const Apply& node) {
  std::vector<Var> placeholders, operands;
  for (const Var& in : node.inputs()) {
    if (in.is_constant() && in.ndim() == 0) {
      operands.push_back(in);
      continue;
    }
    placeholders.push_back(tensor(in.type()));
    operands.push_back(placeholders.back());
  }
  return {placeholders, make_apply(node.op_ptr(), operands)};
}

}  // namespace

std::vector<Var> inplace(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  std::unordered_set<const VarNode*> leaves;
  for (const Var& v : inputs) leaves.insert(v.node());
  std::unordered_map<const VarNode*, int> uses;  // outputs count as uses
  for (const auto& node : topological_order(outputs, inputs)) {
    for (const Var& in : node->inputs()) ++uses[in.node()];
  }
  std::unordered_set<const VarNode*> function_outputs;  // written straight into the caller's result
  for (const Var& v : outputs) {
    ++uses[v.node()];
    function_outputs.insert(v.node());
  }

  return rebuild(inputs, outputs, [&](const Apply& node, const std::vector<Var>& operands) -> std::optional<Var> {
    const auto* fused = dynamic_cast<const FusedElemwiseOp*>(&node.op());
    const bool lone = dynamic_cast<const ElemwiseOp*>(&node.op()) != nullptr;
    if ((!fused && !lone) || (fused && !fused->inplace_inputs().empty())) return std::nullopt;
    if (fused && fused->inner_outputs().size() > 1) return std::nullopt;  // a multi-output loop allocates all
    // The node's operands as the fused op numbers them (a lone op's 0-d constants are not operands).
    std::vector<Var> original, rewritten;
    for (std::size_t i = 0; i < node.inputs().size(); ++i) {
      const Var& in = node.inputs()[i];
      if (lone && in.is_constant() && in.ndim() == 0) continue;
      original.push_back(in);
      rewritten.push_back(operands[i]);
    }
    const Var out = node.output();
    if (function_outputs.count(out.node())) return std::nullopt;
    std::vector<int> candidates;
    for (std::size_t i = 0; i < original.size(); ++i) {
      const Var& in = original[i];
      if (!in.owner() || leaves.count(in.node()) || !(in.type() == out.type())) continue;
      int here = 0;  // x * x reads x twice, and may still overwrite it
      std::size_t first = i;
      for (std::size_t j = original.size(); j-- > 0;) {
        if (!original[j].is(in)) continue;
        ++here;
        first = j;
      }
      if (uses[in.node()] == here && first == i) candidates.push_back(static_cast<int>(i));
    }
    if (candidates.empty()) return std::nullopt;
    std::shared_ptr<const FusedElemwiseOp> op;
    if (fused) {
      op = std::make_shared<FusedElemwiseOp>(fused->placeholders(), fused->inner_output(), candidates);
    } else {
      auto [placeholders, inner] = as_composite(node);
      op = std::make_shared<FusedElemwiseOp>(std::move(placeholders), inner, candidates);
    }
    return make_apply(op, rewritten);
  });
}

}  // namespace hypatia
