/// \file The walk every local rewrite shares: visit nodes in topological
/// order with their (already rewritten) inputs, let the rewrite propose a
/// replacement, and rebuild the nodes whose inputs changed.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// Given a node and its rewritten inputs, a replacement for its output (of
/// the same type), or nullopt to keep the node (rebuilt if inputs changed).
using LocalRewrite = std::function<std::optional<Var>(const Apply& node, const std::vector<Var>& inputs)>;

/// `outputs` with `rewrite` applied once to every node between `inputs` and them.
std::vector<Var> rebuild(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                         const LocalRewrite& rewrite);

}  // namespace hypatia
