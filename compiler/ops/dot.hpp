/// \file What rewrites may ask about and build from products: Dot and Gemm.
#pragma once

#include "compiler/graph/op.hpp"

namespace hypatia {

bool is_dot(const Op& op);
/// Whether `op` is Gemm (or its matrix-vector form, Gemv).
bool is_gemm(const Op& op);

/// beta * C + alpha * dot(A, B) in one BLAS call (Theano's Gemm; gemv when A
/// or B is a vector). A and B: float32 or float64 of one dtype, ranks 1 and 2,
/// not both vectors; alpha and beta: 0-d numbers; C: the dtype of the product,
/// broadcasting into its shape. The result has the type of dot(A, B). Made by
/// the specialize_gemm pass, not by users.
Var gemm(const Var& C, const Var& alpha, const Var& A, const Var& B, const Var& beta);

}  // namespace hypatia
