/// \file What rewrites may ask about shape nodes: dimshuffle patterns,
/// reshape targets, and whether a node computes shape(x).
#pragma once

#include <optional>
#include <vector>

#include "compiler/graph/op.hpp"

namespace hypatia {

/// The pattern of a DimShuffle (hp::newaxis for new axes), or nullopt for other ops.
std::optional<std::vector<int>> dimshuffle_pattern(const Op& op);
/// The target shape of a Reshape (one entry may be -1), or nullopt for other ops.
std::optional<Shape> reshape_target(const Op& op);
/// Whether `op` is Flatten{ndim}: all axes from ndim-1 on joined into the last.
bool is_flatten(const Op& op);
/// Whether `op` computes shape(x) as an int64 vector.
bool is_shape(const Op& op);
/// Whether `op` is ReshapeLike(g, like): g with the shape of its second input.
bool is_reshape_like(const Op& op);
/// x reshaped to the shape of `like` (the same size, checked when it runs),
/// with `like`'s broadcast pattern: a reshape to a shape known only at run time.
Var reshape_as(const Var& x, const Var& like);
/// x reshaped to sizes given by integer scalars (symbolic or constant).
Var reshape_to(const Var& x, const std::vector<Var>& sizes);
/// The axis of a Join (concatenate), or nullopt for other ops.
std::optional<int> concatenate_axis(const Op& op);

}  // namespace hypatia
