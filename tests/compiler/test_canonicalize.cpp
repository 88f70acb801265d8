// The canonicalize pass: each identity rewrites the graph and keeps its
// values; none applies where the node's type (dtype or broadcasting) would
// change.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <hypatia/hypatia.hpp>
#include <memory>

#include "compiler/ops/elemwise.hpp"
#include "compiler/rewrite/canonicalize.hpp"
#include "compiler/rewrite/optimize.hpp"
#include "tests/compiler/rewrite_checks.hpp"

namespace hp = hypatia;
using rewrite_checks::check_same_values;
using rewrite_checks::count_ops;
using rewrite_checks::random_array;

namespace {

hp::Var canonical(const std::vector<hp::Var>& inputs, const hp::Var& out) {
  return hp::canonicalize(inputs, {out}).front();
}

}  // namespace

TEST_CASE("x * 1, 1 * x, x + 0, 0 + x, x - 0 and x / 1 become x itself") {
  hp::Var x = hp::matrix("x");
  for (const hp::Var& y : {x * 1, 1 * x, x + 0, 0 + x, x - 0, x / 1, x * 1.0 + 0.0, (x - 0) / 1}) {
    INFO(hp::pp(y));
    CHECK(canonical({x}, y).is(x));
  }
  hp::Var i = hp::vector("i", hp::int8);
  CHECK(canonical({i}, i * 1).is(i));
  CHECK(canonical({i}, 0 + i).is(i));
}

TEST_CASE("double negation disappears, also in a chain, in one walk") {
  hp::Var x = hp::vector("x");
  CHECK(canonical({x}, -(-x)).is(x));
  CHECK(canonical({x}, -(-(-(-x)))).is(x));
  CHECK(hp::pp(canonical({x}, -(-(-x)))) == "(-x)");
}

TEST_CASE("negations and reciprocals fold into add, sub, mul and div") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  CHECK(hp::pp(canonical({x, y}, x + (-y))) == "(x - y)");
  CHECK(hp::pp(canonical({x, y}, (-y) + x)) == "(x - y)");
  CHECK(hp::pp(canonical({x, y}, x - (-y))) == "(x + y)");
  CHECK(hp::pp(canonical({x, y}, (-x) * (-y))) == "(x * y)");
  CHECK(hp::pp(canonical({x, y}, (-x) / (-y))) == "(x / y)");
  CHECK(hp::pp(canonical({x, y}, x * (1 / y))) == "(x / y)");
  CHECK(hp::pp(canonical({x, y}, (1 / y) * x)) == "(x / y)");
  CHECK(hp::pp(canonical({x}, 0 - x)) == "(-x)");
  CHECK(hp::pp(canonical({x}, x * -1)) == "(-x)");
  CHECK(hp::pp(canonical({x}, -1 * x)) == "(-x)");
}

TEST_CASE("canonical forms keep the values on random inputs") {
  hp::Var x = hp::matrix("x"), y = hp::matrix("y"), r = hp::row("r");
  const std::vector<hp::Var> before{x + (-y),      (-y) + x,      x - (-y),      (-x) * (-y),
                                    (-x) / (-y),   x * (1 / y),   0 - x,         x * -1,
                                    -(-x) * 1 + 0, r * 1 + x - 0, hp::exp(x) * 1};
  const std::vector<hp::Var> after = hp::canonicalize({x, y, r}, before);
  CHECK(count_ops(after, {x, y, r}) < count_ops(before, {x, y, r}));
  check_same_values(before, after,
                    {{x, random_array({3, 4}, hp::float64, 1)},
                     {y, random_array({3, 4}, hp::float64, 2, 0.5, 2)},
                     {r, random_array({1, 4}, hp::float64, 3)}},
                    1e-15);
}

TEST_CASE("x - x is zeros for integers and stays for floats, where inf - inf is nan") {
  hp::Var i = hp::vector("i", hp::int32);
  hp::Var zeros = canonical({i}, i - i);
  CHECK(count_ops({zeros}, {i}, "Elemwise{sub}") == 0);
  CHECK(zeros.type() == i.type());
  CHECK(
      hp::evaluate({zeros}, {{i, hp::array({5, -7, 2147483647}, hp::int32)}})[0].to_vector<std::int32_t>() ==
      std::vector<std::int32_t>{0, 0, 0});

  hp::Var x = hp::vector("x");
  hp::Var diff = x - x;
  CHECK(canonical({x}, diff).is(diff));
  CHECK(std::isnan(hp::evaluate({diff}, {{x, hp::array({INFINITY})}})[0].item<double>(0)));
}

TEST_CASE("a cast to the dtype a variable already has disappears") {
  hp::Var x = hp::vector("x", hp::float32);
  hp::Var same = hp::make_apply(std::make_shared<hp::ElemwiseOp>(hp::scalar_op("cast"), hp::float32), {x});
  CHECK(canonical({x}, same).is(x));
  hp::Var wider = hp::cast(x, hp::float64);
  CHECK(canonical({x}, wider).is(wider));
}

