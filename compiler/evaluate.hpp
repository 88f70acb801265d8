/// \file The reference evaluator: runs a graph op by op with each op's plain
/// `perform`. It is the oracle every compiled result is compared with.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

/// Called after each node runs, with its output (Debug mode checks values here).
using NodeObserver = std::function<void(const Apply& node, const Array& output)>;

/// Apply nodes between the given leaves and `outputs`, inputs before their users.
/// Traversal stops at variables in `leaves` (their producers are not needed).
std::vector<std::shared_ptr<Apply>> topological_order(const std::vector<Var>& outputs,
                                                      const std::vector<Var>& leaves = {});

/// Converts `value` to `type` for variable `what`, or throws: rank mismatch ->
/// TypeError; broadcastable axis of size != 1 -> ShapeError; a dtype that
/// would narrow -> TypeError (0-d values convert when exact, and floats to floats).
Array fit_value_to_type(const TensorType& type, const Array& value, const std::string& what);

/// Evaluates `outputs` given values of the inputs (and of any other variable,
/// which then replaces its computation). Every input the outputs depend on must
/// be given; every given variable must be used. Results never share storage
/// with the givens, constants or shared variables.
std::vector<Array> evaluate(const std::vector<Var>& outputs,
                            const std::vector<std::pair<Var, Array>>& givens,
                            const NodeObserver& observer = nullptr);

/// "'foo' (TensorType(float64, scalar))" or "an unnamed TensorType(float64, scalar)".
std::string describe_var(const Var& v);

}  // namespace hypatia
