// hp::verify_grad: the symbolic gradient of every differentiable op against
// central finite differences, at several shapes and broadcast patterns, in
// float64 and in float32 (with verify_grad's looser float32 tolerance); and
// verify_grad's own behaviour on a wrong gradient.
//
// verify_grad's inputs are never broadcastable, so broadcast patterns are made
// inside fn: a vector point becomes a row with dimshuffle(v, {newaxis, 0}) or
// a column with dimshuffle(v, {0, newaxis}). Points are chosen away from kinks
// (abs, relu, maximum, clip), from discontinuities (mod) and from the edges of
// domains (log, sqrt, pow).
#include <doctest/doctest.h>

#include <cmath>
#include <algorithm>
#include <functional>
#include <hypatia/hypatia.hpp>
#include <random>
#include <string>
#include <vector>

namespace hp = hypatia;

namespace {

using Inputs = std::vector<hp::Var>;
using Fn = std::function<hp::Var(const Inputs&)>;
/// Makes a point of the given shape and dtype; `seed` varies the values.
using Generator = std::function<hp::Array(const hp::Shape&, hp::DType, unsigned seed)>;

/// Values drawn uniformly from [lo, hi].
Generator uniform(double lo, double hi) {
  return [=](const hp::Shape& shape, hp::DType dtype, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> dist(lo, hi);
    hp::Array a(shape, dtype);
    for (std::int64_t i = 0; i < a.size(); ++i) a.set_flat_double(i, dist(rng));
    return a;
  };
}

/// Magnitudes drawn from [lo, hi], each with a random sign: away from zero.
Generator signed_uniform(double lo, double hi) {
  return [=](const hp::Shape& shape, hp::DType dtype, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> dist(lo, hi);
    std::bernoulli_distribution negative(0.5);
    hp::Array a(shape, dtype);
    for (std::int64_t i = 0; i < a.size(); ++i) a.set_flat_double(i, negative(rng) ? -dist(rng) : dist(rng));
    return a;
  };
}

hp::Var as_row(const hp::Var& v) { return hp::dimshuffle(v, {hp::newaxis, 0}); }
hp::Var as_col(const hp::Var& v) { return hp::dimshuffle(v, {0, hp::newaxis}); }
hp::Var as_is(const hp::Var& v) { return v; }

/// How the two operands of a binary op meet: their point shapes and how fn
/// turns each point into an operand.
struct BroadcastPattern {
  const char* label;
  hp::Shape a_shape, b_shape;
  hp::Var (*a_view)(const hp::Var&);
  hp::Var (*b_view)(const hp::Var&);
};

const std::vector<BroadcastPattern> kBroadcastPatterns = {
    {"matrix with matrix", {2, 3}, {2, 3}, as_is, as_is},
    {"scalar with matrix", {}, {2, 3}, as_is, as_is},
    {"matrix with scalar", {2, 3}, {}, as_is, as_is},
    {"row with matrix", {3}, {2, 3}, as_row, as_is},
    {"matrix with col", {2, 3}, {2}, as_is, as_col},
    {"vector with matrix", {3}, {2, 3}, as_is, as_is},
    {"row with col", {3}, {2}, as_row, as_col},
    {"tensor3 with matrix", {2, 3, 4}, {3, 4}, as_is, as_is},
    {"vector with vector", {5}, {5}, as_is, as_is},
    {"scalar with scalar", {}, {}, as_is, as_is},
};

struct BinaryOp {
  const char* name;
  hp::Var (*op)(const hp::Var&, const hp::Var&);
  Generator a, b;
};

const std::vector<BinaryOp> kBinaryOps = {
    {"add", hp::add, uniform(-2, 2), uniform(-2, 2)},
    {"sub", hp::sub, uniform(-2, 2), uniform(-2, 2)},
    {"mul", hp::mul, uniform(-2, 2), uniform(-2, 2)},
    {"true_div", hp::true_div, uniform(-2, 2), signed_uniform(0.5, 2)},
    {"pow", hp::pow, uniform(0.5, 2), uniform(-1.5, 2.5)},
    // maximum/minimum: the operands' ranges overlap, but no two values tie.
    {"maximum", hp::maximum, uniform(-1, 1), uniform(-1, 1)},
    {"minimum", hp::minimum, uniform(-1, 1), uniform(-1, 1)},
    // a / b stays within (0.05, 0.82): no jump of a % b nearby.
    {"mod", hp::mod, uniform(0.1, 0.9), uniform(1.1, 2.0)},
    // arctan2: a stays away from 0, where the angle jumps by 2 pi for b < 0.
    {"arctan2", hp::arctan2, signed_uniform(0.2, 2), signed_uniform(0.5, 2)},
    {"hypot", hp::hypot, signed_uniform(0.3, 2), uniform(-2, 2)},
    {"logaddexp", hp::logaddexp, uniform(-2, 2), uniform(-3, 3)},
};

void check_binary(const BinaryOp& op, hp::DType dtype) {
  for (const BroadcastPattern& pattern : kBroadcastPatterns) {
    INFO(op.name, " ", hp::dtype_name(dtype), ": ", pattern.label);
    const std::vector<hp::Array> points{op.a(pattern.a_shape, dtype, 1), op.b(pattern.b_shape, dtype, 2)};
    const Fn fn = [&](const Inputs& x) { return op.op(pattern.a_view(x[0]), pattern.b_view(x[1])); };
    CHECK_NOTHROW(hp::verify_grad(fn, points));
  }
}

struct UnaryOp {
  const char* name;
  Fn fn;
  Generator x;
};

const std::vector<UnaryOp> kUnaryOps = {
    {"neg", [](const Inputs& x) { return -x[0]; }, uniform(-2, 2)},
    {"exp", [](const Inputs& x) { return hp::exp(x[0]); }, uniform(-2, 2)},
    {"log", [](const Inputs& x) { return hp::log(x[0]); }, uniform(0.3, 3)},
    {"log1p", [](const Inputs& x) { return hp::log1p(x[0]); }, uniform(-0.5, 2)},
    {"sqrt", [](const Inputs& x) { return hp::sqrt(x[0]); }, uniform(0.3, 3)},
    {"sqr", [](const Inputs& x) { return hp::sqr(x[0]); }, uniform(-2, 2)},
    {"abs", [](const Inputs& x) { return hp::abs(x[0]); }, signed_uniform(0.1, 2)},
    {"tanh", [](const Inputs& x) { return hp::tanh(x[0]); }, uniform(-2, 2)},
    {"sigmoid", [](const Inputs& x) { return hp::sigmoid(x[0]); }, uniform(-3, 3)},
    {"softplus", [](const Inputs& x) { return hp::softplus(x[0]); }, uniform(-3, 3)},
    {"relu", [](const Inputs& x) { return hp::relu(x[0]); }, signed_uniform(0.1, 2)},
    {"clip between literals", [](const Inputs& x) { return hp::clip(x[0], -0.5, 0.5); },
     signed_uniform(0.1, 0.4)},
    {"clip, clipped on both sides", [](const Inputs& x) { return hp::clip(x[0], -0.5, 0.5); },
     signed_uniform(0.6, 2)},
    {"pow by a literal", [](const Inputs& x) { return hp::pow(x[0], 3); }, uniform(-2, 2)},
    {"pow by a fractional literal", [](const Inputs& x) { return hp::pow(x[0], 1.5); }, uniform(0.3, 2)},
    {"a literal to the power x", [](const Inputs& x) { return hp::pow(2.0, x[0]); }, uniform(-2, 2)},
    {"division of a literal", [](const Inputs& x) { return 1.0 / x[0]; }, signed_uniform(0.5, 2)},
    {"mod by a literal", [](const Inputs& x) { return x[0] % 1.0; }, uniform(0.1, 0.9)},
    {"reciprocal", [](const Inputs& x) { return hp::reciprocal(x[0]); }, signed_uniform(0.5, 2)},
    {"sin", [](const Inputs& x) { return hp::sin(x[0]); }, uniform(-3, 3)},
    {"cos", [](const Inputs& x) { return hp::cos(x[0]); }, uniform(-3, 3)},
    {"tan", [](const Inputs& x) { return hp::tan(x[0]); }, uniform(-1.2, 1.2)},
    {"arcsin", [](const Inputs& x) { return hp::arcsin(x[0]); }, uniform(-0.8, 0.8)},
    {"arccos", [](const Inputs& x) { return hp::arccos(x[0]); }, uniform(-0.8, 0.8)},
    {"arctan", [](const Inputs& x) { return hp::arctan(x[0]); }, uniform(-3, 3)},
    {"sinh", [](const Inputs& x) { return hp::sinh(x[0]); }, uniform(-2, 2)},
    {"cosh", [](const Inputs& x) { return hp::cosh(x[0]); }, uniform(-2, 2)},
    {"arcsinh", [](const Inputs& x) { return hp::arcsinh(x[0]); }, uniform(-3, 3)},
    {"arccosh", [](const Inputs& x) { return hp::arccosh(x[0]); }, uniform(1.2, 3)},
    {"arctanh", [](const Inputs& x) { return hp::arctanh(x[0]); }, uniform(-0.8, 0.8)},
    {"exp2", [](const Inputs& x) { return hp::exp2(x[0]); }, uniform(-2, 2)},
    {"expm1", [](const Inputs& x) { return hp::expm1(x[0]); }, uniform(-2, 2)},
    {"log2", [](const Inputs& x) { return hp::log2(x[0]); }, uniform(0.3, 3)},
    {"log10", [](const Inputs& x) { return hp::log10(x[0]); }, uniform(0.3, 3)},
    {"erf", [](const Inputs& x) { return hp::erf(x[0]); }, uniform(-2, 2)},
    {"erfc", [](const Inputs& x) { return hp::erfc(x[0]); }, uniform(-2, 2)},
    {"erfinv", [](const Inputs& x) { return hp::erfinv(x[0]); }, uniform(-0.8, 0.8)},
    {"erfcinv", [](const Inputs& x) { return hp::erfcinv(x[0]); }, uniform(0.2, 1.8)},
    {"gammaln", [](const Inputs& x) { return hp::gammaln(x[0]); }, uniform(0.3, 4)},
    {"gammaln of negatives", [](const Inputs& x) { return hp::gammaln(x[0]); }, uniform(-2.9, -2.1)},
    {"deg2rad", [](const Inputs& x) { return hp::deg2rad(x[0]); }, uniform(-200, 200)},
    {"rad2deg", [](const Inputs& x) { return hp::rad2deg(x[0]); }, uniform(-2, 2)},
    {"floor, ceil, trunc and round (no gradient)",
     [](const Inputs& x) { return hp::floor(x[0]) + hp::ceil(x[0]) + hp::trunc(x[0]) + hp::round(x[0]) + x[0]; },
     signed_uniform(1.1, 1.4)},
    {"sign (no gradient)", [](const Inputs& x) { return hp::sign(x[0]) * 3 + x[0]; }, signed_uniform(0.1, 2)},
    {"ones_like (no gradient)", [](const Inputs& x) { return hp::ones_like(x[0]); }, uniform(-2, 2)},
    {"zeros_like (no gradient)", [](const Inputs& x) { return hp::zeros_like(x[0]) + x[0] * 3; },
     uniform(-2, 2)},
    {"a comparison as a mask", [](const Inputs& x) { return x[0] * hp::cast(x[0] > 0, x[0].dtype()); },
     signed_uniform(0.1, 2)},
};

const std::vector<hp::Shape> kUnaryShapes = {{}, {5}, {2, 3}, {2, 3, 2}};

}  // namespace

