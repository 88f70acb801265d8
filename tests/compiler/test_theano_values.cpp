// Values as Theano computes them (issue 16): the cases an independent check
// against PyTensor found wrong, each evaluated by FastRun's and FastCompile's
// compiled code, by the reference evaluator, and (where every value is
// finite: Debug raises on inf and NaN) in Debug mode. Every expected value is
// written out by hand (IEEE arithmetic, numpy and PyTensor agree on each).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/reference/evaluate.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Givens = std::vector<std::pair<hp::Var, hp::Array>>;

/// "" when `got` has this dtype, shape and exactly these values (NaN matches
/// NaN, and the sign of an infinity or a zero counts).
std::string exact(const hp::Array& got, hp::DType dtype, const hp::Shape& shape,
                  const std::vector<double>& values) {
  const std::string seen = hypatia_test::describe(got);
  if (got.dtype() != dtype || got.shape() != shape) {
    return "got " + seen + ", expected dtype " + std::string(hp::dtype_name(dtype));
  }
  const std::vector<double> v = got.to_vector<double>();
  if (v.size() != values.size()) return "got " + seen + ", wrong number of expected values";
  for (std::size_t i = 0; i < v.size(); ++i) {
    const bool same = std::isnan(values[i]) ? std::isnan(v[i])
                                            : v[i] == values[i] && std::signbit(v[i]) == std::signbit(values[i]);
    if (!same) return "got " + seen + ", element " + std::to_string(i) + " differs";
  }
  return "";
}

/// Checks `out` against the expected dtype, shape and values in every mode.
void check_every_mode(const hp::Var& out, const Givens& givens, hp::DType dtype, const hp::Shape& shape,
                      const std::vector<double>& values) {
  std::vector<hp::In> inputs;
  for (const auto& given : givens) inputs.emplace_back(given.first);
  const std::vector<hp::Array> args = hp::fit_givens(givens);
  bool finite = true;
  for (double v : values) finite = finite && std::isfinite(v);
  for (hp::Mode mode : {hp::Mode::FastRun, hp::Mode::FastCompile, hp::Mode::Debug}) {
    if (mode == hp::Mode::Debug && !finite) continue;
    INFO("mode ", static_cast<int>(mode));
    const hp::Function f = hp::compile(inputs, {out}, {.mode = mode});
    CHECK(exact(f.call(args)[0], dtype, shape, values) == "");
  }
  INFO("reference evaluator");
  CHECK(exact(hp::evaluate({out}, givens).front(), dtype, shape, values) == "");
}

}  // namespace

// ============================================================================
// Sums pass infinities and overflow through as IEEE addition does
// ============================================================================

TEST_CASE("a sum meeting an infinity is that infinity, in float64 and float32") {
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    hp::Var x = hp::vector("x", dtype);
    check_every_mode(hp::sum(x), {{x, hp::array({1., 2., kInf}, dtype)}}, dtype, {}, {kInf});
    check_every_mode(hp::sum(x), {{x, hp::array({kInf}, dtype)}}, dtype, {}, {kInf});
    check_every_mode(hp::sum(x), {{x, hp::array({-kInf, 5.}, dtype)}}, dtype, {}, {-kInf});
    check_every_mode(hp::sum(x), {{x, hp::array({kInf, -kInf}, dtype)}}, dtype, {}, {kNaN});
    check_every_mode(hp::mean(x), {{x, hp::array({1., kInf, 3.}, dtype)}}, dtype, {}, {kInf});
  }
}

TEST_CASE("a long sum meeting an infinity (the vectorised and blocked paths) is that infinity") {
  std::vector<double> values(50000, 0.5);
  values[777] = kInf;
  hp::Var x = hp::vector("x");
  check_every_mode(hp::sum(x), {{x, hp::array(values)}}, hp::float64, {}, {kInf});
  values[40000] = -kInf;
  check_every_mode(hp::sum(x), {{x, hp::array(values)}}, hp::float64, {}, {kNaN});
  // Rows of 25000: each is reduced in several blocks, then the blocks are combined.
  values[40000] = 0.5;
  hp::Var m = hp::matrix("m");
  check_every_mode(hp::sum(m, 1), {{m, hp::array(values, {2, 25000})}}, hp::float64, {2}, {kInf, 12500});
  // A fused reduction (the sum reads x * 2 in its own loop).
  check_every_mode(hp::sum(m * 2.0, 1), {{m, hp::array(values, {2, 25000})}}, hp::float64, {2}, {kInf, 25000});
}

