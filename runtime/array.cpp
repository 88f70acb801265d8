/// \file hp::Array: construction, shapes and views, element access, allclose.
/// The memory it holds (hp::Storage and its block cache) is memory_pool.cpp's;
/// its printing, array_print.cpp's.
///
/// Every element access goes through one conversion rule (convert<To>) so
/// that astype, get_flat_* and set_flat_* agree on what float -> int means.
#include "hypatia/array.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>

#include "runtime/shapes.hpp"

namespace hypatia {
namespace {

// --- messages ------------------------------------------------------------------

/// numpy's spelling of a shape: (), (3,), (2, 3).
std::string shape_str(const Shape& shape) { return shapes::str(shape); }

/// One format for every error raised here: "<where>: <what>".
template <class E>
[[noreturn]] void fail(std::string_view where, const std::string& what) {
  throw E(std::string(where) + ": " + what);
}

// --- shapes --------------------------------------------------------------------

/// The number of elements of `shape`; negative dims and int64 overflow are ShapeErrors.
/// The product of the nonzero dims must fit too, because C strides are
/// computed with 0 counted as 1 (as numpy does).
std::int64_t checked_size(const Shape& shape, std::string_view where) {
  std::int64_t n = 1;
  bool empty = false;
  for (std::int64_t d : shape) {
    if (d < 0) fail<ShapeError>(where, "negative dimension in shape " + shape_str(shape));
    empty = empty || d == 0;
    if (__builtin_mul_overflow(n, std::max<std::int64_t>(d, 1), &n)) {
      fail<ShapeError>(where, "shape " + shape_str(shape) + " has more elements than int64 holds");
    }
  }
  return empty ? 0 : n;
}

/// Element strides of a C-contiguous array of `shape`.
Shape c_strides(const Shape& shape) {
  Shape strides(shape.size());
  std::int64_t step = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = step;
    step *= std::max<std::int64_t>(shape[i], 1);
  }
  return strides;
}

/// `axis` counted from the end when negative; out of range -> ShapeError.
int normalize_axis(int axis, const Shape& shape, std::string_view where) {
  const int nd = static_cast<int>(shape.size());
  if (axis < -nd || axis >= nd) {
    fail<ShapeError>(where, "axis " + std::to_string(axis) +
                                " is out of range for an array of shape " + shape_str(shape));
  }
  return axis < 0 ? axis + nd : axis;
}

/// numpy's broadcast of two shapes (aligned on the right, 1 stretches).
Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view where) {
  return shapes::broadcast(a, b, where);
}

/// Resolves the one permitted -1 of a reshape target against `size` elements.
Shape resolve_reshape(const Shape& from, std::int64_t size, const Shape& to) {
  constexpr std::string_view kWhere = "Array::reshape";
  const auto mismatch = [&] {
    fail<ShapeError>(kWhere, "cannot reshape array of shape " + shape_str(from) + " (size " +
                                 std::to_string(size) + ") into shape " + shape_str(to));
  };
  Shape out = to;
  int unknown = -1;
  Shape known_dims;
  for (std::size_t i = 0; i < to.size(); ++i) {
    if (to[i] == -1) {
      if (unknown >= 0) fail<ShapeError>(kWhere, "only one -1 allowed in shape " + shape_str(to));
      unknown = static_cast<int>(i);
    } else {
      known_dims.push_back(to[i]);
    }
  }
  const std::int64_t known = checked_size(known_dims, kWhere);
  if (unknown >= 0) {
    if (known == 0 || size % known != 0) mismatch();
    out[unknown] = size / known;
  } else if (known != size) {
    mismatch();
  }
  return out;
}

// --- element conversion --------------------------------------------------------

/// float -> integer without undefined behaviour: NaN becomes 0, values beyond
/// the integer's range (inf included) saturate to its min/max, everything else
/// truncates toward zero as static_cast does. (numpy leaves these cases
/// platform-defined; we pick the saturating rule of Rust and Java.)
template <class To>
To float_to_int(double v) {
  using Limits = std::numeric_limits<To>;
  if (std::isnan(v)) return To{0};
  // max()+1 and min()-1 are powers of two (or exactly rounded to them), so the
  // comparisons are exact; values strictly inside truncate into range.
  if (v >= static_cast<double>(Limits::max()) + 1.0) return Limits::max();
  if (v <= static_cast<double>(Limits::min()) - 1.0) return Limits::min();
  return static_cast<To>(v);
}

