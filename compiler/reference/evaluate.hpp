/// \file The reference evaluator: runs a graph op by op with each op's plain
/// `perform`. It is the oracle every compiled result is compared with.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/error.hpp"
#include "hypatia/graph.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {

/// Called after each node runs, with its output (Debug mode checks values here).
using NodeObserver = std::function<void(const Apply& node, const Array& output)>;

struct EvalOptions {
  /// Called after each node with its output.
  NodeObserver observer = nullptr;
  /// Every given variable must be used by the outputs (hp::Error naming it otherwise).
  bool require_givens_used = true;
  /// When set, receives the seconds each node took, in topological_order(outputs, givens).
  std::vector<double>* node_seconds = nullptr;
};

/// The values of `givens` converted to their variables' types, in order. A
/// null, constant or repeated variable, or a value that does not fit its
/// variable's type, throws naming the given (evaluate and Var::eval check alike).
std::vector<Array> fit_givens(const std::vector<std::pair<Var, Array>>& givens);

/// What evaluate throws for an input the outputs read but no given provides,
/// and for a given the outputs do not read; Var::eval checks before it
/// compiles and throws the same.
Error missing_input_error(const Var& v);
Error unused_given_error(const Var& v);

/// Evaluates `outputs` given values of the inputs (and of any other variable,
/// which then replaces its computation). Every input the outputs depend on must
/// be given. Results never share storage with the givens, constants or shared
/// variables.
std::vector<Array> evaluate(const std::vector<Var>& outputs,
                            const std::vector<std::pair<Var, Array>>& givens,
                            const EvalOptions& options = {});

}  // namespace hypatia