// ============================================================================
// Elementwise ops
// ============================================================================

TEST_CASE("verify_grad passes for every binary elementwise op and broadcast pattern, float64") {
  for (const BinaryOp& op : kBinaryOps) check_binary(op, hp::float64);
}

TEST_CASE("verify_grad passes for every binary elementwise op and broadcast pattern, float32") {
  for (const BinaryOp& op : kBinaryOps) check_binary(op, hp::float32);
}

TEST_CASE("verify_grad passes for every unary elementwise op at ranks 0 to 3, float64") {
  for (const UnaryOp& op : kUnaryOps) {
    for (const hp::Shape& shape : kUnaryShapes) {
      INFO(op.name, " at rank ", shape.size());
      CHECK_NOTHROW(hp::verify_grad(op.fn, {op.x(shape, hp::float64, 3)}));
    }
  }
}

TEST_CASE("verify_grad passes for every unary elementwise op, float32") {
  for (const UnaryOp& op : kUnaryOps) {
    INFO(op.name);
    CHECK_NOTHROW(hp::verify_grad(op.fn, {op.x({2, 3}, hp::float32, 4)}));
  }
}

TEST_CASE("verify_grad passes for clip with tensor bounds, below, inside and above") {
  const Fn fn = [](const Inputs& x) { return hp::clip(x[0], x[1], x[2]); };
  const hp::Array x = hp::array({{-2.0, -0.3, 0.2}, {0.7, 1.9, -1.4}});
  CHECK_NOTHROW(hp::verify_grad(fn, {x, hp::array({{-1.0, -1.0, -1.0}, {-0.5, -0.5, -0.5}}),
                                     hp::array({{1.0, 1.0, 1.0}, {0.5, 0.5, 0.5}})}));
  // Scalar bounds broadcast over the matrix: their gradients sum.
  CHECK_NOTHROW(hp::verify_grad(fn, {x, hp::Array(-1.0), hp::Array(0.5)}));
  // A row of lower bounds and a column of upper bounds.
  const Fn broadcast = [](const Inputs& x) { return hp::clip(x[0], as_row(x[1]), as_col(x[2])); };
  CHECK_NOTHROW(hp::verify_grad(broadcast, {x, hp::array({-1.0, -0.5, 0.1}), hp::array({1.0, 0.5})}));
}

