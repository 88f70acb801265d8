// Fusing an elementwise producer into the reduction that follows it: the
// rewrite happens, and the one-pass loop gives the reference's numbers for
// every reduction, dtype, layout and axis set, with pairwise-sum accuracy.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/graph/walk.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "compiler/reference/evaluate.hpp"
#include "compiler/rewrite/optimize.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::describe;

namespace {

std::vector<std::shared_ptr<hp::Apply>> optimised_nodes(const std::vector<hp::Var>& inputs, const hp::Var& out,
                                                        hp::Mode mode = hp::Mode::FastRun) {
  return hp::topological_order(hp::optimize(inputs, {out}, mode), inputs);
}

int count_fused_reductions(const std::vector<std::shared_ptr<hp::Apply>>& nodes) {
  int n = 0;
  for (const auto& node : nodes) n += dynamic_cast<const hp::FusedReduceOp*>(&node->op()) != nullptr;
  return n;
}

hp::Array random_array(const hp::Shape& shape, hp::DType dtype, std::uint32_t seed, double lo = -2, double hi = 2) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::int64_t n = 1;
  for (auto s : shape) n *= s;
  std::vector<double> data(static_cast<std::size_t>(n));
  for (double& d : data) d = dist(rng);
  return hp::array(data, shape).astype(dtype);
}

using Reduction = hp::Var (*)(const hp::Var&, const std::vector<int>&, bool);

struct Kind {
  const char* name;
  Reduction some_axes;
  hp::Var (*all_axes)(const hp::Var&);
};

const Kind kKinds[] = {
    {"sum", hp::sum, hp::sum}, {"mean", hp::mean, hp::mean}, {"max", hp::max, hp::max},
    {"min", hp::min, hp::min}, {"prod", hp::prod, hp::prod},
};

/// Compiles `out` FastRun (checking that it holds one fused reduction) and
/// compares each call with the reference evaluator on the same arguments.
void check_against_reference(const std::vector<hp::Var>& inputs, const hp::Var& out,
                             const std::vector<hp::Array>& args, double rtol) {
  CHECK(count_fused_reductions(optimised_nodes(inputs, out)) == 1);
  hp::Function f = hp::compile(std::vector<hp::In>(inputs.begin(), inputs.end()), {out},
                                 {.mode = hp::Mode::FastRun, .on_unused_input = hp::OnUnusedInput::Ignore});
  std::vector<std::pair<hp::Var, hp::Array>> givens;
  for (std::size_t i = 0; i < inputs.size(); ++i) givens.emplace_back(inputs[i], args[i]);
  hp::EvalOptions options;
  options.require_givens_used = false;
  const hp::Array expected = hp::evaluate({out}, givens, options).front();
  const hp::Array got = f.call(std::vector<hp::Array>(args.begin(), args.end()))[0];
  INFO("expected ", describe(expected));
  INFO("got      ", describe(got));
  CHECK(got.shape() == expected.shape());
  CHECK(got.dtype() == expected.dtype());
  CHECK(hp::allclose(got, expected, rtol, 1e-12));
}

}  // namespace

TEST_CASE("sum(exp(x - y)) becomes one fused reduction in FastRun, three nodes in FastCompile") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  const hp::Var s = hp::sum(hp::exp(x - y));
  const std::vector<hp::Var> outs = hp::optimize({x, y}, {s}, hp::Mode::FastRun);
  const auto fused = hp::topological_order(outs, {x, y});
  REQUIRE(fused.size() == 1);
  CHECK(count_fused_reductions(fused) == 1);
  CHECK(fused[0]->op().name() == "Sum{Composite{exp((i0 - i1))}}");
  CHECK(hp::pp(outs[0]) == hp::pp(s));
  CHECK(optimised_nodes({x, y}, s, hp::Mode::FastCompile).size() == 3);
}

TEST_CASE("a producer that another node also reads is not fused into the reduction") {
  hp::Var x = hp::vector("x");
  const hp::Var e = hp::exp(x);
  const std::vector<hp::Var> outs = hp::optimize({x}, {hp::sum(e), e * 2}, hp::Mode::FastRun);
  CHECK(count_fused_reductions(hp::topological_order(outs, {x})) == 0);
}

TEST_CASE("argmax keeps its own loop") {
  hp::Var x = hp::vector("x");
  CHECK(count_fused_reductions(optimised_nodes({x}, hp::argmax(hp::exp(x)))) == 0);
}

