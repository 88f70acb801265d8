/// \file The CPU backend: graph -> rewrites -> C++ (compiler/codegen) ->
/// Clang/ORC (runtime/jit_cpu) -> a Program.
///
/// Two keys, both hashes of canonical, name-free graph text plus versions:
///  - the index key: the graph as handed to compile + mode and passes. A hit
///    (in the process's memo, or an index entry on disk) gives the program
///    without rewriting the graph or generating code;
///  - the object key: the optimised graph. Equal math built differently
///    (other names, order, or equal subexpressions) optimises to one graph
///    and shares one object: a hit skips codegen's Clang compile.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hypatia/graph.hpp"
#include "runtime/program.hpp"

namespace hypatia {

/// How a compile went: time per phase (ms) and where the code came from.
struct CompileReport {
  std::vector<std::pair<std::string, double>> phases;
  std::string cache;   ///< "memory hit", "disk hit", "compiled (new key)", ...
  std::string source;  ///< the generated C++
  std::string graph;   ///< the canonical graph text
  std::string key;     ///< the object's cache key (generator fingerprint, target, versions, optimised graph)
  std::string index_key;  ///< the key of the graph as given (+ mode and passes)
  std::vector<int> fallback_nodes;
};

struct CpuCompileRequest {
  std::vector<Var> inputs;   ///< the program's inputs: explicit ones, then shared variables
  std::vector<Var> outputs;  ///< as handed to compile (givens applied): the outputs, then update values
  /// The shared variables the last updated.size() outputs are the new values of.
  std::vector<Shared> updated;
  /// Everything besides the graph that decides the optimised graph (mode, pass selection).
  std::string options_key;
  /// Runs the rewrite passes on (inputs, outputs): only on an index miss.
  std::function<std::vector<Var>()> optimize;
  std::string name;
  /// The same graph on the reference evaluator: kept to raise the right
  /// error when generated code reports a failure.
  std::function<std::unique_ptr<Program>()> make_reference;
};

/// A Program running JIT-compiled code for the request's graph, or null when
/// the JIT is unavailable (built without Clang) or the graph exceeds the
/// backend's limits.
std::unique_ptr<Program> build_cpu_program(const CpuCompileRequest& request, CompileReport& report);

}  // namespace hypatia
