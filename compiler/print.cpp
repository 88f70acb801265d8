#include "hypatia/print.hpp"

#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "compiler/evaluate.hpp"
#include "compiler/op.hpp"
#include "hypatia/function.hpp"

namespace hypatia {
namespace {

/// Longest text pp keeps for one subexpression; longer ones are shortened so
/// that graphs with much reuse (a DAG printed as a tree) stay printable.
constexpr std::size_t kMaxPrettyLength = 20000;

std::string constant_text(const Var& v) {
  const Array& value = v.constant_value();
  if (value.size() <= 16) {
    std::string s = value.str();
    for (char& c : s) {
      if (c == '\n') c = ' ';
    }
    return fmt::format("TensorConstant{{{}}}", s);
  }
  return fmt::format("TensorConstant{{{} of {}}}", shape_str(value.shape()), dtype_name(value.dtype()));
}

/// How a variable without an owner prints: its name, its constant value, or its type.
std::string leaf_text(const Var& v) {
  if (!v.name().empty()) return v.name();
  if (v.is_constant()) return constant_text(v);
  return fmt::format("<{}>", v.type().str());
}

/// Replaces characters that would break a double-quoted DOT label.
std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

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
  std::string print(const std::vector<Var>& outputs) {
    for (const Var& out : outputs) print_var(out);
    return text_;
  }

 private:
  std::string id_of(const void* key) {
    auto [it, inserted] = ids_.emplace(key, "");
    if (inserted) it->second = id_letters(ids_.size() - 1);
    return it->second;
  }

  void print_var(const Var& root) {
    // Explicit stack: a chain of thousands of nodes must not overflow the C++ stack.
    std::vector<std::pair<Var, std::size_t>> stack{{root, 0}};
    while (!stack.empty()) {
      auto [v, depth] = stack.back();
      stack.pop_back();
      const std::string prefix = indentation(depth);
      const auto& owner = v.owner();
      if (!owner) {
        std::string marker = v.is_shared() ? " (shared)" : v.is_constant() ? " (constant)" : "";
        std::string label = v.is_constant() ? constant_text(v) : leaf_text(v);
        if (v.is_constant() && !v.name().empty()) label = v.name() + " " + label;
        text_ += fmt::format("{}{} [id {}] <{}>{}\n", prefix, label, id_of(v.node()),
                             v.type().str(), marker);
        continue;
      }
      const bool seen = ids_.count(owner.get()) > 0;
      text_ += fmt::format("{}{} [id {}] <{}> '{}'\n", prefix, owner->op().name(),
                           id_of(owner.get()), v.type().str(), v.name());
      if (seen) continue;
      const auto& inputs = owner->inputs();
      for (auto it = inputs.rbegin(); it != inputs.rend(); ++it) stack.emplace_back(*it, depth + 1);
    }
  }

  std::unordered_map<const void*, std::string> ids_;
  std::string text_;
};

}  // namespace

std::string pp(const Var& v) {
  if (v.is_null()) throw Error("pp: null hp::Var");
  std::unordered_map<const Apply*, std::string> memo;
  for (const auto& node : topological_order({v})) {
    std::vector<std::string> args;
    for (const Var& in : node->inputs()) {
      std::string s = in.owner() ? memo.at(in.owner().get()) : leaf_text(in);
      if (s.size() > kMaxPrettyLength) s = s.substr(0, kMaxPrettyLength) + "...";
      args.push_back(std::move(s));
    }
    memo[node.get()] = node->op().pretty(args);
  }
  return v.owner() ? memo.at(v.owner().get()) : leaf_text(v);
}

std::ostream& operator<<(std::ostream& os, const Var& v) { return os << pp(v); }

std::string pp_brief(const Var& v, int depth) {
  if (v.is_null()) throw Error("pp_brief: null hp::Var");
  if (!v.owner()) return leaf_text(v);
  if (depth <= 0) return "...";
  std::vector<std::string> args;
  for (const Var& in : v.owner()->inputs()) args.push_back(pp_brief(in, depth - 1));
  return v.owner()->op().pretty(args);
}

std::string debugprint(const Var& v) { return debugprint(std::vector<Var>{v}); }

std::string debugprint(const std::vector<Var>& outputs) {
  for (const Var& v : outputs) {
    if (v.is_null()) throw Error("debugprint: null hp::Var");
  }
  return DebugPrinter().print(outputs);
}

std::string debugprint(const Function& f) { return debugprint(f.optimized_graph()); }

std::string to_dot(const Var& v) { return to_dot(std::vector<Var>{v}); }

std::string to_dot(const std::vector<Var>& outputs) {
  std::unordered_map<const void*, std::string> names;
  std::string body;
  auto var_id = [&](const Var& v) {
    auto [it, inserted] = names.emplace(v.node(), fmt::format("v{}", names.size()));
    if (inserted) {
      const char* style = v.is_constant() ? ", style=filled, fillcolor=gray90"
                          : v.is_shared() ? ", style=filled, fillcolor=lightblue"
                                          : "";
      std::string label = v.owner() && v.name().empty() ? v.type().str()
                                                         : leaf_text(v) + "\n" + v.type().str();
      body += fmt::format("  {} [shape=ellipse, label=\"{}\"{}];\n", it->second, dot_escape(label), style);
    }
    return it->second;
  };
  for (const Var& v : outputs) {
    if (v.is_null()) throw Error("to_dot: null hp::Var");
  }
  for (const auto& node : topological_order(outputs)) {
    const std::string apply_id = fmt::format("a{}", names.size());
    names.emplace(node.get(), apply_id);
    body += fmt::format("  {} [shape=box, label=\"{}\"];\n", apply_id, dot_escape(node->op().name()));
    for (std::size_t i = 0; i < node->inputs().size(); ++i) {
      const std::string in = var_id(node->inputs()[i]);
      body += node->inputs().size() > 1 ? fmt::format("  {} -> {} [label=\"{}\"];\n", in, apply_id, i)
                                        : fmt::format("  {} -> {};\n", in, apply_id);
    }
    body += fmt::format("  {} -> {};\n", apply_id, var_id(node->output()));
  }
  for (const Var& v : outputs) var_id(v);
  return "digraph hypatia {\n  rankdir=TB;\n" + body + "}\n";
}

}  // namespace hypatia
