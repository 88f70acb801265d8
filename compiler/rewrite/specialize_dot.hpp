/// \file specialize_dot: the sum of a product of two float64 vectors as one
/// BLAS ddot call.
///
/// Identity: sum(x * y) over all axes, x and y float64 vectors that are not
/// broadcast -> dot(x, y). Measured (bench/bench_multi_output.cpp, one
/// thread, OpenBLAS on one thread, loaded 2-core box): ddot is 1.4x to 4x
/// faster than the fused, compensated reduction from 2^10 to 2^22 elements
/// (never slower). Applied only where it pays: when x and y
/// are in memory anyway (inputs, shared variables, constants, results of
/// non-elementwise ops or values other nodes read too); an elementwise
/// operand read only here stays fused into the reduction, which never
/// writes it. Not for float32 (sdot accumulates in float32, the reference
/// in double) nor integers (no BLAS). ddot does not compensate its sum as the
/// fused reduction does: results may differ in the last bits, and more where
/// the sum cancels.
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

std::vector<Var> specialize_dot(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
