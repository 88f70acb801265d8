// The specialize_dot pass: sum(x * y) of two float64 vectors in memory as one
// BLAS ddot call, and where it does not apply.
#include <doctest/doctest.h>

#include <hypatia/hypatia.hpp>

#include "compiler/rewrite/optimize.hpp"
#include "compiler/rewrite/specialize_dot.hpp"
#include "tests/compiler/rewrite_checks.hpp"

namespace hp = hypatia;
using rewrite_checks::check_same_values;
using rewrite_checks::count_ops;
using rewrite_checks::random_array;

TEST_CASE("sum(x * y) of two float64 vectors becomes one Dot with the same value") {
  hp::Var x = hp::vector("x", hp::float64), y = hp::vector("y", hp::float64);
  const hp::Var s = hp::sum(x * y);
  const std::vector<hp::Var> rewritten = hp::specialize_dot({x, y}, {s});
  CHECK(count_ops(rewritten, {x, y}) == 1);
  CHECK(count_ops(rewritten, {x, y}, "Dot") == 1);
  check_same_values({s}, rewritten, {{x, random_array({1000}, hp::float64, 1)}, {y, random_array({1000}, hp::float64, 2)}});
  // FastRun runs it; FastCompile does not.
  CHECK(count_ops(hp::optimize({x, y}, {s}, hp::Mode::FastRun), {x, y}, "Dot") == 1);
  CHECK(count_ops(hp::optimize({x, y}, {s}, hp::Mode::FastCompile), {x, y}, "Dot") == 0);
}

TEST_CASE("an elementwise operand read only by the product stays fused into the reduction") {
  hp::Var x = hp::vector("x", hp::float64), y = hp::vector("y", hp::float64);
  const hp::Var e = hp::exp(x);
  CHECK(count_ops(hp::specialize_dot({x, y}, {hp::sum(e * y)}), {x, y}, "Dot") == 0);
  // Returned too, e is written anyway: the dot reads it back.
  const std::vector<hp::Var> both = hp::specialize_dot({x, y}, {hp::sum(e * y), e});
  CHECK(count_ops(both, {x, y}, "Dot") == 1);
  check_same_values({hp::sum(e * y), e}, both,
                    {{x, random_array({100}, hp::float64, 3)}, {y, random_array({100}, hp::float64, 4)}});
}

TEST_CASE("float32, matrices, a broadcast vector, keepdims, a shared product: no Dot") {
  hp::Var x32 = hp::vector("x", hp::float32), y32 = hp::vector("y", hp::float32);
  CHECK(count_ops(hp::specialize_dot({x32, y32}, {hp::sum(x32 * y32)}), {x32, y32}, "Dot") == 0);
  hp::Var a = hp::matrix("a", hp::float64), b = hp::matrix("b", hp::float64);
  CHECK(count_ops(hp::specialize_dot({a, b}, {hp::sum(a * b)}), {a, b}, "Dot") == 0);
  hp::Var x = hp::vector("x", hp::float64), one = hp::tensor("one", hp::float64, {true});
  CHECK(count_ops(hp::specialize_dot({x, one}, {hp::sum(x * one)}), {x, one}, "Dot") == 0);
  hp::Var y = hp::vector("y", hp::float64);
  CHECK(count_ops(hp::specialize_dot({x, y}, {hp::sum(x * y, {0}, true)}), {x, y}, "Dot") == 0);
  const hp::Var p = x * y;
  CHECK(count_ops(hp::specialize_dot({x, y}, {hp::sum(p), p}), {x, y}, "Dot") == 0);
}

TEST_CASE("compiled, the dot gives the reference's sum; Debug mode checks the rewrite") {
  hp::Var x = hp::vector("x", hp::float64), y = hp::vector("y", hp::float64);
  const hp::Var s = hp::sum(x * y);
  const hp::Array xs = random_array({100000}, hp::float64, 5), ys = random_array({100000}, hp::float64, 6);
  const double want = hp::evaluate({s}, {{x, xs}, {y, ys}})[0].item<double>();  // the reference's compensated sum
  for (hp::Mode mode : {hp::Mode::FastRun, hp::Mode::Debug}) {
    hp::Function f = hp::compile({x, y}, {s}, {.mode = mode});
    CHECK(f(xs, ys)[0].item<double>() == doctest::Approx(want).epsilon(1e-12));
  }
  hp::Function f = hp::compile({x, y}, {s}, {.mode = hp::Mode::FastRun});
  CHECK(f(hp::Array::zeros({0}, hp::float64), hp::Array::zeros({0}, hp::float64))[0].item<double>() == 0.0);
  CHECK_THROWS_AS(f(hp::Array::zeros({3}, hp::float64), hp::Array::zeros({4}, hp::float64)), hp::ShapeError);
}
