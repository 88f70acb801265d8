/// verify_grad: the symbolic gradient against central finite differences.
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "compiler/reference/evaluate.hpp"
#include "hypatia/grad.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

struct Tolerance {
  double eps, rtol, atol;
};

/// The finite differences are only as precise as the coarser of the input
/// perturbed and the output measured (a float64 input cast to float32 inside
/// fn needs the float32 step and tolerances).
Tolerance tolerance_for(DType input, DType output, const VerifyGradOptions& o) {
  const bool f32 = input == DType::Float32 || output == DType::Float32;
  return {o.eps > 0 ? o.eps : (f32 ? 1e-3 : 1e-7), o.rtol > 0 ? o.rtol : (f32 ? 1e-2 : 1e-4),
          o.atol > 0 ? o.atol : (f32 ? 1e-3 : 1e-6)};
}

/// "nan" for any NaN (fmt writes "-nan" for a negative one), else fmt's shortest form.
std::string number_text(double x) { return std::isnan(x) ? "nan" : fmt::format("{}", x); }

Array random_like(const Array& a, DType dtype, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  Array r(a.shape(), dtype);
  for (std::int64_t i = 0; i < r.size(); ++i) r.set_flat_double(i, dist(rng));
  return r;
}

}  // namespace

void verify_grad(const std::function<Var(const std::vector<Var>&)>& fn,
                 const std::vector<Array>& points, const VerifyGradOptions& options) {
  std::vector<Var> inputs;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!is_float(points[i].dtype())) {
      throw TypeError(fmt::format("verify_grad: point {} has dtype {}; gradients need floats", i,
                                  dtype_name(points[i].dtype())));
    }
    inputs.push_back(tensor(fmt::format("input{}", i), points[i].dtype(),
                            std::vector<bool>(points[i].ndim(), false)));
  }
  const Var out = fn(inputs);
  if (out.is_null()) throw Error("verify_grad: fn returned a null hp::Var");
  std::vector<std::pair<Var, Array>> at;
  for (std::size_t i = 0; i < points.size(); ++i) at.emplace_back(inputs[i], points[i]);
  EvalOptions lenient;
  lenient.require_givens_used = false;
  const Array out_value = evaluate({out}, at, lenient).front();

  std::mt19937_64 rng(options.seed);
  for (int test = 0; test < options.n_tests; ++test) {
    const Var projection = constant(random_like(out_value, out.dtype(), rng));
    const Var cost = sum(out * projection);
    const std::vector<Var> grads =
        grad(cost, inputs, {.disconnected_inputs = DisconnectedInputs::Ignore});
    const std::vector<Array> analytic = evaluate(grads, at, lenient);

    for (std::size_t i = 0; i < points.size(); ++i) {
      const Tolerance tol = tolerance_for(points[i].dtype(), out.dtype(), options);
      double worst_excess = 0;
      std::int64_t worst = -1;
      double worst_numeric = 0, worst_analytic = 0;
      for (std::int64_t k = 0; k < points[i].size(); ++k) {
        auto cost_at = [&](double delta) {
          std::vector<std::pair<Var, Array>> moved = at;
          Array p = points[i].copy();
          p.set_flat_double(k, p.get_flat_double(k) + delta);
          moved[i].second = p;
          return evaluate({cost}, moved, lenient).front().item<double>();
        };
        const double numeric = (cost_at(tol.eps) - cost_at(-tol.eps)) / (2 * tol.eps);
        const double symbolic = analytic[i].get_flat_double(k);
        const double excess = std::fabs(symbolic - numeric) - (tol.atol + tol.rtol * std::fabs(numeric));
        // A NaN or infinite gradient checks nothing, even where both agree
        // on it: it fails, and the first such element is the one reported.
        const bool finite = std::isfinite(symbolic) && std::isfinite(numeric);
        if ((!finite && worst_excess < INFINITY) || excess > worst_excess) {
          worst_excess = finite ? excess : INFINITY;
          worst = k;
          worst_numeric = numeric;
          worst_analytic = symbolic;
        }
      }
      if (worst >= 0) {
        const bool finite = std::isfinite(worst_excess);
        throw Error(fmt::format(
            "verify_grad: the gradient of input {} {} at element {}: symbolic {}, numeric {} (eps {}, "
            "rtol {}, atol {}; output {} projected at random, test {})",
            i, finite ? "disagrees with finite differences" : "is not finite, so it cannot be verified,",
            worst, number_text(worst_analytic), number_text(worst_numeric), tol.eps, tol.rtol, tol.atol,
            out.type().str(), test));
      }
    }
  }
}

}  // namespace hypatia
