#include "compiler/clone.hpp"

#include <unordered_map>

#include <fmt/format.h>

#include "compiler/evaluate.hpp"
#include "compiler/graph_node.hpp"
#include "compiler/op.hpp"

namespace hypatia {

std::vector<Var> clone_replace(const std::vector<Var>& outputs,
                               const std::vector<std::pair<Var, Var>>& replacements) {
  std::unordered_map<const VarNode*, Var> map;
  for (const auto& [from, to] : replacements) {
    if (from.is_null() || to.is_null()) throw Error("replacement with a null hp::Var");
    if (from.dtype() != to.dtype() || from.ndim() != to.ndim()) {
      throw TypeError(fmt::format("cannot replace {} by {}: the types differ", describe_var(from),
                                  describe_var(to)));
    }
    map[from.node()] = to;
  }
  auto mapped = [&](const Var& v) {
    auto it = map.find(v.node());
    return it == map.end() ? v : it->second;
  };
  // Nodes above a replaced variable are not needed: the walk stops there.
  std::vector<Var> replaced;
  for (const auto& r : replacements) replaced.push_back(r.first);
  for (const auto& node : topological_order(outputs, replaced)) {
    std::vector<Var> inputs;
    bool changed = false;
    for (const Var& in : node->inputs()) {
      inputs.push_back(mapped(in));
      changed = changed || !inputs.back().is(in);
    }
    const Var out = node->output();
    if (changed && !map.count(out.node())) map[out.node()] = make_apply(node->op_ptr(), inputs);
  }
  std::vector<Var> result;
  for (const Var& v : outputs) result.push_back(mapped(v));
  return result;
}

}  // namespace hypatia