TEST_CASE("verify_grad passes for where, with a condition built from a comparison") {
  const Fn fn = [](const Inputs& x) { return hp::where(x[0] > 0, x[1] * 2, hp::exp(x[2])); };
  const Generator any = uniform(-2, 2);
  CHECK_NOTHROW(hp::verify_grad(fn, {signed_uniform(0.1, 1)({2, 3}, hp::float64, 5),
                                     any({2, 3}, hp::float64, 6), any({2, 3}, hp::float64, 7)}));
  // A scalar and a row branch broadcast against the matrix condition.
  const Fn broadcast = [](const Inputs& x) { return hp::where(x[0] > 0, x[1], as_row(x[2])); };
  CHECK_NOTHROW(hp::verify_grad(
      broadcast, {signed_uniform(0.1, 1)({2, 3}, hp::float64, 8), hp::Array(0.5), any({3}, hp::float64, 9)}));
  CHECK_NOTHROW(hp::verify_grad(broadcast, {signed_uniform(0.1, 1)({2, 3}, hp::float32, 8), hp::Array(0.5f),
                                            any({3}, hp::float32, 9)}));
}

TEST_CASE("verify_grad passes for casts between float64 and float32") {
  // A float32 output of a float64 input is measured with the float32 step and tolerances.
  const Fn narrow = [](const Inputs& x) { return hp::sqr(hp::cast(x[0], hp::float32)); };
  CHECK_NOTHROW(hp::verify_grad(narrow, {uniform(-2, 2)({2, 3}, hp::float64, 10)}));
  const Fn widen = [](const Inputs& x) { return hp::exp(hp::cast(x[0], hp::float64)); };
  CHECK_NOTHROW(hp::verify_grad(widen, {uniform(-2, 2)({2, 3}, hp::float32, 11)}));
  const Fn mixed = [](const Inputs& x) { return x[0] * x[1]; };  // float32 * float64 -> float64
  CHECK_NOTHROW(hp::verify_grad(
      mixed, {uniform(-2, 2)({2, 3}, hp::float32, 12), uniform(-2, 2)({2, 3}, hp::float64, 13)}));
}

// ============================================================================
// Reductions
// ============================================================================

namespace {

struct Reduction {
  const char* name;
  hp::Var (*all)(const hp::Var&);
  hp::Var (*axes)(const hp::Var&, const std::vector<int>&, bool);
  Generator x;
};

const std::vector<Reduction> kReductions = {
    {"sum", hp::sum, hp::sum, uniform(-2, 2)},
    {"mean", hp::mean, hp::mean, uniform(-2, 2)},
    {"max", hp::max, hp::max, uniform(-2, 2)},  // distinct values: no ties
    {"min", hp::min, hp::min, uniform(-2, 2)},
    {"prod", hp::prod, hp::prod, signed_uniform(0.5, 1.5)},  // no zeros
    {"var", [](const hp::Var& x) { return hp::var(x); },
     [](const hp::Var& x, const std::vector<int>& a, bool k) { return hp::var(x, a, k); }, uniform(-2, 2)},
    {"var with ddof 1",
     [](const hp::Var& x) {
       std::vector<int> every(static_cast<std::size_t>(x.ndim()));
       for (int a = 0; a < x.ndim(); ++a) every[static_cast<std::size_t>(a)] = a;
       return hp::var(x, every, false, 1);
     },
     [](const hp::Var& x, const std::vector<int>& a, bool k) { return hp::var(x, a, k, 1); }, uniform(-2, 2)},
    {"std", [](const hp::Var& x) { return hp::std(x); },
     [](const hp::Var& x, const std::vector<int>& a, bool k) { return hp::std(x, a, k, 1); }, uniform(-2, 2)},
    {"logsumexp", [](const hp::Var& x) { return hp::logsumexp(x); },
     [](const hp::Var& x, const std::vector<int>& a, bool k) { return hp::logsumexp(x, a, k); }, uniform(-3, 3)},
    {"norm 1", [](const hp::Var& x) { return hp::norm(x, 1); },
     [](const hp::Var& x, const std::vector<int>& a, bool k) { return hp::norm(x, 1, a, k); },
     signed_uniform(0.2, 2)},
    {"norm 2", [](const hp::Var& x) { return hp::norm(x); },
     [](const hp::Var& x, const std::vector<int>& a, bool k) { return hp::norm(x, 2, a, k); }, uniform(-2, 2)},
    {"norm inf", [](const hp::Var& x) { return hp::norm(x, INFINITY); },
     [](const hp::Var& x, const std::vector<int>& a, bool k) { return hp::norm(x, INFINITY, a, k); },
     signed_uniform(0.2, 2)},
    {"norm 3", [](const hp::Var& x) { return hp::norm(x, 3); },
     [](const hp::Var& x, const std::vector<int>& a, bool k) { return hp::norm(x, 3, a, k); },
     signed_uniform(0.2, 2)},
};

}  // namespace

TEST_CASE("verify_grad passes for every reduction over all axes and over some, with and without keepdims") {
  for (const hp::DType dtype : {hp::float64, hp::float32}) {
    for (const Reduction& r : kReductions) {
      INFO(r.name, " ", hp::dtype_name(dtype));
      const hp::Array m = r.x({3, 4}, dtype, 14);
      const hp::Array t = r.x({2, 3, 4}, dtype, 15);
      CHECK_NOTHROW(hp::verify_grad([&](const Inputs& x) { return r.all(x[0]); }, {m}));
      CHECK_NOTHROW(hp::verify_grad([&](const Inputs& x) { return r.all(x[0]); }, {t}));
      CHECK_NOTHROW(hp::verify_grad([&](const Inputs& x) { return r.all(x[0]); }, {r.x({5}, dtype, 16)}));
      for (const std::vector<int>& axes : std::vector<std::vector<int>>{{0}, {1}, {-1}, {0, 1}}) {
        for (const bool keepdims : {false, true}) {
          INFO("matrix, axes ", axes.size(), " from ", axes[0], ", keepdims ", keepdims);
          CHECK_NOTHROW(hp::verify_grad([&](const Inputs& x) { return r.axes(x[0], axes, keepdims); }, {m}));
        }
      }
      for (const std::vector<int>& axes : std::vector<std::vector<int>>{{1}, {0, 2}, {2, 1}}) {
        INFO("tensor3, axes from ", axes[0]);
        CHECK_NOTHROW(hp::verify_grad([&](const Inputs& x) { return r.axes(x[0], axes, false); }, {t}));
        CHECK_NOTHROW(hp::verify_grad([&](const Inputs& x) { return r.axes(x[0], axes, true); }, {t}));
      }
    }
  }
}

