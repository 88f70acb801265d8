/// \file Host arithmetic, comparisons and reductions on hp::Array (see
/// include/hypatia/array_ops.hpp for the numpy rules they follow).
///
/// Every binary operation is planned the same way: the operands' dtypes (a
/// C++ number first takes the dtype numpy 2 gives a Python scalar) decide a
/// compute dtype — float32, float64, or int64 for bool and integers — and a
/// result dtype; the operands are converted to the compute dtype, combined
/// by one broadcasting loop, and the result narrowed (integers wrap).
#include "hypatia/array_ops.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/shapes.hpp"

namespace hypatia {
namespace {

using detail::BinaryOp;
using detail::WeakScalar;

/// One format for every error raised here: "<where>: <what>".
template <class E>
[[noreturn]] void fail(std::string_view where, const std::string& what) {
  throw E(std::string(where) + ": " + what);
}

// --- the operations ------------------------------------------------------------------

struct OpInfo {
  BinaryOp op;
  std::string_view symbol;
  bool comparison;
};
constexpr std::array<OpInfo, 10> kOps = {{{BinaryOp::Add, "+", false},
                                          {BinaryOp::Sub, "-", false},
                                          {BinaryOp::Mul, "*", false},
                                          {BinaryOp::Div, "/", false},
                                          {BinaryOp::Eq, "==", true},
                                          {BinaryOp::Ne, "!=", true},
                                          {BinaryOp::Lt, "<", true},
                                          {BinaryOp::Le, "<=", true},
                                          {BinaryOp::Gt, ">", true},
                                          {BinaryOp::Ge, ">=", true}}};

constexpr bool in_enum_order(const std::array<OpInfo, 10>& ops) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (static_cast<std::size_t>(ops[i].op) != i) return false;
  }
  return true;
}
static_assert(in_enum_order(kOps), "kOps is indexed by BinaryOp");

const OpInfo& info(BinaryOp op) { return kOps[static_cast<std::size_t>(op)]; }

std::string where_of(BinaryOp op) { return "hp::Array operator" + std::string(info(op).symbol); }

std::string name(DType dtype) { return std::string(dtype_name(dtype)); }

// --- dtype rules -----------------------------------------------------------------------

/// The dtype an operation computes in, and the dtype of its result.
struct Plan {
  DType compute;
  DType result;
};

/// numpy's rules for two arrays: promotion, true division in float64 for
/// integers, bools that cannot subtract, comparisons giving bool.
Plan plan(BinaryOp op, DType a, DType b) {
  const DType promoted = upcast(a, b);
  const DType compute = is_float(promoted) ? promoted : DType::Int64;
  if (info(op).comparison) return {compute, DType::Bool};
  if (op == BinaryOp::Div) {
    const DType quotient = is_float(promoted) ? promoted : DType::Float64;
    return {quotient, quotient};
  }
  if (op == BinaryOp::Sub && is_bool(a) && is_bool(b)) {
    fail<TypeError>(where_of(op),
                    "bool - bool is not supported (numpy refuses it too); use != for xor");
  }
  return {compute, promoted};
}

/// The smallest and largest values of an integer dtype.
std::pair<std::int64_t, std::int64_t> integer_bounds(DType dtype) {
  return visit_dtype(dtype, [](auto tag) -> std::pair<std::int64_t, std::int64_t> {
    using T = decltype(tag);
    return {static_cast<std::int64_t>(std::numeric_limits<T>::min()),
            static_cast<std::int64_t>(std::numeric_limits<T>::max())};
  });
}

