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
#include <utility>
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
// --- bits and logic (numpy's): bitwise on integers, logical on booleans ---------------
/// A float operand is a TypeError. `x & y`, `x | y`, `x ^ y` and `~x` are the same ops.
Var bitwise_and(const Var& a, const Var& b);
Var bitwise_or(const Var& a, const Var& b);
Var bitwise_xor(const Var& a, const Var& b);
/// ~x: bitwise not of an integer; logical not of a bool (numpy's invert).
Var bitwise_not(const Var& a);
Var invert(const Var& a);
/// Theano's names (`xor` is a C++ keyword, hence the underscores).
Var and_(const Var& a, const Var& b);
Var or_(const Var& a, const Var& b);
Var xor_(const Var& a, const Var& b);
Var operator&(const Var& a, const Var& b);
Var operator|(const Var& a, const Var& b);
Var operator^(const Var& a, const Var& b);
Var operator~(const Var& a);
/// x == 0 as bool, for any dtype (numpy's logical_not).
Var logical_not(const Var& a);
/// a << b and a >> b (integers; bool operands give int8, as numpy). A count
/// outside [0, bits) shifts every bit out: 0, or -1 for a negative a shifted right.
Var left_shift(const Var& a, const Var& b);
Var right_shift(const Var& a, const Var& b);

Var maximum(const Var& a, const Var& b);
Var minimum(const Var& a, const Var& b);
/// min(max(x, lo), hi)
Var clip(const Var& x, const Var& lo, const Var& hi);
/// cond ? a : b elementwise (cond is nonzero)
Var where(const Var& cond, const Var& a, const Var& b);
/// Theano's switch (a C++ keyword, hence the underscore): where, both branches computed.
Var switch_(const Var& cond, const Var& a, const Var& b);
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
/// Index (int64) of the first minimum (the first NaN, if any, as numpy).
Var argmin(const Var& x);
Var argmin(const Var& x, int axis, bool keepdims = false);
/// Theano's max_and_argmax: {max, argmax}, e.g. `auto [m, i] = hp::max_and_argmax(x, 1);`.
std::pair<Var, Var> max_and_argmax(const Var& x);
std::pair<Var, Var> max_and_argmax(const Var& x, int axis, bool keepdims = false);

// Reductions written with the ones above, so they fuse with their producers:
/// all: bool, true where no element is zero (empty axes: true); any: some element is nonzero.
Var all(const Var& x);
Var all(const Var& x, int axis, bool keepdims = false);
Var all(const Var& x, const std::vector<int>& axes, bool keepdims = false);
inline Var all(const Var& x, std::initializer_list<int> axes, bool keepdims = false) {
  return all(x, std::vector<int>(axes), keepdims);
}
Var any(const Var& x);
Var any(const Var& x, int axis, bool keepdims = false);
Var any(const Var& x, const std::vector<int>& axes, bool keepdims = false);
inline Var any(const Var& x, std::initializer_list<int> axes, bool keepdims = false) {
  return any(x, std::vector<int>(axes), keepdims);
}
/// Variance sum((x - mean)^2) / (n - ddof), as numpy (integers in float64);
/// std is its square root. Without axes: over all of them with ddof 0.
Var var(const Var& x);
Var var(const Var& x, int axis, bool keepdims = false, int ddof = 0);
Var var(const Var& x, const std::vector<int>& axes, bool keepdims = false, int ddof = 0);
inline Var var(const Var& x, std::initializer_list<int> axes, bool keepdims = false, int ddof = 0) {
  return var(x, std::vector<int>(axes), keepdims, ddof);
}
Var std(const Var& x);
Var std(const Var& x, int axis, bool keepdims = false, int ddof = 0);
Var std(const Var& x, const std::vector<int>& axes, bool keepdims = false, int ddof = 0);
inline Var std(const Var& x, std::initializer_list<int> axes, bool keepdims = false, int ddof = 0) {
  return std(x, std::vector<int>(axes), keepdims, ddof);
}
/// log(sum(exp(x))) computed without overflow (shifted by the finite maximum).
Var logsumexp(const Var& x);
Var logsumexp(const Var& x, int axis, bool keepdims = false);
Var logsumexp(const Var& x, const std::vector<int>& axes, bool keepdims = false);
inline Var logsumexp(const Var& x, std::initializer_list<int> axes, bool keepdims = false) {
  return logsumexp(x, std::vector<int>(axes), keepdims);
}
/// The vector norm over the axes, as numpy.linalg.vector_norm: ord 1, 2,
/// inf (max |x|), -inf (min |x|), 0 (count of nonzeros) or any p. Not
/// numpy.linalg.norm's matrix norms: over two axes this is still the vector norm.
Var norm(const Var& x, double ord = 2);
Var norm(const Var& x, double ord, int axis, bool keepdims = false);
Var norm(const Var& x, double ord, const std::vector<int>& axes, bool keepdims = false);
inline Var norm(const Var& x, double ord, std::initializer_list<int> axes, bool keepdims = false) {
  return norm(x, ord, std::vector<int>(axes), keepdims);
}

