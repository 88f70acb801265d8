/// \file specialize_gemm: a product and the sum it feeds as one BLAS call.
///
/// Identities (s, t: 0-d factors; `-` on a factor is its negation):
///   dot(A, B) + C, C + dot(A, B)        -> gemm(C, 1, A, B, 1)
///   s * dot(A, B) + t * C               -> gemm(C, s, A, B, t)   (either order, either side scaled or not)
///   C - s * dot(A, B), s * dot(A, B) - C -> gemm(C, -s, A, B, 1), gemm(C, s, A, B, -1)
///   -dot(A, B) + C                      -> gemm(C, -1, A, B, 1)
/// gemv when A or B is a vector. dot(W, x) + b becomes one call that writes
/// b into the output and lets BLAS add W.x to it, and the momentum update
/// m * v + (1 - m) * dot(g, x^T) of a gradient step another: the add loop
/// and the product's temporary are gone.
///
/// Applies only where the sum has exactly the product's type (C broadcasts
/// into the product: a bias column or row, a scalar), A and B are float32
/// or float64 of the product's dtype (BLAS has no integer gemm), the result
/// is not 0-d (vector . vector + c gains nothing), and the product (and its
/// scaling) has no other user: otherwise the product would be computed twice.
/// Results change only by rounding: BLAS adds alpha * A.B to beta * C without
/// rounding the product first.
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

std::vector<Var> specialize_gemm(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
