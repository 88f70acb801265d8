// The CPU backend's generated code against the reference evaluator, op by op,
// on contiguous, strided (transposed, sliced, reversed), broadcast and empty
// inputs, in float64 and float32 (and integers where the op takes them).
#include <doctest/doctest.h>

#include <functional>
#include <random>

#include <hypatia/hypatia.hpp>

#include "compiler/reference/debug_program.hpp"
#include "compiler/reference/evaluate.hpp"
#include "runtime/cpu/jit.hpp"

namespace hp = hypatia;

namespace {

/// Random values in [lo, hi) of `shape`.
hp::Array random_array(const hp::Shape& shape, hp::DType dtype, double lo = -2, double hi = 2,
                       unsigned seed = 1) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  hp::Array a(shape, dtype);
  for (std::int64_t i = 0; i < a.size(); ++i) {
    const double v = dist(rng);
    if (hp::is_float(dtype)) a.set_flat_double(i, v);
    else a.set_flat_int(i, static_cast<std::int64_t>(std::floor(v)));
  }
  return a;
}

/// Ways to pass a (rows, cols) matrix: contiguous, as a transposed view, as
/// a strided slice, reversed, and empty.
std::vector<std::pair<std::string, hp::Array>> matrix_layouts(hp::DType dtype, double lo = -2, double hi = 2) {
  return {
      {"contiguous", random_array({3, 4}, dtype, lo, hi, 1)},
      {"transposed", random_array({4, 3}, dtype, lo, hi, 2).transpose()},
      {"sliced", random_array({3, 8}, dtype, lo, hi, 3).slice(1, 0, 8, 2)},
      {"reversed", random_array({3, 4}, dtype, lo, hi, 4).slice(0, 2, -4, -1)},
      {"empty", hp::Array({0, 4}, dtype)},
  };
}

/// Compiles `out` from `inputs` (FastRun), runs it on `values`, and compares
/// with the reference evaluator.
void check_against_reference(const std::vector<hp::Var>& inputs, const hp::Var& out,
                             const std::vector<hp::Array>& values, const std::string& label) {
  CAPTURE(label);
  std::vector<hp::In> ins(inputs.begin(), inputs.end());
  hp::Function f = hp::compile(ins, {out}, {.mode = hp::Mode::FastRun});
  if (hp::jit::available()) REQUIRE(!f.source().empty());
  std::vector<std::pair<hp::Var, hp::Array>> givens;
  for (std::size_t i = 0; i < inputs.size(); ++i) givens.emplace_back(inputs[i], values[i]);
  const hp::Array want = hp::evaluate({out}, givens).front();  // eval would compile
  const hp::Array got = f.call(values)[0];
  CHECK(got.dtype() == want.dtype());
  REQUIRE(got.shape() == want.shape());
  const std::int64_t bad = hp::first_mismatch(got, want, hp::tolerance_for(want.dtype()));
  CAPTURE(bad);
  if (bad >= 0) CAPTURE(got.get_flat_double(bad));
  if (bad >= 0) CAPTURE(want.get_flat_double(bad));
  CHECK(bad < 0);
}

using Unary = std::function<hp::Var(const hp::Var&)>;
using Binary = std::function<hp::Var(const hp::Var&, const hp::Var&)>;

}  // namespace

TEST_CASE("unary elementwise ops match the reference on every layout and float dtype") {
  const std::vector<std::tuple<std::string, Unary, double, double>> ops = {
      {"neg", [](const hp::Var& x) { return -x; }, -3, 3},
      {"exp", [](const hp::Var& x) { return hp::exp(x); }, -5, 5},
      {"log", [](const hp::Var& x) { return hp::log(x); }, 0.01, 5},
      {"log1p", [](const hp::Var& x) { return hp::log1p(x); }, -0.9, 5},
      {"sqrt", [](const hp::Var& x) { return hp::sqrt(x); }, 0, 5},
      {"sqr", [](const hp::Var& x) { return hp::sqr(x); }, -3, 3},
      {"abs", [](const hp::Var& x) { return hp::abs(x); }, -3, 3},
      {"tanh", [](const hp::Var& x) { return hp::tanh(x); }, -5, 5},
      {"sigmoid", [](const hp::Var& x) { return hp::sigmoid(x); }, -30, 30},
      {"softplus", [](const hp::Var& x) { return hp::softplus(x); }, -30, 30},
      {"relu", [](const hp::Var& x) { return hp::relu(x); }, -3, 3},
      {"cast to int32", [](const hp::Var& x) { return hp::cast(x, hp::int32); }, -100, 100},
      {"cast to bool", [](const hp::Var& x) { return hp::cast(x, hp::bool_); }, -1, 1},
      {"zeros_like", [](const hp::Var& x) { return hp::zeros_like(x); }, -1, 1},
      {"x * 0.1 + 3", [](const hp::Var& x) { return x * 0.1 + 3; }, -1, 1},
  };
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    for (const auto& [name, op, lo, hi] : ops) {
      for (const auto& [layout, value] : matrix_layouts(dtype, lo, hi)) {
        hp::Var x = hp::matrix("x", dtype);
        check_against_reference({x}, op(x), {value}, name + " " + layout + " " + std::string(hp::dtype_name(dtype)));
      }
    }
  }
}

