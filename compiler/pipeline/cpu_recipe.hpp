/// \file What a compiled CPU program needs besides its object code: the
/// values it binds at run time and what its nodes are called. Stored in the
/// disk cache's index entries (keyed by the graph as handed to compile), so a
/// warm compile builds its program from this and the object alone, without
/// rewriting the graph or generating code.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hypatia/function.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

struct CpuRecipe {
  std::string object_key;  ///< the cache key of the object (the optimised graph's)
  /// Passed to hp_main after the inputs (program_constants of the optimised graph).
  std::vector<Array> constants;
  std::vector<DType> output_dtypes;
  std::vector<std::vector<DType>> node_input_dtypes;
  /// Op name and printed form of each node (profiles and errors); seconds and calls unused.
  std::vector<NodeProfile> nodes;
};

/// The recipe of the optimised graph `outputs` (nodes = topological_order(outputs, inputs)).
CpuRecipe recipe_of(const std::vector<std::shared_ptr<Apply>>& nodes, const std::vector<Var>& inputs,
                    const std::vector<Var>& outputs, std::string object_key);

/// CBOR bytes, and back; recipe_from_bytes throws hp::Error on anything malformed.
std::string recipe_to_bytes(const CpuRecipe& recipe);
CpuRecipe recipe_from_bytes(std::string_view bytes);

}  // namespace hypatia