TEST_CASE("verify_grad passes for prod where a group holds one zero or two") {
  // prod is a polynomial: smooth at zero, so finite differences hold there too.
  const hp::Array m = hp::array({{0.0, 1.5, -0.7, 1.2}, {0.0, 0.9, 0.0, 1.1}, {0.8, -1.3, 0.6, 1.4}});
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::prod(x[0], 1); }, {m}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::prod(x[0], 0, true); }, {m}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::prod(x[0]); }, {hp::array({0.0, 1.5, -0.7})}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::prod(x[0], 1); }, {m.astype(hp::float32)}));
  // Second derivatives at a zero.
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::grad(hp::prod(x[0]), x[0]); },
                                {hp::array({0.0, 1.5, -0.7, 2.0})}));
}

TEST_CASE("verify_grad passes for a reduction of a broadcast row and a keepdims result broadcast back") {
  // sum over axis 0 of (row + matrix), and x - max(x, keepdims) (a softmax's first step).
  CHECK_NOTHROW(
      hp::verify_grad([](const Inputs& x) { return hp::sum(as_row(x[0]) * x[1], 0); },
                      {uniform(-2, 2)({3}, hp::float64, 17), uniform(-2, 2)({2, 3}, hp::float64, 18)}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::exp(x[0] - hp::max(x[0], 1, true)); },
                                {uniform(-2, 2)({3, 4}, hp::float64, 19)}));
  CHECK_NOTHROW(hp::verify_grad(
      [](const Inputs& x) {
        return x[0] / hp::mean(x[0], {0, 1}, true);
      },
      {uniform(0.5, 2)({3, 4}, hp::float64, 20)}));
}

// ============================================================================
// Dot
// ============================================================================

TEST_CASE("verify_grad passes for dot at every rank combination") {
  const Generator g = uniform(-2, 2);
  const Fn dot = [](const Inputs& x) { return hp::dot(x[0], x[1]); };
  for (const hp::DType dtype : {hp::float64, hp::float32}) {
    INFO(hp::dtype_name(dtype));
    CHECK_NOTHROW(hp::verify_grad(dot, {g({2, 3}, dtype, 21), g({3, 4}, dtype, 22)}));  // matrix . matrix
    CHECK_NOTHROW(hp::verify_grad(dot, {g({2, 3}, dtype, 23), g({3}, dtype, 24)}));     // matrix . vector
    CHECK_NOTHROW(hp::verify_grad(dot, {g({3}, dtype, 25), g({3, 4}, dtype, 26)}));     // vector . matrix
    CHECK_NOTHROW(hp::verify_grad(dot, {g({3}, dtype, 27), g({3}, dtype, 28)}));        // vector . vector
    CHECK_NOTHROW(hp::verify_grad(dot, {g({}, dtype, 29), g({2, 3}, dtype, 30)}));      // scalar . matrix
    CHECK_NOTHROW(hp::verify_grad(dot, {g({3}, dtype, 31), g({}, dtype, 32)}));         // vector . scalar
  }
}

TEST_CASE("verify_grad passes for dot of broadcastable and transposed operands") {
  const Generator g = uniform(-2, 2);
  // A column times a row: an outer product whose operands have broadcastable axes.
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::dot(as_col(x[0]), as_row(x[1])); },
                                {g({3}, hp::float64, 33), g({4}, hp::float64, 34)}));
  // A row times a matrix: a (1, 4) result.
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::dot(as_row(x[0]), x[1]); },
                                {g({3}, hp::float64, 35), g({3, 4}, hp::float64, 36)}));
  // a^T . b and a . b^T
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::dot(hp::transpose(x[0]), x[1]); },
                                {g({3, 2}, hp::float64, 37), g({3, 4}, hp::float64, 38)}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::dot(x[0], hp::transpose(x[1])); },
                                {g({2, 3}, hp::float64, 39), g({4, 3}, hp::float64, 40)}));
  // The same operand on both sides: x'x.
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::dot(hp::transpose(x[0]), x[0]); },
                                {g({3, 2}, hp::float64, 41)}));
}

// ============================================================================
// Shape ops
// ============================================================================

TEST_CASE("verify_grad passes for dimshuffle: permutations, new axes and dropped broadcastable axes") {
  const Generator g = uniform(-2, 2);
  const hp::Array m = g({2, 3}, hp::float64, 42);
  const hp::Array t = g({2, 3, 4}, hp::float64, 43);
  const hp::Array v = g({3}, hp::float64, 44);
  auto shuffled = [](std::vector<int> pattern) {
    return Fn([pattern](const Inputs& x) { return hp::dimshuffle(x[0], pattern); });
  };
  CHECK_NOTHROW(hp::verify_grad(shuffled({1, 0}), {m}));
  CHECK_NOTHROW(hp::verify_grad(shuffled({2, 0, 1}), {t}));
  CHECK_NOTHROW(hp::verify_grad(shuffled({1, 2, 0}), {t}));
  CHECK_NOTHROW(hp::verify_grad(shuffled({0, hp::newaxis, 1}), {m}));
  CHECK_NOTHROW(hp::verify_grad(shuffled({hp::newaxis, 1, hp::newaxis, 0}), {m}));
  CHECK_NOTHROW(hp::verify_grad(shuffled({hp::newaxis, 0}), {v}));
  // Drop the broadcastable axis of a row, and of a (1, 1) matrix made from a scalar.
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::dimshuffle(as_row(x[0]), {1}); }, {v}));
  CHECK_NOTHROW(hp::verify_grad(
      [](const Inputs& x) {
        return hp::dimshuffle(hp::dimshuffle(x[0], {hp::newaxis, hp::newaxis}), {});
      },
      {hp::Array(0.7)}));
  // A new axis that then broadcasts against a matrix.
  CHECK_NOTHROW(
      hp::verify_grad([](const Inputs& x) { return as_col(x[0]) * x[1]; }, {g({2}, hp::float64, 45), m}));
  CHECK_NOTHROW(hp::verify_grad(shuffled({2, 0, 1}), {g({2, 3, 4}, hp::float32, 46)}));
}

