/// \file Mode::Debug's program: the reference evaluator with NaN/Inf checks
/// after every node (the oracle), and the compiled program beside it; every
/// output of the compiled code must match the oracle, as Theano's DebugMode
/// compares its C and Python implementations.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "runtime/program.hpp"

namespace hypatia {

/// `compiled` may be null (no JIT): then only the reference runs.
/// `check_rewrites`, when set, runs first on every call's arguments (it
/// throws BadOptimizationError for a rewrite that changed a value).
std::unique_ptr<Program> make_debug_program(
    std::unique_ptr<Program> reference, std::unique_ptr<Program> compiled,
    std::function<void(const std::vector<Array>&)> check_rewrites = nullptr);

/// Relative/absolute tolerance for comparing a compiled result with the reference.
struct Tolerance {
  double rtol, atol;
};
Tolerance tolerance_for(DType dtype);

/// Index of the first element where `got` and `want` differ beyond the
/// tolerance (NaN must meet NaN), or -1; shapes must be equal (else 0).
std::int64_t first_mismatch(const Array& got, const Array& want, Tolerance tol);

}  // namespace hypatia