/// The one element conversion: static_cast, except float -> integer (see
/// float_to_int). To bool means value != 0 (NaN is true, as in numpy).
template <class To, class From>
To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From{0};
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    return float_to_int<To>(static_cast<double>(v));
  } else {
    return static_cast<To>(v);
  }
}

// --- iteration -----------------------------------------------------------------

/// Calls f(storage_index) for every element of a strided array, in C order.
template <class F>
void for_each_storage_index(const Shape& shape, const Shape& strides, std::int64_t offset, F&& f) {
  const std::size_t nd = shape.size();
  if (std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d == 0; })) return;
  if (nd == 0) {
    f(offset);
    return;
  }
  const std::int64_t inner_len = shape[nd - 1];
  const std::int64_t inner_stride = strides[nd - 1];
  std::vector<std::int64_t> counter(nd, 0);
  std::int64_t base = offset;
  while (true) {
    for (std::int64_t i = 0; i < inner_len; ++i) f(base + i * inner_stride);
    // Advance the outer axes like an odometer; done when axis 0 rolls over.
    int axis = static_cast<int>(nd) - 2;
    for (; axis >= 0; --axis) {
      base += strides[axis];
      if (++counter[axis] < shape[axis]) break;
      base -= strides[axis] * shape[axis];
      counter[axis] = 0;
    }
    if (axis < 0) return;
  }
}

template <class T>
const T* storage_begin(const std::shared_ptr<Storage>& storage) {
  return static_cast<const T*>(storage->data());
}

template <class T>
T* storage_begin(std::shared_ptr<Storage>& storage) {
  return static_cast<T*>(storage->data());
}

}  // namespace

// ================================================================================
// Construction
// ================================================================================

Array::Array() : Array(Shape{}, DType::Float64) {}

Array::Array(const Shape& shape, DType dtype) : shape_(shape), dtype_(dtype) {
  const auto n = static_cast<std::uint64_t>(checked_size(shape, "hp::Array"));
  strides_ = c_strides(shape);
  std::uint64_t nbytes = 0;
  if (__builtin_mul_overflow(n, dtype_size(dtype), &nbytes)) {
    fail<Error>("hp::Array", "cannot allocate " + std::to_string(n) + " elements of " +
                                 std::string(dtype_name(dtype)) + ": the byte count overflows");
  }
  storage_ = std::make_shared<Storage>(static_cast<std::size_t>(nbytes));
}

Array Array::zeros(const Shape& shape, DType dtype) { return Array(shape, dtype); }

Array Array::uninitialized(const Shape& shape, DType dtype) {
  Array a(Shape{}, dtype);
  a.shape_ = shape;
  const auto n = static_cast<std::uint64_t>(checked_size(shape, "hp::Array"));
  a.strides_ = c_strides(shape);
  std::uint64_t nbytes = 0;
  if (__builtin_mul_overflow(n, dtype_size(dtype), &nbytes)) {
    fail<Error>("hp::Array", "cannot allocate " + std::to_string(n) + " elements of " +
                                 std::string(dtype_name(dtype)) + ": the byte count overflows");
  }
  a.storage_ = std::make_shared<Storage>(static_cast<std::size_t>(nbytes), Storage::Init::None);
  return a;
}

Array Array::ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }

Array Array::full(const Shape& shape, double value, DType dtype) {
  Array out(shape, dtype);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = storage_begin<T>(out.storage_);
    std::fill(p, p + out.size(), convert<T>(value));
  });
  return out;
}

namespace {

/// Fills a new array of `shape` from C-order values of any C++ type.
template <class V>
Array array_from_values(const std::vector<V>& data, const Shape& shape, DType dtype) {
  const std::int64_t n = checked_size(shape, "hp::array");
  if (static_cast<std::int64_t>(data.size()) != n) {
    fail<ShapeError>("hp::array", std::to_string(data.size()) + " values do not fill shape " +
                                      shape_str(shape) + " (size " + std::to_string(n) + ")");
  }
  Array out(shape, dtype);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = out.data<T>();
    for (std::size_t i = 0; i < data.size(); ++i) p[i] = convert<T>(data[i]);
  });
  return out;
}

}  // namespace

Array array_from_doubles(const std::vector<double>& data, const Shape& shape, DType dtype) {
  return array_from_values(data, shape, dtype);
}

Array array_from_ints(const std::vector<std::int64_t>& data, const Shape& shape, DType dtype) {
  return array_from_values(data, shape, dtype);
}

// ================================================================================
// Properties and copies
// ================================================================================

std::int64_t Array::size() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape_) n *= d;  // checked for overflow when the shape was made
  return n;
}