TEST_CASE("verify_grad passes for transpose, with and without a permutation") {
  const Generator g = uniform(-2, 2);
  CHECK_NOTHROW(
      hp::verify_grad([](const Inputs& x) { return hp::transpose(x[0]); }, {g({2, 3}, hp::float64, 47)}));
  CHECK_NOTHROW(
      hp::verify_grad([](const Inputs& x) { return hp::transpose(x[0]); }, {g({2, 3, 4}, hp::float64, 48)}));
  CHECK_NOTHROW(hp::verify_grad(
      [](const Inputs& x) {
        return hp::transpose(x[0], {1, 0, 2});
      },
      {g({2, 3, 4}, hp::float64, 49)}));
  CHECK_NOTHROW(hp::verify_grad(
      [](const Inputs& x) {
        return hp::transpose(x[0], {-1, 0, 1});
      },
      {g({2, 3, 4}, hp::float64, 50)}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::transpose(x[0]) * x[1]; },
                                {g({2, 3}, hp::float32, 51), g({3, 2}, hp::float32, 52)}));
}

TEST_CASE("verify_grad passes for reshape, including -1 and size-1 axes") {
  const Generator g = uniform(-2, 2);
  const hp::Array m = g({2, 3}, hp::float64, 53);
  for (const hp::Shape& shape : std::vector<hp::Shape>{{3, 2}, {6}, {1, 6}, {2, -1}, {3, 1, 2}, {-1}}) {
    INFO("reshape to rank ", shape.size(), " starting ", shape[0]);
    CHECK_NOTHROW(hp::verify_grad([&](const Inputs& x) { return hp::reshape(x[0], shape); }, {m}));
  }
  CHECK_NOTHROW(hp::verify_grad(
      [](const Inputs& x) {
        return hp::reshape(x[0], {4, 6});
      },
      {g({2, 3, 4}, hp::float64, 54)}));
  // A reshape to (1, 3) is a row: it broadcasts against a matrix.
  CHECK_NOTHROW(hp::verify_grad(
      [](const Inputs& x) {
        return hp::reshape(x[0], {1, 3}) * x[1];
      },
      {g({3}, hp::float64, 55), m}));
  CHECK_NOTHROW(hp::verify_grad(
      [](const Inputs& x) {
        return hp::reshape(x[0], {3, 2});
      },
      {g({2, 3}, hp::float32, 56)}));
}

TEST_CASE("verify_grad passes for flatten to every rank") {
  const hp::Array t = uniform(-2, 2)({2, 3, 4}, hp::float64, 57);
  for (const int ndim : {1, 2, 3}) {
    INFO("flatten to rank ", ndim);
    CHECK_NOTHROW(hp::verify_grad([&](const Inputs& x) { return hp::flatten(x[0], ndim); }, {t}));
  }
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::flatten(x[0]); },
                                {uniform(-2, 2)({2, 3}, hp::float32, 58)}));
}

TEST_CASE("verify_grad passes for concatenate along each axis, of two, three and repeated parts") {
  const Generator g = uniform(-2, 2);
  const Fn two0 = [](const Inputs& x) { return hp::concatenate({x[0], x[1]}, 0); };
  CHECK_NOTHROW(hp::verify_grad(two0, {g({2, 3}, hp::float64, 59), g({1, 3}, hp::float64, 60)}));
  const Fn two1 = [](const Inputs& x) { return hp::concatenate({x[0], x[1]}, 1); };
  CHECK_NOTHROW(hp::verify_grad(two1, {g({2, 3}, hp::float64, 61), g({2, 2}, hp::float64, 62)}));
  const Fn last = [](const Inputs& x) { return hp::concatenate({x[0], x[1]}, -1); };
  CHECK_NOTHROW(hp::verify_grad(last, {g({2, 1, 2}, hp::float64, 63), g({2, 1, 3}, hp::float64, 64)}));
  const Fn three = [](const Inputs& x) { return hp::concatenate({x[0], x[1], x[2]}); };
  CHECK_NOTHROW(
      hp::verify_grad(three, {g({2}, hp::float64, 65), g({3}, hp::float64, 66), g({1}, hp::float64, 67)}));
  const Fn twice = [](const Inputs& x) { return hp::concatenate({x[0], hp::exp(x[0]), x[0]}); };
  CHECK_NOTHROW(hp::verify_grad(twice, {g({3}, hp::float64, 68)}));
  // A row (broadcastable first axis) stacked on a matrix.
  const Fn row_on_matrix = [](const Inputs& x) { return hp::concatenate({as_row(x[0]), x[1]}, 0); };
  CHECK_NOTHROW(hp::verify_grad(row_on_matrix, {g({3}, hp::float64, 69), g({2, 3}, hp::float64, 70)}));
  CHECK_NOTHROW(hp::verify_grad(two1, {g({2, 3}, hp::float32, 71), g({2, 2}, hp::float32, 72)}));
}

// ============================================================================
// Indexing
// ============================================================================

namespace {

const std::vector<std::pair<const char*, std::vector<hp::Index>>> kIndexings = {
    {"x[1]", {std::int64_t{1}}},
    {"x[-1]", {std::int64_t{-1}}},
    {"x[1:3]", {hp::slice(1, 3)}},
    {"x[::-1]", {hp::slice(std::nullopt, std::nullopt, -1)}},
    {"x[:, 2]", {hp::slice(), std::int64_t{2}}},
    {"x[0, 1]", {std::int64_t{0}, std::int64_t{1}}},
    {"x[::2, 1:]", {hp::slice(std::nullopt, std::nullopt, 2), hp::slice(1)}},
    {"x[1:, ::-2]", {hp::slice(1), hp::slice(std::nullopt, std::nullopt, -2)}},
};

}  // namespace

TEST_CASE("verify_grad passes for subtensor with integers, slices, steps and negative indices") {
  const hp::Array m = uniform(-2, 2)({3, 4}, hp::float64, 73);
  const hp::Array t = uniform(-2, 2)({3, 4, 2}, hp::float64, 74);
  for (const auto& [label, indices] : kIndexings) {
    INFO(label);
    CHECK_NOTHROW(hp::verify_grad([&](const Inputs& x) { return hp::subtensor(x[0], indices); }, {m}));
    CHECK_NOTHROW(hp::verify_grad([&](const Inputs& x) { return hp::subtensor(x[0], indices); }, {t}));
  }
  // Overlapping selections of one tensor add up.
  CHECK_NOTHROW(hp::verify_grad(
      [](const Inputs& x) {
        return hp::subtensor(x[0], {hp::slice(0, 2)}) * hp::subtensor(x[0], {hp::slice(1, 3)});
      },
      {m}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::subtensor(x[0], {hp::slice(1, 3)}); },
                                {uniform(-2, 2)({3, 4}, hp::float32, 75)}));
}

