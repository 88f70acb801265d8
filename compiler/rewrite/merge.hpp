/// \file merge: common subexpression elimination.
///
/// Identity: two nodes applying equal ops (equal Op::key) to the same inputs
/// compute the same value -> one node. Constants of equal dtype, pattern,
/// weakness and value are one constant. Separate hp::grad calls rebuild the
/// same forward and backward subexpressions; this pass computes them once.
/// Safe because ops are pure.
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

std::vector<Var> merge(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
