/// \file hp::Function's compiler-facing part: the graph it was compiled from
/// (inputs, outputs, updates), its mode, the optimised graph and the
/// generated source, around the runtime's Executor that calls it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hypatia/function.hpp"
#include "runtime/executor.hpp"

namespace hypatia {

struct FunctionImpl {
  std::shared_ptr<Executor> executor;
  Mode mode = Mode::FastRun;
  /// The explicit inputs, in call order.
  std::vector<Var> inputs;
  /// The user's outputs (after givens): the program's first outputs.
  std::vector<Var> outputs;
  /// Program output outputs.size() + i is the new value of updated[i].
  std::vector<Shared> updated;
  std::vector<Var> update_values;
  /// The outputs then update values of the graph the compiled code runs:
  /// computed once by compile() when a stage needed it, else on first use
  /// (a cache hit skips the rewrites).
  std::function<std::vector<Var>()> optimized_graph;
  std::string source;
};

}  // namespace hypatia
