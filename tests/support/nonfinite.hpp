/// \file Evaluating where a test expects inf or nan. Var::eval runs in the
/// default mode, and Debug mode (the `_debug` rerun of every suite) raises
/// hp::InvalidValueError on the first non-finite value. Such tests evaluate
/// here instead: FastRun's compiled code and the reference evaluator, checked
/// against each other (Debug's cross-check, without its NaN guard).
#pragma once

#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/reference/debug_program.hpp"
#include "compiler/reference/evaluate.hpp"
#include "tests/support/test_support.hpp"

namespace hypatia_test {

/// out given values of its inputs, from code compiled in FastRun, after
/// checking that the reference evaluator gives the same values (NaN where it
/// gives NaN).
inline hypatia::Array eval_nonfinite(const hypatia::Var& out,
                                     const std::vector<std::pair<hypatia::Var, hypatia::Array>>& givens) {
  namespace hp = hypatia;
  std::vector<hp::In> inputs;
  for (const auto& [v, value] : givens) inputs.emplace_back(v);
  const hp::Function f = hp::compile(inputs, {out}, {.mode = hp::Mode::FastRun});
  const hp::Array got = f.call(hp::fit_givens(givens))[0];
  const hp::Array want = hp::evaluate({out}, givens).front();
  INFO("compiled: ", describe(got), "; reference: ", describe(want));
  CHECK(hp::first_mismatch(got, want, hp::tolerance_for(want.dtype())) < 0);
  return got;
}

}  // namespace hypatia_test