TEST_CASE("binary and ternary elementwise ops match the reference, with broadcasting") {
  const std::vector<std::pair<std::string, Binary>> ops = {
      {"add", [](const hp::Var& a, const hp::Var& b) { return a + b; }},
      {"sub", [](const hp::Var& a, const hp::Var& b) { return a - b; }},
      {"mul", [](const hp::Var& a, const hp::Var& b) { return a * b; }},
      {"true_div", [](const hp::Var& a, const hp::Var& b) { return a / (hp::abs(b) + 0.5); }},
      {"int_div", [](const hp::Var& a, const hp::Var& b) { return hp::int_div(a, hp::abs(b) + 0.5); }},
      {"mod", [](const hp::Var& a, const hp::Var& b) { return hp::mod(a, hp::abs(b) + 0.5); }},
      {"pow", [](const hp::Var& a, const hp::Var& b) { return hp::pow(hp::abs(a) + 0.1, b); }},
      {"maximum", [](const hp::Var& a, const hp::Var& b) { return hp::maximum(a, b); }},
      {"minimum", [](const hp::Var& a, const hp::Var& b) { return hp::minimum(a, b); }},
      {"lt", [](const hp::Var& a, const hp::Var& b) { return a < b; }},
      {"ge", [](const hp::Var& a, const hp::Var& b) { return a >= b; }},
      {"eq of casts", [](const hp::Var& a, const hp::Var& b) { return hp::eq(hp::cast(a, hp::int32), hp::cast(b, hp::int32)); }},
      {"where", [](const hp::Var& a, const hp::Var& b) { return hp::where(a > 0, a, b); }},
      {"clip", [](const hp::Var& a, const hp::Var& b) { return hp::clip(a, b, b + 1); }},
  };
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    const std::string dt(hp::dtype_name(dtype));
    for (const auto& [name, op] : ops) {
      for (const auto& [layout, value] : matrix_layouts(dtype)) {
        hp::Var a = hp::matrix("a", dtype), b = hp::matrix("b", dtype);
        const hp::Array other = random_array(value.shape(), dtype, -2, 2, 9);
        check_against_reference({a, b}, op(a, b), {value, other}, name + " matrix-matrix " + layout + " " + dt);
      }
      hp::Var m = hp::matrix("m", dtype), v = hp::vector("v", dtype), c = hp::col("c", dtype), s = hp::scalar("s", dtype);
      const hp::Array mv = random_array({3, 4}, dtype, -2, 2, 5);
      check_against_reference({m, v}, op(m, v), {mv, random_array({4}, dtype, -2, 2, 6)}, name + " (3,4) with (4,) " + dt);
      check_against_reference({c, m}, op(c, m), {random_array({3, 1}, dtype, -2, 2, 7), mv.transpose().transpose()}, name + " col with matrix " + dt);
      check_against_reference({m, s}, op(m, s), {mv.transpose(), hp::Array(0.75).astype(dtype)}, name + " transposed with scalar " + dt);
    }
  }
}

TEST_CASE("integer and boolean elementwise ops match the reference, wrap-around included") {
  for (hp::DType dtype : {hp::int8, hp::int32, hp::int64, hp::uint8}) {
    hp::Var a = hp::matrix("a", dtype), b = hp::matrix("b", dtype);
    const hp::Array av = random_array({3, 4}, dtype, -100, 100, 1);
    const hp::Array bv = random_array({3, 4}, dtype, 1, 50, 2);
    const std::string dt(hp::dtype_name(dtype));
    check_against_reference({a, b}, a + b * 3, {av, bv}, "add/mul " + dt);
    check_against_reference({a, b}, hp::int_div(a, b) + hp::mod(a, b), {av.transpose().transpose(), bv}, "int_div/mod " + dt);
    check_against_reference({a, b}, hp::maximum(a, b) - hp::abs(a), {av, bv}, "maximum/abs " + dt);
    check_against_reference({a}, hp::cast(a, hp::float32) / 3, {av.slice(0, 2, -4, -1)}, "cast/true_div " + dt);
    check_against_reference({a, b}, hp::where(a < b, a, b), {av, bv}, "where " + dt);
  }
  hp::Var p = hp::vector("p", hp::bool_), q = hp::vector("q", hp::bool_);
  check_against_reference({p, q}, p + q, {hp::array({true, false, false, true}), hp::array({false, false, true, true})}, "bool or");
  check_against_reference({p, q}, p * q, {hp::array({true, false, false, true}), hp::array({false, false, true, true})}, "bool and");
}