/// The dtype numpy 2 gives a Python scalar beside an array of `array_dtype`
/// (NEP 50): the array's own kind where the number is of that kind or
/// weaker, else the default dtype of its kind (int64, float64). Integers
/// must fit an integer array's dtype, except where the value is compared
/// (exactly, in int64) or divided (in float64).
DType weak_dtype(BinaryOp op, DType array_dtype, const WeakScalar& s) {
  switch (s.kind) {
    case WeakScalar::Kind::Bool: return array_dtype;
    case WeakScalar::Kind::Float: return is_float(array_dtype) ? array_dtype : DType::Float64;
    case WeakScalar::Kind::Int: break;
  }
  if (is_float(array_dtype)) return array_dtype;
  if (info(op).comparison) return DType::Int64;
  if (op == BinaryOp::Div) return DType::Float64;
  if (is_bool(array_dtype)) return DType::Int64;
  const auto [min, max] = integer_bounds(array_dtype);
  if (s.integer < min || s.integer > max) {
    fail<InvalidValueError>(where_of(op), "the C++ number " + std::to_string(s.integer) +
                                              " is out of bounds for " + name(array_dtype) +
                                              " (numpy 2 raises OverflowError)");
  }
  return array_dtype;
}

/// The number as a 0-d array of `dtype`.
Array scalar_array(const WeakScalar& s, DType dtype) {
  if (s.kind == WeakScalar::Kind::Float) return array_from_doubles({s.real}, {}, dtype);
  return array_from_ints({s.integer}, {}, dtype);
}

/// The C++ types of the compute dtypes: float, double and int64.
template <class T>
constexpr bool is_compute_type =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>;

// --- the elementwise loop ----------------------------------------------------------------

/// Calls f(i, ia, ib) for every element of `shape` in C order: i the flat
/// index, ia and ib the element offsets in two views of that shape with
/// strides sa and sb (0 on broadcast axes).
template <class F>
void for_each_pair(const Shape& shape, const Shape& sa, const Shape& sb, F&& f) {
  const std::size_t nd = shape.size();
  std::int64_t size = 1;
  for (std::int64_t d : shape) size *= d;
  if (size == 0) return;
  if (nd == 0) {
    f(0, 0, 0);
    return;
  }
  const std::int64_t inner = shape[nd - 1];
  std::vector<std::int64_t> counter(nd, 0);
  std::int64_t ia = 0;
  std::int64_t ib = 0;
  for (std::int64_t i = 0; i < size; i += inner) {
    for (std::int64_t k = 0; k < inner; ++k) f(i + k, ia + k * sa[nd - 1], ib + k * sb[nd - 1]);
    // Advance the outer axes like an odometer.
    for (std::size_t axis = nd - 1; axis-- > 0;) {
      ia += sa[axis];
      ib += sb[axis];
      if (++counter[axis] < shape[axis]) break;
      ia -= sa[axis] * shape[axis];
      ib -= sb[axis] * shape[axis];
      counter[axis] = 0;
    }
  }
}

/// x op y for arithmetic in T: int64 wraps around (through uint64, where
/// overflow is defined), floats round to T.
template <class T>
T arithmetic(BinaryOp op, T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    const auto ux = static_cast<std::uint64_t>(x);
    const auto uy = static_cast<std::uint64_t>(y);
    switch (op) {
      case BinaryOp::Add: return static_cast<T>(ux + uy);
      case BinaryOp::Sub: return static_cast<T>(ux - uy);
      case BinaryOp::Mul: return static_cast<T>(ux * uy);
      default: return 0;  // integers never divide here: '/' computes in float64
    }
  } else {
    switch (op) {
      case BinaryOp::Add: return x + y;
      case BinaryOp::Sub: return x - y;
      case BinaryOp::Mul: return x * y;
      default: return x / y;
    }
  }
}

template <class T>
bool comparison(BinaryOp op, T x, T y) {
  switch (op) {
    case BinaryOp::Eq: return x == y;
    case BinaryOp::Ne: return x != y;
    case BinaryOp::Lt: return x < y;
    case BinaryOp::Le: return x <= y;
    case BinaryOp::Gt: return x > y;
    default: return x >= y;
  }
}

