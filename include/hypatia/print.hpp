/// \file Printing graphs: Theano's pp, debugprint, and Graphviz DOT.
///
/// Every printer shows a variable by its name (hp::named, Var::set_name),
/// inputs, shared variables and intermediate results alike. Distinct
/// variables of one name (the "W" of two layers) are told apart as "W",
/// "W#2", ..., numbered in the order a depth-first walk from the roots
/// (operands left to right) first meets them, the order debugprint prints.
/// The printers of a function label its roots: "output 0", ..., and
/// "update of w" for the new value of each updated shared variable.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

class Function;

/// Theano's pretty form: "(foo ** TensorConstant{2})". A named intermediate
/// result inside the expression prints as its name, as Theano's pp: with
/// `xent` named, pp(mean(xent)) is "mean(xent)". Very large shared
/// subexpressions are shortened with "..." so that printing stays linear.
std::string pp(const Var& v);

/// Writes pp(v), as Theano's `print(x)` of a variable: std::cout << cost.
std::ostream& operator<<(std::ostream& os, const Var& v);

/// pp expanded only `depth` levels deep ("..." below): a short label for a
/// node of a large graph, in constant time (names as given, not numbered).
std::string pp_brief(const Var& v, int depth = 3);

/// An indented tree, one variable a line, with ids ([id A]), types, names and
/// (shared)/(constant) markers. A node met again prints with its id only.
std::string debugprint(const Var& v);
std::string debugprint(const std::vector<Var>& outputs);
/// The graph of a function before compiling it: the outputs, then each
/// update's new value, their first lines marked "(output 0)", ...,
/// "(update of w)".
std::string debugprint(const std::vector<Var>& outputs, const std::vector<std::pair<Shared, Var>>& updates);
/// The optimised graph of a compiled function (f.optimized_graph()): what its
/// code computes, fused nodes with their inner expression, outputs and
/// updates labelled.
std::string debugprint(const Function& f);

/// What to_dot and render_graph draw.
struct DotOptions {
  /// Most boxes drawn (apply nodes, and the ops inside fused loops); 0 draws
  /// every node. Past it, the nodes nearest the outputs are drawn and one note
  /// says how many above them were left out and how to draw them all.
  std::size_t max_nodes = 200;
};

/// Graphviz DOT text of the graph: boxes for apply nodes, ellipses for
/// variables (shared ones blue, constants grey). A fused loop of an optimised
/// graph (Elemwise{Composite{...}}, a fused reduction) is a cluster holding
/// the ops it computes.
std::string to_dot(const Var& v, const DotOptions& options = {});
std::string to_dot(const std::vector<Var>& outputs, const DotOptions& options = {});
/// The same with the roots labelled: "output 0", ..., "update of w".
std::string to_dot(const std::vector<Var>& outputs, const std::vector<std::pair<Shared, Var>>& updates,
                   const DotOptions& options = {});
/// The optimised graph of a compiled function, outputs and updates labelled.
std::string to_dot(const Function& f, const DotOptions& options = {});

}  // namespace hypatia