TEST_CASE("reductions match the reference over all axes, some axes and with keepdims") {
  for (hp::DType dtype : {hp::float64, hp::float32, hp::int32}) {
    const std::string dt(hp::dtype_name(dtype));
    for (const auto& [layout, value] : matrix_layouts(dtype, 1, 5)) {
      hp::Var x = hp::matrix("x", dtype);
      const bool empty = value.size() == 0;
      check_against_reference({x}, hp::sum(x), {value}, "sum " + layout + " " + dt);
      check_against_reference({x}, hp::sum(x, 1), {value}, "sum axis 1 " + layout + " " + dt);
      check_against_reference({x}, hp::mean(x, 0, true), {value}, "mean axis 0 keepdims " + layout + " " + dt);
      check_against_reference({x}, hp::prod(x, -1), {value}, "prod " + layout + " " + dt);
      if (!empty) {
        check_against_reference({x}, hp::max(x, 0), {value}, "max " + layout + " " + dt);
        check_against_reference({x}, hp::min(x), {value}, "min " + layout + " " + dt);
        check_against_reference({x}, hp::argmax(x, 1), {value}, "argmax " + layout + " " + dt);
        check_against_reference({x}, hp::argmax(x), {value}, "argmax all " + layout + " " + dt);
      }
    }
  }
  hp::Var t = hp::tensor3("t");
  check_against_reference({t}, hp::sum(t, {0, 2}), {random_array({2, 3, 4}, hp::float64)}, "sum axes 0,2 of a tensor3");
  check_against_reference({t}, hp::max(t, {0, 2}, true), {random_array({2, 3, 4}, hp::float64)}, "max axes 0,2 keepdims");
  hp::Var big = hp::vector("big");
  check_against_reference({big}, hp::sum(big), {random_array({100000}, hp::float64)}, "sum of 1e5");
}

TEST_CASE("compiled float sums are compensated as the reference's: 1e16 + 1 + ... + 1 - 1e16 keeps every 1") {
  // A pairwise (or plain) sum rounds each 1 away against 1e16. The vector is
  // long enough for several blocks and for the thread pool; the rows of the
  // matrix each cancel on their own.
  constexpr std::int64_t n = 100000;
  std::vector<double> data(n, 1.0);
  data.front() = 1e16;
  data.back() = -1e16;
  const hp::Array v = hp::array(data);
  const double ones = n - 2;
  hp::Var x = hp::vector("x"), m = hp::matrix("m");
  const hp::Array rows = v.reshape({1, n}).broadcast_to({3, n}).copy();
  struct Case {
    std::string label;
    hp::Var in, out;
    hp::Array value;
    std::vector<double> want;
  };
  const std::vector<Case> cases{
      {"sum of a contiguous vector", x, hp::sum(x), v, {ones}},
      {"mean of a contiguous vector", x, hp::mean(x), v, {ones / n}},
      {"fused sum of an elementwise expression", x, hp::sum(x * 2.0), v, {2 * ones}},
      {"sum of a reversed view", x, hp::sum(x), v.slice(0, n - 1, -n - 1, -1), {ones}},
      {"sum over rows", m, hp::sum(m, 1), rows, {ones, ones, ones}},
      {"sum over the columns of a transposed view", m, hp::sum(m, 0), rows.transpose(), {ones, ones, ones}},
  };
  for (int threads : {1, 2}) {
    const int old_threads = hp::config().threads;
    hp::config().threads = threads;
    for (const Case& c : cases) {
      CAPTURE(c.label);
      CAPTURE(threads);
      const hp::Array got = hp::compile({c.in}, {c.out}, {.mode = hp::Mode::FastRun})(c.value)[0];
      CHECK(got.to_vector<double>() == c.want);
      CHECK(hp::evaluate({c.out}, {{c.in, c.value}})[0].to_vector<double>() == c.want);
    }
    hp::config().threads = old_threads;
  }
}

