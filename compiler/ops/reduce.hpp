/// \file What rewrites may ask about a reduction node.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/op.hpp"

namespace hypatia {

struct ReductionInfo {
  std::string kind;        ///< "sum", "mean", "max", "min", "prod", "argmax"
  std::vector<int> axes;   ///< sorted, non-negative
  bool all_axes = false;   ///< reduces every axis
  bool keepdims = false;
};

/// The reduction `op` performs, or nullopt when it is not a reduction.
std::optional<ReductionInfo> reduction_of(const Op& op);

}  // namespace hypatia
