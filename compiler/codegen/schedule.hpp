/// \file The order generated code computes nodes in.
///
/// Any topological order computes the same values; they differ in how many
/// intermediate buffers are alive at once, which is the function's peak
/// scratch memory (the per-call arena reuses a released buffer for the next
/// allocation of its size class). schedule() is a greedy list scheduler over
/// the dependency graph: among the nodes whose inputs are ready, it runs the
/// one that frees the most buffers net of the one it allocates (a buffer is
/// freed when its last reader, or the last reader of a view of it, has run),
/// and among equals the one a depth-first walk from the outputs meets first,
/// which keeps producers next to their consumers. To stay linear in graph
/// size it looks at the first kWindow ready nodes only. The FusedOutputOp
/// nodes of a multi-output fused loop follow the loop's node at once (the
/// loop wrote their values).
///
/// Sizes are known only at call time, so every buffer counts as one: the
/// schedule minimises the number of live buffers, which is what a graph of
/// tensors of one size (the common case: a batch of activations) pays.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// The nodes between `inputs` and `outputs` in the order to compute them.
std::vector<std::shared_ptr<Apply>> schedule(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

/// The most intermediate buffers (node results of rank >= 1 that are neither
/// views nor outputs) alive at once when `order` runs.
std::size_t peak_live_buffers(const std::vector<std::shared_ptr<Apply>>& order, const std::vector<Var>& outputs);

}  // namespace hypatia
