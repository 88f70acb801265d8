/// \file What rewrites may ask about a reduction node.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/graph/op.hpp"

namespace hypatia {

struct ReductionInfo {
  std::string kind;        ///< "sum", "mean", "max", "min", "prod", "argmax"
  std::vector<int> axes;   ///< sorted, non-negative
  bool all_axes = false;   ///< reduces every axis
  bool keepdims = false;
  /// max only: -inf where the reduced axes are empty (numpy's initial=-inf)
  /// instead of an error. Set by the rewrites that need an identity.
  bool initial_neg_inf = false;
};

/// The reduction `op` performs, or nullopt when it is not a reduction.
std::optional<ReductionInfo> reduction_of(const Op& op);

/// max(x, axes, keepdims) that is -inf where `axes` are empty, as numpy's
/// `max(x, axis, keepdims, initial=-inf)`, so that a rewrite taking the max
/// for stability works where the graph it replaces did. `x` is a float.
Var max_or_neg_inf(const Var& x, const std::vector<int>& axes, bool keepdims);

}  // namespace hypatia
