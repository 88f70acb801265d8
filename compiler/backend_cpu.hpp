/// \file The CPU backend: graph -> C++ (compiler/codegen) -> Clang/ORC
/// (runtime/jit_cpu) -> a Program, memoised in the process by the graph's
/// canonical text.
#pragma once

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
  std::string key;     ///< the cache key (hash of the generator fingerprint, target, versions and graph)
  std::vector<int> fallback_nodes;
};

/// A Program running JIT-compiled code for the graph, or null when the JIT is
/// unavailable (built without Clang) or the graph exceeds the backend's
/// limits; `reference` (the same graph on the reference evaluator) is kept to
/// raise the right error when generated code reports a failure.
std::unique_ptr<Program> build_cpu_program(const std::vector<Var>& inputs,
                                           const std::vector<Var>& outputs,
                                           const std::string& name,
                                           std::unique_ptr<Program> reference,
                                           CompileReport& report);

}  // namespace hypatia
