// The specialize_gemm pass and the Gemm op: a product and the sum it feeds
// become one BLAS call with the same values, in the reference evaluator and
// in compiled code, and the rewrite stays away from what BLAS cannot take.
#include <doctest/doctest.h>

#include <hypatia/hypatia.hpp>

#include "compiler/ops/dot.hpp"
#include "compiler/rewrite/optimize.hpp"
#include "compiler/rewrite/specialize_gemm.hpp"
#include "runtime/cpu/jit.hpp"
#include "tests/compiler/rewrite_checks.hpp"

namespace hp = hypatia;
using rewrite_checks::check_same_values;
using rewrite_checks::count_ops;
using rewrite_checks::random_array;

namespace {

/// The compiled FastRun function (which runs specialize_gemm) gives the reference's values.
void check_compiled(const std::vector<hp::Var>& input_vars, const std::vector<hp::Var>& outputs,
                    const std::vector<hp::Array>& args, double rtol) {
  const std::vector<hp::In> inputs(input_vars.begin(), input_vars.end());
  hp::Function fast = hp::compile(inputs, outputs, {.mode = hp::Mode::FastRun});
  hp::Function debug = hp::compile(inputs, outputs, {.mode = hp::Mode::Debug});
  const std::vector<hp::Array> got = fast.call(args);
  const std::vector<hp::Array> expected = debug.call(args);
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("output ", i, ": expected ", expected[i], ", got ", got[i]);
    CHECK(got[i].shape() == expected[i].shape());
    CHECK(hp::allclose(got[i], expected[i], rtol, 0));
  }
}

}  // namespace

TEST_CASE("dot(W, x) + b becomes one Gemm that broadcasts the bias column") {
  hp::Var W = hp::matrix("W"), x = hp::matrix("x"), b = hp::col("b");
  hp::Var y = hp::dot(W, x) + b;
  hp::Var g = hp::specialize_gemm({W, x, b}, {y}).front();
  CHECK(hp::pp(g) == "gemm(b, TensorConstant{1.0}, W, x, TensorConstant{1.0})");
  CHECK(count_ops({g}, {W, x, b}) == 1);
  const std::vector<hp::Array> args{random_array({3, 4}, hp::float64, 1),
                                    random_array({4, 5}, hp::float64, 2),
                                    random_array({3, 1}, hp::float64, 3)};
  check_same_values({y}, {g}, {{W, args[0]}, {x, args[1]}, {b, args[2]}}, 1e-14);
  check_compiled({W, x, b}, {y}, args, 1e-14);
  hp::Function f = hp::compile({W, x, b}, {y}, {.mode = hp::Mode::FastRun});
  if (!hp::jit::available()) return;  // no generated source without the JIT
  CHECK(f.source().find("hp_gemm(ctx") != std::string::npos);
  CHECK(f.source().find("hp_dot(ctx") == std::string::npos);
}

TEST_CASE("scaled sums and differences give alpha and beta") {
  hp::Var A = hp::matrix("A"), B = hp::matrix("B"), C = hp::matrix("C"), s = hp::scalar("s");
  const std::vector<hp::Var> before{
      0.9 * C + 0.1 * hp::dot(A, B),  // the momentum step of a gradient descent
      C - 2 * hp::dot(A, B),         hp::dot(A, B) * s - C, C + -hp::dot(A, B), C * s + hp::dot(A, B),
  };
  const std::vector<hp::Var> after = hp::specialize_gemm({A, B, C, s}, before);
  CHECK(hp::pp(after[0]) == "gemm(C, TensorConstant{0.1}, A, B, TensorConstant{0.9})");
  CHECK(hp::pp(after[1]) == "gemm(C, TensorConstant{-2}, A, B, TensorConstant{1.0})");
  CHECK(hp::pp(after[2]) == "gemm(C, s, A, B, TensorConstant{-1.0})");
  CHECK(hp::pp(after[3]) == "gemm(C, TensorConstant{-1.0}, A, B, TensorConstant{1.0})");
  CHECK(hp::pp(after[4]) == "gemm(C, TensorConstant{1.0}, A, B, s)");
  CHECK(count_ops(after, {A, B, C, s}, "Elemwise") == 0);
  const std::vector<hp::Array> args{random_array({4, 3}, hp::float64, 4),
                                    random_array({3, 4}, hp::float64, 5),
                                    random_array({4, 4}, hp::float64, 6), hp::Array(0.75)};
  check_same_values(before, after, {{A, args[0]}, {B, args[1]}, {C, args[2]}, {s, args[3]}}, 1e-14);
  check_compiled({A, B, C, s}, before, args, 1e-14);
}

