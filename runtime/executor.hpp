/// \file The executor: what a compiled function does when it is called. It
/// binds the arguments and checks them against the inputs' types, reads the
/// shared variables, runs the backend's Program, applies the updates
/// atomically, and keeps profile totals. It knows values and types only,
/// never the graph: hp::Function's compiler-facing part
/// (compiler/pipeline/function_impl.hpp) holds one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/profile.hpp"
#include "hypatia/tensor_type.hpp"
#include "runtime/program.hpp"
#include "runtime/shared_value.hpp"

namespace hypatia {

struct ExecutorInput {
  TensorType type;
  std::string name;  ///< what a call by name uses; may be empty
  std::optional<Array> default_value;
};

/// A shared variable a function reads: its storage, and how messages name it.
struct SharedSlot {
  std::shared_ptr<SharedValue> storage;
  std::string description;  ///< "'w' (TensorType(float64, vector))"
};

struct Executor {
  Executor() = default;
  /// Keeps the profile of a function compiled under the profile flag for the
  /// summary printed at exit (runtime/profile.cpp).
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  std::string name;
  bool allow_input_downcast = false;
  bool profile = false;
  std::vector<ExecutorInput> inputs;
  /// Program inputs after the explicit ones: the values of these shared variables.
  std::vector<SharedSlot> shared_inputs;
  /// The program's first n_outputs outputs are the function's.
  std::size_t n_outputs = 0;
  /// Program output n_outputs + i is the new value of updated[i].
  std::vector<std::shared_ptr<SharedValue>> updated;
  std::unique_ptr<Program> program;

  mutable std::mutex profile_mutex;
  mutable FunctionProfile stats;
  /// Its place among profiled functions (0: not registered), and whether its
  /// profile outlives it for the summary at exit (the profile flag).
  std::uint64_t profile_sequence = 0;
  bool profile_at_exit = false;

  /// The outputs for positional arguments, then named ones (missing inputs
  /// take their defaults). Updates apply only when every output is computed.
  std::vector<Array> call(const std::vector<Array>& args,
                          const std::vector<std::pair<std::string, Array>>& named) const;
  /// The output of a function with exactly one (hp::Error before anything runs otherwise).
  Array call_one(const std::vector<Array>& args) const;
  /// A copy of the profile totals.
  FunctionProfile profile_totals() const;
};

/// Registers a profiled function for hp::print_profile. With `at_exit` (the
/// profile flag), its profile is also printed to stderr when the process
/// exits, even if the function is gone by then.
void register_profiled(const std::shared_ptr<Executor>& executor, bool at_exit = false);

/// What the profile flag prints at exit: a header and print_profile's
/// summary of every profiled function alive, and of every function compiled
/// under the flag that is gone. Nothing when there is none.
void print_profile_summary_at_exit(std::ostream& os);

}  // namespace hypatia
