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
#include <string>
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

// --- cumulative ops, sorting and searching (Theano's extra_ops and sort) ----------------
/// Running sum (cumsum) or product (cumprod) along `axis` (negative counts from
/// the end); without an axis, over the flattened tensor, as numpy. bool and
/// integers accumulate in int64 (wrapping); floats keep their dtype.
Var cumsum(const Var& x);
Var cumsum(const Var& x, int axis);
Var cumprod(const Var& x);
Var cumprod(const Var& x, int axis);
/// x sorted along `axis`, stable, NaN last (numpy's kind="stable").
Var sort(const Var& x, int axis = -1);
/// The int64 indices that sort x along `axis`: stable, NaN last.
Var argsort(const Var& x, int axis = -1);
/// For each element of v, the int64 position in the sorted 1-d `a` where it
/// would be inserted to keep `a` sorted: before equal elements with side
/// "left", after them with "right" (numpy's searchsorted; NaN sorts last).
Var searchsorted(const Var& a, const Var& v, const std::string& side = "left");

// --- neural-network helpers -----------------------------------------------------------------
/// exp(x - max) / sum(exp(x - max)) along the last axis.
Var softmax(const Var& x);

}  // namespace hypatia