TEST_CASE("a sum that overflows is inf, as IEEE addition in order") {
  hp::Var x = hp::vector("x");
  check_every_mode(hp::sum(x), {{x, hp::array({1e308, 1e308, 1.})}}, hp::float64, {}, {kInf});
  check_every_mode(hp::sum(x), {{x, hp::array({-1e308, -1e308, 1.})}}, hp::float64, {}, {-kInf});
  check_every_mode(hp::mean(x), {{x, hp::array({1e308, 1e308, 1.})}}, hp::float64, {}, {kInf});
  hp::Var f = hp::vector("f", hp::float32);
  // float32 sums run in double and round once: 3e38 + 3e38 is past float32's range.
  check_every_mode(hp::sum(f), {{f, hp::array({3e38, 3e38}, hp::float32)}}, hp::float32, {}, {kInf});
}

TEST_CASE("row and column sums with infinities, strided and transposed") {
  hp::Var m = hp::matrix("m");
  const hp::Array a = hp::array({{1., kInf, 2.}, {3., -kInf, 4.}, {kInf, -kInf, 0.}});
  check_every_mode(hp::sum(m, 1), {{m, a}}, hp::float64, {3}, {kInf, -kInf, kNaN});
  check_every_mode(hp::sum(m, 0), {{m, a}}, hp::float64, {3}, {kInf, kNaN, 6});
  check_every_mode(hp::sum(hp::transpose(m), 0), {{m, a}}, hp::float64, {3}, {kInf, -kInf, kNaN});
  check_every_mode(hp::mean(m, 1), {{m, a}}, hp::float64, {3}, {kInf, -kInf, kNaN});
}

TEST_CASE("sum(exp(x)) and log-sum-exp meeting inf are inf") {
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    hp::Var x = hp::vector("x", dtype);
    check_every_mode(hp::sum(hp::exp(x)), {{x, hp::array({1000., 0.}, dtype)}}, dtype, {}, {kInf});
    // Stabilised to max + log(sum(exp(x - max))); the max is inf, taken as 0.
    check_every_mode(hp::log(hp::sum(hp::exp(x))), {{x, hp::array({kInf, 0.}, dtype)}}, dtype, {}, {kInf});
  }
}

// ============================================================================
// Broadcast patterns: Subtensor and Join keep what Theano's keep
// ============================================================================

TEST_CASE("a slice of a broadcastable axis that keeps its one element stays broadcastable") {
  hp::Var r = hp::row("r");
  CHECK(hp::subtensor(r, {hp::slice(0, 1)}).broadcastable() == std::vector<bool>{true, false});
  CHECK(hp::subtensor(r, {hp::slice(std::nullopt, 5)}).broadcastable() == std::vector<bool>{true, false});
  CHECK(hp::subtensor(r, {hp::slice(-1)}).broadcastable() == std::vector<bool>{true, false});
  CHECK(hp::subtensor(r, {hp::slice(std::nullopt, std::nullopt, -1)}).broadcastable() ==
        std::vector<bool>{true, false});
  // These may select nothing: not broadcastable.
  CHECK(hp::subtensor(r, {hp::slice(1)}).broadcastable() == std::vector<bool>{false, false});
  CHECK(hp::subtensor(r, {hp::slice(0, 0)}).broadcastable() == std::vector<bool>{false, false});
  CHECK(hp::subtensor(r, {hp::slice(0, -1)}).broadcastable() == std::vector<bool>{false, false});
  CHECK(hp::subtensor(r, {hp::slice(std::nullopt, -1, -1)}).broadcastable() == std::vector<bool>{false, false});
}

TEST_CASE("x_row[0:1] + M broadcasts the row over M's rows") {
  hp::Var r = hp::row("r"), M = hp::matrix("M");
  check_every_mode(hp::subtensor(r, {hp::slice(0, 1)}) + M,
                   {{r, hp::array({{1., 2., 3.}})}, {M, hp::array({{10., 20., 30.}, {40., 50., 60.}})}},
                   hp::float64, {2, 3}, {11, 22, 33, 41, 52, 63});
  // An empty selection of the row's axis is length 0, whatever the pattern says elsewhere.
  hp::Var empty = hp::subtensor(r, {hp::slice(1)});
  check_every_mode(empty * 2.0, {{r, hp::array({{1., 2., 3.}})}}, hp::float64, {0, 3}, {});
}

