/// \file The tensor operations: arithmetic, math, comparisons, reductions,
/// dot, shape manipulation, indexing and softmax.
///
/// Every function builds a node of the symbolic graph and checks the
/// operands' types at once (hp::TypeError naming the op and the types).
/// Elementwise operations broadcast as numpy does, along the axes the types
/// mark broadcastable. C++ numbers are weakly typed constants: `x_f32 * 0.1`
/// stays float32, `x_int8 + 1` stays int8, a float number with an integer
/// tensor gives config().floatX.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <variant>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

// --- elementwise arithmetic ------------------------------------------------------
Var add(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
/// True division: integers divide in upgrade_to_float's dtype (Python 3's `/`).
Var true_div(const Var& a, const Var& b);
/// Floor division (`//`); keeps integer dtypes.
Var int_div(const Var& a, const Var& b);
/// Remainder with the sign of the divisor, as Python's `%`.
Var mod(const Var& a, const Var& b);
Var pow(const Var& a, const Var& b);
Var neg(const Var& a);

Var operator+(const Var& a, const Var& b);
Var operator-(const Var& a, const Var& b);
Var operator*(const Var& a, const Var& b);
Var operator/(const Var& a, const Var& b);
Var operator%(const Var& a, const Var& b);
Var operator-(const Var& a);
Var operator<(const Var& a, const Var& b);
Var operator>(const Var& a, const Var& b);
Var operator<=(const Var& a, const Var& b);
Var operator>=(const Var& a, const Var& b);

// --- elementwise math ----------------------------------------------------------------
Var exp(const Var& x);
Var log(const Var& x);
Var log1p(const Var& x);
Var sqrt(const Var& x);
Var sqr(const Var& x);
Var abs(const Var& x);
Var tanh(const Var& x);
/// 1 / (1 + exp(-x))
Var sigmoid(const Var& x);
/// log(1 + exp(x)), computed without overflow
Var softplus(const Var& x);
/// max(x, 0)
Var relu(const Var& x);
/// Trigonometric, hyperbolic, exponential and special functions, numpy's
/// semantics (Theano's names); float results, integers converted first as for
/// exp (int8/int16 -> float32, wider -> float64). Outside a domain the result is
/// NaN (arcsin(2), log2(-1)); at its edges an infinity (arctanh(1), erfinv(-1),
/// gammaln at 0 and the negative integers). Accuracy: codegen_templates/math.h.
Var sin(const Var& x);
Var cos(const Var& x);
Var tan(const Var& x);
Var arcsin(const Var& x);
Var arccos(const Var& x);
Var arctan(const Var& x);
/// The angle of the point (b, a): atan(a / b) in the right quadrant, in (-pi, pi].
Var arctan2(const Var& a, const Var& b);
Var sinh(const Var& x);
Var cosh(const Var& x);
Var arcsinh(const Var& x);
Var arccosh(const Var& x);
Var arctanh(const Var& x);
/// 2^x, exp(x) - 1 (accurate near 0), log base 2 and base 10.
Var exp2(const Var& x);
Var expm1(const Var& x);
Var log2(const Var& x);
Var log10(const Var& x);
/// The error function, its complement 1 - erf(x) (accurate in the tail) and
/// their inverses: erfinv on [-1, 1], erfcinv on [0, 2].
Var erf(const Var& x);
Var erfc(const Var& x);
Var erfinv(const Var& x);
Var erfcinv(const Var& x);
/// log|Gamma(x)| (inf at 0 and the negative integers).
Var gammaln(const Var& x);
/// The digamma function, Gamma'(x) / Gamma(x) (NaN at 0 and the negative
/// integers); its gradient is not implemented (grad raises hp::Error).
Var psi(const Var& x);
/// sqrt(a^2 + b^2) without overflow or underflow.
Var hypot(const Var& a, const Var& b);
/// log(exp(a) + exp(b)) without overflow.
Var logaddexp(const Var& a, const Var& b);
/// Rounding (float results; integers are converted first, as Theano):
/// floor, ceil, trunc (toward 0) and round, which rounds half to even as numpy.
Var floor(const Var& x);
Var ceil(const Var& x);
Var trunc(const Var& x);
Var round(const Var& x);
/// -1, 0 or 1 in x's dtype (sign(-0.0) = 0; NaN stays NaN); not defined on bool.
Var sign(const Var& x);
/// 1 / x, in floats.
Var reciprocal(const Var& x);
/// Degrees to radians and back.
Var deg2rad(const Var& x);
Var rad2deg(const Var& x);
/// Bool tensors: x is NaN, infinite, neither (always false, false, true for integers).
Var isnan(const Var& x);
Var isinf(const Var& x);
Var isfinite(const Var& x);
Var maximum(const Var& a, const Var& b);
Var minimum(const Var& a, const Var& b);
/// min(max(x, lo), hi)
Var clip(const Var& x, const Var& lo, const Var& hi);
/// cond ? a : b elementwise (cond is nonzero)
Var where(const Var& cond, const Var& a, const Var& b);
Var eq(const Var& a, const Var& b);
Var neq(const Var& a, const Var& b);
Var lt(const Var& a, const Var& b);
Var gt(const Var& a, const Var& b);
Var le(const Var& a, const Var& b);
Var ge(const Var& a, const Var& b);
/// Converts to `dtype` (C++ conversion; float to bool is != 0).
Var cast(const Var& x, DType dtype);
Var zeros_like(const Var& x);
Var ones_like(const Var& x);

// --- reductions (no axis: all axes; negative axes count from the end) -----------------
/// Integers and bool sum in int64, floats in their own dtype.
Var sum(const Var& x);
Var sum(const Var& x, int axis, bool keepdims = false);
Var sum(const Var& x, const std::vector<int>& axes, bool keepdims = false);
/// `sum(x, {0, 1})`; `{}` reduces no axis (not axis 0).
inline Var sum(const Var& x, std::initializer_list<int> axes, bool keepdims = false) {
  return sum(x, std::vector<int>(axes), keepdims);
}
/// Integers average in float64.
Var mean(const Var& x);
Var mean(const Var& x, int axis, bool keepdims = false);
Var mean(const Var& x, const std::vector<int>& axes, bool keepdims = false);
/// `mean(x, {0, 1})`; `{}` reduces no axis (not axis 0).
inline Var mean(const Var& x, std::initializer_list<int> axes, bool keepdims = false) {
  return mean(x, std::vector<int>(axes), keepdims);
}
Var max(const Var& x);
Var max(const Var& x, int axis, bool keepdims = false);
Var max(const Var& x, const std::vector<int>& axes, bool keepdims = false);
/// `max(x, {0, 1})`; `{}` reduces no axis (not axis 0).
inline Var max(const Var& x, std::initializer_list<int> axes, bool keepdims = false) {
  return max(x, std::vector<int>(axes), keepdims);
}
Var min(const Var& x);
Var min(const Var& x, int axis, bool keepdims = false);
Var min(const Var& x, const std::vector<int>& axes, bool keepdims = false);
/// `min(x, {0, 1})`; `{}` reduces no axis (not axis 0).
inline Var min(const Var& x, std::initializer_list<int> axes, bool keepdims = false) {
  return min(x, std::vector<int>(axes), keepdims);
}
Var prod(const Var& x);
Var prod(const Var& x, int axis, bool keepdims = false);
Var prod(const Var& x, const std::vector<int>& axes, bool keepdims = false);
/// `prod(x, {0, 1})`; `{}` reduces no axis (not axis 0).
inline Var prod(const Var& x, std::initializer_list<int> axes, bool keepdims = false) {
  return prod(x, std::vector<int>(axes), keepdims);
}
/// Index (int64) of the first maximum; without an axis, into the flattened tensor.
Var argmax(const Var& x);
Var argmax(const Var& x, int axis, bool keepdims = false);

// --- linear algebra ---------------------------------------------------------------------
/// Matrix/vector products of ranks 1 and 2 (as numpy.dot); a scalar operand multiplies.
Var dot(const Var& a, const Var& b);

// --- shapes -----------------------------------------------------------------------------
/// Theano's dimshuffle: result axis i is input axis pattern[i], or a new
/// broadcastable axis where pattern[i] is hp::newaxis (-1). Dropped axes must be broadcastable.
Var dimshuffle(const Var& x, const std::vector<int>& pattern);
/// Reverses the axes.
Var transpose(const Var& x);
Var transpose(const Var& x, const std::vector<int>& perm);
/// New shape of the same size; one entry may be -1.
Var reshape(const Var& x, const Shape& shape);
/// Keeps the first ndim-1 axes and flattens the rest into the last.
Var flatten(const Var& x, int ndim = 1);
Var concatenate(const std::vector<Var>& xs, int axis = 0);
/// The shape as an int64 vector.
Var shape(const Var& x);
/// x with broadcast pattern `pattern` (Theano's patternbroadcast): an axis
/// marked true must have length 1 when the function runs (hp::ShapeError).
Var patternbroadcast(const Var& x, const std::vector<bool>& pattern);
/// x with `axes` no longer broadcastable (Theano's unbroadcast).
Var unbroadcast(const Var& x, const std::vector<int>& axes);

// --- indexing ---------------------------------------------------------------------------
/// One index per leading axis: an integer (drops the axis) or a slice.
using Index = std::variant<std::int64_t, Slice>;
/// x[i0, i1, ...] with constant indices; missing trailing indices mean `:`.
Var subtensor(const Var& x, const std::vector<Index>& indices);
/// x with the region selected by `sub` (a subtensor of x) replaced by y (broadcast).
Var set_subtensor(const Var& sub, const Var& y);
/// x with y added to the region selected by `sub` (a subtensor of x).
/// For an advanced subtensor x[idx], an index repeated in idx adds y once
/// per repetition (numpy's np.add.at); set_subtensor keeps the last.
Var inc_subtensor(const Var& sub, const Var& y);
/// x[entries], as `x[{...}]` (Var::operator[]): numpy's basic and advanced
/// indexing. Integer hp::Var entries (any integer dtype and rank) broadcast
/// together; where they are adjacent their shape replaces their axes, else
/// it comes first (numpy's rule). A boolean hp::Var must be the only entry
/// (x[mask], numpy's mask get). Out-of-range indices raise hp::IndexError
/// naming the variable, the axis, the index and the bound, in every mode.
Var index(const Var& x, const std::vector<IndexEntry>& entries);
/// The int64 flat indices (C order) of x's nonzero elements (numpy's flatnonzero).
Var flatnonzero(const Var& x);
/// start, start + step, ... up to stop excluded (numpy's arange): int64 for
/// integer bounds, floatX or the bounds' float dtype otherwise.
Var arange(const Var& stop);
Var arange(const Var& start, const Var& stop, const Var& step = 1);

// --- neural-network helpers -----------------------------------------------------------------
/// exp(x - max) / sum(exp(x - max)) along the last axis.
Var softmax(const Var& x);

}  // namespace hypatia
