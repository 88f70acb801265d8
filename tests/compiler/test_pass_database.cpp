// The pass database: which passes each mode runs, optimizer_including /
// optimizer_excluding by option and flag, the errors for unknown names, and
// debugprint of a compiled function showing its optimised (fused) graph.
#include <doctest/doctest.h>

#include <algorithm>

#include <hypatia/hypatia.hpp>

#include "compiler/rewrite/optimize.hpp"
#include "runtime/cpu/jit.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::ConfigScope;
using hypatia_test::contains;
using hypatia_test::message_of;

namespace {

std::vector<std::string> names(const std::vector<const hp::RewritePass*>& passes) {
  std::vector<std::string> out;
  for (const hp::RewritePass* p : passes) out.emplace_back(p->name);
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}


}  // namespace

TEST_CASE("FastRun runs every pass; FastCompile and Debug's oracle only the cheap ones, without fusion") {
  const auto fast_run = names(hp::passes_for(hp::Mode::FastRun));
  const auto fast_compile = names(hp::passes_for(hp::Mode::FastCompile));
  CHECK(fast_run.size() == hp::rewrite_passes().size());
  CHECK(has(fast_run, "fuse_elemwise"));
  CHECK(!has(fast_compile, "fuse_elemwise"));
  CHECK(has(fast_compile, "merge"));
  CHECK(has(fast_compile, "stabilize"));
  CHECK(names(hp::passes_for(hp::Mode::Debug)) == fast_compile);
  for (const hp::RewritePass& pass : hp::rewrite_passes()) {
    CAPTURE(pass.name);
    CHECK(!pass.summary.empty());
  }
}

TEST_CASE("including adds a pass to a mode; excluding removes every occurrence of it") {
  const auto with_fusion = names(hp::passes_for(hp::Mode::FastCompile, {{"fuse_elemwise"}, {}}));
  CHECK(has(with_fusion, "fuse_elemwise"));
  const auto without_merge = names(hp::passes_for(hp::Mode::FastRun, {{}, {"merge"}}));
  CHECK(!has(without_merge, "merge"));
  CHECK(has(without_merge, "fuse_elemwise"));
}

TEST_CASE("an unknown pass name is an error listing the known passes") {
  const std::string message = message_of<hp::Error>([] { hp::passes_for(hp::Mode::FastRun, {{"fusion"}, {}}); });
  CHECK(contains(message, "optimizer_including: unknown rewrite pass 'fusion'"));
  CHECK(contains(message, "fuse_elemwise"));
  hp::Var x = hp::vector("x");
  const std::string from_compile =
      message_of<hp::Error>([&] { hp::compile({x}, {x * 2.0}, {.optimizer_excluding = {"no_such_pass"}}); });
  CHECK(contains(from_compile, "optimizer_excluding: unknown rewrite pass 'no_such_pass'"));
}

TEST_CASE("optimize leaves a graph no pass applies to as it is") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::dot(x, x);
  std::vector<hp::PassRun> trace;
  const auto out = hp::optimize({x}, {y}, hp::Mode::FastRun, {}, &trace);
  CHECK(out.front().is(y));
  CHECK(!trace.empty());
  for (const hp::PassRun& run : trace) CHECK(!run.changed());
}

TEST_CASE("debugprint of a compiled function shows its fused loop with the inner expression") {
  hp::Var a = hp::vector("a");
  hp::Var b = hp::vector("b");
  hp::Var out = hp::sigmoid(a * b) + hp::exp(-b);
  hp::Function fused = hp::compile({a, b}, {out}, {.mode = hp::Mode::FastRun});
  const std::string text = hp::debugprint(fused);
  CAPTURE(text);
  CHECK(contains(text, "Elemwise{Composite{(sigmoid((i0 * i1)) + exp((-i1)))}}"));
  CHECK(contains(text, "[id A]"));
  // FastCompile does not fuse; neither does FastRun with fusion excluded.
  hp::Function unfused = hp::compile({a, b}, {out}, {.mode = hp::Mode::FastCompile});
  CHECK(!contains(hp::debugprint(unfused), "sigmoid((i0 * i1))"));
  hp::Function excluded = hp::compile({a, b}, {out}, {.optimizer_excluding = {"fuse_elemwise"}});
  CHECK(!contains(hp::debugprint(excluded), "sigmoid((i0 * i1))"));
  const auto args = std::vector<hp::Array>{hp::array({1., 2.}), hp::array({0.5, -1.})};
  CHECK(hp::allclose(excluded.call(args)[0], fused.call(args)[0]));
}

TEST_CASE("the flags choose passes for every compile; they are part of the cache key") {
  ConfigScope restore;
  hp::Var a = hp::vector("a");
  hp::Var out = hp::exp(a) * 2.0 + 1.0;
  hp::config().optimizer_excluding = "fuse_elemwise";
  hp::Function excluded = hp::compile({a}, {out});
  CHECK(!contains(hp::debugprint(excluded), "exp(i0) * TensorConstant"));
  hp::config().optimizer_excluding = "";
  hp::Function fused = hp::compile({a}, {out});
  CHECK(contains(hp::debugprint(fused), "Composite{((exp(i0) * TensorConstant{2.0}) + TensorConstant{1.0})}}"));
  // Not a memory hit of the unfused one: other passes, other code.
  CHECK((fused.source() != excluded.source()) == hp::jit::available());  // no source without the JIT
  hp::config().optimizer_including = "bogus";
  CHECK(contains(message_of<hp::Error>([&] { hp::compile({a}, {out}); }), "unknown rewrite pass 'bogus'"));
}
