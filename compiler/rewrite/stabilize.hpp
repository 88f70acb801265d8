/// \file stabilize: rewrites that keep results finite where the naive
/// formula overflows or cancels (Theano's stabilize database).
///
/// Identities:
///   log(sigmoid(x))      -> -softplus(-x)      (naive: log(0) = -inf for x < -745)
///   log(1 - sigmoid(x))  -> -softplus(x)       (crossentropy of a sigmoid)
///   log(1 + x), log(x + 1) -> log1p(x)         (naive: loses x below 1e-16)
///   log(1 - x)           -> log1p(-x)          (float x; same reason)
///   log(1 + exp(x)), log1p(exp(x)) -> softplus(x)  (naive: exp overflows for x > 709)
///   log(exp(x))          -> x                  (float x; naive: -inf/inf beyond ±709)
///   1 / (1 + exp(t))     -> sigmoid(-t)        (so that the rewrites above see it;
///                                               -t strips a negation: -(-x) is x)
///   exp(t) / (1 + exp(t)) -> sigmoid(t)
///   log(softmax(x))      -> x - logsumexp(x)   (along the last axis)
///   log(sum(exp(x)))     -> m + log(sum(exp(x - m))), m = max(x) over the same axes
///                           (naive: exp overflows for x > 709)
/// Each applies only where the replacement has exactly the node's type. All
/// are exact identities in real arithmetic; they change results only where
/// the naive form rounds badly or overflows. The binary crossentropy of a
/// sigmoid, -(t * log(sigmoid(x)) + (1 - t) * log(1 - sigmoid(x))), is the
/// first two: finite for any x, where the naive form gives inf or nan as soon
/// as sigmoid(x) rounds to 1 (x > 37) or to 0 (x < -745).
///
/// hp::grad differentiates the cost after these rewrites (stable_cost), so
/// that gradients are as finite as values: d/dz log(sigmoid(z)) is then
/// sigmoid(-z), where the naive chain rule gives (1 / sigmoid(z)) *
/// sigmoid(z) * (1 - sigmoid(z)) = inf * 0 at z = -800.
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

std::vector<Var> stabilize(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

/// `cost` in its stable form, the walk stopping at `stops` (which stay as
/// they are: grad's wrt variables, its known gradients and constants).
Var stable_cost(const Var& cost, const std::vector<Var>& stops);

}  // namespace hypatia
