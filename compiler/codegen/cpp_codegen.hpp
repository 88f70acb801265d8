/// \file Graph -> one C++ translation unit for the CPU backend.
///
/// The unit is: the ABI header and the math library from codegen_templates/,
/// helper loop bodies, and `extern "C" int hp_main(hp_context*, const
/// hp_tensor* in, int profile)`, which computes every node in topological
/// order (calling hp_node_done after each when `profile` is set). `in`
/// holds the program's inputs, then its non-scalar constants. hp_main returns
/// 0, or 1 + the index of the node that failed (the executor then asks the
/// reference evaluator for the error to raise).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

struct CppProgramText {
  std::string source;
  /// Constants passed as inputs after the program's own.
  std::vector<Array> constants;
  /// Node i of the generated code (for hp_perform and error messages).
  std::vector<std::shared_ptr<Apply>> nodes;
  std::vector<std::vector<DType>> node_input_dtypes;
  std::vector<DType> output_dtypes;
  /// Nodes without generated code, run through their reference perform.
  std::vector<int> fallback_nodes;
};

/// The non-scalar constants of the graph in the order generated code takes
/// them (after the inputs), given `nodes` = topological_order(outputs, inputs).
std::vector<Array> program_constants(const std::vector<std::shared_ptr<Apply>>& nodes,
                                     const std::vector<Var>& inputs, const std::vector<Var>& outputs);

/// The C++ text computing `outputs` from `inputs`; nullopt when the graph has
/// a tensor of rank above the compiled backend's limit (8).
std::optional<CppProgramText> generate_cpp(const std::vector<Var>& inputs,
                                           const std::vector<Var>& outputs,
                                           const std::string& function_name);

}  // namespace hypatia