TEST_CASE("concatenate keeps an axis broadcastable where one operand is") {
  hp::Var r = hp::row("r"), s = hp::matrix("s"), M = hp::matrix("M");
  hp::Var joined = hp::concatenate({r, s}, 1);
  CHECK(joined.broadcastable() == std::vector<bool>{true, false});
  check_every_mode(joined + M,
                   {{r, hp::array({{1., 2.}})}, {s, hp::array({{3.}})},
                    {M, hp::array({{10., 20., 30.}, {40., 50., 60.}})}},
                   hp::float64, {2, 3}, {11, 22, 33, 41, 52, 63});
  // The joined axis itself is never broadcastable, and the others must still agree.
  CHECK(hp::concatenate({r, r}, 0).broadcastable() == std::vector<bool>{false, false});
  const hp::Function f = hp::compile({r, s}, {joined});
  CHECK_THROWS_AS(f(hp::array({{1., 2.}}), hp::array({{3.}, {4.}})), hp::ShapeError);
}

// ============================================================================
// set_subtensor / inc_subtensor cast the value to the destination's dtype
// ============================================================================

TEST_CASE("set_subtensor casts the value to the destination's dtype, as Theano") {
  hp::Var x = hp::vector("x", hp::int8), v = hp::vector("v", hp::int32);
  hp::Var r = hp::set_subtensor(hp::subtensor(x, {hp::slice(1)}), v);
  CHECK(r.dtype() == hp::int8);
  // int32 300 wraps to int8 44 (300 - 256), as numpy's astype.
  check_every_mode(r, {{x, hp::array({1, 2, 3}, hp::int8)}, {v, hp::array({300, -1}, hp::int32)}}, hp::int8, {3},
                   {1, 44, -1});
  hp::Var f = hp::vector("f", hp::float32), d = hp::vector("d");
  check_every_mode(hp::set_subtensor(hp::subtensor(f, {hp::slice(0, 2)}), d),
                   {{f, hp::array({1., 2., 3.}, hp::float32)}, {d, hp::array({0.5, -4.})}}, hp::float32, {3},
                   {0.5, -4, 3});
}

TEST_CASE("inc_subtensor casts the value to the destination's dtype, as Theano") {
  hp::Var x = hp::vector("x", hp::float32), y = hp::scalar("y");
  hp::Var r = hp::inc_subtensor(hp::subtensor(x, {0}), y);
  CHECK(r.dtype() == hp::float32);
  check_every_mode(r, {{x, hp::array({1.5, 2.}, hp::float32)}, {y, hp::Array(0.25)}}, hp::float32, {2}, {1.75, 2});
  hp::Var b = hp::vector("b", hp::bool_), i = hp::vector("i", hp::int16);
  check_every_mode(hp::set_subtensor(hp::subtensor(b, {hp::slice()}), i),
                   {{b, hp::array({true, true, false})}, {i, hp::array({0, 7, -2}, hp::int16)}}, hp::bool_, {3},
                   {0, 1, 1});
}

// ============================================================================
// True division of integers gives floatX (Theano 1.0's TrueDiv)
// ============================================================================

TEST_CASE("integer / integer is floatX, computed in double") {
  hp::Var a = hp::vector("a", hp::int8), b = hp::vector("b", hp::int8);
  CHECK((a / b).dtype() == hp::float64);
  check_every_mode(a / b, {{a, hp::array({1, -7}, hp::int8)}, {b, hp::array({3, 2}, hp::int8)}}, hp::float64,
                   {2}, {0.3333333333333333, -3.5});
  hp::Var p = hp::vector("p", hp::bool_), q = hp::vector("q", hp::bool_);
  CHECK((p / q).dtype() == hp::float64);
  check_every_mode(p / q, {{p, hp::array({true, false, true})}, {q, hp::array({true, true, false})}}, hp::float64,
                   {3}, {1, 0, kInf});
  hp::Var u = hp::vector("u", hp::uint8), i = hp::vector("i", hp::int16);
  CHECK((u / 2).dtype() == hp::float64);
  CHECK((u / i).dtype() == hp::float64);
}

TEST_CASE("with floatX = float32, integer / integer is the double quotient rounded to float32") {
  const hp::DType old = hp::config().floatX;
  hp::config().floatX = hp::float32;
  hp::Var a = hp::vector("a", hp::int32), b = hp::vector("b", hp::int32);
  hp::Var q = a / b;
  hp::config().floatX = old;
  CHECK(q.dtype() == hp::float32);
  // float32(1/3) = 0.3333333432674408; 16777217 / 1 rounds once to 16777216.
  check_every_mode(q, {{a, hp::array({1, 16777217}, hp::int32)}, {b, hp::array({3, 1}, hp::int32)}}, hp::float32,
                   {2}, {0.3333333432674408, 16777216});
}