TEST_CASE("max and argmax propagate NaN as the reference") {
  hp::Var x = hp::vector("x");
  const hp::Array v = hp::array({1., double(NAN), 3.});
  check_against_reference({x}, hp::max(x), {v}, "max with NaN");
  check_against_reference({x}, hp::argmax(x), {v}, "argmax with NaN");
}

TEST_CASE("dot matches the reference for every rank pair, layout and dtype") {
  for (hp::DType dtype : {hp::float64, hp::float32, hp::int32}) {
    const std::string dt(hp::dtype_name(dtype));
    hp::Var A = hp::matrix("A", dtype), B = hp::matrix("B", dtype), u = hp::vector("u", dtype), v = hp::vector("v", dtype);
    const hp::Array a = random_array({3, 4}, dtype, -3, 3, 1);
    const hp::Array b = random_array({4, 5}, dtype, -3, 3, 2);
    check_against_reference({A, B}, hp::dot(A, B), {a, b}, "matrix matrix " + dt);
    check_against_reference({A, B}, hp::dot(A, B), {random_array({4, 3}, dtype, -3, 3, 3).transpose(), random_array({5, 4}, dtype, -3, 3, 4).transpose()}, "transposed operands " + dt);
    check_against_reference({A, B}, hp::dot(A, B), {random_array({3, 8}, dtype, -3, 3, 5).slice(1, 0, 8, 2), b}, "strided operand " + dt);
    check_against_reference({A, v}, hp::dot(A, v), {a, random_array({4}, dtype, -3, 3, 6)}, "matrix vector " + dt);
    check_against_reference({u, B}, hp::dot(u, B), {random_array({4}, dtype, -3, 3, 7), b}, "vector matrix " + dt);
    check_against_reference({u, v}, hp::dot(u, v), {random_array({4}, dtype, -3, 3, 8), random_array({8}, dtype, -3, 3, 9).slice(0, 7, -9, -2)}, "vector vector reversed " + dt);
    check_against_reference({A, B}, hp::dot(A, B), {hp::Array({0, 4}, dtype), b}, "empty rows " + dt);
    check_against_reference({A, B}, hp::dot(A, B), {hp::Array({3, 0}, dtype), hp::Array({0, 5}, dtype)}, "empty inner " + dt);
  }
  hp::Var A = hp::matrix("A", hp::float32), x = hp::vector("x", hp::float64);
  check_against_reference({A, x}, hp::dot(A, x), {random_array({3, 4}, hp::float32), random_array({4}, hp::float64)}, "mixed dtypes");
}

TEST_CASE("shape ops, indexing and softmax match the reference") {
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    const std::string dt(hp::dtype_name(dtype));
    for (const auto& [layout, value] : matrix_layouts(dtype)) {
      hp::Var x = hp::matrix("x", dtype);
      const std::string l = layout + " " + dt;
      check_against_reference({x}, hp::transpose(x) * 2, {value}, "transpose " + l);
      check_against_reference({x}, hp::dimshuffle(x, {1, hp::newaxis, 0}), {value}, "dimshuffle " + l);
      check_against_reference({x}, hp::reshape(x, {-1}), {value}, "reshape -1 " + l);
      check_against_reference({x}, hp::flatten(x), {value}, "flatten " + l);
      check_against_reference({x}, hp::shape(x), {value}, "shape " + l);
      check_against_reference({x}, hp::concatenate({x, x * 2}, 1), {value}, "concatenate " + l);
      check_against_reference({x}, hp::softmax(x), {value}, "softmax " + l);
      check_against_reference({x}, hp::subtensor(x, {hp::slice(std::nullopt, std::nullopt, -1), hp::slice(1, 3)}), {value}, "subtensor " + l);
    }
    hp::Var x = hp::matrix("x", dtype), y = hp::vector("y", dtype);
    const hp::Array xv = random_array({3, 4}, dtype);
    check_against_reference({x}, hp::reshape(x, {2, 6}), {xv}, "reshape (2, 6) " + dt);
    check_against_reference({x}, hp::subtensor(x, {1}), {xv}, "row 1 " + dt);
    check_against_reference({x}, hp::subtensor(x, {-1, 2}), {xv}, "element -1, 2 " + dt);
    check_against_reference({x, y}, hp::set_subtensor(hp::subtensor(x, {hp::slice(), 1}), y), {xv, random_array({3}, dtype)}, "set column " + dt);
    check_against_reference({x, y}, hp::inc_subtensor(hp::subtensor(x, {hp::slice(0, 2)}), y), {xv.transpose().transpose(), random_array({4}, dtype)}, "inc rows, broadcast " + dt);
    check_against_reference({x}, hp::set_subtensor(hp::subtensor(x, {0}), 5.0), {xv}, "set row to a number " + dt);
  }
}

