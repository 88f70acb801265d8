/// pp, pp_brief and debugprint (to_dot is compiler/render/dot.cpp).
#include "hypatia/print.hpp"

#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "compiler/graph/display_names.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"

namespace hypatia {
namespace {

/// Longest text pp keeps for one subexpression; longer ones are shortened so
/// that graphs with much reuse (a DAG printed as a tree) stay printable.
constexpr std::size_t kMaxPrettyLength = 20000;

/// Theano's ids: A..Z, then BA, BB, ... (base 26 with A as zero digit).
std::string id_letters(std::size_t n) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('A' + n % 26));
    n /= 26;
  } while (n > 0);
  return s;
}

/// Deeper than this many levels a line's indentation is written as a count
/// (` | | ... |<200001 levels> |`), so a chain of n nodes prints in O(n) text
/// instead of O(n^2): a 200,000-node chain would otherwise need 40 GB.
constexpr std::size_t kMaxIndentLevels = 64;

std::string indentation(std::size_t depth) {
  std::string s;
  const std::size_t drawn = depth <= kMaxIndentLevels ? depth : kMaxIndentLevels / 2;
  for (std::size_t i = 0; i < drawn; ++i) s += " |";
  if (depth > kMaxIndentLevels) s += fmt::format("<{} levels> |", depth);
  return s;
}

class DebugPrinter {
 public:
  DebugPrinter(const DisplayNames& names, std::vector<std::string> labels)
      : names_(names), labels_(std::move(labels)) {}

  /// Each root's tree; root k's first line ends with " (labels[k])" when labelled.
  std::string print(const std::vector<Var>& roots) {
    for (std::size_t k = 0; k < roots.size(); ++k) {
      print_var(roots[k], k < labels_.size() ? fmt::format(" ({})", labels_[k]) : std::string());
    }
    return text_;
  }

 private:
  std::string id_of(const void* key) {
    auto [it, inserted] = ids_.emplace(key, "");
    if (inserted) it->second = id_letters(ids_.size() - 1);
    return it->second;
  }

  void print_var(const Var& root, const std::string& root_label) {
    // Explicit stack: a chain of thousands of nodes must not overflow the C++ stack.
    std::vector<std::pair<Var, std::size_t>> stack{{root, 0}};
    while (!stack.empty()) {
      auto [v, depth] = stack.back();
      stack.pop_back();
      const std::string prefix = indentation(depth);
      const std::string& label = depth == 0 ? root_label : kNoLabel;
      const auto& owner = v.owner();
      if (!owner) {
        std::string marker = v.is_shared() ? " (shared)" : v.is_constant() ? " (constant)" : "";
        std::string text = v.is_constant() ? constant_text(v) : leaf_text(v, names_);
        if (v.is_constant() && !v.name().empty()) text = names_.of(v) + " " + text;
        text_ += fmt::format("{}{} [id {}] <{}>{}{}\n", prefix, text, id_of(v.node()), v.type().str(), marker,
                             label);
        continue;
      }
      const bool seen = ids_.count(owner.get()) > 0;
      text_ += fmt::format("{}{} [id {}] <{}> '{}'{}\n", prefix, owner->op().name(), id_of(owner.get()),
                           v.type().str(), names_.of(v), label);
      if (seen) continue;
      const auto& inputs = owner->inputs();
      for (auto it = inputs.rbegin(); it != inputs.rend(); ++it) stack.emplace_back(*it, depth + 1);
    }
  }

  static inline const std::string kNoLabel;
  const DisplayNames& names_;
  std::vector<std::string> labels_;
  std::unordered_map<const void*, std::string> ids_;
  std::string text_;
};

void check_not_null(const std::vector<Var>& vars, const char* who) {
  for (const Var& v : vars) {
    if (v.is_null()) throw Error(fmt::format("{}: null hp::Var", who));
  }
}

/// A function's roots labelled: outputs, then update values.
std::string debugprint_labelled(const std::vector<Var>& roots, std::size_t outputs,
                                const std::vector<Var>& updated) {
  check_not_null(roots, "debugprint");
  check_not_null(updated, "debugprint");
  const DisplayNames names(roots, updated);
  return DebugPrinter(names, root_labels(outputs, updated, names)).print(roots);
}

}  // namespace

std::string pp(const Var& v) {
  if (v.is_null()) throw Error("pp: null hp::Var");
  const DisplayNames names({v});
  std::unordered_map<const Apply*, std::string> memo;
  // A named intermediate inside the expression prints as its name (Theano's
  // pp); the expression printed is the root's own.
  auto operand_text = [&](const Var& in) {
    if (!in.owner()) return leaf_text(in, names);
    if (!in.name().empty()) return names.of(in);
    return memo.at(in.owner().get());
  };
  for (const auto& node : topological_order({v})) {
    std::vector<std::string> args;
    for (const Var& in : node->inputs()) {
      std::string s = operand_text(in);
      if (s.size() > kMaxPrettyLength) s = s.substr(0, kMaxPrettyLength) + "...";
      args.push_back(std::move(s));
    }
    memo[node.get()] = node->op().pretty(args);
  }
  return v.owner() ? memo.at(v.owner().get()) : leaf_text(v, names);
}

std::ostream& operator<<(std::ostream& os, const Var& v) { return os << pp(v); }

std::string pp_brief(const Var& v, int depth) {
  if (v.is_null()) throw Error("pp_brief: null hp::Var");
  // Names as given: numbering them would walk the whole graph.
  static const DisplayNames kAsGiven({});
  if (!v.owner()) return leaf_text(v, kAsGiven);
  if (depth <= 0) return "...";
  std::vector<std::string> args;
  for (const Var& in : v.owner()->inputs()) {
    args.push_back(in.owner() && !in.name().empty() ? in.name() : pp_brief(in, depth - 1));
  }
  return v.owner()->op().pretty(args);
}

std::string debugprint(const Var& v) { return debugprint(std::vector<Var>{v}); }

std::string debugprint(const std::vector<Var>& outputs) {
  check_not_null(outputs, "debugprint");
  const DisplayNames names(outputs);
  return DebugPrinter(names, {}).print(outputs);
}

std::string debugprint(const std::vector<Var>& outputs, const std::vector<std::pair<Shared, Var>>& updates) {
  return debugprint_labelled(roots_of(outputs, updates), outputs.size(), updated_of(updates));
}

}  // namespace hypatia
