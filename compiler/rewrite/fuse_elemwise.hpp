/// \file fuse_elemwise: merges connected elementwise ops into one loop, and
/// an elementwise producer into the reduction that follows it.
///
/// Identities: a DAG of elementwise ops whose intermediate results have no
/// other user -> FusedElemwiseOp(inputs of the DAG) computing the same values
/// per element; reduce(DAG) where the DAG's result has no other user ->
/// FusedReduceOp(inputs of the DAG), one pass that never stores the DAG's
/// value (sum(exp(x - y)) reads x and y once and writes one number). Each
/// intermediate tensor removed is one pass over memory saved (the 10-op chain
/// goes from 10 loops to 1). Unsafe if an intermediate is used outside the
/// group (it would be computed twice, or be missing): such nodes end a group.
/// argmax is not fused (it keeps its own loop).
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// `outputs` rebuilt with fused elementwise groups and fused reductions (inputs unchanged).
std::vector<Var> fuse_elemwise(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