bool Array::is_contiguous() const {
  if (size() == 0) return true;
  std::int64_t expected = 1;
  for (std::size_t i = shape_.size(); i-- > 0;) {
    // The stride of a length-1 axis is never used, so it does not matter.
    if (shape_[i] != 1 && strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

Array Array::astype(DType dtype) const {
  Array out(shape_, dtype);
  visit_dtype(dtype_, [&](auto from_tag) {
    using From = decltype(from_tag);
    visit_dtype(dtype, [&](auto to_tag) {
      using To = decltype(to_tag);
      const From* src = storage_begin<From>(storage_);
      To* dst = storage_begin<To>(out.storage_);
      for_each_storage_index(shape_, strides_, offset_,
                             [&](std::int64_t s) { *dst++ = convert<To>(src[s]); });
    });
  });
  return out;
}

Array Array::copy() const {
  if (!is_contiguous()) return astype(dtype_);
  Array out(shape_, dtype_);
  std::memcpy(out.raw_data(), raw_data(), static_cast<std::size_t>(size()) * dtype_size(dtype_));
  return out;
}

Array Array::contiguous() const { return is_contiguous() ? *this : copy(); }

// ================================================================================
// Views
// ================================================================================

Array Array::transpose() const {
  Array out = *this;
  std::reverse(out.shape_.begin(), out.shape_.end());
  std::reverse(out.strides_.begin(), out.strides_.end());
  return out;
}

Array Array::transpose(const std::vector<int>& perm) const {
  const auto bad = [&] {
    std::string p = "(";
    for (std::size_t i = 0; i < perm.size(); ++i) p += (i ? ", " : "") + std::to_string(perm[i]);
    fail<ShapeError>(
        "Array::transpose",
        "axes " + p + ") are not a permutation of the axes of shape " + shape_str(shape_));
  };
  if (perm.size() != shape_.size()) bad();
  std::vector<bool> seen(shape_.size(), false);
  Array out = *this;
  for (std::size_t i = 0; i < perm.size(); ++i) {
    const int nd = ndim();
    if (perm[i] < -nd || perm[i] >= nd) bad();
    const int axis = perm[i] < 0 ? perm[i] + nd : perm[i];
    if (seen[axis]) bad();
    seen[axis] = true;
    out.shape_[i] = shape_[axis];
    out.strides_[i] = strides_[axis];
  }
  return out;
}

namespace {

/// Python's slice.indices for one bound: negative counts from the end, then
/// clamps to [0, len] for a positive step or [-1, len-1] for a negative one.
std::int64_t clamp_slice_bound(std::int64_t bound, std::int64_t len, std::int64_t step) {
  if (bound < 0) bound += len;  // cannot overflow: bound < 0 <= len
  const std::int64_t lower = step > 0 ? 0 : -1;
  const std::int64_t upper = step > 0 ? len : len - 1;
  return std::clamp(bound, lower, upper);
}

}  // namespace

Array Array::slice(int axis, std::int64_t start, std::int64_t stop, std::int64_t step) const {
  axis = normalize_axis(axis, shape_, "Array::slice");
  if (step == 0) fail<InvalidValueError>("Array::slice", "slice step cannot be zero");
  const std::int64_t len = shape_[axis];
  // A step longer than the axis picks at most one element, as does a step of
  // exactly the axis length; clamping it keeps stride * step from overflowing.
  const std::int64_t max_step = std::max<std::int64_t>(len, 1);
  step = std::clamp(step, -max_step, max_step);
  start = clamp_slice_bound(start, len, step);
  stop = clamp_slice_bound(stop, len, step);
  std::int64_t count = 0;
  if (step > 0 && stop > start) count = (stop - start - 1) / step + 1;
  if (step < 0 && start > stop) count = (start - stop - 1) / -step + 1;

  Array out = *this;
  if (count > 0) out.offset_ += start * strides_[axis];  // an empty view keeps a valid offset
  out.shape_[axis] = count;
  out.strides_[axis] = strides_[axis] * step;
  return out;
}

Array Array::index(int axis, std::int64_t i) const {
  axis = normalize_axis(axis, shape_, "Array::index");
  const std::int64_t len = shape_[axis];
  if (i < -len || i >= len) {
    fail<ShapeError>("Array::index", "index " + std::to_string(i) + " is out of bounds for axis " +
                                         std::to_string(axis) + " of shape " + shape_str(shape_));
  }
  if (i < 0) i += len;
  Array out = *this;
  out.offset_ += i * strides_[axis];
  out.shape_.erase(out.shape_.begin() + axis);
  out.strides_.erase(out.strides_.begin() + axis);
  return out;
}

Array Array::reshape(const Shape& shape) const {
  const Shape target = resolve_reshape(shape_, size(), shape);
  if (!is_contiguous()) return copy().reshape(target);
  Array out = *this;
  out.shape_ = target;
  out.strides_ = c_strides(target);
  return out;
}

Array Array::broadcast_to(const Shape& shape) const {
  const auto bad = [&] {
    fail<ShapeError>("Array::broadcast_to",
                     "cannot broadcast shape " + shape_str(shape_) + " to " + shape_str(shape));
  };
  checked_size(shape, "Array::broadcast_to");
  if (shape.size() < shape_.size()) bad();
  const std::size_t lead = shape.size() - shape_.size();
  Array out = *this;
  out.shape_ = shape;
  out.strides_.assign(shape.size(), 0);  // new leading axes repeat: stride 0
  for (std::size_t i = 0; i < shape_.size(); ++i) {
    if (shape_[i] == shape[lead + i]) {
      out.strides_[lead + i] = strides_[i];
    } else if (shape_[i] != 1) {
      bad();
    }
  }
  return out;
}

// ================================================================================
// Element access
// ================================================================================

void* Array::raw_data() {
  return static_cast<char*>(storage_->data()) +
         offset_ * static_cast<std::int64_t>(dtype_size(dtype_));
}

const void* Array::raw_data() const {
  return static_cast<const char*>(storage_->data()) +
         offset_ * static_cast<std::int64_t>(dtype_size(dtype_));
}

void Array::check_dtype_for_data(DType requested) const {
  if (requested == dtype_) return;
  fail<TypeError>("Array::data<" + std::string(dtype_name(requested)) + ">()",
                  "the array's dtype is " + std::string(dtype_name(dtype_)) + ", not " +
                      std::string(dtype_name(requested)));
}

std::int64_t Array::storage_index(std::int64_t flat) const {
  const std::int64_t n = size();
  if (flat < 0 || flat >= n) {
    fail<ShapeError>("Array::storage_index", "flat index " + std::to_string(flat) +
                                                 " is out of range for shape " + shape_str(shape_));
  }
  std::int64_t index = offset_;
  for (std::size_t axis = shape_.size(); axis-- > 0;) {
    index += (flat % shape_[axis]) * strides_[axis];
    flat /= shape_[axis];
  }
  return index;
}

double Array::get_flat_double(std::int64_t flat) const {
  const std::int64_t s = storage_index(flat);
  return visit_dtype(dtype_, [&](auto tag) {
    using T = decltype(tag);
    return convert<double>(storage_begin<T>(storage_)[s]);
  });
}

std::int64_t Array::get_flat_int(std::int64_t flat) const {
  const std::int64_t s = storage_index(flat);
  return visit_dtype(dtype_, [&](auto tag) {
    using T = decltype(tag);
    return convert<std::int64_t>(storage_begin<T>(storage_)[s]);
  });
}

void Array::set_flat_double(std::int64_t flat, double value) {
  const std::int64_t s = storage_index(flat);
  visit_dtype(dtype_, [&](auto tag) {
    using T = decltype(tag);
    storage_begin<T>(storage_)[s] = convert<T>(value);
  });
}

void Array::set_flat_int(std::int64_t flat, std::int64_t value) {
  const std::int64_t s = storage_index(flat);
  visit_dtype(dtype_, [&](auto tag) {
    using T = decltype(tag);
    storage_begin<T>(storage_)[s] = convert<T>(value);
  });
}

// ================================================================================
// allclose
// ================================================================================

namespace {

/// numpy.isclose for one pair: NaN is never close, infinities only to themselves.
bool is_close(double x, double y, double rtol, double atol) {
  if (std::isnan(x) || std::isnan(y)) return false;
  if (x == y) return true;
  if (std::isinf(x) || std::isinf(y)) return false;
  return std::fabs(x - y) <= atol + rtol * std::fabs(y);
}

}  // namespace

bool allclose(const Array& a, const Array& b, double rtol, double atol) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), "hp::allclose");
  const Array x = a.broadcast_to(shape);
  const Array y = b.broadcast_to(shape);
  for (std::int64_t i = 0; i < x.size(); ++i) {
    if (!is_close(x.get_flat_double(i), y.get_flat_double(i), rtol, atol)) return false;
  }
  return true;
}

}  // namespace hypatia