namespace {

/// The value shapes tried for each region: the region's own, and broadcast ones.
struct UpdateCase {
  const char* label;
  std::vector<hp::Index> indices;
  hp::Shape y_shape;
  hp::Var (*y_view)(const hp::Var&);
};

const std::vector<UpdateCase> kUpdateCases = {
    {"x[1:3] = matrix", {hp::slice(1, 3)}, {2, 4}, as_is},
    {"x[1:3] = vector (each row)", {hp::slice(1, 3)}, {4}, as_is},
    {"x[1:3] = row", {hp::slice(1, 3)}, {4}, as_row},
    {"x[1:3] = col", {hp::slice(1, 3)}, {2}, as_col},
    {"x[1:3] = scalar", {hp::slice(1, 3)}, {}, as_is},
    {"x[1] = vector", {std::int64_t{1}}, {4}, as_is},
    {"x[:, 2] = vector", {hp::slice(), std::int64_t{2}}, {3}, as_is},
    {"x[0, 1] = scalar", {std::int64_t{0}, std::int64_t{1}}, {}, as_is},
    {"x[::-2, 1:3] = matrix", {hp::slice(std::nullopt, std::nullopt, -2), hp::slice(1, 3)}, {2, 2}, as_is},
};

void check_updates(hp::Var (*update)(const hp::Var&, const hp::Var&), hp::DType dtype) {
  const Generator g = uniform(-2, 2);
  for (const UpdateCase& c : kUpdateCases) {
    INFO(c.label, " ", hp::dtype_name(dtype));
    // The result's elements are squared so that the gradient of x depends on which were replaced.
    const Fn fn = [&](const Inputs& x) {
      return hp::sqr(update(hp::subtensor(x[0], c.indices), c.y_view(x[1])));
    };
    CHECK_NOTHROW(hp::verify_grad(fn, {g({3, 4}, dtype, 76), g(c.y_shape, dtype, 77)}));
  }
}

}  // namespace

TEST_CASE("verify_grad passes for set_subtensor, for the tensor and the value, broadcast or not") {
  check_updates(hp::set_subtensor, hp::float64);
  check_updates(hp::set_subtensor, hp::float32);
}

TEST_CASE("verify_grad passes for inc_subtensor, for the tensor and the value, broadcast or not") {
  check_updates(hp::inc_subtensor, hp::float64);
  check_updates(hp::inc_subtensor, hp::float32);
}

// ============================================================================
// Softmax and compositions
// ============================================================================

TEST_CASE("verify_grad passes for softmax of vectors and matrices, small and large values") {
  const Fn softmax = [](const Inputs& x) { return hp::softmax(x[0]); };
  CHECK_NOTHROW(hp::verify_grad(softmax, {uniform(-2, 2)({5}, hp::float64, 78)}));
  CHECK_NOTHROW(hp::verify_grad(softmax, {uniform(-2, 2)({3, 4}, hp::float64, 79)}));
  CHECK_NOTHROW(hp::verify_grad(softmax, {uniform(-2, 2)({2, 3, 4}, hp::float64, 80)}));
  CHECK_NOTHROW(hp::verify_grad(softmax, {uniform(-30, 30)({3, 4}, hp::float64, 81)}));
  CHECK_NOTHROW(hp::verify_grad(softmax, {uniform(-2, 2)({3, 4}, hp::float32, 82)}));
  // Softmax of a matrix plus a broadcast row of biases, then its log.
  CHECK_NOTHROW(
      hp::verify_grad([](const Inputs& x) { return hp::log(hp::softmax(x[0] + as_row(x[1]))); },
                      {uniform(-2, 2)({3, 4}, hp::float64, 83), uniform(-1, 1)({4}, hp::float64, 84)}));
}

// ============================================================================
// Cumulative ops and sort
// ============================================================================

/// Distinct values at least 0.25 apart, in shuffled order: finite differences
/// never swap two of them, so sort's permutation is fixed around the point.
Generator spread_out() {
  return [](const hp::Shape& shape, hp::DType dtype, unsigned seed) {
    hp::Array a(shape, dtype);
    std::vector<double> values(static_cast<std::size_t>(a.size()));
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.25 * static_cast<double>(i) - 1.0;
    std::shuffle(values.begin(), values.end(), std::mt19937(seed));
    for (std::int64_t i = 0; i < a.size(); ++i) a.set_flat_double(i, values[static_cast<std::size_t>(i)]);
    return a;
  };
}

TEST_CASE("verify_grad passes for cumsum over each axis, a negative axis and the flattened tensor") {
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    INFO(hp::dtype_name(dtype));
    CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::cumsum(x[0], 0); },
                                  {uniform(-2, 2)({5}, dtype, 90)}));
    for (int axis : {0, 1, -1}) {
      INFO("axis ", axis);
      CHECK_NOTHROW(hp::verify_grad([axis](const Inputs& x) { return hp::cumsum(x[0], axis); },
                                    {uniform(-2, 2)({3, 4}, dtype, 91)}));
    }
    CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::cumsum(x[0], 1); },
                                  {uniform(-2, 2)({2, 3, 4}, dtype, 92)}));
    CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::cumsum(x[0]); },
                                  {uniform(-2, 2)({3, 4}, dtype, 93)}));
  }
}

TEST_CASE("verify_grad passes for cumprod away from zero over each axis and the flattened tensor") {
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    INFO(hp::dtype_name(dtype));
    CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::cumprod(x[0], 0); },
                                  {signed_uniform(0.5, 1.5)({5}, dtype, 94)}));
    for (int axis : {0, 1, -2}) {
      INFO("axis ", axis);
      CHECK_NOTHROW(hp::verify_grad([axis](const Inputs& x) { return hp::cumprod(x[0], axis); },
                                    {signed_uniform(0.5, 1.5)({3, 4}, dtype, 95)}));
    }
    CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::cumprod(x[0], 2); },
                                  {signed_uniform(0.5, 1.5)({2, 3, 4}, dtype, 96)}));
    CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::cumprod(x[0]); },
                                  {signed_uniform(0.5, 1.5)({2, 3}, dtype, 97)}));
  }
}

