#include "compiler/graph/display_names.hpp"

#include <unordered_set>

#include <fmt/format.h>

#include "compiler/graph/op.hpp"

namespace hypatia {
namespace {

/// Every variable of the graph of `roots`, then `extra`, each once, in the
/// order a depth-first walk (operands left to right) first meets it.
/// Iterative: a chain of thousands of nodes must not overflow the C++ stack.
std::vector<Var> walk_order(const std::vector<Var>& roots, const std::vector<Var>& extra) {
  std::unordered_set<const VarNode*> seen;
  std::vector<Var> order;
  std::vector<Var> stack;
  auto visit = [&](const Var& root) {
    stack.push_back(root);
    while (!stack.empty()) {
      const Var v = std::move(stack.back());
      stack.pop_back();
      if (v.is_null() || !seen.insert(v.node()).second) continue;
      order.push_back(v);
      if (!v.owner()) continue;
      const auto& inputs = v.owner()->inputs();
      for (auto it = inputs.rbegin(); it != inputs.rend(); ++it) stack.push_back(*it);
    }
  };
  for (const Var& v : roots) visit(v);
  for (const Var& v : extra) visit(v);
  return order;
}

}  // namespace

DisplayNames::DisplayNames(const std::vector<Var>& roots, const std::vector<Var>& extra) {
  const std::vector<Var> order = walk_order(roots, extra);
  // A number is never one a user chose: a variable the user named "W#2" keeps
  // that name, and the second "W" becomes "W#3".
  std::unordered_set<std::string> taken;
  for (const Var& v : order) {
    if (!v.name().empty()) taken.insert(v.name());
  }
  std::unordered_map<std::string, int> count;
  std::unordered_set<std::string> given;
  for (const Var& v : order) {
    const std::string& name = v.name();
    if (name.empty()) continue;
    if (given.insert(name).second) {
      names_.emplace(v.node(), name);
      continue;
    }
    int& k = count.try_emplace(name, 1).first->second;
    std::string numbered;
    do {
      numbered = fmt::format("{}#{}", name, ++k);
    } while (taken.count(numbered) > 0 || given.count(numbered) > 0);
    given.insert(numbered);
    names_.emplace(v.node(), numbered);
  }
}

std::string DisplayNames::of(const Var& v) const {
  auto it = names_.find(v.node());
  return it != names_.end() ? it->second : v.name();
}

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

std::string leaf_text(const Var& v, const DisplayNames& names) {
  if (!v.name().empty()) return names.of(v);
  if (v.is_constant()) return constant_text(v);
  return fmt::format("<{}>", v.type().str());
}

std::vector<std::string> root_labels(std::size_t outputs, const std::vector<Var>& updated,
                                     const DisplayNames& names) {
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < outputs; ++i) labels.push_back(fmt::format("output {}", i));
  for (std::size_t k = 0; k < updated.size(); ++k) {
    const std::string name = names.of(updated[k]);
    labels.push_back(name.empty() ? fmt::format("update {} (an unnamed shared variable)", k)
                                  : "update of " + name);
  }
  return labels;
}

std::vector<Var> roots_of(const std::vector<Var>& outputs, const std::vector<std::pair<Shared, Var>>& updates) {
  std::vector<Var> roots = outputs;
  for (const auto& [shared, value] : updates) roots.push_back(value);
  return roots;
}

std::vector<Var> updated_of(const std::vector<std::pair<Shared, Var>>& updates) {
  std::vector<Var> updated;
  for (const auto& [shared, value] : updates) updated.push_back(shared);
  return updated;
}

}  // namespace hypatia
