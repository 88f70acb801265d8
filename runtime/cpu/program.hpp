/// \file The CPU backend's Program: runs a JIT-compiled hp_main, with the
/// runtime services of cpu_runtime.hpp, and turns a failure reported by the
/// generated code into the same hp::Error the reference evaluator raises.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/cpu/jit.hpp"
#include "runtime/cpu/services.hpp"
#include "runtime/program.hpp"

namespace hypatia {

struct CpuProgramSpec {
  std::shared_ptr<jit::Module> module;
  /// Passed to hp_main after the program's inputs.
  std::vector<Array> constants;
  std::vector<DType> output_dtypes;
  std::vector<std::vector<DType>> node_input_dtypes;
  std::size_t node_count = 0;
  /// Op name and printed form of node i (asked only for profiles and errors).
  std::function<NodeProfile(std::size_t)> describe_node;
  /// Reference implementation of node i, for nodes without generated code.
  PerformNode perform;
  /// The same function on the reference evaluator: asked for the error to
  /// raise when the generated code reports a failure.
  std::unique_ptr<Program> reference;
};

std::unique_ptr<Program> make_cpu_program(CpuProgramSpec spec);

}  // namespace hypatia
