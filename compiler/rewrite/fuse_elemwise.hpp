/// \file fuse_elemwise: merges connected elementwise ops into one loop, and
/// an elementwise producer into the reduction that follows it.
///
/// Identities: a DAG of elementwise ops whose intermediate results have no
/// user outside it (a result read twice inside, as t in log1p(t * 2) + t,
/// stays inside) -> FusedElemwiseOp(inputs of the DAG) computing the same values
/// per element; reduce(DAG) where the DAG's result has no other user ->
/// FusedReduceOp(inputs of the DAG), one pass that never stores the DAG's
/// value (sum(exp(x - y)) reads x and y once and writes one number). Each
/// intermediate tensor removed is one pass over memory saved (the 10-op chain
/// goes from 10 loops to 1). Unsafe if an intermediate is used outside the
/// group (it would be computed twice, or be missing): such nodes end a group
/// (fuse_multi_output then merges the loops that share them).
/// argmax is not fused (it keeps its own loop).
#pragma once

#include <cstddef>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// `outputs` rebuilt with fused elementwise groups and fused reductions (inputs unchanged).
std::vector<Var> fuse_elemwise(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

/// A fused loop body is one function Clang optimises whole: its compile time
/// grows faster than its size (every math call is inlined and vectorised, a
/// scalar remainder loop too). Fused loops stop growing at these sizes (here
/// and in fuse_multi_output); a longer chain becomes several loops, and loops
/// of equal text share one body.
inline constexpr std::size_t kMaxFusedOps = 64;
inline constexpr int kMaxFusedMath = 8;

/// Whether an elementwise op calls a math function of codegen_templates/math.h.
bool calls_math_function(const Apply& node);

}  // namespace hypatia