TEST_CASE("every fused reduction over all axes equals the reference, float64 and float32") {
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    for (const Kind& kind : kKinds) {
      CAPTURE(kind.name);
      CAPTURE(hp::dtype_name(dtype));
      hp::Var x = hp::matrix("x", dtype), y = hp::matrix("y", dtype);
      const hp::Var body = hp::exp(x - y) * 0.5;  // prod of 0.5 e^(x - y) stays finite
      const double rtol = dtype == hp::float32 ? 2e-5 : 1e-12;
      for (const hp::Shape& shape : {hp::Shape{3, 5}, hp::Shape{67, 513}, hp::Shape{300, 400}}) {
        const std::vector<hp::Array> args{random_array(shape, dtype, 1, -0.01, 0.01),
                                          random_array(shape, dtype, 2, -0.01, 0.01)};
        check_against_reference({x, y}, kind.all_axes(body), args, rtol);
        check_against_reference({x, y}, kind.some_axes(body, {0, 1}, true), args, rtol);
      }
    }
  }
}

TEST_CASE("fused reductions over some axes, with keepdims, equal the reference") {
  hp::Var t = hp::tensor3("t"), u = hp::tensor3("u");
  const hp::Var body = hp::tanh(t) * u + 1;
  const std::vector<hp::Array> args{random_array({4, 70, 1100}, hp::float64, 3),
                                    random_array({4, 70, 1100}, hp::float64, 4)};
  const std::vector<std::vector<int>> axis_sets{{2}, {1, 2}, {0}, {1}, {0, 2}, {0, 1}};
  for (const Kind& kind : kKinds) {
    if (std::string(kind.name) == "prod") continue;  // a product of 77000 such terms overflows
    for (const auto& axes : axis_sets) {
      for (bool keepdims : {false, true}) {
        CAPTURE(kind.name);
        CAPTURE(axes.size());
        CAPTURE(axes[0]);
        CAPTURE(keepdims);
        check_against_reference({t, u}, kind.some_axes(body, axes, keepdims), args, 1e-12);
      }
    }
  }
  check_against_reference({t, u}, hp::prod(body * 0.5 + 0.5, {2}, true), args, 1e-12);
}

TEST_CASE("fused reductions read strided and transposed operands") {
  hp::Var x = hp::matrix("x"), y = hp::matrix("y");
  const hp::Array big = random_array({200, 300}, hp::float64, 5);
  const hp::Array x_view = big.slice(0, 0, 200, 2).transpose();     // (300, 100), strided
  const hp::Array y_value = random_array({300, 100}, hp::float64, 6);
  for (const Kind& kind : kKinds) {
    CAPTURE(kind.name);
    const hp::Var body = hp::exp(x - y) * 0.9;
    check_against_reference({x, y}, kind.some_axes(body, {1}, false), {x_view, y_value}, 1e-12);
    check_against_reference({x, y}, kind.all_axes(body), {x_view, y_value}, 1e-12);
    // a transpose inside the graph: the operand is a view
    const hp::Var inside = hp::exp(hp::transpose(x) - hp::transpose(y)) * 0.9;
    check_against_reference({x, y}, kind.some_axes(inside, {1}, true), {x_view, y_value}, 1e-12);
  }
}

TEST_CASE("fused reductions broadcast a column, a row and a scalar") {
  hp::Var m = hp::matrix("m"), c = hp::col("c"), r = hp::row("r"), s = hp::scalar("s"), v = hp::vector("v");
  const std::vector<hp::Array> args{random_array({130, 2100}, hp::float64, 7), random_array({130, 1}, hp::float64, 8),
                                    random_array({1, 2100}, hp::float64, 9), hp::Array(0.25),
                                    random_array({2100}, hp::float64, 10)};
  const std::vector<hp::Var> inputs{m, c, r, s, v};
  const hp::Var body = hp::exp(m - c) * r + s * v;  // softmax's numerator, and more
  for (const Kind& kind : kKinds) {
    if (std::string(kind.name) == "prod") continue;
    CAPTURE(kind.name);
    check_against_reference(inputs, kind.some_axes(body, {1}, true), args, 1e-12);
    check_against_reference(inputs, kind.some_axes(body, {0}, false), args, 1e-12);
    check_against_reference(inputs, kind.all_axes(body), args, 1e-12);
  }
  // only broadcast operands along the reduced axis: every row reads one value
  check_against_reference(inputs, hp::sum(hp::exp(c) + m * 0, {1}, false), args, 1e-12);
}

TEST_CASE("fused reductions of empty arrays: identities for sum and prod, an error for max") {
  hp::Var x = hp::matrix("x");
  const hp::Var body = hp::exp(x) + 1;
  hp::Function sums = hp::compile({x}, {hp::sum(body), hp::sum(body, {1}, false), hp::prod(body, {0}, true),
                                        hp::mean(body, {1}, false)},
                                  {.mode = hp::Mode::FastRun});
  const auto out = sums(hp::Array::zeros({0, 3}));
  CHECK(out[0].item<double>() == 0);
  CHECK(out[1].shape() == hp::Shape{0});
  CHECK(out[2].shape() == hp::Shape{1, 3});
  CHECK(out[2].to_vector<double>() == std::vector<double>{1, 1, 1});
  CHECK(out[3].shape() == hp::Shape{0});

  hp::Function largest = hp::compile({x}, {hp::max(body, {0}, false)}, {.mode = hp::Mode::FastRun});
  CHECK_THROWS_AS(largest(hp::Array::zeros({0, 3})), hp::InvalidValueError);
  CHECK(largest(hp::Array::zeros({3, 0}))[0].shape() == hp::Shape{0});
}

