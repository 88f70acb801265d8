/// \file The walk every local rewrite shares: visit nodes in topological
/// order with their (already rewritten) inputs, let the rewrite propose a
/// replacement, and rebuild the nodes whose inputs changed.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// Given a node and its rewritten inputs, a replacement for its output (of
/// the same type), or nullopt to keep the node (rebuilt if inputs changed).
using LocalRewrite = std::function<std::optional<Var>(const Apply& node, const std::vector<Var>& inputs)>;

/// `outputs` with `rewrite` applied once to every node between `inputs` and
/// them. `substitutions` replace variables before the walk starts (the walk
/// stops at them, as at `inputs`).
std::vector<Var> rebuild(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                         const LocalRewrite& rewrite,
                         const std::vector<std::pair<Var, Var>>& substitutions = {});

/// A new node `op(operands)` computing what `original` computed: it keeps the
/// user's name, so that names reach the optimised graph's printouts. Every
/// pass that rebuilds a node (over new operands, or as a fused loop standing
/// for a group) makes it so.
Var remake_apply(std::shared_ptr<const Op> op, std::vector<Var> operands, const Var& original);

/// While one lives, every replacement rebuild() makes on this thread is
/// appended to `into` as (the replaced variable, its replacement): what Debug
/// mode's rewrite check compares.
class RecordReplacements {
 public:
  explicit RecordReplacements(std::vector<std::pair<Var, Var>>& into);
  ~RecordReplacements();
  RecordReplacements(const RecordReplacements&) = delete;
  RecordReplacements& operator=(const RecordReplacements&) = delete;

 private:
  std::vector<std::pair<Var, Var>>* previous_;
};

}  // namespace hypatia
