/// \file Theano's nnet helpers for losses and normalisation, each stable in
/// value and gradient by construction: the logarithm of a sigmoid or a
/// softmax is never formed, so neither the value nor the chain rule through
/// it meets log(0) or inf * 0.
///
/// Names and meanings follow theano.tensor.nnet (and PyTensor):
/// `categorical_crossentropy(coding_dist, true_dist)` takes the predicted
/// distribution first, the target second.
#pragma once

#include "hypatia/graph.hpp"

namespace hypatia::nnet {

/// exp(x) / sum(exp(x)) along the last axis (hp::softmax).
Var softmax(const Var& x);

/// log(softmax(x)) along the last axis, as (x - m) - log(sum(exp(x - m)))
/// with m the row's maximum: finite wherever x is.
Var log_softmax(const Var& x);

/// -(target * log(output) + (1 - target) * log(1 - output)), elementwise
/// (Theano's binary_crossentropy). Where `output` is hp::sigmoid(z) it is
/// sigmoid_binary_crossentropy(z, target).
Var binary_crossentropy(const Var& output, const Var& target);

/// The binary crossentropy of sigmoid(output) against target, from the
/// logits `output`: target * softplus(-output) + (1 - target) * softplus(output).
/// Its gradient with respect to output is sigmoid(output) - target.
Var sigmoid_binary_crossentropy(const Var& output, const Var& target);

/// -sum(true_dist * log(coding_dist)) along the last axis, one value per row
/// (Theano's categorical_crossentropy). `true_dist` is either a distribution
/// of coding_dist's shape (one-hot rows), or integer class indices with one
/// rank less (hp::IndexError for an index out of range). Where coding_dist
/// is hp::softmax(x), log(coding_dist) is log_softmax(x).
Var categorical_crossentropy(const Var& coding_dist, const Var& true_dist);

}  // namespace hypatia::nnet