TEST_CASE("a fused sum of 2^21 float64 values keeps pairwise accuracy on 1 and 2 threads") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  const hp::Var e = hp::exp(x - y);
  const std::int64_t n = (std::int64_t{1} << 21) + 12345;
  const hp::Array xs = random_array({n}, hp::float64, 11, 0, 0.1);
  const hp::Array ys = random_array({n}, hp::float64, 12, 0, 0.1);
  // The exact sum of the very elements the fused loop computes (the unfused
  // function computes exp with the same code).
  const hp::Array elements = hp::compile({x, y}, {e}, {.mode = hp::Mode::FastCompile})(xs, ys)[0];
  long double exact = 0;
  for (double d : elements.to_vector<double>()) exact += d;

  hp::Function fused = hp::compile({x, y}, {hp::sum(e)}, {.mode = hp::Mode::FastRun});
  const int saved = hp::config().threads;
  hp::config().threads = 1;
  const double one = fused(xs, ys)[0].item<double>();
  hp::config().threads = 2;
  const double two = fused(xs, ys)[0].item<double>();
  hp::config().threads = saved;
  CHECK(one == two);  // blocks are summed the same way on any number of threads
  // A left-to-right sum is ~1e-13 off here; pairwise ~1e-16.
  CHECK(std::fabs(one - static_cast<double>(exact)) <= 1e-15 * static_cast<double>(exact));
}

TEST_CASE("a fused float32 sum of 2^21 values is the correctly rounded float32 of the exact sum") {
  hp::Var x = hp::vector("x", hp::float32);
  const hp::Var e = x * 3 + 1;
  const std::int64_t n = std::int64_t{1} << 21;
  const hp::Array xs = random_array({n}, hp::float32, 13, 0, 1);
  const hp::Array elements = hp::compile({x}, {e}, {.mode = hp::Mode::FastCompile})(xs)[0];
  long double exact = 0;
  for (float f : elements.to_vector<float>()) exact += f;
  const float got = hp::compile({x}, {hp::sum(e)}, {.mode = hp::Mode::FastRun})(xs)[0].item<float>();
  // float32 accumulation would be ~1e-4 off; the sum runs in double.
  CHECK(std::fabs(got - static_cast<double>(exact)) <= 0.5 * std::ldexp(1.0, std::ilogb(got) - 23));
  const float mean = hp::compile({x}, {hp::mean(e)}, {.mode = hp::Mode::FastRun})(xs)[0].item<float>();
  CHECK(mean == doctest::Approx(static_cast<double>(exact / n)).epsilon(1e-7));
}

TEST_CASE("fused reductions of integer and boolean expressions wrap and count as the reference") {
  hp::Var a = hp::vector("a", hp::int32), b = hp::vector("b", hp::int32);
  std::vector<std::int32_t> av, bv;
  for (int i = 0; i < 50000; ++i) {
    av.push_back(i * 7919 % 100003 - 50000);
    bv.push_back(i % 13 - 6);
  }
  const hp::Array args_a = hp::array(std::vector<double>(av.begin(), av.end()), {50000}).astype(hp::int32);
  const hp::Array args_b = hp::array(std::vector<double>(bv.begin(), bv.end()), {50000}).astype(hp::int32);
  check_against_reference({a, b}, hp::sum(a * b * 65536), {args_a, args_b}, 0);  // wraps in int64
  check_against_reference({a, b}, hp::sum(hp::gt(a, b)), {args_a, args_b}, 0);   // counts
  check_against_reference({a, b}, hp::max(a - b), {args_a, args_b}, 0);
  check_against_reference({a, b}, hp::min(a * b), {args_a, args_b}, 0);
  check_against_reference({a, b}, hp::mean(a + b), {args_a, args_b}, 1e-14);
  check_against_reference({a, b}, hp::prod(hp::mod(a, 3) + 1), {args_a, args_b}, 0);
}

TEST_CASE("an integer division by zero inside a fused reduction raises the reference's error") {
  hp::Var a = hp::vector("a", hp::int64), b = hp::vector("b", hp::int64);
  const hp::Var s = hp::sum(hp::int_div(a, b));
  hp::Function f = hp::compile({a, b}, {s}, {.mode = hp::Mode::FastRun});
  CHECK(count_fused_reductions(optimised_nodes({a, b}, s)) == 1);
  const hp::Array ones = hp::Array::ones({40000}, hp::int64);
  CHECK(f(ones, ones)[0].item<std::int64_t>() == 40000);
  CHECK_THROWS_AS(f(ones, hp::Array::zeros({40000}, hp::int64)), hp::InvalidValueError);
}