TEST_CASE("a float32 intermediate no longer changes values downstream: 10 % (x1 / x2)") {
  hp::Var x1 = hp::scalar("x1", hp::int8), x2 = hp::scalar("x2", hp::int8);
  // Python: 10 % (2 / -3) = -0.6666666666666661 (float32's 2/-3 gave -3e-7).
  check_every_mode(hp::mod(10, x1 / x2), {{x1, hp::Array(std::int8_t{2})}, {x2, hp::Array(std::int8_t{-3})}},
                   hp::float64, {}, {-0.6666666666666661});
}

// ============================================================================
// //, % and ** on two bools compute, as Theano and PyTensor
// ============================================================================

TEST_CASE("bool // bool and bool % bool are bool, bool ** bool is int8") {
  hp::Var p = hp::vector("p", hp::bool_), q = hp::vector("q", hp::bool_);
  CHECK(hp::int_div(p, q).dtype() == hp::bool_);
  CHECK((p % q).dtype() == hp::bool_);
  CHECK(hp::pow(p, q).dtype() == hp::int8);
  const Givens ones = {{p, hp::array({true, false, true, false})}, {q, hp::array({true, true, true, true})}};
  check_every_mode(hp::int_div(p, q), ones, hp::bool_, {4}, {1, 0, 1, 0});
  check_every_mode(p % q, ones, hp::bool_, {4}, {0, 0, 0, 0});
  check_every_mode(hp::pow(p, q),
                   {{p, hp::array({true, false, true, false})}, {q, hp::array({true, true, false, false})}},
                   hp::int8, {4}, {1, 0, 1, 1});
  // As integer division: dividing by False is dividing by zero.
  const hp::Function f = hp::compile({p, q}, {hp::int_div(p, q)});
  CHECK_THROWS_AS(f(hp::array({true}), hp::array({false})), hp::InvalidValueError);
  // - and unary - stay refused, as numpy and PyTensor refuse them.
  CHECK_THROWS_AS(p - q, hp::TypeError);
  CHECK_THROWS_AS(-p, hp::TypeError);
}

// ============================================================================
// clip and relu as Theano's
// ============================================================================

TEST_CASE("clip is Theano's x < lo ? lo : (x > hi ? hi : x), also where lo > hi") {
  hp::Var x = hp::vector("x"), lo = hp::vector("lo"), hi = hp::vector("hi");
  // lo = 5 > hi = 2: below lo gives lo (numpy's clip gives hi: 2, 2, 2), above lo gives hi.
  check_every_mode(hp::clip(x, lo, hi),
                   {{x, hp::array({-87., 3., 9.})}, {lo, hp::array({5., 5., 5.})}, {hi, hp::array({2., 2., 2.})}},
                   hp::float64, {3}, {5, 5, 2});
  // A NaN bound is never crossed; a NaN x stays NaN.
  check_every_mode(hp::clip(x, lo, hi),
                   {{x, hp::array({1., 7., kNaN})}, {lo, hp::array({kNaN, 0., 0.})}, {hi, hp::array({3., kNaN, 1.})}},
                   hp::float64, {3}, {1, 7, kNaN});
  hp::Var i = hp::vector("i", hp::int32), f = hp::scalar("f");
  check_every_mode(hp::clip(i, 4, f), {{i, hp::array({1, 6}, hp::int32)}, {f, hp::Array(-0.0)}}, hp::float64, {2},
                   {4, -0.0});
}

TEST_CASE("relu(-0.0) is +0.0 and relu(NaN) is NaN, as Theano's 0.5 * (x + |x|)") {
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    hp::Var x = hp::vector("x", dtype);
    // The largest finite value stays itself (x + |x| would overflow).
    const double big = dtype == hp::float32 ? double(std::numeric_limits<float>::max()) : std::numeric_limits<double>::max();
    check_every_mode(hp::relu(x), {{x, hp::array({-0.0, -2., 3., big}, dtype)}}, dtype, {4}, {0.0, 0.0, 3, big});
    check_every_mode(hp::relu(x), {{x, hp::array({kNaN}, dtype)}}, dtype, {1}, {kNaN});
  }
}
