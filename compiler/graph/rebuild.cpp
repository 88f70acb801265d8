#include "compiler/graph/rebuild.hpp"

#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"

namespace hypatia {
namespace {

thread_local std::vector<std::pair<Var, Var>>* recorded_replacements = nullptr;

}  // namespace

RecordReplacements::RecordReplacements(std::vector<std::pair<Var, Var>>& into)
    : previous_(std::exchange(recorded_replacements, &into)) {}

RecordReplacements::~RecordReplacements() { recorded_replacements = previous_; }

Var remake_apply(std::shared_ptr<const Op> op, std::vector<Var> operands, const Var& original) {
  Var v = make_apply(std::move(op), std::move(operands));
  if (!original.name().empty()) v.set_name(original.name());
  return v;
}

std::vector<Var> rebuild(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                         const LocalRewrite& rewrite,
                         const std::vector<std::pair<Var, Var>>& substitutions) {
  std::unordered_map<const VarNode*, Var> rebuilt;
  std::vector<Var> leaves = inputs;
  for (const auto& [from, to] : substitutions) {
    rebuilt[from.node()] = to;
    leaves.push_back(from);
  }
  auto mapped = [&](const Var& v) {
    auto it = rebuilt.find(v.node());
    return it == rebuilt.end() ? v : it->second;
  };
  const auto order = topological_order(outputs, leaves);
  std::unordered_set<const VarNode*> in_graph;
  for (const Var& v : leaves) in_graph.insert(v.node());
  for (const auto& [from, to] : substitutions) in_graph.insert(to.node());
  for (const auto& node : order) {
    in_graph.insert(node->output().node());
    for (const Var& in : node->inputs()) in_graph.insert(in.node());
  }
  for (const auto& node : order) {
    std::vector<Var> operands;
    bool changed = false;
    for (const Var& in : node->inputs()) {
      operands.push_back(mapped(in));
      changed = changed || !operands.back().is(in);
    }
    const Var out = node->output();
    if (std::optional<Var> replacement = rewrite(*node, operands)) {
      if (replacement->dtype() != out.dtype() || replacement->broadcastable() != out.broadcastable()) {
        throw Error(fmt::format("internal: a rewrite replaced {} of type {} by type {}", node->op().name(),
                                out.type().str(), replacement->type().str()));
      }
      if (recorded_replacements) recorded_replacements->emplace_back(out, *replacement);
      // A node the rewrite built takes the name of what it replaces; a
      // variable of the graph it returns (x for x * 1) keeps its own.
      if (replacement->owner() && replacement->name().empty() && !out.name().empty() &&
          !in_graph.count(replacement->node())) {
        replacement->set_name(out.name());
      }
      rebuilt[out.node()] = *replacement;
    } else if (changed) {
      rebuilt[out.node()] = remake_apply(node->op_ptr(), operands, out);
    }
  }
  std::vector<Var> result;
  for (const Var& v : outputs) result.push_back(mapped(v));
  return result;
}

}  // namespace hypatia
