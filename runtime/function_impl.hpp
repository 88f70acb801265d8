/// \file What a compiled function holds: its checked signature, the shared
/// variables it reads and updates, the backend's Program, and profile totals.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
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
  FunctionImpl() = default;
  /// Keeps the profile of a function compiled under the profile flag for the
  /// summary printed at exit (runtime/profile.cpp).
  ~FunctionImpl();
  FunctionImpl(const FunctionImpl&) = delete;
  FunctionImpl& operator=(const FunctionImpl&) = delete;

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
  /// Its place among profiled functions (0: not registered), and whether its
  /// profile outlives it for the summary at exit (the profile flag).
  std::uint64_t profile_sequence = 0;
  bool profile_at_exit = false;
};

/// Registers a profiled function for hp::print_profile. With `at_exit` (the
/// profile flag), its profile is also printed to stderr when the process
/// exits, even if the function is gone by then.
void register_profiled(const std::shared_ptr<FunctionImpl>& impl, bool at_exit = false);

/// What the profile flag prints at exit: a header and print_profile's
/// summary of every profiled function alive, and of every function compiled
/// under the flag that is gone. Nothing when there is none.
void print_profile_summary_at_exit(std::ostream& os);

}  // namespace hypatia
