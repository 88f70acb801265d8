#include "compiler/pipeline/optimized_graphs.hpp"

#include <utility>

#include <fmt/format.h>

namespace hypatia {

OptimizedGraphs::OptimizedGraphs(std::vector<Var> inputs, std::vector<Var> outputs, bool keep_traces)
    : inputs_(std::move(inputs)), outputs_(std::move(outputs)), keep_traces_(keep_traces) {}

OptimizedGraphs::Entry& OptimizedGraphs::entry(Mode mode, const PassSelection& selection) {
  const std::string key = fmt::format("{} {}", mode_name(mode), selection.key());
  auto it = entries_.find(key);
  if (it != entries_.end()) return it->second;
  Entry fresh;
  fresh.graph = optimize(inputs_, outputs_, mode, selection, keep_traces_ ? &fresh.trace : nullptr);
  ++runs_;
  return entries_.emplace(key, std::move(fresh)).first->second;
}

std::vector<Var> OptimizedGraphs::graph(Mode mode, const PassSelection& selection) {
  std::lock_guard lock(mutex_);
  return entry(mode, selection).graph;
}

std::vector<PassRun> OptimizedGraphs::trace(Mode mode, const PassSelection& selection) {
  std::lock_guard lock(mutex_);
  return entry(mode, selection).trace;
}

void OptimizedGraphs::drop_traces() {
  std::lock_guard lock(mutex_);
  keep_traces_ = false;
  for (auto& [key, e] : entries_) e.trace.clear();
}

int OptimizedGraphs::runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

}  // namespace hypatia
