#include "compiler/rewrite/rebuild.hpp"

#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "compiler/evaluate.hpp"
#include "compiler/op.hpp"

namespace hypatia {
namespace {

thread_local std::vector<std::pair<Var, Var>>* recorded_replacements = nullptr;

}  // namespace

RecordReplacements::RecordReplacements(std::vector<std::pair<Var, Var>>& into)
    : previous_(std::exchange(recorded_replacements, &into)) {}

RecordReplacements::~RecordReplacements() { recorded_replacements = previous_; }

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
  for (const auto& node : topological_order(outputs, leaves)) {
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
      rebuilt[out.node()] = *replacement;
    } else if (changed) {
      // The same node over new operands keeps the user's name (a replacement
      // may be a variable of the user's graph: its name is left alone).
      Var copy = make_apply(node->op_ptr(), operands);
      if (!out.name().empty()) copy.set_name(out.name());
      rebuilt[out.node()] = copy;
    }
  }
  std::vector<Var> result;
  for (const Var& v : outputs) result.push_back(mapped(v));
  return result;
}

}  // namespace hypatia
