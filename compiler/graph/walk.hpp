/// \file Walking a graph: its Apply nodes in an order where inputs come
/// before their users. Every stage that visits nodes (rewrites, codegen, the
/// reference evaluator, printing) walks with this.
#pragma once

#include <memory>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// Apply nodes between the given leaves and `outputs`, inputs before their users.
/// Traversal stops at variables in `leaves` (their producers are not needed).
std::vector<std::shared_ptr<Apply>> topological_order(const std::vector<Var>& outputs,
                                                      const std::vector<Var>& leaves = {});

}  // namespace hypatia
