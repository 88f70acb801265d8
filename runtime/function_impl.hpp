/// \file What a compiled function holds: its checked signature, the shared
/// variables it reads and updates, the backend's Program, and profile totals.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hypatia/function.hpp"
#include "runtime/program.hpp"

namespace hypatia {

struct InputSpec {
  Var var;
  std::string name;  ///< what call() by name uses; may be empty
  std::optional<Array> default_value;
};

struct FunctionImpl {
  std::string name;
  Mode mode = Mode::FastRun;
  bool allow_input_downcast = false;
  bool profile = false;
  std::vector<InputSpec> inputs;
  /// Program inputs after the explicit ones: the values of these shared variables.
  std::vector<Shared> shared_inputs;
  /// The user's outputs: the program's first outputs.
  std::vector<Var> outputs;
  /// Program output outputs.size() + i is the new value of updated[i].
  std::vector<Shared> updated;
  std::vector<Var> update_values;
  std::unique_ptr<Program> program;
  /// Runs the mode's rewrites again (they are not kept: a cache hit skips
  /// them): the outputs then update values of the graph the compiled code runs.
  std::function<std::vector<Var>()> optimized_graph;
  double compile_seconds = 0;
  std::string source;

  mutable std::mutex profile_mutex;
  mutable FunctionProfile stats;
};

/// Registers a profiled function for hp::print_profile.
void register_profiled(const std::shared_ptr<FunctionImpl>& impl);

}  // namespace hypatia
