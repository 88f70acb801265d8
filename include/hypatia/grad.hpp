/// \file Automatic differentiation (reverse mode), as theano.grad.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

/// What grad does when a wrt variable does not influence the cost.
enum class DisconnectedInputs { Raise, Warn, Ignore };

struct GradOptions {
  /// Variables treated as constants: no gradient flows through them.
  std::vector<Var> consider_constant = {};
  /// Gradients of the cost with respect to intermediate variables, supplied
  /// instead of derived (each second Var has the first's type).
  std::vector<std::pair<Var, Var>> known_grads = {};
  /// Raise (hp::DisconnectedInputError naming the input), Warn, or Ignore
  /// (both give zeros).
  DisconnectedInputs disconnected_inputs = DisconnectedInputs::Raise;
};

/// d(cost)/d(wrt) as a graph of the same type as wrt. `cost` must be a
/// scalar (hp::TypeError otherwise). Through an op whose derivative does
/// not exist, raises hp::Error naming the op.
Var grad(const Var& cost, const Var& wrt, const GradOptions& options = {});
std::vector<Var> grad(const Var& cost, const std::vector<Var>& wrt, const GradOptions& options = {});

/// The Jacobian of vector `y` with respect to `x`: shape (len(y), *x.shape).
Var jacobian(const Var& y, const Var& x, DisconnectedInputs disconnected = DisconnectedInputs::Raise);
/// The Hessian of scalar `cost` with respect to vector `x`.
Var hessian(const Var& cost, const Var& x, DisconnectedInputs disconnected = DisconnectedInputs::Raise);

struct VerifyGradOptions {
  /// Finite-difference step; 0 picks one by dtype: 1e-7 for float64, 1e-3 where
  /// the input perturbed or the output is float32 (tolerances likewise).
  double eps = 0;
  /// Tolerances on |analytic - numeric| <= atol + rtol * |numeric|; 0 picks by dtype.
  double rtol = 0;
  double atol = 0;
  /// How many random projections of the output to check.
  int n_tests = 2;
  std::uint64_t seed = 42;
};

/// Checks the symbolic gradient of `fn` at `points` against central finite
/// differences, as Theano's verify_grad: the output of fn (any shape) is
/// projected on a random tensor to give a scalar cost, then every element of
/// every input is perturbed. Throws hp::Error naming the input, the worst
/// element and both values on a mismatch.
void verify_grad(const std::function<Var(const std::vector<Var>&)>& fn,
                 const std::vector<Array>& points, const VerifyGradOptions& options = {});

}  // namespace hypatia
