/// \file The canonical, name-free text of a function's graph: what the
/// function computes, and nothing about how the graph was named. Two graphs
/// with equal text compile to the same code, so the text keys the in-memory
/// memo and the disk cache.
#pragma once

#include <string>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// Inputs by position and type, nodes in topological order by op key and
/// operand numbers, constants by dtype, shape and exact value, then outputs.
std::string canonical_graph_text(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
