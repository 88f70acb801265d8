/// \file stabilize: rewrites that keep results finite where the naive
/// formula overflows or cancels (Theano's stabilize database).
///
/// Identities:
///   log(sigmoid(x))      -> -softplus(-x)      (naive: log(0) = -inf for x < -745)
///   log(1 - sigmoid(x))  -> -softplus(x)       (crossentropy of a sigmoid)
///   log(1 + x), log(x + 1) -> log1p(x)         (naive: loses x below 1e-16)
///   log(softmax(x))      -> x - logsumexp(x)   (along the last axis)
///   log(sum(exp(x)))     -> m + log(sum(exp(x - m))), m = max(x) over the same axes
///                           (naive: exp overflows for x > 709)
/// Each applies only where the replacement has exactly the node's type. All
/// are exact identities in real arithmetic; they change results only where
/// the naive form rounds badly or overflows.
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

std::vector<Var> stabilize(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
