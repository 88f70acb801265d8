// Gradients of the stabilised forms (issue 17): the compiled gradient of
// log(sigmoid(z)), log(1 - sigmoid(z)), the 1 / (1 + exp(-z)) spelling,
// softplus, log(1 + exp(z)), the crossentropies, log-softmax, logsumexp and
// the negative log-likelihood, at z in {0, ±1, ±40, ±800, ±1e300} (float32:
// ±1e38 in place of ±1e300), in FastRun, FastCompile and Debug (which must
// raise nothing). Each expected gradient is the exact derivative written by
// hand (sigmoid(-z) for log(sigmoid(z)), ...) and computed in long double
// by the test; the compiled one must lie within 4 ulp of it, relative to
// the derivative's own magnitude for the elementwise forms and to the
// magnitude of its terms (1) for the softmax forms, whose exact derivative
// 1 - softmax(x) is a difference of terms of order 1.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

namespace {

using Real = long double;

Real sigmoid(Real x) { return 1 / (1 + std::exp(-x)); }

/// Units in the last place of `dtype` between two values of it.
std::int64_t ulp_distance(double a, double b, hp::DType dtype) {
  if (a == b) return 0;
  if (std::isnan(a) || std::isnan(b) || std::isinf(a) || std::isinf(b)) return INT64_MAX;
  auto ordinal = [&](double v) -> std::int64_t {
    if (dtype == hp::DType::Float32) {
      const float f = static_cast<float>(v);
      std::int32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      return bits < 0 ? -(bits & 0x7fffffff) : bits;
    }
    std::int64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return bits < 0 ? -(bits & 0x7fffffffffffffff) : bits;
  };
  const std::int64_t d = ordinal(a) - ordinal(b);
  return d < 0 ? -d : d;
}

/// "" when got is within 4 ulp of exact, measured at max(|exact|, scale).
std::string near(double got, Real exact, Real scale, hp::DType dtype) {
  const double rounded = dtype == hp::DType::Float32 ? static_cast<double>(static_cast<float>(exact))
                                                     : static_cast<double>(exact);
  if (ulp_distance(got, rounded, dtype) <= 4) return "";
  const Real magnitude = std::fmax(std::fabs(exact), scale);
  const Real eps = dtype == hp::DType::Float32 ? 0x1p-23L : 0x1p-52L;
  if (std::isfinite(got) && std::fabs(static_cast<Real>(got) - exact) <= 4 * eps * magnitude) return "";
  return "got " + std::to_string(got) + ", exact " + std::to_string(static_cast<double>(exact));
}

std::vector<double> points(hp::DType dtype) {
  const double big = dtype == hp::DType::Float32 ? 1e38 : 1e300;
  return {0, 1, -1, 40, -40, 800, -800, big, -big};
}

const hp::Mode kModes[] = {hp::Mode::FastRun, hp::Mode::FastCompile, hp::Mode::Debug};

/// The gradient of sum(form(z, y)) with respect to z (a vector), in every mode.
void check_elementwise(const std::string& label, hp::DType dtype,
                       const std::function<hp::Var(const hp::Var&, const hp::Var&)>& form,
                       const std::function<Real(Real, Real)>& derivative) {
  const hp::Var z = hp::vector("z", dtype), y = hp::vector("y", dtype);
  const std::vector<double> zs = points(dtype);
  std::vector<double> ys;
  for (std::size_t i = 0; i < zs.size(); ++i) ys.push_back(static_cast<double>(i % 2));
  const hp::Var g = hp::grad(hp::sum(form(z, y)), z);
  for (hp::Mode mode : kModes) {
    INFO(label, " ", hp::dtype_name(dtype), " mode ", static_cast<int>(mode));
    const hp::Function f = hp::compile({z, y}, {g}, {.mode = mode, .on_unused_input = hp::OnUnusedInput::Ignore});
    std::vector<hp::Array> out;
    REQUIRE_NOTHROW(out = f(hp::array(zs, dtype), hp::array(ys, dtype)));
    const std::vector<double> got = out.at(0).to_vector<double>();
    for (std::size_t i = 0; i < zs.size(); ++i) {
      const Real zi = dtype == hp::DType::Float32 ? static_cast<float>(zs[i]) : zs[i];
      INFO("z = ", zs[i], " y = ", ys[i]);
      CHECK(near(got[i], derivative(zi, ys[i]), 0, dtype) == "");
    }
  }
}

/// Rows [z, 0.5, -z] for each point z.
std::vector<double> softmax_rows(hp::DType dtype) {
  std::vector<double> rows;
  for (double z : points(dtype)) rows.insert(rows.end(), {z, 0.5, -z});
  return rows;
}

std::vector<Real> exact_softmax(const std::vector<double>& rows, hp::DType dtype) {
  std::vector<Real> out;
  for (std::size_t r = 0; r < rows.size(); r += 3) {
    Real x[3], m = -INFINITY, s = 0;
    for (int j = 0; j < 3; ++j) {
      x[j] = dtype == hp::DType::Float32 ? static_cast<float>(rows[r + j]) : rows[r + j];
      m = std::fmax(m, x[j]);
    }
    for (int j = 0; j < 3; ++j) s += std::exp(x[j] - m);
    for (int j = 0; j < 3; ++j) out.push_back(std::exp(x[j] - m) / s);
  }
  return out;
}

/// The gradient of cost(X, labels) with respect to the matrix X of softmax_rows.
void check_rows(const std::string& label, hp::DType dtype,
                const std::function<hp::Var(const hp::Var&, const hp::Var&)>& cost,
                const std::function<Real(Real softmax, bool is_label, std::size_t n_rows)>& derivative) {
  const hp::Var X = hp::matrix("X", dtype), labels = hp::ivector("labels");
  const std::vector<double> rows = softmax_rows(dtype);
  const std::size_t n = rows.size() / 3;
  std::vector<int> ls;
  for (std::size_t r = 0; r < n; ++r) ls.push_back(static_cast<int>(r % 3));
  const std::vector<Real> sm = exact_softmax(rows, dtype);
  const hp::Var g = hp::grad(cost(X, labels), X);
  for (hp::Mode mode : kModes) {
    INFO(label, " ", hp::dtype_name(dtype), " mode ", static_cast<int>(mode));
    const hp::Function f =
        hp::compile({X, labels}, {g}, {.mode = mode, .on_unused_input = hp::OnUnusedInput::Ignore});
    std::vector<hp::Array> out;
    REQUIRE_NOTHROW(out = f(hp::array(rows, {static_cast<std::int64_t>(n), 3}, dtype),
                            hp::array(ls, hp::DType::Int32)));
    const std::vector<double> got = out.at(0).to_vector<double>();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      INFO("row ", i / 3, " = [", rows[i / 3 * 3], ", 0.5, ", rows[i / 3 * 3 + 2], "], column ", i % 3);
      const Real want = derivative(sm[i], static_cast<int>(i % 3) == ls[i / 3], n);
      CHECK(near(got[i], want, 1.0L / static_cast<Real>(label.find("mean") != std::string::npos ? n : 1), dtype) == "");
    }
  }
}