/// a op b by `p`: both converted to p.compute, broadcast, combined, narrowed to p.result.
Array compute(BinaryOp op, const Array& a, const Array& b, Plan p) {
  const Shape shape = shapes::broadcast(a.shape(), b.shape(), where_of(op));
  // Operands already of the compute dtype are read in place, through their strides.
  const auto as_compute = [&](const Array& v) {
    return v.dtype() == p.compute ? v : v.astype(p.compute);
  };
  const Array x = as_compute(a).broadcast_to(shape);
  const Array y = as_compute(b).broadcast_to(shape);
  const bool compare = info(op).comparison;
  Array out = Array::uninitialized(shape, compare ? DType::Bool : p.compute);
  visit_dtype(p.compute, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (is_compute_type<T>) {
      const T* px = x.data<T>();
      const T* py = y.data<T>();
      if (compare) {
        bool* po = out.data<bool>();
        for_each_pair(shape, x.strides(), y.strides(),
                      [&](std::int64_t i, std::int64_t ia, std::int64_t ib) {
                        po[i] = comparison(op, px[ia], py[ib]);
                      });
      } else {
        T* po = out.data<T>();
        for_each_pair(shape, x.strides(), y.strides(),
                      [&](std::int64_t i, std::int64_t ia, std::int64_t ib) {
                        po[i] = arithmetic(op, px[ia], py[ib]);
                      });
      }
    }
  });
  return out.dtype() == p.result ? out : out.astype(p.result);
}

// --- reductions ------------------------------------------------------------------------------

/// An array seen as (outer, len, inner) around the reduced axis, in C
/// order and in the dtype the reduction computes in.
struct Lanes {
  Array data;
  std::int64_t outer = 1;
  std::int64_t len = 1;
  std::int64_t inner = 1;
  Shape out_shape;
};

/// `a` as lanes along `axis`; without an axis, one lane of every element,
/// reduced to a 0-d result.
Lanes lanes(const Array& a, std::optional<int> axis, bool keepdims, DType compute,
            std::string_view where) {
  Lanes l;
  l.data = a.dtype() == compute ? a.contiguous() : a.astype(compute);
  if (!axis) {
    l.len = a.size();
    return l;
  }
  const int nd = a.ndim();
  if (*axis < -nd || *axis >= nd) {
    fail<ShapeError>(where, "axis " + std::to_string(*axis) +
                                " is out of range for an array of shape " + shapes::str(a.shape()));
  }
  const int ax = *axis < 0 ? *axis + nd : *axis;
  for (int i = 0; i < nd; ++i) {
    const std::int64_t d = a.shape()[i];
    if (i < ax) l.outer *= d;
    if (i > ax) l.inner *= d;
    if (i != ax) l.out_shape.push_back(d);
    if (i == ax && keepdims) l.out_shape.push_back(1);
  }
  l.len = a.shape()[ax];
  return l;
}

/// numpy's pairwise summation (loops_utils.h, pairwise_sum) of n elements
/// `stride` apart: blocks of up to 128 in eight interleaved partial sums,
/// larger runs halved at a multiple of 8. Reproduced so that sums agree with
/// numpy's to the bit.
template <class T>
T pairwise_sum(const T* a, std::int64_t n, std::int64_t stride) {
  constexpr std::int64_t kBlock = 128;
  if (n < 8) {
    T res = -0.0;  // numpy starts at -0.0, which keeps a sum of -0.0s negative
    for (std::int64_t i = 0; i < n; ++i) res += a[i * stride];
    return res;
  }
  if (n <= kBlock) {
    std::array<T, 8> r;
    for (int j = 0; j < 8; ++j) r[j] = a[j * stride];
    std::int64_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[(i + j) * stride];
    }
    T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i * stride];
    return res;
  }
  std::int64_t half = n / 2;
  half -= half % 8;
  return pairwise_sum(a, half, stride) + pairwise_sum(a + half * stride, n - half, stride);
}

/// Sums every lane into out (of l.out_shape, dtype T). numpy adds the lanes
/// of the last axis pairwise, and along any other axis adds one row after
/// another onto the identity 0.
template <class T>
void sum_lanes(const Lanes& l, T* out) {
  const T* x = l.data.data<T>();
  for (std::int64_t o = 0; o < l.outer; ++o) {
    for (std::int64_t i = 0; i < l.inner; ++i) {
      const T* lane = x + o * l.len * l.inner + i;
      if constexpr (std::is_integral_v<T>) {
        std::uint64_t total = 0;  // wraps as numpy's int64 sum
        for (std::int64_t k = 0; k < l.len; ++k) {
          total += static_cast<std::uint64_t>(lane[k * l.inner]);
        }
        out[o * l.inner + i] = static_cast<T>(total);
      } else if (l.inner == 1) {
        out[o] = T(0) + pairwise_sum(lane, l.len, 1);
      } else {
        T total = 0;
        for (std::int64_t k = 0; k < l.len; ++k) total += lane[k * l.inner];
        out[o * l.inner + i] = total;
      }
    }
  }
}

