/// \file simplify_shapes: shape(x) and shape(x)[i] computed from what
/// determines them, and folded to constants where they are known at compile
/// time (Theano's ShapeFeature and its local shape rewrites).
///
/// Each axis of a variable has its size from one place, followed backwards:
///   - an axis the type marks broadcastable has size 1; a constant, its own;
///   - an elementwise result: the input that does not broadcast along it;
///   - dimshuffle: the input axis it takes (a new axis: 1); softmax,
///     set/inc_subtensor, reshape_like: the input (for reshape_like, the
///     shape donor); a reduction: the input axis it keeps (kept dims: 1);
///   - dot: A's first axis and B's last; x[...]: the input axis under a
///     full slice; concatenate: any input off the joined axis;
///   - reshape to a constant size (not -1): that size; shape(x): x's rank.
/// Identities:
///   shape(x)[i]   -> the constant, or shape(u)[j] of the variable u whose axis j sets it
///   shape(x)      -> a constant vector when every axis is known, or shape(u)
///                    when one variable u of x's rank sets every axis in order
/// The size of shape(elemwise(a, b)) then no longer waits for the elementwise
/// result, and the mean's gradient divides by a constant where the shapes are
/// known. Safe because ops are pure and these are their shape rules; what is
/// lost is a shape error of a node no longer computed (shape(a + b) where a and
/// b disagree gives shape(a) instead of raising), as in Theano.
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

std::vector<Var> simplify_shapes(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