hp::Var theano_p1(const hp::Var& z) { return 1 / (1 + hp::exp(-z)); }

}  // namespace

TEST_CASE("gradients of the sigmoid forms are exact to a few ulp at any z") {
  for (hp::DType dtype : {hp::DType::Float64, hp::DType::Float32}) {
    check_elementwise("log(sigmoid(z))", dtype, [](const hp::Var& z, const hp::Var&) { return hp::log(hp::sigmoid(z)); },
                      [](Real z, Real) { return sigmoid(-z); });
    check_elementwise("log(1 - sigmoid(z))", dtype,
                      [](const hp::Var& z, const hp::Var&) { return hp::log(1 - hp::sigmoid(z)); },
                      [](Real z, Real) { return -sigmoid(z); });
    check_elementwise("log(1 / (1 + exp(-z)))", dtype,
                      [](const hp::Var& z, const hp::Var&) { return hp::log(theano_p1(z)); },
                      [](Real z, Real) { return sigmoid(-z); });
    check_elementwise("log(1 - 1 / (1 + exp(-z)))", dtype,
                      [](const hp::Var& z, const hp::Var&) { return hp::log(1 - theano_p1(z)); },
                      [](Real z, Real) { return -sigmoid(z); });
    check_elementwise("softplus(z)", dtype, [](const hp::Var& z, const hp::Var&) { return hp::softplus(z); },
                      [](Real z, Real) { return sigmoid(z); });
    check_elementwise("log(1 + exp(z))", dtype, [](const hp::Var& z, const hp::Var&) { return hp::log(1 + hp::exp(z)); },
                      [](Real z, Real) { return sigmoid(z); });
    // Theano's logistic regression: -y * log(p_1) - (1 - y) * log(1 - p_1), p_1 = 1 / (1 + exp(-z)).
    check_elementwise("Theano's xent", dtype,
                      [](const hp::Var& z, const hp::Var& y) {
                        const hp::Var p_1 = theano_p1(z);
                        return -y * hp::log(p_1) - (1 - y) * hp::log(1 - p_1);
                      },
                      [](Real z, Real y) { return y == 1 ? -sigmoid(-z) : sigmoid(z); });
    check_elementwise("xent with hp::sigmoid", dtype,
                      [](const hp::Var& z, const hp::Var& y) {
                        const hp::Var p_1 = hp::sigmoid(z);
                        return -y * hp::log(p_1) - (1 - y) * hp::log(1 - p_1);
                      },
                      [](Real z, Real y) { return y == 1 ? -sigmoid(-z) : sigmoid(z); });
    check_elementwise("nnet::binary_crossentropy(sigmoid(z), y)", dtype,
                      [](const hp::Var& z, const hp::Var& y) { return hp::nnet::binary_crossentropy(hp::sigmoid(z), y); },
                      [](Real z, Real y) { return y == 1 ? -sigmoid(-z) : sigmoid(z); });
    check_elementwise("nnet::sigmoid_binary_crossentropy(z, y)", dtype,
                      [](const hp::Var& z, const hp::Var& y) { return hp::nnet::sigmoid_binary_crossentropy(z, y); },
                      [](Real z, Real y) { return y == 1 ? -sigmoid(-z) : sigmoid(z); });
  }
}