/// The dtype sums compute and return in: int64 for bool and integers.
DType sum_dtype(DType dtype) { return is_float(dtype) ? dtype : DType::Int64; }

/// The sums of the lanes, as an array of `compute` (float32, float64 or int64).
Array sum_of(const Lanes& l, DType compute) {
  Array out(l.out_shape, compute);
  visit_dtype(compute, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (is_compute_type<T>) sum_lanes(l, out.data<T>());
  });
  return out;
}

/// Integers and bools average in float64, floats in their own dtype (numpy's _mean).
Array mean_of(const Array& a, std::optional<int> axis, bool keepdims) {
  const DType dtype = a.dtype() == DType::Float32 ? DType::Float32 : DType::Float64;
  const Lanes l = lanes(a, axis, keepdims, dtype, "hp::mean");
  Array total = sum_of(l, dtype);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      T* p = total.data<T>();
      for (std::int64_t i = 0; i < total.size(); ++i) p[i] = p[i] / static_cast<T>(l.len);
    }
  });
  return total;
}

/// Which extreme a reduction looks for.
enum class Extreme { Max, Min };

/// The position in its lane of the maximum (minimum), or of the first NaN,
/// which wins over every number as in numpy. Of equal values argmax takes
/// the first; max and min take the last, as numpy's do (which decides
/// between 0.0 and -0.0).
template <class T>
std::int64_t extreme_index(const T* lane, std::int64_t len, std::int64_t stride, Extreme which,
                           bool last_of_equals) {
  std::int64_t best = 0;
  for (std::int64_t k = 0; k < len; ++k) {
    const T v = lane[k * stride];
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) return k;
    }
    const T b = lane[best * stride];
    const bool better = which == Extreme::Max ? v > b : v < b;
    if (better || (last_of_equals && v == b)) best = k;
  }
  return best;
}

/// max/min (as values, in the array's dtype) or argmax (as int64 indices).
Array extreme_of(const Array& a, std::optional<int> axis, bool keepdims, Extreme which, bool index,
                 std::string_view where) {
  const DType compute = is_float(a.dtype()) ? a.dtype() : DType::Int64;
  const Lanes l = lanes(a, axis, keepdims, compute, where);
  if (l.len == 0 && l.outer * l.inner > 0) {
    fail<ShapeError>(where, "cannot reduce an empty axis of the array of shape " +
                                shapes::str(a.shape()) + " (there is no identity to return)");
  }
  Array out(l.out_shape, index ? DType::Int64 : compute);
  visit_dtype(compute, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (is_compute_type<T>) {
      const T* x = l.data.data<T>();
      for (std::int64_t o = 0; o < l.outer; ++o) {
        for (std::int64_t i = 0; i < l.inner; ++i) {
          const T* lane = x + o * l.len * l.inner + i;
          const std::int64_t k = extreme_index(lane, l.len, l.inner, which, !index);
          if (index) {
            out.data<std::int64_t>()[o * l.inner + i] = k;
          } else {
            out.data<T>()[o * l.inner + i] = lane[k * l.inner];
          }
        }
      }
    }
  });
  return index || out.dtype() == a.dtype() ? out : out.astype(a.dtype());
}

// --- whole-array comparisons --------------------------------------------------------------------

bool is_close(double x, double y, double rtol, double atol, bool equal_nan) {
  if (std::isnan(x) || std::isnan(y)) return equal_nan && std::isnan(x) && std::isnan(y);
  if (x == y) return true;
  if (std::isinf(x) || std::isinf(y)) return false;
  return std::fabs(x - y) <= atol + rtol * std::fabs(y);
}

}  // namespace

// ================================================================================
// Operators
// ================================================================================

