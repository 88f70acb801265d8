#include "compiler/rewrite/fuse_elemwise.hpp"

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "compiler/graph/clone.hpp"
#include "compiler/graph/rebuild.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "compiler/ops/reduce.hpp"

namespace hypatia {
namespace {

bool is_elemwise(const Var& v) {
  return v.owner() && dynamic_cast<const ElemwiseOp*>(&v.owner()->op()) != nullptr;
}

/// sum, mean, max, min and prod take an elementwise producer; argmax keeps its own loop.
bool is_fusable_reduction(const Apply& node) {
  const auto info = reduction_of(node.op());
  return info && info->kind != "argmax" && info->kind != "argmin";
}

}  // namespace

bool calls_math_function(const Apply& node) {
  const auto* op = dynamic_cast<const ElemwiseOp*>(&node.op());
  return op && op->scalar().cpp_float.find("hp_") != std::string_view::npos;
}

std::vector<Var> fuse_elemwise(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  const auto order = topological_order(outputs, inputs);
  std::unordered_map<const Apply*, std::size_t> position;
  for (std::size_t i = 0; i < order.size(); ++i) position.emplace(order[i].get(), i);
  std::unordered_set<const VarNode*> leaves;
  for (const Var& v : inputs) leaves.insert(v.node());
  // How many times each variable is used (outputs count as uses), and by which nodes.
  std::unordered_map<const VarNode*, int> uses;
  std::unordered_map<const VarNode*, std::vector<const Apply*>> readers;
  for (const auto& node : order) {
    for (const Var& in : node->inputs()) {
      ++uses[in.node()];
      readers[in.node()].push_back(node.get());
    }
  }
  for (const Var& v : outputs) ++uses[v.node()];
  std::unordered_set<const Apply*> taken, inner_members;

  // 1. Groups, found from the sinks backwards: a group grows into elementwise
  //    producers that it alone uses. A sink is an elementwise node, or a
  //    reduction whose elementwise operand only it reads (the group then
  //    ends in the reduction). Each sink maps to its fused replacement,
  //    built over placeholders; `external` keeps the original operands.
  struct Group {
    std::shared_ptr<const Op> op;
    std::vector<Var> external;
  };
  auto fusable_operand = [&](const Var& in) {
    return is_elemwise(in) && !leaves.count(in.node()) && uses[in.node()] == 1 &&
           !taken.count(in.owner().get());
  };
  std::unordered_map<const Apply*, Group> groups;  // by sink node
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const std::shared_ptr<Apply>& sink = *it;
    Var top;                               // the group's elementwise value
    std::shared_ptr<const Op> reduction;  // the reduction that ends the group, if any
    if (is_elemwise(sink->output()) && !taken.count(sink.get())) {
      top = sink->output();
    } else if (is_fusable_reduction(*sink) && fusable_operand(sink->inputs()[0])) {
      top = sink->inputs()[0];
      reduction = sink->op_ptr();
    } else {
      continue;
    }
    std::vector<std::shared_ptr<Apply>> members{top.owner()};
    std::unordered_set<const VarNode*> member_vars{top.node()};
    std::unordered_set<const Apply*> member_nodes{top.owner().get()};
    // An operand joins when the group alone reads it: once, or several times
    // from members (t in log1p(t * 2) + t). A reader may join after the
    // operand was first seen, hence the sweeps until nothing joins.
    auto only_group_reads = [&](const Var& in) {
      if (uses[in.node()] == 1) return true;
      const auto& r = readers[in.node()];
      if (static_cast<int>(r.size()) != uses[in.node()]) return false;  // also a function output
      return std::all_of(r.begin(), r.end(), [&](const Apply* reader) { return member_nodes.count(reader) > 0; });
    };
    int math = calls_math_function(*top.owner()) ? 1 : 0;
    for (bool grew = true; grew;) {
      grew = false;
      for (std::size_t g = 0; g < members.size(); ++g) {
        for (const Var& in : members[g]->inputs()) {
          if (member_vars.count(in.node()) || !is_elemwise(in) || leaves.count(in.node()) ||
              taken.count(in.owner().get()) || !only_group_reads(in)) {
            continue;
          }
          const bool heavy = calls_math_function(*in.owner());
          if (members.size() >= kMaxFusedOps || (heavy && math >= kMaxFusedMath)) continue;
          math += heavy ? 1 : 0;
          members.push_back(in.owner());
          member_vars.insert(in.node());
          member_nodes.insert(in.owner().get());
          grew = true;
        }
      }
    }
    for (const auto& n : members) taken.insert(n.get());
    if (!reduction && members.size() < 2) continue;
    for (std::size_t m = reduction ? 0 : 1; m < members.size(); ++m) inner_members.insert(members[m].get());

    // In topological order (the walk below binds operands in this order).
    std::sort(members.begin(), members.end(),
              [&](const auto& a, const auto& b) { return position.at(a.get()) < position.at(b.get()); });
    // Operands from outside become placeholders of the same types; 0-d constants stay inside.
    Group group;
    std::vector<Var> placeholders;
    std::vector<std::pair<Var, Var>> to_placeholder;
    std::unordered_set<const VarNode*> seen;
    for (const auto& n : members) {
      for (const Var& in : n->inputs()) {
        if (member_vars.count(in.node()) || (in.is_constant() && in.ndim() == 0)) continue;
        if (!seen.insert(in.node()).second) continue;
        group.external.push_back(in);
        placeholders.push_back(tensor(in.type()));
        to_placeholder.emplace_back(in, placeholders.back());
      }
    }
    const Var inner = clone_replace({top}, to_placeholder).front();
    auto elementwise = std::make_shared<FusedElemwiseOp>(placeholders, inner);
    if (reduction) group.op = std::make_shared<FusedReduceOp>(elementwise, reduction);
    else group.op = elementwise;
    groups.emplace(sink.get(), std::move(group));
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
      rebuilt[out.node()] = remake_apply(g->second.op, operands, out);
      continue;
    }
    if (inner_members.count(node.get())) continue;  // only its group read it
    std::vector<Var> operands;
    bool changed = false;
    for (const Var& in : node->inputs()) {
      operands.push_back(mapped(in));
      changed = changed || !operands.back().is(in);
    }
    if (changed) rebuilt[out.node()] = remake_apply(node->op_ptr(), operands, out);
  }
  std::vector<Var> result;
  for (const Var& v : outputs) result.push_back(mapped(v));
  return result;
}

}  // namespace hypatia
