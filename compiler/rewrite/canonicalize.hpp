/// \file canonicalize: algebraic simplifications that leave one simpler,
/// equivalent node (Theano's canonicalize database).
///
/// Identities (c means a constant whose type broadcasts along every axis and
/// whose one element is the value shown):
///   x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1  -> x
///   0 - x                     -> -x
///   x * -1, -1 * x            -> -x
///   -(-x)                     -> x
///   x + (-y), (-y) + x        -> x - y
///   x - (-y)                  -> x + y
///   (-x) * (-y), (-x) / (-y)  -> x * y, x / y
///   x * (1 / y), (1 / y) * x  -> x / y        (one rounding instead of two)
///   x - x                     -> zeros_like(x), for integer x only
///   cast(x, x's dtype)        -> x
///   dimshuffle(dimshuffle(x, p), q) -> dimshuffle(x, p∘q); identity dimshuffle -> x
///   reshape(reshape(x, s), t), reshape(flatten(x), t) -> reshape(x, t)
///
/// Each applies only where the replacement has exactly the node's type
/// (dtype and broadcast pattern): `x_int * 1.0` is a float and keeps its
/// multiplication, and a constant that is not broadcastable on every axis
/// could give the result a bigger shape than x, so `x + zeros(3)` stays.
///
/// What these do not keep: x + 0 turns -0.0 into +0.0 in the original and
/// not in the rewrite (they compare equal); a replaced node no longer raises
/// the shape error the original would have (an inner reshape of the wrong
/// size). x - x is not rewritten for floats: IEEE gives nan for inf and nan
/// elements, and Theano's rewrite to zeros would change those results (and
/// Debug mode's comparison with the reference would flag it).
///
/// A rewrite's result is simplified again at once (-(-(-(-x))) -> x in one
/// walk); the database also repeats the pass to a fixed point.
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

std::vector<Var> canonicalize(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
