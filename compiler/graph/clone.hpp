/// \file Rebuilding a graph with some variables replaced (givens, and later
/// gradient and rewrite passes).
///
/// Nodes whose inputs are unchanged are reused, not copied, so unrelated
/// parts of a graph stay shared and the result is built in time linear in
/// the graph's size.
#pragma once

#include <utility>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// `outputs` with every occurrence of replacements[i].first replaced by
/// replacements[i].second. Types must agree (dtype and rank; hp::TypeError
/// naming both otherwise).
std::vector<Var> clone_replace(const std::vector<Var>& outputs,
                               const std::vector<std::pair<Var, Var>>& replacements);

}  // namespace hypatia
