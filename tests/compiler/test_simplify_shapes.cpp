// The simplify_shapes pass: shape(x) and shape(x)[i] follow back to what sets
// them, fold to constants where known, and keep their values.
#include <doctest/doctest.h>

#include <hypatia/hypatia.hpp>

#include "compiler/rewrite/constant_fold.hpp"
#include "compiler/rewrite/optimize.hpp"
#include "compiler/rewrite/simplify_shapes.hpp"
#include "tests/compiler/rewrite_checks.hpp"

namespace hp = hypatia;
using rewrite_checks::check_same_values;
using rewrite_checks::count_ops;
using rewrite_checks::random_array;

namespace {

hp::Var simplified(const std::vector<hp::Var>& inputs, const hp::Var& out) {
  return hp::simplify_shapes(inputs, {out}).front();
}

std::vector<std::int64_t> ints(const hp::Var& constant) {
  REQUIRE(constant.is_constant());
  return constant.constant_value().to_vector<std::int64_t>();
}

}  // namespace

TEST_CASE("the shape of an elementwise result is the shape of the input that sets it") {
  hp::Var x = hp::matrix("x"), r = hp::row("r");
  hp::Var y = hp::exp(r * 2) + x * x;
  hp::Var s = simplified({x, r}, hp::shape(y));
  CHECK(hp::pp(s) == "shape(x)");
  check_same_values({hp::shape(y)}, {s},
                    {{x, random_array({3, 4}, hp::float64, 1)}, {r, random_array({1, 4}, hp::float64, 2)}},
                    0);
}

TEST_CASE("shapes known at compile time become constants") {
  hp::Var v = hp::vector("v");
  CHECK(ints(simplified({v}, hp::shape(hp::reshape(v, {2, 3})))) == std::vector<std::int64_t>{2, 3});
  CHECK(ints(simplified({v}, hp::shape(hp::sum(hp::reshape(v, {2, 3}), 0, true)))) ==
        std::vector<std::int64_t>{1, 3});
  CHECK(ints(simplified({v}, hp::shape(hp::sum(v)))).empty());  // a 0-d result has the empty shape
  hp::Var c = hp::constant(hp::Array::zeros({4, 5}));
  CHECK(ints(simplified({v}, hp::shape(hp::transpose(c) * 2))) == std::vector<std::int64_t>{5, 4});
  hp::Var size = simplified({v}, hp::subtensor(hp::shape(hp::reshape(v, {-1, 3})), {std::int64_t{1}}));
  CHECK(ints(size) == std::vector<std::int64_t>{3});
  CHECK(size.type() == hp::TensorType(hp::int64, {}));
}

TEST_CASE("shape(x)[i] follows dimshuffles, reductions, dots and slices to its source") {
  hp::Var m = hp::matrix("m"), a = hp::matrix("a"), t = hp::tensor3("t");
  auto size = [](const hp::Var& x, std::int64_t i) { return hp::subtensor(hp::shape(x), {i}); };
  const std::vector<hp::Var> before{
      size(hp::transpose(m), 0),                                   // m's axis 1
      size(hp::dot(a, m), 1),                                      // m's axis 1
      size(hp::sum(t, 1), 1),                                      // t's axis 2
      size(hp::subtensor(t, {std::int64_t{0}, hp::slice()}), -1),  // t's axis 2
      size(hp::dimshuffle(m, {1, hp::newaxis, 0}), 1),             // a new axis: 1
      size(hp::softmax(hp::exp(m)), 0),                            // m's axis 0
  };
  const std::vector<hp::Var> after = hp::simplify_shapes({m, a, t}, before);
  CHECK(hp::pp(after[0]) == "shape(m)[1]");
  CHECK(hp::pp(after[1]) == "shape(m)[1]");
  CHECK(hp::pp(after[2]) == "shape(t)[2]");
  CHECK(hp::pp(after[3]) == "shape(t)[2]");
  CHECK(ints(after[4]) == std::vector<std::int64_t>{1});
  CHECK(hp::pp(after[5]) == "shape(m)[0]");
  CHECK(after[0].is(after[1]));  // one shape(m)[1] node for the whole pass
  check_same_values(before, after,
                    {{m, random_array({3, 4}, hp::float64, 3)},
                     {a, random_array({2, 3}, hp::float64, 4)},
                     {t, random_array({2, 3, 5}, hp::float64, 5)}},
                    0);
}

TEST_CASE("the mean's gradient divides by a constant where the shape is known") {
  hp::Var v = hp::vector("v");
  hp::Var cost = hp::sum(hp::mean(hp::reshape(v, {4, 5}) * 2, 1));
  hp::Var g = hp::grad(cost, v);
  REQUIRE(count_ops({g}, {v}, "Shape") > 0);
  const std::vector<hp::Var> after = hp::constant_fold({v}, hp::simplify_shapes({v}, {g}));
  CHECK(count_ops(after, {v}, "Shape") == 0);
  check_same_values({g}, after, {{v, random_array({20}, hp::float64, 6)}}, 1e-15);
}

TEST_CASE("not applied where an axis's own node sets its size") {
  hp::Var x = hp::matrix("x"), y = hp::matrix("y");
  const std::vector<hp::Var> kept{
      hp::shape(x),                           // an input
      hp::shape(hp::reshape(x, {-1, 3})),     // axis 0 is computed by the reshape
      hp::shape(hp::dot(x, y)),               // axes from two variables
      hp::shape(hp::concatenate({x, y}, 0)),  // axis 0 adds up two sizes
      hp::subtensor(hp::shape(hp::concatenate({x, y}, 0)), {std::int64_t{0}}),
      hp::subtensor(hp::shape(hp::subtensor(x, {hp::slice(1)})), {std::int64_t{0}}),  // a partial slice
      hp::subtensor(hp::shape(x), {std::int64_t{5}}),  // out of range: the error stays at run time
  };
  const std::vector<hp::Var> after = hp::simplify_shapes({x, y}, kept);
  for (std::size_t k = 0; k < kept.size(); ++k) {
    INFO(hp::pp(kept[k]));
    CHECK(after[k].is(kept[k]));
  }
}

TEST_CASE("an input of the rewritten graph is not looked through") {
  hp::Var x = hp::matrix("x");
  hp::Var e = hp::exp(x);
  // e is a leaf here (as a given would be): its shape is its own.
  hp::Var s = hp::shape(e * 2);
  CHECK(hp::pp(simplified({e}, s)) == "shape(exp(x))");
}

TEST_CASE("shape simplification runs in both modes and the compiled function agrees") {
  hp::Var x = hp::matrix("x");
  hp::Var out = hp::shape(hp::tanh(x) + 1);
  std::vector<hp::PassRun> trace;
  const std::vector<hp::Var> fast = hp::optimize({x}, {out}, hp::Mode::FastCompile, {}, &trace);
  CHECK(count_ops(fast, {x}, "Elemwise") == 0);
  hp::Function f = hp::compile({x}, {out});
  CHECK(f(hp::Array::zeros({2, 7}))[0].to_vector<std::int64_t>() == std::vector<std::int64_t>{2, 7});
}
