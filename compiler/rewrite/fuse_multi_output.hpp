/// \file fuse_multi_output: elementwise loops that read one another's
/// results become one loop writing several outputs.
///
/// Identity: t = loop1(x); o1 = loop2(t, y); o2 = loop3(t, z) -> one
/// FusedElemwiseOp computing (o1, o2) per element from (x, y, z), its node
/// giving o1 and a FusedOutputOp node giving o2 (see ops/fused_elemwise.hpp).
/// fuse_elemwise stops a group at a value with two users (t = exp(x); t * 2;
/// t + 1 were three loops, t written once and read twice); here the loops
/// that produce and read it merge, t is written only when something outside
/// the merged loop (a dot, a reduction, the caller) reads it, and the
/// operands are read once. Runs after fuse_elemwise, on its lone elementwise
/// ops and single-output fused nodes, and merges only along values with two
/// or more users (a value with one user is fuse_elemwise's: excluding that
/// pass by name still leaves such chains unfused).
///
/// Unsafe, and not done, when: the loops differ in broadcast pattern (their
/// shapes could differ at run time; with one pattern, joined through a value
/// of that pattern, strict broadcasting makes every axis agree); a value the
/// merged loop reads depends on one it writes (the forward sigmoid(z) and the
/// backward s * (1 - s) * g, with g computed from s by a dot, stay two loops);
/// the merged loop would pass fuse_elemwise's size caps (64 ops, 8 math calls).
/// Reductions and in-place loops keep their own loops.
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// `outputs` rebuilt with sibling elementwise loops merged into multi-output loops (inputs unchanged).
std::vector<Var> fuse_multi_output(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
