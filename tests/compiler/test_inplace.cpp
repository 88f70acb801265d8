// The inplace pass and code generation's in-place loops: an elementwise
// result takes over the memory of a dead scratch operand, and never that of
// a caller's array, a constant, a shared variable or a function output.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/graph/walk.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "compiler/rewrite/optimize.hpp"
#include "runtime/cpu/jit.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::contains;

namespace {

/// The inplace_inputs of every fused elementwise node of the optimised graph.
std::vector<std::vector<int>> inplace_marks(const std::vector<hp::Var>& inputs, const std::vector<hp::Var>& outputs,
                                            hp::Mode mode = hp::Mode::FastRun) {
  std::vector<std::vector<int>> marks;
  for (const auto& node : hp::topological_order(hp::optimize(inputs, outputs, mode), inputs)) {
    if (const auto* fused = dynamic_cast<const hp::FusedElemwiseOp*>(&node->op())) {
      marks.push_back(fused->inplace_inputs());
    }
  }
  return marks;
}

using Marks = std::vector<std::vector<int>>;

bool same(const hp::Array& a, const hp::Array& b) {
  return a.shape() == b.shape() && a.to_vector<double>() == b.to_vector<double>();
}

}  // namespace

TEST_CASE("an elementwise group over a dead intermediate may write into it") {
  hp::Var m = hp::matrix("m"), v = hp::vector("v");
  hp::Var s = hp::sum(m, {1}, false);
  const hp::Var y = hp::dot(hp::exp(s) * 2 + 1, v);
  CHECK(inplace_marks({m, v}, {y}) == Marks{{0}});
  CHECK(inplace_marks({m, v}, {y}, hp::Mode::FastCompile).empty());  // FastCompile: no fusion, no inplace
  CHECK(inplace_marks({m}, {hp::exp(s) * 2 + 1}) == Marks{{}});  // a function output: written there directly

  hp::Function f = hp::compile({m, v}, {y}, {.mode = hp::Mode::FastRun});
  CHECK(contains(f.source(), "in place") == hp::jit::available());
  const hp::Array arg = hp::array({{0.1, 0.2, 0.3}, {-1., 0.5, 0.25}});
  const hp::Array vec = hp::array({2., -1.});
  for (int call = 0; call < 3; ++call) {
    CHECK(hp::allclose(f(arg, vec)[0], y.eval({{m, arg}, {v, vec}}), 1e-15, 0));
  }
}

TEST_CASE("a lone elementwise op over a dead intermediate becomes an in-place composite") {
  hp::Var a = hp::matrix("a"), x = hp::vector("x"), w = hp::vector("w");
  const hp::Var y = hp::dot(hp::tanh(hp::dot(a, x)), w);  // tanh between two dots: nothing to fuse with
  const std::vector<hp::Var> outs = hp::optimize({a, x, w}, {y}, hp::Mode::FastRun);
  const auto nodes = hp::topological_order(outs, {a, x, w});
  REQUIRE(nodes.size() == 3);
  CHECK(nodes[1]->op().name() == "Elemwise{Composite{tanh(i0)}}[inplace i0]");
  hp::Function f = hp::compile({a, x, w}, {y}, {.mode = hp::Mode::FastRun});
  CHECK(contains(f.source(), "in place") == hp::jit::available());
  const hp::Array av = hp::array({{1., 2.}, {3., -4.}, {0.5, 0.}});
  const hp::Array xv = hp::array({0.25, -0.5});
  const hp::Array wv = hp::array({1., 2., 3.});
  CHECK(hp::allclose(f(av, xv, wv)[0], y.eval({{a, av}, {x, xv}, {w, wv}}), 1e-15, 0));
}

TEST_CASE("x * x over a dead x is marked once") {
  hp::Var m = hp::matrix("m"), v = hp::vector("v");
  hp::Var s = hp::sum(m, {0}, false);
  CHECK(inplace_marks({m, v}, {hp::dot(s * s + 1, v)}) == Marks{{0}});
}

