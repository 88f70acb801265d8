/// \file Host arithmetic on hp::Array, computed at once: + - * /, unary -,
/// comparisons, and the everyday reductions (sum, mean, max, min, argmax),
/// allclose with equal_nan, array_equal.
///
/// These are for the work around a compiled function — preparing inputs,
/// checking outputs, writing tests — not a second backend: plain loops,
/// no graph, no JIT. They follow numpy 2 exactly in what decides results:
///
/// - Broadcasting as numpy's; shapes that do not broadcast are an
///   hp::ShapeError naming both shapes.
/// - Result dtypes by numpy's promotion (hp::upcast): int8 + float32 is
///   float32, uint8 - int8 is int16. `/` is true division: integers and bools
///   divide in float64 (1 / 0 is inf, 0 / 0 nan). bool - bool and -bool are
///   hp::TypeErrors, as in numpy.
/// - C++ numbers are weakly typed, as numpy 2 types Python scalars (NEP 50):
///   `int8_array * 2` stays int8, `int_array * 0.5` is float64,
///   `float32_array * 2.0` stays float32 (2.0 is rounded to float32 first),
///   `bool_array + 1` is int64. An integer that does not fit the array's
///   integer dtype is an hp::InvalidValueError (numpy's OverflowError),
///   except in comparisons, which compare exact values.
/// - Integer arithmetic wraps around as numpy's (int8 127 + 1 is -128);
///   float32 results are rounded to float32 at every operation.
/// - Comparisons give bool arrays, computed in the promoted dtype.
///
/// Reductions: sum gives int64 for bool and integer arrays (numpy gives
/// uint64 for uint8) and the array's dtype for floats; mean gives float64,
/// or float32 for float32; max and min keep the dtype and propagate NaN;
/// argmax gives the int64 index of the first maximum (of the first NaN, if
/// any). Float sums add in numpy's order (pairwise along the last axis and
/// over a whole C-contiguous array, one row after another along other
/// axes), so they agree with numpy's to the bit on contiguous arrays.
/// Without an axis they reduce the whole array to a 0-d array; axes may be
/// negative. max, min and argmax of nothing are hp::ShapeErrors.
///
/// These overloads take hp::Array only; hp::Var has its own (ops.hpp),
/// and neither converts to the other, so `hp::sum(x)` keeps building a graph
/// node for a Var x and computes at once for an Array.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "hypatia/array.hpp"

namespace hypatia {

namespace detail {

/// The elementwise binary operations of this file.
enum class BinaryOp { Add, Sub, Mul, Div, Eq, Ne, Lt, Le, Gt, Ge };

/// A C++ number as numpy 2 types a Python scalar of the same kind.
struct WeakScalar {
  enum class Kind { Bool, Int, Float };
  Kind kind = Kind::Int;
  std::int64_t integer = 0;  ///< Bool (0 or 1) and Int
  double real = 0;           ///< Float
};

template <class T>
WeakScalar weak_scalar(T value) {
  static_assert(std::is_arithmetic_v<T>);
  if constexpr (std::is_same_v<T, bool>) {
    return {WeakScalar::Kind::Bool, value ? 1 : 0, 0};
  } else if constexpr (std::is_floating_point_v<T>) {
    return {WeakScalar::Kind::Float, 0, static_cast<double>(value)};
  } else {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (value > static_cast<T>(std::numeric_limits<std::int64_t>::max())) {
        throw InvalidValueError("hp::Array arithmetic: the C++ number " + std::to_string(value) +
                                " does not fit int64, the widest integer dtype");
      }
    }
    return {WeakScalar::Kind::Int, static_cast<std::int64_t>(value), 0};
  }
}

Array binary(BinaryOp op, const Array& a, const Array& b);
Array binary(BinaryOp op, const Array& a, const WeakScalar& b);
Array binary(BinaryOp op, const WeakScalar& a, const Array& b);

template <class T>
using if_number = std::enable_if_t<std::is_arithmetic_v<T>, int>;

}  // namespace detail

// Each operator comes three ways: Array op Array, Array op number, number op Array.
#define HYPATIA_ARRAY_OPERATOR(op, name)                                      \
  inline Array operator op(const Array& a, const Array& b) {                  \
    return detail::binary(detail::BinaryOp::name, a, b);                      \
  }                                                                           \
  template <class T, detail::if_number<T> = 0>                                \
  Array operator op(const Array& a, T b) {                                    \
    return detail::binary(detail::BinaryOp::name, a, detail::weak_scalar(b)); \
  }                                                                           \
  template <class T, detail::if_number<T> = 0>                                \
  Array operator op(T a, const Array& b) {                                    \
    return detail::binary(detail::BinaryOp::name, detail::weak_scalar(a), b); \
  }
HYPATIA_ARRAY_OPERATOR(+, Add)
HYPATIA_ARRAY_OPERATOR(-, Sub)
HYPATIA_ARRAY_OPERATOR(*, Mul)
HYPATIA_ARRAY_OPERATOR(/, Div)
HYPATIA_ARRAY_OPERATOR(==, Eq)
HYPATIA_ARRAY_OPERATOR(!=, Ne)
HYPATIA_ARRAY_OPERATOR(<, Lt)
HYPATIA_ARRAY_OPERATOR(<=, Le)
HYPATIA_ARRAY_OPERATOR(>, Gt)
HYPATIA_ARRAY_OPERATOR(>=, Ge)
#undef HYPATIA_ARRAY_OPERATOR

/// Negation in the array's dtype (integers wrap: -(-128) is -128 in int8);
/// bool is an hp::TypeError, as in numpy.
Array operator-(const Array& a);

// --- reductions ------------------------------------------------------------------
Array sum(const Array& a);
Array sum(const Array& a, int axis, bool keepdims = false);
Array mean(const Array& a);
Array mean(const Array& a, int axis, bool keepdims = false);
Array max(const Array& a);
Array max(const Array& a, int axis, bool keepdims = false);
Array min(const Array& a);
Array min(const Array& a, int axis, bool keepdims = false);
/// Index into the flattened (C-order) array, as numpy.argmax without an axis.
Array argmax(const Array& a);
Array argmax(const Array& a, int axis, bool keepdims = false);

// --- comparisons of whole arrays ----------------------------------------------------
/// numpy.allclose with equal_nan: as hp::allclose (array.hpp), and NaN is
/// close to NaN when equal_nan is true.
bool allclose(const Array& a, const Array& b, double rtol, double atol, bool equal_nan);
/// numpy.array_equal: the same shape (no broadcasting) and equal elements,
/// compared in the promoted dtype (so int 1 equals float 1.0); NaN equals
/// NaN only when equal_nan is true.
bool array_equal(const Array& a, const Array& b, bool equal_nan = false);

}  // namespace hypatia
