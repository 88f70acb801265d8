/// \file The differential fuzzer's oracle: runs recipes (tools/fuzz/fuzz_graph.hpp)
/// through hp::compile in a mode and through the reference evaluator, and
/// compares values and errors; minimises a failing recipe; writes and reads
/// regression records.
///
/// Many graphs share one compiled function (their outputs side by side), since
/// a JIT compile costs far more than running a small graph. A graph whose
/// reference throws is checked alone: the compiled function must throw the
/// same hp::Error class.
///
/// A reference error is excused only where it comes from a value that no
/// output needs, so that the rewrites Debug mode's oracle runs too (say,
/// shape(x // y) from x's shape) drop it.
///
/// A difference is also excused where the reference evaluator, run on the
/// graph after the rewrites Debug mode's oracle runs (stabilize among them),
/// agrees with the compiled code, and none of those rewrites changed a value
/// that was finite before it: the stabilize rewrites exist to turn the naive
/// form's inf and NaN into finite numbers, which may travel on (through a cast).
///
/// Floating-point results are compared with the Debug mode's tolerances by
/// dtype. An element that differs more only counts when the reference is
/// stable there: the graph is evaluated again with every inexact op's result
/// (transcendental functions, products that may fuse into an FMA, sums and
/// dot products, whose order differs) nudged by a few units in the last place;
/// when that alone moves the element past the tolerance (cancellation, a
/// comparison or a cast on a value that sits on a boundary), the compiled
/// code is not wrong to differ there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/fuzz/fuzz_graph.hpp"

namespace hypatia::fuzz {

enum class FailureKind {
  Mismatch,         ///< a value differs from the reference's
  WrongError,       ///< both throw, but different hp::Error classes
  MissingError,     ///< the reference throws, the compiled function does not
  UnexpectedError,  ///< the compiled function (or compile) throws, the reference does not
  Gradient,         ///< verify_grad rejects the symbolic gradient
};
std::string kind_name(FailureKind kind);

struct Failure {
  FailureKind kind = FailureKind::Mismatch;
  Mode mode = Mode::FastRun;  ///< ignored for Gradient
  std::string detail;
  Recipe recipe;
};

struct Stats {
  long graphs = 0;             ///< graphs checked (in every mode asked)
  long functions = 0;          ///< hp::compile calls
  long error_graphs = 0;       ///< graphs whose reference throws (checked alone)
  long unstable_elements = 0;  ///< differences the reference's own sensitivity explains
  long stabilised = 0;         ///< differences the stabilize rewrites explain
  /// Reference errors in values no output needs, which the rewrites drop
  /// (shape(x // 0)) or a fused loop over an empty output never computes.
  long errors_optimised_away = 0;
  long gradient_checks = 0;
  /// Gradient checks skipped because the function is not finite at the point (a mean of nothing).
  long gradients_not_finite = 0;
  bool verbose = false;  ///< print every difference that rounding explains
  /// Compile time by phase (ms, summed over every function), as compile_report gives it.
  std::vector<std::pair<std::string, double>> compile_ms;
};

/// Checks recipes in `mode`, many per compiled function. One failure per failing recipe.
std::vector<Failure> check_batch(const std::vector<Recipe>& recipes, Mode mode, Stats& stats);
/// Checks one recipe in its own function.
std::optional<Failure> check_one(const Recipe& recipe, Mode mode, Stats& stats);
/// Judges outputs computed elsewhere (`got`, one per output) against the
/// reference, as check_one judges the compiled function's.
std::optional<Failure> judge_values(const Recipe& recipe, const std::vector<Array>& got, Mode mode, Stats& stats);
/// verify_grad on a recipe of float inputs and one output.
std::optional<Failure> check_grad(const Recipe& recipe, Stats& stats);

/// The smallest recipe found (by deleting and short-circuiting steps) that still fails the same way.
Recipe minimise(const Failure& failure, Stats& stats);

/// A regression record: comments (how it was found, the failure, the graph as
/// hp::debugprint shows it), the mode, then the recipe.
std::string format_regression(const Failure& failure, const std::string& origin);
struct Regression {
  bool gradient = false;
  Mode mode = Mode::FastRun;
  Recipe recipe;
};
Regression parse_regression(const std::string& text);
/// Replays a record: the failure it shows now, if any.
std::optional<Failure> replay(const Regression& regression, Stats& stats);

}  // namespace hypatia::fuzz
