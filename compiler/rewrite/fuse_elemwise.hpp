/// \file fuse_elemwise: merges connected elementwise ops into one loop.
///
/// Identity: a DAG of elementwise ops whose intermediate results have no
/// other user -> FusedElemwiseOp(inputs of the DAG) computing the same values
/// per element. Each intermediate tensor it removes is one pass over memory
/// saved (the 10-op chain goes from 10 loops to 1). Unsafe if an intermediate
/// is used outside the group (it would be computed twice, or be missing):
/// such nodes end a group.
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// `outputs` rebuilt with fused elementwise groups (inputs unchanged).
std::vector<Var> fuse_elemwise(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