// --- linear algebra ---------------------------------------------------------------------
/// numpy.dot: matrix/vector products of ranks 1 and 2 through BLAS; a scalar
/// operand multiplies; higher ranks sum a's last axis with b's second-to-last
/// (tensordot).
Var dot(const Var& a, const Var& b);
/// numpy.matmul (`@`): ranks 1 and 2 as dot; higher ranks are stacks of
/// matrices in the last two axes, batch axes broadcasting as numpy (along
/// the axes the types mark broadcastable), one BLAS product per matrix.
Var matmul(const Var& a, const Var& b);
/// Theano's batched_dot: a[i] . b[i] for each i of the first axis (ranks 2 and 3).
Var batched_dot(const Var& a, const Var& b);
/// numpy.tensordot: sums a's `axes_a` against b's `axes_b` (one by one),
/// or a's last n axes against b's first n; one BLAS product.
Var tensordot(const Var& a, const Var& b, const std::vector<int>& axes_a, const std::vector<int>& axes_b);
Var tensordot(const Var& a, const Var& b, int n = 2);

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

// --- construction (sizes are hp::Vars: C++ numbers or symbolic int scalars) -----------------
/// Theano's alloc: `value` broadcast to `shape` (a copy, never uninitialised
/// memory). Only axes the value's type marks broadcastable stretch; a size
/// that is the constant 1 makes the result's axis broadcastable.
Var alloc(const Var& value, const std::vector<Var>& shape);
/// zeros, ones and full of a shape, as numpy; dtype floatX when not given
/// (full: the value's dtype, floatX for a C++ float).
Var zeros(const std::vector<Var>& shape, std::optional<DType> dtype = std::nullopt);
Var ones(const std::vector<Var>& shape, std::optional<DType> dtype = std::nullopt);
Var full(const std::vector<Var>& shape, const Var& value, std::optional<DType> dtype = std::nullopt);
/// x broadcast to `shape` (alloc's rules).
Var broadcast_to(const Var& x, const std::vector<Var>& shape);
/// Theano's fill: `value` broadcast to the shape of `model`, in value's dtype.
Var fill(const Var& model, const Var& value);
/// x, checked when the function runs to have `shape` (hp::ShapeError otherwise;
/// PyTensor's specify_shape). A constant size 1 makes the axis broadcastable.
Var specify_shape(const Var& x, const std::vector<Var>& shape);
/// n x m with ones on diagonal k (m defaults to n); dtype floatX when not given.
Var eye(const Var& n, const Var& m = Var(), const Var& k = 0, std::optional<DType> dtype = std::nullopt);
/// The identity matrix of x's shape and dtype.
Var identity_like(const Var& x);
/// x (rank >= 2) with the elements above (tril) or below (triu) diagonal k of its last two axes zeroed.
Var tril(const Var& x, const Var& k = 0);
Var triu(const Var& x, const Var& k = 0);
/// a[i] * b[j] of the flattened operands.
Var outer(const Var& a, const Var& b);
/// numpy's diagonal: the diagonal of axes axis1, axis2 (removed) as the last axis.
Var diagonal(const Var& x, std::int64_t offset = 0, int axis1 = 0, int axis2 = 1);
/// A vector's diagonal matrix, or a matrix's diagonal (numpy's diag).
Var diag(const Var& v, std::int64_t k = 0);
/// The sum of the diagonal (of axes 0 and 1).
Var trace(const Var& x, std::int64_t offset = 0);

// --- rearrangement ----------------------------------------------------------------------
/// Tensors of one shape stacked along a new axis; hstack and vstack as numpy.
Var stack(const std::vector<Var>& xs, int axis = 0);
Var hstack(const std::vector<Var>& xs);
Var vstack(const std::vector<Var>& xs);
/// A new broadcastable axis at `axis` (of the result); Theano's shape_padleft/right/axis.
Var expand_dims(const Var& x, int axis);
Var shape_padleft(const Var& x, int n = 1);
Var shape_padright(const Var& x, int n = 1);
Var shape_padaxis(const Var& x, int axis);
/// Drops the broadcastable axes (Theano's squeeze), or the given axes, which
/// must have length 1 when the function runs (hp::ShapeError otherwise).
Var squeeze(const Var& x);
Var squeeze(const Var& x, const std::vector<int>& axes);
/// x reversed along every axis, or along `axes`.
Var flip(const Var& x);
Var flip(const Var& x, const std::vector<int>& axes);
/// Elements shifted by `shift` (an integer scalar, may be symbolic) along
/// `axis`, wrapping around; without an axis, over the flattened tensor.
Var roll(const Var& x, const Var& shift, int axis);
Var roll(const Var& x, const Var& shift);
/// numpy's tile with constant repetitions.
Var tile(const Var& x, const std::vector<std::int64_t>& reps);
/// Each element `repeats` times (an integer scalar, may be symbolic) along
/// `axis`, or over the flattened tensor.
Var repeat(const Var& x, const Var& repeats, int axis);
Var repeat(const Var& x, const Var& repeats);
/// Pieces of the given sizes along `axis`; the sizes must add up to its
/// length when the function runs (hp::ShapeError otherwise).
std::vector<Var> split(const Var& x, const std::vector<std::int64_t>& sizes, int axis = 0);
Var swapaxes(const Var& x, int axis1, int axis2);
Var moveaxis(const Var& x, int source, int destination);
/// x with `axes` marked broadcastable (they must have length 1 when it runs).
Var addbroadcast(const Var& x, const std::vector<int>& axes);
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