TEST_CASE("verify_grad passes for sort of distinct values along each axis") {
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    INFO(hp::dtype_name(dtype));
    CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::sort(x[0]); }, {spread_out()({6}, dtype, 98)}));
    for (int axis : {0, 1, -1}) {
      INFO("axis ", axis);
      CHECK_NOTHROW(hp::verify_grad([axis](const Inputs& x) { return hp::sort(x[0], axis); },
                                    {spread_out()({3, 4}, dtype, 99)}));
    }
    CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::sort(x[0], 1); },
                                  {spread_out()({2, 3, 4}, dtype, 100)}));
    // sort of a product: the gradient flows through the permutation into both factors.
    CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::sort(x[0] * 2.0, 0) * x[0]; },
                                  {spread_out()({5}, dtype, 101)}));
  }
}

TEST_CASE("verify_grad passes for a two-layer network with a softmax output and a mean cross-entropy") {
  const Fn network = [](const Inputs& x) {
    const hp::Var hidden = hp::tanh(hp::dot(x[0], x[1]) + as_row(x[2]));
    const hp::Var probs = hp::softmax(hp::dot(hidden, x[3]));
    return -hp::mean(hp::sum(hp::log(probs) * x[4], 1));
  };
  const Generator g = uniform(-1, 1);
  const hp::Array targets = hp::array({{1., 0., 0.}, {0., 0., 1.}, {0., 1., 0.}, {1., 0., 0.}});
  CHECK_NOTHROW(hp::verify_grad(network, {g({4, 2}, hp::float64, 85), g({2, 5}, hp::float64, 86),
                                          g({5}, hp::float64, 87), g({5, 3}, hp::float64, 88), targets}));
}

// ============================================================================
// verify_grad itself
// ============================================================================

TEST_CASE("verify_grad returns quietly when the gradient is right") {
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::pow(x[0], 3) * x[1]; },
                                {hp::array({1., -2., 0.5}), hp::array({0.25, 3., -1.})}));
}

TEST_CASE("verify_grad raises naming the input and the element where relu is differentiated at its kink") {
  // relu'(0) is 0 symbolically, but the central difference is 1/2.
  const Fn fn = [](const Inputs& x) { return x[0] * hp::relu(x[1]); };
  const std::vector<hp::Array> points{hp::array({1., 2., 3.}), hp::array({0.5, -0.3, 0.})};
  CHECK_THROWS_AS(hp::verify_grad(fn, points), hp::Error);
  CHECK_THROWS_WITH(hp::verify_grad(fn, points), doctest::Contains("input 1"));
  CHECK_THROWS_WITH(hp::verify_grad(fn, points), doctest::Contains("element 2"));
}

TEST_CASE("verify_grad raises at a tie of maximum, where the symbolic gradient goes to both sides") {
  const Fn fn = [](const Inputs& x) { return hp::maximum(x[0], x[1]); };
  CHECK_THROWS_WITH_AS(hp::verify_grad(fn, {hp::array({1., 2.}), hp::array({0., 2.})}),
                       doctest::Contains("element 1"), hp::Error);
}

TEST_CASE("verify_grad raises at a jump of mod, and the message gives both values") {
  const Fn fn = [](const Inputs& x) { return x[0] % 1.0; };
  CHECK_THROWS_WITH_AS(hp::verify_grad(fn, {hp::array({0.5, 2.0, 0.25})}),
                       doctest::Contains("element 1: symbolic"), hp::Error);
  CHECK_THROWS_WITH_AS(hp::verify_grad(fn, {hp::array({0.5, 2.0, 0.25})}), doctest::Contains("numeric"),
                       hp::Error);
}

TEST_CASE("verify_grad uses the step and tolerances it is given") {
  // With a step of 0.5, the central difference of x^3 is off by eps^2 = 0.25.
  const Fn cube = [](const Inputs& x) { return hp::pow(x[0], 3); };
  const std::vector<hp::Array> points{hp::array({1.0, 2.0})};
  CHECK_THROWS_AS(hp::verify_grad(cube, points, {.eps = 0.5}), hp::Error);
  CHECK_NOTHROW(hp::verify_grad(cube, points, {.eps = 0.5, .rtol = 1e-9, .atol = 0.3}));
}

TEST_CASE("verify_grad checks several random projections of a tensor output") {
  const Fn fn = [](const Inputs& x) { return hp::exp(x[0]) * x[1]; };
  const std::vector<hp::Array> points{uniform(-1, 1)({2, 3}, hp::float64, 89),
                                      uniform(-1, 1)({2, 3}, hp::float64, 90)};
  CHECK_NOTHROW(hp::verify_grad(fn, points, {.n_tests = 5, .seed = 7}));
}

TEST_CASE("verify_grad refuses integer points with a TypeError") {
  CHECK_THROWS_AS(hp::verify_grad([](const Inputs& x) { return x[0] * 2; }, {hp::array({1, 2, 3})}),
                  hp::TypeError);
}

TEST_CASE("verify_grad raises an hp::Error when fn returns a null Var") {
  CHECK_THROWS_AS(hp::verify_grad([](const Inputs&) { return hp::Var(); }, {hp::array({1., 2.})}), hp::Error);
}

TEST_CASE("verify_grad passes when an input does not influence the output") {
  // The unused input's gradient is zero, and so are its finite differences.
  CHECK_NOTHROW(
      hp::verify_grad([](const Inputs& x) { return x[0] * 2; }, {hp::array({1., 2.}), hp::array({3.})}));
}

// ============================================================================
// Second derivatives: verify_grad of gradient graphs, which differentiates the
// ops that gradients are built from (second, where, ReshapeLike, JoinPart,
// inc/set_subtensor, the reductions' spreads, dot's transposes)
// ============================================================================