TEST_CASE("matrix-vector products become Gemv, in float32 and with transposed operands") {
  hp::Var M = hp::matrix("M", hp::float32), v = hp::vector("v", hp::float32),
          c = hp::vector("c", hp::float32);
  const std::vector<hp::Var> before{hp::dot(M, v) + c, c - hp::dot(v, hp::transpose(M)) * 3.f,
                                    hp::dot(hp::transpose(M), c) + 1.f};
  const std::vector<hp::Var> after = hp::specialize_gemm({M, v, c}, before);
  CHECK(count_ops(after, {M, v, c}, "Gemv") == 3);
  CHECK(count_ops(after, {M, v, c}, "Dot") == 0);
  for (std::size_t k = 0; k < before.size(); ++k) CHECK(after[k].type() == before[k].type());
  const std::vector<hp::Array> args{random_array({5, 5}, hp::float32, 7), random_array({5}, hp::float32, 8),
                                    random_array({5}, hp::float32, 9)};
  check_same_values(before, after, {{M, args[0]}, {v, args[1]}, {c, args[2]}}, 1e-5);
  check_compiled({M, v, c}, before, args, 1e-5);
}

TEST_CASE("not applied to integers, mixed dtypes, shared products, scalar results or a widening C") {
  hp::Var A = hp::matrix("A"), B = hp::matrix("B"), C = hp::matrix("C"), u = hp::vector("u");
  hp::Var I = hp::matrix("I", hp::int32), F = hp::matrix("F", hp::float32), r = hp::row("r");
  hp::Var shared_product = hp::dot(A, B);
  const std::vector<hp::Var> kept{
      hp::dot(I, I) + I,      // no integer BLAS
      hp::dot(F, B) + C,      // float32 . float64: the operands would need converting
      hp::dot(F, F) + C,      // C (float64) would change the sum's dtype
      shared_product + C,     // the product is also an output: it would be computed twice
      hp::dot(u, u) + 1.0,    // vector . vector is 0-d: nothing to gain
      hp::dot(r, B) + C,      // (1, n) product + (m, n) C: the sum is wider than the product
      hp::dot(A, B) * C + C,  // scaled by a matrix, not a scalar
  };
  std::vector<hp::Var> outputs = kept;
  outputs.push_back(shared_product);
  const std::vector<hp::Var> after = hp::specialize_gemm({A, B, C, u, I, F, r}, outputs);
  for (std::size_t k = 0; k < kept.size(); ++k) {
    INFO(hp::pp(kept[k]));
    CHECK(after[k].is(kept[k]));
  }
}

TEST_CASE("gemm runs only in FastRun") {
  hp::Var W = hp::matrix("W"), x = hp::matrix("x"), b = hp::col("b");
  hp::Var y = hp::dot(W, x) + b;
  CHECK(count_ops(hp::optimize({W, x, b}, {y}, hp::Mode::FastRun), {W, x, b}, "Gemm") == 1);
  CHECK(count_ops(hp::optimize({W, x, b}, {y}, hp::Mode::FastCompile), {W, x, b}, "Gemm") == 0);
}

TEST_CASE("the gradient through a Gemm equals the gradient through dot and add") {
  hp::Var A = hp::matrix("A"), B = hp::matrix("B"), C = hp::row("C"), s = hp::scalar("s"),
          t = hp::scalar("t");
  hp::Var y = s * hp::dot(A, B) + t * C;
  hp::Var g = hp::specialize_gemm({A, B, C, s, t}, {y}).front();
  REQUIRE(count_ops({g}, {A, B, C, s, t}, "Gemm") == 1);
  const std::vector<hp::Var> wrt{A, B, C, s, t};
  const std::vector<hp::Var> expected = hp::grad(hp::sum(hp::sqr(y)), wrt);
  const std::vector<hp::Var> got = hp::grad(hp::sum(hp::sqr(g)), wrt);
  check_same_values(expected, got,
                    {{A, random_array({2, 3}, hp::float64, 10)},
                     {B, random_array({3, 4}, hp::float64, 11)},
                     {C, random_array({1, 4}, hp::float64, 12)},
                     {s, hp::Array(1.5)},
                     {t, hp::Array(-0.5)}},
                    1e-13);
}

TEST_CASE("a Gemm whose C does not match the product's shape raises a ShapeError") {
  hp::Var A = hp::matrix("A"), B = hp::matrix("B"), C = hp::matrix("C");
  hp::Var g = hp::gemm(C, hp::Var(1.0), A, B, hp::Var(1.0));
  const std::vector<std::pair<hp::Var, hp::Array>> values{
      {A, hp::Array::ones({2, 3})}, {B, hp::Array::ones({3, 4})}, {C, hp::Array::ones({2, 5})}};
  CHECK_THROWS_AS(hp::evaluate({g}, values), hp::ShapeError);
  hp::Function f = hp::compile({A, B, C}, {g});
  CHECK_THROWS_AS(f(hp::Array::ones({2, 3}), hp::Array::ones({3, 4}), hp::Array::ones({2, 5})), hp::Error);
}