TEST_CASE("no in-place mark for caller inputs, shared variables, constants, outputs or shared intermediates") {
  hp::Var m = hp::matrix("m");
  hp::Shared w = hp::shared(hp::array({{1., 2.}, {3., 4.}}), "w");
  const hp::Var c = hp::constant(hp::array({{1., 1.}, {2., 2.}}));
  CHECK(inplace_marks({m}, {hp::exp(m) * 2}) == Marks{{}});
  CHECK(inplace_marks({m}, {hp::exp(w) * 2 + m}) == Marks{{}});
  CHECK(inplace_marks({m}, {hp::exp(c) * m + 1}) == Marks{{}});  // exp(c) is folded to a constant
  hp::Var s = hp::sum(m, {1}, false);
  CHECK(inplace_marks({m}, {s, hp::exp(s) * 2}) == Marks{{}});  // s is an output
  CHECK(inplace_marks({m}, {hp::exp(s) * 2, hp::log(s) * 3}) == Marks{{}, {}});  // s has two readers
  hp::Var v = hp::vector("v");
  CHECK(inplace_marks({m, v}, {hp::dot(hp::exp(hp::sum(m, {1}, false)) * v, v)}) == Marks{{0}});
  hp::Var i = hp::vector("i", hp::int64);
  CHECK(inplace_marks({m, i}, {hp::exp(hp::sum(i)) * 2}) == Marks{{}});  // int64 operand, float64 result
}

TEST_CASE("in-place code never writes into the caller's arrays or a shared variable") {
  hp::Var m = hp::matrix("m");
  hp::Shared w = hp::shared(hp::array({{1., 2.}, {3., 4.}}), "w");
  // Views of the caller's array and of the shared variable have an owner:
  // the pass marks them, and code generation must refuse their memory.
  const hp::Var y = hp::exp(hp::transpose(m)) * 2 + hp::transpose(w) * 3;
  const hp::Var z = hp::sqrt(hp::transpose(w)) + 1;
  hp::Function f = hp::compile({m}, {y, z}, {.mode = hp::Mode::FastRun});
  const hp::Array arg = hp::array({{0.5, -1.}, {2., 0.}});
  const hp::Array arg_before = arg.copy();
  const hp::Array w_before = w.get_value();
  const auto first = f(arg);
  const auto second = f(arg);
  CHECK(same(arg, arg_before));
  CHECK(same(w.get_value(), w_before));
  CHECK(same(first[0], second[0]));
  CHECK(same(first[1], second[1]));
  CHECK(hp::allclose(first[0], y.eval({{m, arg}}), 1e-15, 0));
  CHECK(hp::allclose(first[1], z.eval(), 1e-15, 0));
}

TEST_CASE("a chain of in-place groups between reductions gives the reference's values on every call") {
  hp::Var m = hp::matrix("m"), v = hp::vector("v");
  hp::Var s = hp::sum(m * m, {1}, false);                    // fused reduction: scratch output
  hp::Var t = hp::sum(hp::exp(hp::dimshuffle(s, {0, hp::newaxis}) - m), {0}, false);
  const hp::Var y = hp::log(hp::dot(m, t) + 1) * 2 - v;       // after dot: scratch, dies here
  hp::Function f = hp::compile({m, v}, {y}, {.mode = hp::Mode::FastRun});
  const hp::Array mv = hp::array({{0.1, 0.2, 0.3}, {0.4, 0.5, 0.6}});
  const hp::Array vv = hp::array({1., 2.});
  const hp::Array expected = y.eval({{m, mv}, {v, vv}});
  for (int call = 0; call < 3; ++call) CHECK(hp::allclose(f(mv, vv)[0], expected, 1e-14, 0));
  CHECK(same(vv, hp::array({1., 2.})));
}