TEST_CASE("gradients of the softmax forms are exact to a few ulp at any logits") {
  for (hp::DType dtype : {hp::DType::Float64, hp::DType::Float32}) {
    // sum(log(softmax(X))): d/dx_j = 1 - 3 softmax_j per row of three.
    check_rows("sum of log(softmax(X))", dtype,
               [](const hp::Var& X, const hp::Var&) { return hp::sum(hp::log(hp::softmax(X))); },
               [](Real sm, bool, std::size_t) { return 1 - 3 * sm; });
    check_rows("sum of nnet::log_softmax(X)", dtype,
               [](const hp::Var& X, const hp::Var&) { return hp::sum(hp::nnet::log_softmax(X)); },
               [](Real sm, bool, std::size_t) { return 1 - 3 * sm; });
    // logsumexp: the gradient is the softmax.
    check_rows("sum of log(sum(exp(X), 1))", dtype,
               [](const hp::Var& X, const hp::Var&) { return hp::sum(hp::log(hp::sum(hp::exp(X), 1))); },
               [](Real sm, bool, std::size_t) { return sm; });
    // The negative log-likelihood as the tutorials write it: softmax - onehot, over n.
    check_rows("NLL -mean(log(softmax(X))[arange(n), y])", dtype,
               [](const hp::Var& X, const hp::Var& y) {
                 return -hp::mean(hp::log(hp::softmax(X))[{hp::arange(hp::shape(X)[0]), y}]);
               },
               [](Real sm, bool is_label, std::size_t n) { return (sm - (is_label ? 1 : 0)) / static_cast<Real>(n); });
    check_rows("sum of nnet::categorical_crossentropy(softmax(X), y)", dtype,
               [](const hp::Var& X, const hp::Var& y) {
                 return hp::sum(hp::nnet::categorical_crossentropy(hp::softmax(X), y));
               },
               [](Real sm, bool is_label, std::size_t) { return sm - (is_label ? 1 : 0); });
    check_rows("sum of nnet::categorical_crossentropy(softmax(X), one-hot)", dtype,
               [](const hp::Var& X, const hp::Var& y) {
                 const hp::Var onehot = hp::cast(hp::eq(hp::dimshuffle(y, {0, hp::newaxis}), hp::arange(3)), X.dtype());
                 return hp::sum(hp::nnet::categorical_crossentropy(hp::softmax(X), onehot));
               },
               [](Real sm, bool is_label, std::size_t) { return sm - (is_label ? 1 : 0); });
  }
}
