// The differential fuzzer (tools/fuzz/fuzz_graph.hpp, fuzz_compare.hpp): its
// generator, its oracle and minimiser, a short fixed-seed run in FastRun and
// FastCompile with gradient checks, and every saved regression case.
#include <doctest/doctest.h>


#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "hypatia/hypatia.hpp"
#include "tools/fuzz/fuzz_compare.hpp"
#include "tools/fuzz/fuzz_graph.hpp"

namespace hp = hypatia;
namespace fz = hypatia::fuzz;

namespace {

/// The fuzzer compiles hundreds of throwaway functions: none go to the disk cache.
struct NoDiskCache {
  NoDiskCache() { hp::config().cache = false; }
};
const NoDiskCache no_disk_cache;

fz::Step input(hp::DType dtype, hp::Shape shape, std::vector<double> values) {
  fz::Step s;
  s.kind = fz::Step::Kind::Input;
  s.dtype = dtype;
  s.broadcastable.assign(shape.size(), false);
  s.shape = std::move(shape);
  if (hp::is_float(dtype)) s.values = std::move(values);
  else s.int_values.assign(values.begin(), values.end());
  return s;
}

fz::Step op(std::string name, std::vector<int> args, hp::Shape shape) {
  fz::Step s;
  s.op = std::move(name);
  s.args = std::move(args);
  s.shape = std::move(shape);
  return s;
}

std::string describe(const std::vector<fz::Failure>& failures) {
  std::string text;
  for (const auto& f : failures) text += fz::format_regression(f, "fuzz_fuzz") + "\n";
  return text;
}

}  // namespace

TEST_CASE("a recipe reads back from its text form exactly") {
  fz::Generator gen(11);
  for (int i = 0; i < 60; ++i) {
    const fz::Recipe r = gen.next();
    const std::string text = fz::format_recipe(r);
    const fz::Recipe back = fz::parse_recipe(text);
    CHECK(fz::format_recipe(back) == text);
    CHECK(hp::debugprint(fz::build(back).outputs) == hp::debugprint(fz::build(r).outputs));
  }
  CHECK_THROWS_AS(fz::parse_recipe("0 input dtype=float64 shape=2 values=1,2 bogus=3\n"), hp::Error);
}

TEST_CASE("the same seed generates the same graphs") {
  fz::Generator a(5), b(5), c(6);
  std::string ta, tb, tc;
  for (int i = 0; i < 20; ++i) {
    ta += fz::format_recipe(a.next());
    tb += fz::format_recipe(b.next());
    tc += fz::format_recipe(c.next());
  }
  CHECK(ta == tb);
  CHECK(ta != tc);
}

TEST_CASE("the generator covers every public op, dtype, rank 0-4, size 0 and every input layout") {
  std::set<std::string> ops;
  std::set<hp::DType> dtypes;
  std::set<std::size_t> ranks;
  std::set<int> layouts;
  bool size_zero = false, constant = false, literal = false;
  fz::Generator gen(3);
  for (int i = 0; i < 600; ++i) {
    for (const fz::Step& s : gen.next().steps) {
      if (s.kind == fz::Step::Kind::Op) ops.insert(s.op);
      if (s.kind == fz::Step::Kind::Constant) constant = true;
      if (s.kind == fz::Step::Kind::Literal) literal = true;
      if (s.kind != fz::Step::Kind::Input) continue;
      dtypes.insert(s.dtype);
      ranks.insert(s.shape.size());
      layouts.insert(static_cast<int>(s.layout));
      size_zero |= std::find(s.shape.begin(), s.shape.end(), 0) != s.shape.end();
    }
  }
  for (const std::string& name : fz::op_names()) CHECK_MESSAGE(ops.count(name) == 1, name);
  CHECK(dtypes.size() == 8);
  CHECK(ranks == std::set<std::size_t>{0, 1, 2, 3, 4});
  CHECK(layouts.size() == 5);
  CHECK(size_zero);
  CHECK(constant);
  CHECK(literal);
}

TEST_CASE("input layouts hold the recipe's values in non-contiguous memory") {
  fz::Step s = input(hp::float64, {2, 3}, {1, 2, 3, 4, 5, 6});
  for (fz::Layout layout : {fz::Layout::Strided, fz::Layout::Transposed, fz::Layout::Reversed}) {
    s.layout = layout;
    s.layout_axis = 1;
    const hp::Array a = fz::make_value(s);
    CHECK_FALSE(a.is_contiguous());
    CHECK(a.to_vector<double>() == std::vector<double>{1, 2, 3, 4, 5, 6});
  }
  fz::Step b = input(hp::int32, {3, 2}, {7, 8, 7, 8, 7, 8});
  b.layout = fz::Layout::Broadcast;
  b.layout_axis = 0;
  const hp::Array a = fz::make_value(b);
  CHECK(a.strides()[0] == 0);
  CHECK(a.to_vector<int>() == std::vector<int>{7, 8, 7, 8, 7, 8});
}

