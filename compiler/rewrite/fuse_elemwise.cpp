#include "compiler/rewrite/fuse_elemwise.hpp"

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "compiler/clone.hpp"
#include "compiler/evaluate.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/fused_elemwise.hpp"

namespace hypatia {
namespace {

bool is_elemwise(const Var& v) {
  return v.owner() && dynamic_cast<const ElemwiseOp*>(&v.owner()->op()) != nullptr;
}

}  // namespace

std::vector<Var> fuse_elemwise(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  const auto order = topological_order(outputs, inputs);
  std::unordered_set<const VarNode*> leaves;
  for (const Var& v : inputs) leaves.insert(v.node());
  // How many times each variable is used (outputs count as uses).
  std::unordered_map<const VarNode*, int> uses;
  for (const auto& node : order) {
    for (const Var& in : node->inputs()) ++uses[in.node()];
  }
  for (const Var& v : outputs) ++uses[v.node()];

  // 1. Groups, found from the sinks backwards: a group grows into elementwise
  //    producers that it alone uses. Each sink maps to its fused replacement,
  //    built over placeholders; `external` keeps the original operands.
  struct Group {
    std::shared_ptr<const FusedElemwiseOp> op;
    std::vector<Var> external;
  };
  std::unordered_set<const Apply*> taken, inner_members;
  std::unordered_map<const Apply*, Group> groups;  // by sink node
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Var sink = (*it)->output();
    if (!is_elemwise(sink) || taken.count(sink.owner().get())) continue;
    std::vector<std::shared_ptr<Apply>> members{sink.owner()};
    std::unordered_set<const VarNode*> member_vars{sink.node()};
    for (std::size_t g = 0; g < members.size(); ++g) {
      for (const Var& in : members[g]->inputs()) {
        if (!is_elemwise(in) || leaves.count(in.node()) || member_vars.count(in.node())) continue;
        if (uses[in.node()] != 1 || taken.count(in.owner().get())) continue;
        members.push_back(in.owner());
        member_vars.insert(in.node());
      }
    }
    for (const auto& n : members) taken.insert(n.get());
    if (members.size() < 2) continue;
    for (std::size_t m = 1; m < members.size(); ++m) inner_members.insert(members[m].get());

    // Operands from outside become placeholders of the same types; 0-d constants stay inside.
    Group group;
    std::vector<Var> placeholders;
    std::vector<std::pair<Var, Var>> to_placeholder;
    std::unordered_set<const VarNode*> seen;
    for (const auto& n : order) {  // the members, in topological order
      if (!member_vars.count(n->output().node())) continue;
      for (const Var& in : n->inputs()) {
        if (member_vars.count(in.node()) || (in.is_constant() && in.ndim() == 0)) continue;
        if (!seen.insert(in.node()).second) continue;
        group.external.push_back(in);
        placeholders.push_back(tensor(in.type()));
        to_placeholder.emplace_back(in, placeholders.back());
      }
    }
    const Var inner = clone_replace({sink}, to_placeholder).front();
    group.op = std::make_shared<FusedElemwiseOp>(placeholders, inner);
    groups.emplace(sink.owner().get(), std::move(group));
  }
  if (groups.empty()) return outputs;

  // 2. Rebuild forwards: sinks become fused nodes, other members vanish,
  //    nodes reading a rebuilt variable are rebuilt.
  std::unordered_map<const VarNode*, Var> rebuilt;
  auto mapped = [&](const Var& v) {
    auto it = rebuilt.find(v.node());
    return it == rebuilt.end() ? v : it->second;
  };
  for (const auto& node : order) {
    const Var out = node->output();
    if (auto g = groups.find(node.get()); g != groups.end()) {
      std::vector<Var> operands;
      for (const Var& v : g->second.external) operands.push_back(mapped(v));
      rebuilt[out.node()] = make_apply(g->second.op, operands);
      continue;
    }
    if (inner_members.count(node.get())) continue;  // only its group read it
    std::vector<Var> operands;
    bool changed = false;
    for (const Var& in : node->inputs()) {
      operands.push_back(mapped(in));
      changed = changed || !operands.back().is(in);
    }
    if (changed) rebuilt[out.node()] = make_apply(node->op_ptr(), operands);
  }
  std::vector<Var> result;
  for (const Var& v : outputs) result.push_back(mapped(v));
  return result;
}

}  // namespace hypatia
