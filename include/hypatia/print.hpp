/// \file Printing graphs: Theano's pp, debugprint, and Graphviz DOT.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

class Function;

/// Theano's pretty form: "(foo ** TensorConstant{2})". Very large shared
/// subexpressions are shortened with "..." so that printing stays linear.
std::string pp(const Var& v);

/// Writes pp(v), as Theano's `print(x)` of a variable: std::cout << cost.
std::ostream& operator<<(std::ostream& os, const Var& v);

/// pp expanded only `depth` levels deep ("..." below): a short label for a
/// node of a large graph, in constant time.
std::string pp_brief(const Var& v, int depth = 3);

/// An indented tree, one variable a line, with ids ([id A]), types, names and
/// (shared)/(constant) markers. A node met again prints with its id only.
std::string debugprint(const Var& v);
std::string debugprint(const std::vector<Var>& outputs);
/// The optimised graph of a compiled function (f.optimized_graph()): what its
/// code computes, fused nodes with their inner expression.
std::string debugprint(const Function& f);

/// Graphviz DOT text of the graph: boxes for apply nodes, ellipses for variables.
std::string to_dot(const Var& v);
std::string to_dot(const std::vector<Var>& outputs);

}  // namespace hypatia
