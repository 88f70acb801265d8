/// \file What a profiled function reports: calls and time per function and
/// per node, compile phases, and where its code came from
/// (hp::Function::profile, hp::print_profile).
#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace hypatia {

/// Time spent in one node of a profiled function.
struct NodeProfile {
  std::string op;    ///< the op's name, e.g. "Elemwise{add}"
  std::string node;  ///< the node as pp prints it
  double seconds = 0;
  long calls = 0;
};

struct FunctionProfile {
  std::string name;
  long calls = 0;
  double seconds = 0;        ///< total time in calls, argument checks and updates included
  double compile_seconds = 0;
  /// Compile time by phase (ms): graph key, codegen, clang frontend, llvm
  /// optimize, machine code, link (a phase a cache hit skips is absent).
  std::vector<std::pair<std::string, double>> compile_phases;
  /// Where the code came from: "memory hit", "compiled (new key)", or
  /// "reference evaluator (...)" when the function is not compiled.
  std::string cache;
  std::vector<NodeProfile> nodes;  ///< per node, in execution order
};

/// Prints a summary of every function compiled with profile = true, as
/// Theano's profiler: per function, then per op class, then per node.
void print_profile(std::ostream& os);

}  // namespace hypatia
