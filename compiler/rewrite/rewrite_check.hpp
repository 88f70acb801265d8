/// \file Debug mode's check of every rewrite, as Theano's BadOptimization:
/// on each call, the graph before and after each pass that changed it are
/// evaluated by the reference evaluator on the call's arguments, and every
/// replacement a pass made (and every output) must keep its value. A pass that
/// changes what the graph computes raises BadOptimizationError naming the
/// pass and the replaced node.
///
/// Elements where the value before the rewrite is not finite are not
/// compared: stabilising rewrites exist to turn the naive graph's inf and nan
/// into the right finite number. Nor is a rewrite reported that makes a
/// value more accurate: where the values differ, the original is judged
/// against a more precise evaluation of itself (float64 for a float32
/// graph) and against its own values with every float result nudged by 4
/// to 16 ulp (four runs, each node's move drawn up or down); the rewrite
/// is reported only when its value is further from the precise one than the
/// original's and outside the nudged range (where roundings that small move
/// the original that far, it is ill-conditioned there and the rewrite may
/// be the accurate one).
#pragma once

#include <vector>

#include "compiler/rewrite/optimize.hpp"
#include "hypatia/array.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

class RewriteCheck {
 public:
  /// `outputs`: the graph as given to the passes; `trace`: optimize()'s record.
  RewriteCheck(std::vector<Var> inputs, std::vector<Var> outputs, std::vector<PassRun> trace);

  /// Throws BadOptimizationError for the first pass whose result differs on `args`
  /// (values of `inputs`, in order).
  void check(const std::vector<Array>& args) const;

 private:
  std::vector<Var> inputs_;
  std::vector<Var> outputs_;
  std::vector<PassRun> trace_;
};

}  // namespace hypatia
