/// \file What rewrites may ask about indexing nodes.
#pragma once

#include <vector>

#include "compiler/op.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {

/// The indices of a Subtensor x[...], or null for other ops.
const std::vector<Index>* subtensor_indices(const Op& op);
/// Whether `op` is set_subtensor or inc_subtensor (its result has x's shape).
bool is_subtensor_update(const Op& op);

}  // namespace hypatia
