// What the rewrite-pass tests share: counting a graph's ops, random inputs,
// and the values of a graph before and after a rewrite on the reference
// evaluator.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <hypatia/hypatia.hpp>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/reference/evaluate.hpp"

namespace rewrite_checks {

namespace hp = hypatia;

/// Apply nodes between `inputs` and `outputs` whose op name starts with
/// `prefix` ("Elemwise{add}", "Gemm", "Shape"); "" counts every node.
inline int count_ops(const std::vector<hp::Var>& outputs, const std::vector<hp::Var>& inputs,
                     std::string_view prefix = "") {
  int n = 0;
  for (const auto& node : hp::topological_order(outputs, inputs)) n += node->op().name().starts_with(prefix);
  return n;
}

/// Uniform values in [lo, hi) of the given shape and dtype, the same for the same seed.
inline hp::Array random_array(const hp::Shape& shape, hp::DType dtype, std::uint32_t seed, double lo = -2,
                              double hi = 2) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(lo, hi);
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  std::vector<double> data(static_cast<std::size_t>(n));
  for (double& x : data) x = uniform(rng);
  return hp::array(data, shape).astype(dtype);
}

/// The rewritten outputs give the original's values (within rtol) on `givens`.
inline void check_same_values(const std::vector<hp::Var>& before, const std::vector<hp::Var>& after,
                              const std::vector<std::pair<hp::Var, hp::Array>>& givens, double rtol = 1e-12) {
  const hp::EvalOptions options{.require_givens_used = false};
  const std::vector<hp::Array> expected = hp::evaluate(before, givens, options);
  const std::vector<hp::Array> got = hp::evaluate(after, givens, options);
  REQUIRE(expected.size() == got.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("output ", i, ": expected ", expected[i], ", got ", got[i]);
    CHECK(got[i].dtype() == expected[i].dtype());
    CHECK(got[i].shape() == expected[i].shape());
    CHECK(hp::allclose(got[i], expected[i], rtol, 1e-300));
  }
}

}  // namespace rewrite_checks
