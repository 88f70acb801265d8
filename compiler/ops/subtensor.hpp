/// \file What rewrites may ask about indexing nodes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/graph/op.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {

/// The indices of a Subtensor x[...], or null for other ops.
const std::vector<Index>* subtensor_indices(const Op& op);
/// Whether `op` is set_subtensor or inc_subtensor (its result has x's shape).
bool is_subtensor_update(const Op& op);
// --- what basic and advanced indexing share ----------------------------------------

/// Whether slice `s` of a length-1 axis surely keeps its one element: then the
/// axis stays broadcastable, as Theano's Subtensor keeps it for x[0:k], k > 0
/// (and for every other slice that provably selects that element, e.g.
/// x[-1:], x[::-1]; never for one that may select nothing, as x[1:]).
bool keeps_length_one(const Slice& s);
/// A C++ literal of `v` (INT64_MIN as an expression: it has no literal).
std::string i64_literal(std::int64_t v);
/// The type rule of set/inc: the value `y` has at most the region's rank, and
/// a C++ integer must fit x's dtype (TypeError naming the op otherwise).
void check_update_value(const Op& op, const std::vector<Var>& inputs, int region_ndim, const std::string& region);
/// The run-time rule of set/inc: only axes the value's type marks
/// broadcastable (or that it lacks) stretch over the region, as elementwise
/// ops, so that the gradient can sum them back (ShapeError otherwise).
void check_value_fits(const Apply& node, const Array& y, const Shape& region);

/// set_subtensor / inc_subtensor of an advanced subtensor x[idx] (in
/// advanced_subtensor.cpp), or nullopt where `sub` is not one.
std::optional<Var> update_advanced_subtensor(const Var& sub, const Var& y, bool set);

}  // namespace hypatia
