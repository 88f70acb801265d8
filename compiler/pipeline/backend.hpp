/// \file What compile() hands a backend, and what the backend reports back.
/// The CPU backend (backend_cpu) and the CUDA backend (backend_cuda) take the
/// same request; each turns it into a Program that its runtime executor runs
/// (runtime/cpu/program, runtime/cuda).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/pipeline/optimized_graphs.hpp"
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

struct BackendRequest {
  std::vector<Var> inputs;   ///< the program's inputs: explicit ones, then shared variables
  std::vector<Var> outputs;  ///< as handed to compile (givens applied): the outputs, then update values
  /// The shared variables the last updated.size() outputs are the new values of.
  std::vector<Shared> updated;
  /// The mode whose rewrites the compiled graph gets (FastRun for a Debug function) and the passes chosen.
  Mode mode = Mode::FastRun;
  PassSelection selection;
  /// The optimise stage: a backend asks it for the graph, and only when it needs one.
  OptimizedGraphs* graphs = nullptr;
  std::string name;
  std::string label;  ///< "compile('f')": how error messages start
  /// The same graph on the reference evaluator: kept to raise the right
  /// error when generated code reports a failure.
  std::function<std::unique_ptr<Program>()> make_reference;
};

}  // namespace hypatia
