// The fuse_elemwise pass: which ops it merges, and that values do not change.
#include <doctest/doctest.h>

#include <hypatia/hypatia.hpp>

#include "compiler/graph/walk.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "compiler/rewrite/fuse_elemwise.hpp"
#include "runtime/cpu/jit.hpp"

namespace hp = hypatia;

namespace {

int count_nodes(const std::vector<hp::Var>& outputs, const std::vector<hp::Var>& inputs) {
  return static_cast<int>(hp::topological_order(outputs, inputs).size());
}

int count_fused(const std::vector<hp::Var>& outputs, const std::vector<hp::Var>& inputs) {
  int n = 0;
  for (const auto& node : hp::topological_order(outputs, inputs)) {
    n += dynamic_cast<const hp::FusedElemwiseOp*>(&node->op()) != nullptr;
  }
  return n;
}

}  // namespace

TEST_CASE("the 10-op chain becomes one fused node with the same values") {
  hp::Var a = hp::vector("a"), b = hp::vector("b"), c = hp::vector("c");
  hp::Var chain = hp::sigmoid(a * b + c) * hp::tanh(a) - hp::exp(-(b * b)) + 0.5 * c;
  CHECK(count_nodes({chain}, {a, b, c}) == 11);
  const std::vector<hp::Var> fused = hp::fuse_elemwise({a, b, c}, {chain});
  CHECK(count_nodes(fused, {a, b, c}) == 1);
  CHECK(count_fused(fused, {a, b, c}) == 1);
  const std::vector<std::pair<hp::Var, hp::Array>> values{
      {a, hp::array({0.5, -1., 2.})}, {b, hp::array({1., 0.25, -3.})}, {c, hp::array({-2., 0., 1.})}};
  CHECK(hp::allclose(fused[0].eval(values), chain.eval(values), 1e-15, 0));
  CHECK(hp::pp(fused[0]) == hp::pp(chain));  // pp of a fused node prints its inner expression
}

TEST_CASE("an intermediate with another user ends a group") {
  hp::Var x = hp::vector("x");
  hp::Var e = hp::exp(x);
  hp::Var y = e * 2 + 1;
  hp::Var z = hp::sum(e);
  const std::vector<hp::Var> fused = hp::fuse_elemwise({x}, {y, z});
  // exp stays alone (sum reads it too); (e * 2) + 1 fuses.
  CHECK(count_nodes(fused, {x}) == 3);
  CHECK(count_fused(fused, {x}) == 1);
  const std::vector<std::pair<hp::Var, hp::Array>> values{{x, hp::array({0., 1.})}};
  CHECK(hp::allclose(fused[0].eval(values), y.eval(values)));
  CHECK(hp::allclose(fused[1].eval(values), z.eval(values)));
}

TEST_CASE("an output used inside the graph is not fused away") {
  hp::Var x = hp::vector("x");
  hp::Var e = hp::exp(x);
  const std::vector<hp::Var> fused = hp::fuse_elemwise({x}, {e, e + 1});
  CHECK(count_fused(fused, {x}) == 0);
  CHECK(count_nodes(fused, {x}) == 2);
}

TEST_CASE("a group fused into the reduction after it, and a group after the reduction") {
  hp::Var m = hp::matrix("m"), v = hp::col("v");
  hp::Var s = hp::sum(hp::exp(m + v) * 2, 1);
  hp::Var out = hp::log(s) - hp::sqr(s);
  const std::vector<hp::Var> fused = hp::fuse_elemwise({m, v}, {out});
  CHECK(count_fused(fused, {m, v}) == 1);
  CHECK(count_nodes(fused, {m, v}) == 2);
  CHECK(hp::topological_order(fused, {m, v})[0]->op().name() == "Sum{axis=[1]}{Composite{(exp((i0 + i1)) * TensorConstant{2})}}");
  const std::vector<std::pair<hp::Var, hp::Array>> values{
      {m, hp::array({{0.1, 0.2, 0.3}, {1., 2., 3.}})}, {v, hp::array({{1.}, {-1.}})}};
  CHECK(hp::allclose(fused[0].eval(values), out.eval(values), 1e-14, 0));
}

TEST_CASE("FastRun fuses and FastCompile does not; both give the reference's numbers") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::tanh(x) * 3 - x / 2;
  hp::Function fast = hp::compile({x}, {y}, {.mode = hp::Mode::FastRun, .profile = true});
  hp::Function plain = hp::compile({x}, {y}, {.mode = hp::Mode::FastCompile, .profile = true});
  const hp::Array arg = hp::array({-1., 0., 2.5});
  CHECK(hp::allclose(fast(arg)[0], y.eval({{x, arg}}), 1e-14, 0));
  CHECK(hp::allclose(plain(arg)[0], y.eval({{x, arg}}), 1e-14, 0));
  // Without the JIT (HYPATIA_WITH_CLANG=OFF) compile runs the reference on the graph as given.
  if (!hp::jit::available()) return;
  CHECK(fast.profile().nodes.size() == 1);
  CHECK(plain.profile().nodes.size() == 4);
}

TEST_CASE("a value read twice inside one group is computed in the group and not written") {
  hp::Var x = hp::vector("x");
  hp::Var t = hp::exp(x);
  hp::Var y = hp::log1p(t * 2) + t;
  const std::vector<hp::Var> fused = hp::fuse_elemwise({x}, {y});
  CHECK(count_nodes(fused, {x}) == 1);
  CHECK(count_fused(fused, {x}) == 1);
  CHECK(hp::pp(fused[0]) == hp::pp(y));
  const std::vector<std::pair<hp::Var, hp::Array>> values{{x, hp::array({-1., 0., 0.5, 3.})}};
  CHECK(hp::allclose(fused[0].eval(values), y.eval(values), 1e-15, 0));
  // Also read outside the group (here: returned), t keeps its own loop.
  const std::vector<hp::Var> both = hp::fuse_elemwise({x}, {y, t});
  CHECK(count_nodes(both, {x}) == 2);
}

TEST_CASE("a group whose values are each read several times prints in bounded text") {
  // Each step reads the last value three times: as a tree its text would triple per step.
  hp::Var x = hp::vector("x");
  hp::Var t = x;
  for (int k = 0; k < 40; ++k) t = t * t + t;
  const std::vector<hp::Var> fused = hp::fuse_elemwise({x}, {t});
  CHECK(count_nodes(fused, {x}) < 80);
  for (const auto& node : hp::topological_order(fused, {x})) CHECK(node->op().name().size() < 100000);
  const std::vector<std::pair<hp::Var, hp::Array>> values{{x, hp::array({-0.5, 0., 1e-3})}};
  CHECK(hp::allclose(fused[0].eval(values), t.eval(values), 1e-14, 0));
}
