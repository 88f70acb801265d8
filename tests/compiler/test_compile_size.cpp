// What keeps compile time near-linear in graph size: fused groups stop
// growing at a bounded size (a long chain becomes several groups sharing one
// loop body), helper functions of equal text are emitted once, and a large
// hp_main is not optimised (its glue would cost LLVM seconds).
#include <doctest/doctest.h>

#include <string>

#include <hypatia/hypatia.hpp>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/reference/evaluate.hpp"
#include "compiler/rewrite/optimize.hpp"
#include "runtime/cpu/jit.hpp"

namespace hp = hypatia;

namespace {

int occurrences(const std::string& text, const std::string& part) {
  int n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

/// y = tanh(y) * a + b, `steps` times, from y = x.
struct Chain {
  hp::Var x = hp::vector("x"), a = hp::vector("a"), b = hp::vector("b");
  hp::Var y;
  explicit Chain(int steps) : y(x) {
    for (int step = 0; step < steps; ++step) y = hp::tanh(y) * a + b;
  }
};

}  // namespace

TEST_CASE("a long elementwise chain fuses into groups of bounded size that share one loop body") {
  Chain chain(100);  // 300 ops, 100 tanh
  const auto optimized = hp::optimize({chain.x, chain.a, chain.b}, {chain.y}, hp::Mode::FastRun);
  const auto nodes = hp::topological_order(optimized, {chain.x, chain.a, chain.b});
  CHECK(nodes.size() >= 100 / 8);
  CHECK(nodes.size() <= 100 / 8 + 2);
  if (!hp::jit::available()) return;
  hp::Function f = hp::compile({chain.x, chain.a, chain.b}, {chain.y});
  const std::string source = f.source();
  // The full groups in place, the last one (writing the output) and the shorter first one.
  CHECK(occurrences(source, "static __attribute__((noinline)) void hp_body_") <= 3);
  const auto args = std::vector<hp::Array>{hp::array({0.5, -1.0, 2.0}), hp::array({0.9, 1.1, -0.3}),
                                           hp::array({0.1, 0.0, -0.2})};
  const hp::Array want = hp::evaluate({chain.y}, {{chain.x, args[0]}, {chain.a, args[1]}, {chain.b, args[2]}}).at(0);
  CHECK(hp::allclose(f.call(args)[0], want, 1e-12, 1e-14));
}

TEST_CASE("reductions of equal text share one function; a large hp_main is compiled unoptimised") {
  if (!hp::jit::available()) return;
  hp::Var x = hp::matrix("x");
  hp::Var total = hp::sum(x, 1);
  for (int i = 0; i < hp::CppEmitter::kOptimizedMainNodes; ++i) total = total + hp::sum(hp::dot(x, x), 1);
  hp::Function big = hp::compile({x}, {total}, {.mode = hp::Mode::FastCompile});
  CHECK(occurrences(big.source(), "static __attribute__((noinline)) int hp_reduce_") == 1);
  CHECK(occurrences(big.source(), "__attribute__((optnone, noinline)) int hp_main") == 1);
  const hp::Array m = hp::array({{1., 2.}, {3., 4.}});
  const hp::Array want = hp::evaluate({total}, {{x, m}}).at(0);
  CHECK(hp::allclose(big(m)[0], want));

  hp::Function small = hp::compile({x}, {hp::sum(x, 1) * 2.0});
  CHECK(occurrences(small.source(), "__attribute__((minsize)) int hp_main") == 1);
}
