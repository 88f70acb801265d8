/// \file How the printers (pp, debugprint, to_dot, the cache's graph
/// printout) show variables: by name, with distinct variables of one name
/// told apart, constants by value, and a function's roots labelled.
///
/// Two layers built by one class both name their weights "W": a graph of
/// the pair has two distinct variables called W, and a printout that shows
/// both as "W" hides which is which. The printers number them instead:
/// "W" for the first met, "W#2" for the second, in the order a depth-first
/// walk from the roots (operands left to right) first meets them, which is
/// the order debugprint prints lines. The numbering depends only on the
/// graph, so it is the same in every printer and on every run.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

class DisplayNames {
 public:
  /// Numbers the named variables of the graph that computes `roots`; `extra`
  /// are variables that may not be in the graph (the shared variables a
  /// function updates), numbered after it.
  explicit DisplayNames(const std::vector<Var>& roots, const std::vector<Var>& extra = {});

  /// The variable's name as printers show it ("W", "W#2"); "" when unnamed.
  std::string of(const Var& v) const;

 private:
  std::unordered_map<const VarNode*, std::string> names_;
};

/// "TensorConstant{2.0}", "TensorConstant{[1 2 3]}" (decimal, as numpy
/// prints), or "TensorConstant{(100,) of float64}" past 16 elements.
std::string constant_text(const Var& v);

/// How a variable without an owner shows: its display name, its constant
/// value, or "<its type>".
std::string leaf_text(const Var& v, const DisplayNames& names);

/// The labels of a function's roots: "output 0", "output 1", ..., then
/// "update of w" for each updated shared variable (by display name, or
/// "update of shared variable k" when it has none).
std::vector<std::string> root_labels(std::size_t outputs, const std::vector<Var>& updated,
                                     const DisplayNames& names);

/// The roots of a labelled printout: the outputs, then the updates' new values.
std::vector<Var> roots_of(const std::vector<Var>& outputs, const std::vector<std::pair<Shared, Var>>& updates);

/// The updated shared variables, in order.
std::vector<Var> updated_of(const std::vector<std::pair<Shared, Var>>& updates);

}  // namespace hypatia
