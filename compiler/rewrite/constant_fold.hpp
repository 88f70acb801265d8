/// \file constant_fold: computes at compile time what depends on constants only.
///
/// Identity: op(c1, ..., cn) with constant inputs -> the constant the
/// reference evaluator computes for it (same dtype and broadcast pattern).
/// Skipped when the result would be large (it would become a big constant
/// the function carries) or when evaluating raises (the error belongs to run
/// time, where it is reported with the call's context).
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

std::vector<Var> constant_fold(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