TEST_CASE("dimshuffle of dimshuffle is one dimshuffle; an identity dimshuffle disappears") {
  hp::Var m = hp::matrix("m"), v = hp::vector("v");
  CHECK(canonical({m}, hp::transpose(hp::transpose(m))).is(m));
  CHECK(canonical({m}, hp::dimshuffle(m, {0, 1})).is(m));
  hp::Var col_then_row = hp::dimshuffle(hp::dimshuffle(v, {0, hp::newaxis}), {1, 0});
  hp::Var one = canonical({v}, col_then_row);
  CHECK(hp::pp(one) == "v.dimshuffle(x,0)");
  // A dropped broadcastable axis composes too: (1, n) -> (n, 1) -> (n,).
  hp::Var r = hp::row("r");
  hp::Var dropped = hp::dimshuffle(hp::dimshuffle(r, {1, 0}), {0});
  CHECK(hp::pp(canonical({r}, dropped)) == "r.dimshuffle(1)");
  const std::vector<std::pair<hp::Var, hp::Array>> values{{v, random_array({5}, hp::float64, 4)},
                                                          {r, random_array({1, 3}, hp::float64, 5)}};
  check_same_values({col_then_row, dropped}, hp::canonicalize({v, r}, {col_then_row, dropped}), values, 0);
}

TEST_CASE("reshape of reshape or of flatten is one reshape") {
  hp::Var m = hp::matrix("m");
  hp::Var twice = hp::reshape(hp::reshape(m, {6}), {3, 2});
  hp::Var flat = hp::reshape(hp::flatten(m), {2, -1});
  const std::vector<hp::Var> after = hp::canonicalize({m}, {twice, flat});
  CHECK(hp::pp(after[0]) == "reshape(m, (3, 2))");
  CHECK(hp::pp(after[1]) == "reshape(m, (2, -1))");
  check_same_values({twice, flat}, after, {{m, random_array({2, 3}, hp::float64, 6)}}, 0);
}

TEST_CASE("not applied where the type or the shape would change") {
  hp::Var x = hp::vector("x"), i = hp::vector("i", hp::int32), b = hp::vector("b", hp::bool_);
  hp::Var f32 = hp::vector("f", hp::float32), r = hp::row("r");
  const std::vector<hp::Var> kept{
      i * 1.0,                                    // an int times a float is a float
      i / 1,                                      // true division of ints is a float
      b + 0,                                      // bool + 0 is int64
      f32 + hp::constant(hp::Array(0.0)),         // a float64 zero tensor upcasts float32
      x + hp::constant(hp::Array::zeros({3})),    // a zero vector that does not broadcast checks x's length
      r * hp::constant(hp::Array::ones({2, 1})),  // ones of (2, 1) widen the row to (2, n)
      f32 * 0,                                    // x * 0 is not 0 where x is inf or nan
  };
  for (const hp::Var& y : kept) {
    INFO(hp::pp(y));
    CHECK(canonical({x, i, b, f32, r}, y).is(y));
  }
}

TEST_CASE("a graph with nothing to rewrite comes back as the same variables") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  const std::vector<hp::Var> outputs{hp::exp(x) * y + 2, hp::sum(x - y)};
  const std::vector<hp::Var> after = hp::canonicalize({x, y}, outputs);
  CHECK(after[0].is(outputs[0]));
  CHECK(after[1].is(outputs[1]));
}

TEST_CASE("canonicalize runs in FastCompile and FastRun, and a compiled function agrees") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  hp::Var out = (x + (-y)) * 1 + 0;
  for (hp::Mode mode : {hp::Mode::FastCompile, hp::Mode::FastRun}) {
    std::vector<hp::PassRun> trace;
    hp::optimize({x, y}, {out}, mode, {}, &trace);
    bool changed = false;
    for (const hp::PassRun& run : trace) changed = changed || (run.name == "canonicalize" && run.changed());
    CHECK(changed);
  }
  hp::Function f = hp::compile({x, y}, {out});
  CHECK(f(hp::array({1., 2.}), hp::array({0.5, 4.}))[0].to_vector<double>() == std::vector<double>{0.5, -2.});
}

TEST_CASE("10,000 chained rewrites take well under a second") {
  hp::Var x = hp::vector("x");
  hp::Var y = x;
  for (int k = 0; k < 2500; ++k) y = -(-(y * 1)) + 0.5;  // 4 nodes per step, 3 of them removable
  REQUIRE(count_ops({y}, {x}) == 10000);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<hp::Var> after = hp::canonicalize({x}, {y});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("canonicalize of a 10,000-node chain: " << seconds * 1e3 << " ms");
  CHECK(count_ops(after, {x}) == 2500);
  CHECK(seconds < 0.5);
}