TEST_CASE("the oracle reports a wrong value and a wrong shape, not rounding") {
  fz::Stats stats;
  fz::Recipe r;
  r.steps = {input(hp::float64, {3}, {0.5, -1.0, 2.0}), op("exp", {0}, {3})};
  r.outputs = {1};
  const std::vector<double> want = {std::exp(0.5), std::exp(-1.0), std::exp(2.0)};
  CHECK_FALSE(fz::judge_values(r, {hp::array(want)}, hp::Mode::FastRun, stats));
  // exp may be a few ulps off in compiled code: not a failure.
  std::vector<double> close = want;
  close[1] = std::nextafter(close[1], 1.0);
  CHECK_FALSE(fz::judge_values(r, {hp::array(close)}, hp::Mode::FastRun, stats));
  std::vector<double> wrong = want;
  wrong[2] = 7.0;
  const auto f = fz::judge_values(r, {hp::array(wrong)}, hp::Mode::FastRun, stats);
  REQUIRE(f);
  CHECK(f->kind == fz::FailureKind::Mismatch);
  CHECK(f->detail.find("element 2 is 7") != std::string::npos);
  std::vector<double> nan = want;
  nan[0] = NAN;
  CHECK(fz::judge_values(r, {hp::array(nan)}, hp::Mode::FastRun, stats));
  CHECK(fz::judge_values(r, {hp::array(std::vector<double>{1, 2})}, hp::Mode::FastRun, stats));
}

TEST_CASE("the oracle holds sums to IEEE addition, not to the reference's own summation") {
  // The compiled code and the reference shared a compensated sum that gave
  // NaN for sum([1, 2, inf]); comparing the two could not see it. The oracle
  // checks each reference sum against one accumulated in long double.
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  fz::Stats stats;
  fz::Recipe r;
  r.steps = {input(hp::float64, {3}, {1.0, 2.0, kInf}), op("sum", {0}, {})};
  r.steps[1].all_axes = true;
  r.outputs = {1};
  CHECK_FALSE(fz::judge_values(r, {hp::Array(kInf)}, hp::Mode::FastRun, stats));
  const auto f = fz::judge_values(r, {hp::Array(kNaN)}, hp::Mode::FastRun, stats);
  REQUIRE(f);
  CHECK(f->kind == fz::FailureKind::Mismatch);
  // Overflow is inf too: 1e308 + 1e308 + 1.
  fz::Recipe big = r;
  big.steps[0] = input(hp::float64, {3}, {1e308, 1e308, 1.0});
  CHECK_FALSE(fz::judge_values(big, {hp::Array(kInf)}, hp::Mode::FastRun, stats));
  CHECK(fz::judge_values(big, {hp::Array(kNaN)}, hp::Mode::FastRun, stats));
}

TEST_CASE("the oracle wants the reference's error: integer division by zero") {
  fz::Stats stats;
  fz::Recipe r;
  r.steps = {input(hp::int32, {2}, {4, 6}), input(hp::int32, {2}, {2, 0}), op("int_div", {0, 1}, {2})};
  r.outputs = {2};
  const auto missing = fz::judge_values(r, {hp::array(std::vector<int>{2, 0})}, hp::Mode::FastRun, stats);
  REQUIRE(missing);
  CHECK(missing->kind == fz::FailureKind::MissingError);
  CHECK(missing->detail.find("InvalidValueError") != std::string::npos);
  // The compiled function throws the same class: no failure.
  CHECK_FALSE(fz::check_one(r, hp::Mode::FastRun, stats));
  CHECK_FALSE(fz::check_one(r, hp::Mode::FastCompile, stats));
}

TEST_CASE("an error in a value no output needs is excused: shape(x % x) with a zero in x") {
  fz::Stats stats;
  fz::Recipe r;
  r.steps = {input(hp::int32, {3}, {1, 0, 2}), op("mod", {0, 0}, {3}), op("shape", {1}, {1})};
  r.outputs = {2};
  // The reference divides and throws; the compiled function reads x's shape only.
  CHECK_FALSE(fz::check_one(r, hp::Mode::FastRun, stats));
  CHECK(stats.errors_optimised_away == 1);
  // Where the output needs the quotient, the error must come.
  r.outputs = {1};
  CHECK_FALSE(fz::check_one(r, hp::Mode::FastRun, stats));
  const auto missing = fz::judge_values(r, {hp::array(std::vector<int>{0, 0, 0})}, hp::Mode::FastRun, stats);
  REQUIRE(missing);
  CHECK(missing->kind == fz::FailureKind::MissingError);
}