TEST_CASE("gradient graphs compile and match the reference") {
  hp::Var X = hp::matrix("X"), W = hp::matrix("W"), t = hp::vector("t");
  hp::Var out = hp::sigmoid(hp::dot(W, X));
  hp::Var cost = hp::sum(hp::pow(hp::sum(out, 0) - t, 2)) + hp::sum(hp::softmax(hp::transpose(X)));
  hp::Var gW = hp::grad(cost, W);
  hp::Var gX = hp::grad(cost, X);
  const std::vector<hp::Array> values{random_array({2, 5}, hp::float64, -2, 2, 1), random_array({3, 2}, hp::float64, -2, 2, 2),
                                      random_array({5}, hp::float64, 0, 1, 3)};
  check_against_reference({X, W, t}, gW, values, "grad W");
  check_against_reference({X, W, t}, gX, values, "grad X");
  hp::Var y = hp::concatenate({X, X * 3}, 1);
  check_against_reference({X}, hp::grad(hp::sum(hp::sqr(y)), X), {values[0]}, "grad through concatenate");
}

TEST_CASE("runtime errors in generated code raise the reference evaluator's error") {
  hp::Var a = hp::vector("a"), b = hp::vector("b");
  hp::Function f = hp::compile({a, b}, {a + b});
  CHECK_THROWS_AS(f(hp::array({1., 2.}), hp::array({1., 2., 3.})), hp::ShapeError);
  hp::Var i = hp::vector("i", hp::int32);
  hp::Function g = hp::compile({i}, {hp::int_div(i, 0)});
  CHECK_THROWS_AS(g(hp::array({1, 2})), hp::InvalidValueError);
  hp::Var m = hp::matrix("m");
  hp::Function h = hp::compile({m}, {hp::subtensor(m, {5})});
  CHECK_THROWS_AS(h(hp::Array::ones({2, 2})), hp::ShapeError);
  hp::Function r = hp::compile({m}, {hp::reshape(m, {5})});
  CHECK_THROWS_AS(r(hp::Array::ones({2, 2})), hp::ShapeError);
}

TEST_CASE("outputs never alias inputs, each other or scratch memory") {
  hp::Var x = hp::vector("x");
  hp::Var e = hp::exp(x);
  hp::Function f = hp::compile({x}, {x, e, e, hp::transpose(e)});
  const hp::Array in = hp::array({0., 1.});
  auto out = f(in);
  CHECK_FALSE(out[0].shares_storage(in));
  CHECK_FALSE(out[1].shares_storage(out[2]));
  CHECK_FALSE(out[1].shares_storage(out[3]));
  CHECK(hp::allclose(out[2], hp::array({1., 2.718281828459045})));
}

TEST_CASE("scratch memory released after a value's last reader is reused without corrupting later values") {
  // FastCompile keeps one loop (and one scratch buffer) per op: a long chain
  // of differently sized temporaries, some read through views, exercises the
  // memory plan's releases and reuses.
  hp::Var m = hp::matrix("m");
  hp::Var a = hp::exp(m) * 2;                        // (3, 4)
  hp::Var t = hp::transpose(a) + 1;                  // reads a through a view
  hp::Var s = hp::sum(t, 0);                         // (3,): a smaller temporary
  hp::Var b = hp::dimshuffle(s, {0, hp::newaxis}) * a;  // (3, 4) again: may reuse a's memory
  hp::Var c = hp::tanh(b) - hp::sqr(a);              // a read late: must not be reused early
  hp::Var out = hp::concatenate({c, hp::transpose(t)}, 1);
  const hp::Array value = random_array({3, 4}, hp::float64, -1, 1, 11);
  hp::Function f = hp::compile({m}, {out, s}, {.mode = hp::Mode::FastCompile});
  const auto got = f(value);
  const auto want = hp::evaluate({out, s}, {{m, value}});
  CHECK(hp::first_mismatch(got[0], want[0], hp::tolerance_for(hp::float64)) < 0);
  CHECK(hp::first_mismatch(got[1], want[1], hp::tolerance_for(hp::float64)) < 0);
  for (int i = 0; i < 3; ++i) {  // again: the arena is reused across calls
    CHECK(hp::first_mismatch(f(value)[0], got[0], hp::tolerance_for(hp::float64)) < 0);
  }
  CHECK((f.source().find("hp_temp_release") != std::string::npos) == hp::jit::available());
}
