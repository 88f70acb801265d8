/// hp::nnet's losses: compositions of ops, built in their stable forms.
#include "hypatia/nnet.hpp"

#include <fmt/format.h>

#include "compiler/ops/match.hpp"
#include "compiler/ops/reduce.hpp"
#include "compiler/ops/softmax.hpp"
#include "hypatia/error.hpp"
#include "hypatia/ops.hpp"
#include "runtime/value_check.hpp"

namespace hypatia::nnet {
namespace {

void check_not_null(const char* fn, const Var& v, int position) {
  if (v.is_null()) throw Error(fmt::format("nnet::{}: input {} is a null hp::Var", fn, position));
}

/// log(p) without forming it where p is a softmax: log_softmax of its operand.
Var stable_log_of(const Var& p) {
  if (p.owner() && is_softmax(p.owner()->op())) return log_softmax(operand(p, 0));
  return log(p);
}

}  // namespace

Var softmax(const Var& x) {
  check_not_null("softmax", x, 0);
  return hypatia::softmax(x);
}

Var log_softmax(const Var& x) {
  check_not_null("log_softmax", x, 0);
  if (x.ndim() < 1) {
    throw TypeError(fmt::format("nnet::log_softmax: needs a tensor of rank >= 1 (it normalises the last axis), got {}",
                                x.type().str()));
  }
  const Var xf = is_float(x.dtype()) ? x : cast(x, upgrade_to_float(x.dtype()));
  const int last = xf.ndim() - 1;
  // m: the row's maximum (0 where it is infinite, so that x - m stays finite).
  // (x - m) first: x - (logsumexp + m) loses the logsumexp in m's rounding where |m| is large.
  const Var m = max_or_neg_inf(xf, {last}, true);
  const Var shifted = xf - where(abs(m) < INFINITY, m, 0);
  return shifted - log(sum(exp(shifted), last, true));
}

Var sigmoid_binary_crossentropy(const Var& output, const Var& target) {
  check_not_null("sigmoid_binary_crossentropy", output, 0);
  check_not_null("sigmoid_binary_crossentropy", target, 1);
  return target * softplus(-output) + (1 - target) * softplus(output);
}

Var binary_crossentropy(const Var& output, const Var& target) {
  check_not_null("binary_crossentropy", output, 0);
  check_not_null("binary_crossentropy", target, 1);
  if (computed_by(output, "sigmoid")) return sigmoid_binary_crossentropy(operand(output, 0), target);
  return -(target * log(output) + (1 - target) * log(1 - output));
}

Var categorical_crossentropy(const Var& coding_dist, const Var& true_dist) {
  check_not_null("categorical_crossentropy", coding_dist, 0);
  check_not_null("categorical_crossentropy", true_dist, 1);
  if (coding_dist.ndim() < 1) {
    throw TypeError(fmt::format("nnet::categorical_crossentropy: coding_dist must have rank >= 1, got {}",
                                coding_dist.type().str()));
  }
  const Var log_p = stable_log_of(coding_dist);
  if (true_dist.ndim() == coding_dist.ndim()) return -sum(true_dist * log_p, coding_dist.ndim() - 1);
  if (true_dist.ndim() + 1 != coding_dist.ndim() || !is_integer(true_dist.dtype()) || coding_dist.ndim() > 2) {
    throw TypeError(fmt::format(
        "nnet::categorical_crossentropy: true_dist must be a distribution of coding_dist's type {} or integer "
        "class indices of one rank less (coding_dist of rank 1 or 2), got {}",
        coding_dist.type().str(), true_dist.type().str()));
  }
  if (coding_dist.ndim() == 1) return -log_p[true_dist];
  // -log_p[arange(n), true_dist]: the log-probability of each row's class.
  return -log_p[{arange(shape(coding_dist)[0]), true_dist}];
}

}  // namespace hypatia::nnet
