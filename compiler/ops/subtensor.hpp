/// \file What rewrites may ask about indexing nodes.
#pragma once

#include <optional>
#include <vector>

#include "compiler/op.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {

/// The indices of a Subtensor x[...], or null for other ops.
const std::vector<Index>* subtensor_indices(const Op& op);
/// Whether `op` is set_subtensor or inc_subtensor (its result has x's shape).
bool is_subtensor_update(const Op& op);
/// set_subtensor / inc_subtensor of an advanced subtensor x[idx] (in
/// advanced_subtensor.cpp), or nullopt where `sub` is not one.
std::optional<Var> update_advanced_subtensor(const Var& sub, const Var& y, bool set);

}  // namespace hypatia