namespace {

/// fn(x, w) = d/dx sum(f(x) * w): its own gradient is a second derivative of f.
Fn gradient_of(hp::Var (*f)(const hp::Var&)) {
  return [f](const Inputs& x) { return hp::grad(hp::sum(f(x[0]) * x[1]), x[0]); };
}

hp::Var cube(const hp::Var& x) { return hp::pow(x, 3); }
hp::Var reciprocal(const hp::Var& x) { return 1.0 / x; }
hp::Var square_max(const hp::Var& x) { return hp::sqr(hp::max(x, 1, true)); }
hp::Var square_mean(const hp::Var& x) { return hp::sqr(hp::mean(x, 0)); }
hp::Var prod_rows(const hp::Var& x) { return hp::prod(x, 1, true); }
hp::Var gram(const hp::Var& x) { return hp::dot(x, hp::transpose(x)); }
hp::Var square_reshaped(const hp::Var& x) { return hp::reshape(hp::sqr(hp::reshape(x, {3, 2})), {2, 3}); }
hp::Var square_flattened(const hp::Var& x) { return hp::reshape(hp::exp(hp::flatten(x)), {2, 3}); }
hp::Var square_transposed(const hp::Var& x) { return hp::transpose(hp::sqr(hp::transpose(x))); }
hp::Var joined_with_itself(const hp::Var& x) {
  return hp::subtensor(hp::sqr(hp::concatenate({x, hp::tanh(x)}, 1)), {hp::slice(), hp::slice(1, 4)});
}
hp::Var squared_rows(const hp::Var& x) {
  return hp::inc_subtensor(hp::subtensor(x, {hp::slice(0, 1)}), hp::sqr(hp::subtensor(x, {std::int64_t{1}})));
}
hp::Var replaced_rows(const hp::Var& x) {
  return hp::sqr(
      hp::set_subtensor(hp::subtensor(x, {std::int64_t{0}}), hp::exp(hp::subtensor(x, {std::int64_t{1}}))));
}
hp::Var softmax_squared(const hp::Var& x) { return hp::sqr(hp::softmax(x)); }
hp::Var smooth_ops(const hp::Var& x) {
  return hp::tanh(x) + hp::sigmoid(x) * hp::softplus(x) + hp::log(hp::sqrt(hp::sqr(x) + 1)) +
         hp::log1p(hp::exp(x));
}

}  // namespace

TEST_CASE("verify_grad passes on the gradient graphs of each op family (second derivatives)") {
  struct Case {
    const char* label;
    hp::Var (*f)(const hp::Var&);
    hp::Shape weight_shape;  // the shape of f's output
  };
  const std::vector<Case> cases = {
      {"cube", cube, {2, 3}},
      {"reciprocal", reciprocal, {2, 3}},
      {"tanh, sigmoid, softplus, log, sqrt, log1p, exp", smooth_ops, {2, 3}},
      {"max(x, 1, keepdims)^2", square_max, {2, 1}},
      {"mean(x, 0)^2", square_mean, {3}},
      {"prod(x, 1, keepdims)", prod_rows, {2, 1}},
      {"x x^T", gram, {2, 2}},
      {"reshape", square_reshaped, {2, 3}},
      {"flatten", square_flattened, {2, 3}},
      {"transpose", square_transposed, {2, 3}},
      {"concatenate", joined_with_itself, {2, 3}},
      {"inc_subtensor", squared_rows, {2, 3}},
      {"set_subtensor", replaced_rows, {2, 3}},
      {"softmax", softmax_squared, {2, 3}},
  };
  const hp::Array x = signed_uniform(0.5, 1.5)({2, 3}, hp::float64, 91);
  for (const Case& c : cases) {
    INFO(c.label);
    CHECK_NOTHROW(hp::verify_grad(gradient_of(c.f), {x, uniform(-1, 1)(c.weight_shape, hp::float64, 92)}));
  }
}

TEST_CASE("verify_grad passes on the gradient of a binary op with respect to each operand") {
  const Fn d_pow_base = [](const Inputs& x) { return hp::grad(hp::sum(hp::pow(x[0], x[1])), x[0]); };
  const Fn d_pow_exponent = [](const Inputs& x) { return hp::grad(hp::sum(hp::pow(x[0], x[1])), x[1]); };
  const Fn d_div = [](const Inputs& x) { return hp::grad(hp::sum(x[0] / x[1]), x[1]); };
  const Fn d_dot = [](const Inputs& x) { return hp::grad(hp::sum(hp::sqr(hp::dot(x[0], x[1]))), x[0]); };
  const hp::Array base = uniform(0.5, 2)({2, 3}, hp::float64, 96);
  const hp::Array exponent = uniform(-1, 2)({2, 3}, hp::float64, 97);
  CHECK_NOTHROW(hp::verify_grad(d_pow_base, {base, exponent}));
  CHECK_NOTHROW(hp::verify_grad(d_pow_exponent, {base, exponent}));
  CHECK_NOTHROW(hp::verify_grad(d_div, {exponent, base}));
  CHECK_NOTHROW(hp::verify_grad(
      d_dot, {uniform(-1, 1)({2, 3}, hp::float64, 98), uniform(-1, 1)({3, 4}, hp::float64, 99)}));
}

TEST_CASE("verify_grad passes on the gradient with respect to a broadcast row (a sum over rows)") {
  const Fn d_row = [](const Inputs& x) {
    const hp::Var row = as_row(x[1]);
    return hp::grad(hp::sum(hp::tanh(x[0] * row)), row);
  };
  CHECK_NOTHROW(hp::verify_grad(
      d_row, {uniform(-1, 1)({2, 3}, hp::float64, 100), uniform(-1, 1)({3}, hp::float64, 101)}));
}

TEST_CASE("gradients at ties and kinks are Theano's: maximum/minimum give g to both at a tie, abs 0 at 0, clip includes its bounds") {
  const hp::Var a = hp::vector("a"), b = hp::vector("b");
  const hp::Array av = hp::array({1.0, 2.0, 0.0}), bv = hp::array({1.0, 3.0, -1.0});
  const std::vector<std::pair<hp::Var, hp::Array>> given = {{a, av}, {b, bv}};
  const hp::Var mx = hp::sum(hp::maximum(a, b)), mn = hp::sum(hp::minimum(a, b));
  CHECK(hp::grad(mx, a).eval(given).to_vector<double>() == std::vector<double>{1, 0, 1});
  CHECK(hp::grad(mx, b).eval(given).to_vector<double>() == std::vector<double>{1, 1, 0});
  CHECK(hp::grad(mn, a).eval(given).to_vector<double>() == std::vector<double>{1, 1, 0});
  CHECK(hp::grad(hp::sum(hp::abs(a)), a).eval({{a, hp::array({-2.0, 0.0, 3.0})}}).to_vector<double>() ==
        std::vector<double>{-1, 0, 1});
  const hp::Var c = hp::sum(hp::clip(a, 0.0, 1.0));
  CHECK(hp::grad(c, a).eval({{a, hp::array({-0.5, 0.0, 0.5, 1.0, 1.5})}}).to_vector<double>() ==
        std::vector<double>{0, 1, 1, 1, 0});
  // switch_ is where, Theano's name.
  CHECK(hp::switch_(a > 0.5, a, b).eval(given).to_vector<double>() == std::vector<double>{1, 2, -1});
  // abs of the most negative integer wraps, as numpy.
  const hp::Var i = hp::vector("i", hp::int8);
  CHECK(hp::abs(i).eval({{i, hp::array({-128, -1}, hp::int8)}}).to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{-128, 1});
}