namespace detail {

Array binary(BinaryOp op, const Array& a, const Array& b) {
  return compute(op, a, b, plan(op, a.dtype(), b.dtype()));
}

Array binary(BinaryOp op, const Array& a, const WeakScalar& b) {
  const Array s = scalar_array(b, weak_dtype(op, a.dtype(), b));
  return compute(op, a, s, plan(op, a.dtype(), s.dtype()));
}

Array binary(BinaryOp op, const WeakScalar& a, const Array& b) {
  const Array s = scalar_array(a, weak_dtype(op, b.dtype(), a));
  return compute(op, s, b, plan(op, s.dtype(), b.dtype()));
}

}  // namespace detail

Array operator-(const Array& a) {
  if (is_bool(a.dtype())) {
    fail<TypeError>("hp::Array unary operator-",
                    "negating a bool array is not supported (numpy refuses it too)");
  }
  const DType compute = is_float(a.dtype()) ? a.dtype() : DType::Int64;
  Array out = a.astype(compute);
  visit_dtype(compute, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (is_compute_type<T>) {
      T* p = out.data<T>();
      for (std::int64_t i = 0; i < out.size(); ++i) {
        if constexpr (std::is_integral_v<T>) {
          p[i] = static_cast<T>(0 - static_cast<std::uint64_t>(p[i]));  // wraps as numpy's
        } else {
          p[i] = -p[i];
        }
      }
    }
  });
  return out.dtype() == a.dtype() ? out : out.astype(a.dtype());
}

// ================================================================================
// Reductions
// ================================================================================

Array sum(const Array& a) {
  return sum_of(lanes(a, std::nullopt, false, sum_dtype(a.dtype()), "hp::sum"),
                sum_dtype(a.dtype()));
}
Array sum(const Array& a, int axis, bool keepdims) {
  return sum_of(lanes(a, axis, keepdims, sum_dtype(a.dtype()), "hp::sum"), sum_dtype(a.dtype()));
}

Array mean(const Array& a) { return mean_of(a, std::nullopt, false); }
Array mean(const Array& a, int axis, bool keepdims) { return mean_of(a, axis, keepdims); }

Array max(const Array& a) {
  return extreme_of(a, std::nullopt, false, Extreme::Max, false, "hp::max");
}
Array max(const Array& a, int axis, bool keepdims) {
  return extreme_of(a, axis, keepdims, Extreme::Max, false, "hp::max");
}

Array min(const Array& a) {
  return extreme_of(a, std::nullopt, false, Extreme::Min, false, "hp::min");
}
Array min(const Array& a, int axis, bool keepdims) {
  return extreme_of(a, axis, keepdims, Extreme::Min, false, "hp::min");
}

Array argmax(const Array& a) {
  return extreme_of(a, std::nullopt, false, Extreme::Max, true, "hp::argmax");
}
Array argmax(const Array& a, int axis, bool keepdims) {
  return extreme_of(a, axis, keepdims, Extreme::Max, true, "hp::argmax");
}

// ================================================================================
// Whole-array comparisons
// ================================================================================

bool allclose(const Array& a, const Array& b, double rtol, double atol, bool equal_nan) {
  const Shape shape = shapes::broadcast(a.shape(), b.shape(), "hp::allclose");
  const Array x = a.broadcast_to(shape);
  const Array y = b.broadcast_to(shape);
  for (std::int64_t i = 0; i < x.size(); ++i) {
    if (!is_close(x.get_flat_double(i), y.get_flat_double(i), rtol, atol, equal_nan)) return false;
  }
  return true;
}

bool array_equal(const Array& a, const Array& b, bool equal_nan) {
  if (a.shape() != b.shape()) return false;
  const Array equal = a == b;
  const bool* e = equal.data<bool>();
  const bool floats = is_float(a.dtype()) || is_float(b.dtype());
  for (std::int64_t i = 0; i < equal.size(); ++i) {
    if (e[i]) continue;
    if (!equal_nan || !floats) return false;
    if (!std::isnan(a.get_flat_double(i)) || !std::isnan(b.get_flat_double(i))) return false;
  }
  return true;
}

}  // namespace hypatia
