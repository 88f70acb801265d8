/// \file The optimise stage of one compile: the graph after a mode's
/// rewrites, computed at most once per (mode, pass selection) and shared by
/// everything that needs it: the backend (on an index miss), Debug mode's
/// oracle and rewrite check, Function::optimized_graph() and the report.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/rewrite/optimize.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

class OptimizedGraphs {
 public:
  /// The graph between `inputs` and `outputs`; with `keep_traces`, each
  /// optimisation also records what every pass did (Debug's rewrite check).
  OptimizedGraphs(std::vector<Var> inputs, std::vector<Var> outputs, bool keep_traces);

  /// The outputs after passes_for(mode, selection), optimised on first use.
  std::vector<Var> graph(Mode mode, const PassSelection& selection);
  /// What each pass did when graph(mode, selection) was computed (empty
  /// unless made with keep_traces, or after drop_traces).
  std::vector<PassRun> trace(Mode mode, const PassSelection& selection);
  /// Forgets the traces: they hold every intermediate graph.
  void drop_traces();
  /// How many times the optimiser has run (once per distinct mode and selection).
  int runs() const;

 private:
  struct Entry {
    std::vector<Var> graph;
    std::vector<PassRun> trace;
  };
  Entry& entry(Mode mode, const PassSelection& selection);

  std::vector<Var> inputs_;
  std::vector<Var> outputs_;
  bool keep_traces_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;  ///< by "mode passes"
  int runs_ = 0;
};

}  // namespace hypatia