TEST_CASE("the minimiser keeps the failure and drops the rest of the graph") {
  // relu has no derivative at 0: verify_grad's finite difference there is 0.5,
  // the symbolic gradient 0. A failure to minimise that is not a bug.
  fz::Stats stats;
  fz::Recipe r;
  r.steps = {input(hp::float64, {3}, {1.0, 0.0, 2.0}), input(hp::float64, {3}, {0.3, 0.6, 0.9}),
             op("tanh", {1}, {3}),  op("relu", {0}, {3}), op("add", {3, 2}, {3}), op("sum", {4}, {})};
  r.steps.back().all_axes = true;
  r.outputs = {5};
  const auto failure = fz::check_grad(r, stats);
  REQUIRE(failure);
  const fz::Recipe small = fz::minimise(*failure, stats);
  CHECK(small.steps.size() < r.steps.size());
  CHECK(std::any_of(small.steps.begin(), small.steps.end(), [](const fz::Step& s) { return s.op == "relu"; }));
  CHECK_FALSE(std::any_of(small.steps.begin(), small.steps.end(), [](const fz::Step& s) { return s.op == "tanh"; }));
  CHECK(fz::check_grad(small, stats));
}

TEST_CASE("fixed seeds: FastRun and FastCompile agree with the reference evaluator") {
  fz::Stats stats;
  std::vector<fz::Failure> failures;
  // HYPATIA_FUZZ_SEEDS cuts the run short (the sanitizer stage of CI runs 6 of the 24 seeds).
  const char* env = std::getenv("HYPATIA_FUZZ_SEEDS");
  const std::uint64_t seeds = env ? std::clamp<std::uint64_t>(std::strtoull(env, nullptr, 10), 1, 24) : 24;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    fz::Generator gen(seed * 7919);
    std::vector<fz::Recipe> recipes;
    for (int i = 0; i < 24; ++i) recipes.push_back(gen.next());
    for (hp::Mode mode : {hp::Mode::FastRun, hp::Mode::FastCompile}) {
      for (auto& f : fz::check_batch(recipes, mode, stats)) {
        f.detail = "seed " + std::to_string(seed) + ": " + f.detail;
        failures.push_back(f);
      }
    }
    stats.graphs += static_cast<long>(recipes.size());
  }
  MESSAGE(stats.graphs << " graphs, " << stats.functions << " compiled functions, " << stats.error_graphs
                       << " erroring graphs, " << stats.unstable_elements << " differences explained by rounding");
  CHECK_MESSAGE(failures.empty(), describe(failures));
  CHECK(stats.graphs == static_cast<long>(seeds) * 24);
}

TEST_CASE("fixed seeds: symbolic gradients agree with finite differences") {
  fz::Stats stats;
  std::vector<fz::Failure> failures;
  fz::Generator gen(424242, {.max_ops = 4, .max_elements = 12, .differentiable_only = true});
  for (int i = 0; i < 40; ++i) {
    if (auto f = fz::check_grad(gen.next(), stats)) failures.push_back(*f);
  }
  CHECK_MESSAGE(failures.empty(), describe(failures));
  CHECK(stats.gradient_checks == 40);
}

namespace {

fz::Regression read_case(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return fz::parse_regression(text.str());
}

}  // namespace

TEST_CASE("every known open bug still fails (once fixed, its case moves to regressions/)") {
  // known/ holds a README and, while a bug found by the fuzzer is open, its case.
  fz::Stats stats;
  for (const auto& entry : std::filesystem::directory_iterator(HYPATIA_FUZZ_KNOWN)) {
    if (entry.path().extension() != ".txt") continue;
    CHECK_MESSAGE(fz::replay(read_case(entry.path()), stats),
                  entry.path().filename().string() << " passes now: move it to tests/fuzz/regressions/");
  }
}

TEST_CASE("every saved regression case passes") {
  fz::Stats stats;
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(HYPATIA_FUZZ_REGRESSIONS)) {
    if (entry.path().extension() != ".txt") continue;
    ++cases;
    const auto failure = fz::replay(read_case(entry.path()), stats);
    CHECK_MESSAGE(!failure, entry.path().filename().string() << ": "
                                << (failure ? fz::kind_name(failure->kind) + "\n" + failure->detail : ""));
  }
  CHECK(cases > 0);
}
