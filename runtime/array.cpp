/// \file hp::Array: storage, shapes and views, element access, and numpy-style printing.
///
/// Every element access goes through one conversion rule (convert<To>) so
/// that astype, get_flat_* and set_flat_* agree on what float -> int means.
#include "hypatia/array.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <ostream>
#include <string_view>
#include <tuple>

#include "runtime/shapes.hpp"

namespace hypatia {
namespace {

constexpr std::size_t kAlignment = 64;
/// 256 TiB: more than any machine's memory and than x86-64's 128 TiB user
/// address space. Refusing larger requests up front gives the same hp::Error
/// whatever the overcommit setting, and under sanitizers that abort on them.
constexpr std::size_t kMaxBytes = std::size_t{1} << 48;

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
// Storage
// ================================================================================

// calloc rather than aligned_alloc + memset: large fresh blocks come from
// mmap already zeroed (numpy's zeros does the same). calloc takes no
// alignment, so we over-allocate by kAlignment and align inside the block.
namespace {

/// Freed blocks of at least kCachedMin bytes wait here, up to kCacheCap bytes
/// in all, for a later allocation of about their size: reusing them costs a
/// memset at most, while fresh memory from the OS costs a page fault per
/// page (measured: 30-70 ms for 64 MiB on this class of machine). When a
/// freed block does not fit, the blocks freed longest ago make room: a
/// program calling its functions in a loop frees and allocates the same
/// sizes again and again, and those must stay cached even after other sizes
/// (an earlier phase, another function) filled the cache.
class BlockCache {
 public:
  static constexpr std::size_t kCachedMin = std::size_t{1} << 16;
  static constexpr std::size_t kCacheCap = std::size_t{512} << 20;

  /// A cached block of at least `bytes` and at most 25 % more, or null.
  std::pair<void*, std::size_t> take(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    auto it = by_size_.lower_bound(bytes);
    if (it == by_size_.end() || it->first > bytes + bytes / 4) return {nullptr, 0};
    const auto [size, stamp] = *it;
    void* block = by_age_.at(stamp).block;
    by_age_.erase(stamp);
    by_size_.erase(it);
    total_ -= size;
    return {block, size};
  }

  /// Keeps the block, freeing the oldest ones if needed; false (the caller
  /// frees it) for a block larger than the whole cache.
  bool give(void* block, std::size_t bytes) {
    std::vector<void*> evicted;
    {
      std::lock_guard lock(mutex_);
      if (bytes > kCacheCap) return false;
      while (total_ + bytes > kCacheCap) {
        auto oldest = by_age_.begin();
        evicted.push_back(oldest->second.block);
        total_ -= oldest->second.by_size->first;
        by_size_.erase(oldest->second.by_size);
        by_age_.erase(oldest);
      }
      const std::uint64_t stamp = next_stamp_++;
      by_age_.emplace(stamp, Entry{block, by_size_.emplace(bytes, stamp)});
      total_ += bytes;
    }
    for (void* p : evicted) std::free(p);  // outside the lock
    return true;
  }

 private:
  using BySize = std::multimap<std::size_t, std::uint64_t>;  ///< size -> stamp
  struct Entry {
    void* block;
    BySize::iterator by_size;
  };
  std::mutex mutex_;
  BySize by_size_;
  std::map<std::uint64_t, Entry> by_age_;  ///< stamp (order of giving) -> block
  std::uint64_t next_stamp_ = 0;
  std::size_t total_ = 0;
};

BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;  // never destroyed: Storage may outlive statics
  return *cache;
}

}  // namespace

Storage::Storage(std::size_t nbytes, Init init) : nbytes_(nbytes) {
  const auto cannot = [nbytes] {
    fail<Error>("hp::Array", "cannot allocate " + std::to_string(nbytes) + " bytes");
  };
  if (nbytes > kMaxBytes) cannot();
  const std::size_t wanted = nbytes + kAlignment;
  bool zeroed = false;
  if (wanted >= BlockCache::kCachedMin) std::tie(block_, capacity_) = block_cache().take(wanted);
  if (block_ == nullptr) {
    block_ = init == Init::Zero ? std::calloc(wanted, 1) : std::malloc(wanted);
    capacity_ = wanted;
    zeroed = init == Init::Zero;
  }
  if (block_ == nullptr) cannot();
  const auto start = reinterpret_cast<std::uintptr_t>(block_);
  const auto aligned = (start + kAlignment - 1) & ~static_cast<std::uintptr_t>(kAlignment - 1);
  data_ = reinterpret_cast<void*>(aligned);
  if (init == Init::Zero && !zeroed) std::memset(data_, 0, nbytes);
}

Storage::~Storage() {
  if (capacity_ >= BlockCache::kCachedMin && block_cache().give(block_, capacity_)) return;
  std::free(block_);
}

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

// ================================================================================
// Printing: a port of numpy's array2string for str(ndarray) with the default
// print options (precision 8, linewidth 75, threshold 1000, edgeitems 3).
// ================================================================================

namespace {

constexpr int kPrecision = 8;
constexpr std::int64_t kLineWidth = 75;
constexpr std::int64_t kThreshold = 1000;
constexpr std::int64_t kEdgeItems = 3;

/// to_chars of v in `format`: the shortest round-trip text when precision < 0,
/// else rounded to `precision` digits. float32 values use the float overload
/// so that float32 0.1 prints "0.1".
std::string chars(double v, bool single, std::chars_format format, int precision = -1) {
  char buf[512];  // a fixed-format double needs at most 309 integer digits
  std::to_chars_result r{};
  if (single) {
    const auto f = static_cast<float>(v);
    r = precision < 0 ? std::to_chars(buf, buf + sizeof buf, f, format)
                      : std::to_chars(buf, buf + sizeof buf, f, format, precision);
  } else {
    r = precision < 0 ? std::to_chars(buf, buf + sizeof buf, v, format)
                      : std::to_chars(buf, buf + sizeof buf, v, format, precision);
  }
  return std::string(buf, r.ptr);
}

/// str() of a float scalar, as Python's repr of a float: positional for
/// 1e-4 <= |v| < 1e16 (with at least one fractional digit), else scientific.
/// float32 switches at 1e6 already, as numpy >= 2.3 does.
std::string scalar_float_str(double v, bool single) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  const double mag = std::fabs(v);
  const double large = single ? 1e6 : 1e16;
  if (mag == 0 || (mag >= 1e-4 && mag < large)) {
    std::string s = chars(v, single, std::chars_format::fixed);
    return s.find('.') == std::string::npos ? s + ".0" : s;
  }
  return chars(v, single, std::chars_format::scientific);
}

/// A finite float's text in pieces: "-12.5e+03" -> {"-12", "5", "+03"}.
struct FloatParts {
  std::string int_part;
  std::string frac_part;
  std::string exp_part;  // sign and digits; empty in positional form
};

/// Splits to_chars output at its "." and "e".
FloatParts split(const std::string& text) {
  const auto e = text.find('e');
  const std::string mantissa = text.substr(0, e);
  const std::string exp = e == std::string::npos ? "" : text.substr(e + 1);
  const auto dot = mantissa.find('.');
  if (dot == std::string::npos) return {mantissa, "", exp};
  return {mantissa.substr(0, dot), mantissa.substr(dot + 1), exp};
}

/// The shortest round-trip digits, or, when those need more than kPrecision
/// fractional digits, the value rounded to kPrecision with zeros trimmed.
FloatParts float_parts(double v, bool single, std::chars_format format) {
  FloatParts p = split(chars(v, single, format));
  if (p.frac_part.size() <= static_cast<std::size_t>(kPrecision)) return p;
  p = split(chars(v, single, format, kPrecision));
  p.frac_part.erase(p.frac_part.find_last_not_of('0') + 1);
  return p;
}

std::string pad_left(const std::string& s, std::size_t width, char fill = ' ') {
  return s.size() >= width ? s : std::string(width - s.size(), fill) + s;
}

std::string pad_right(const std::string& s, std::size_t width, char fill = ' ') {
  return s.size() >= width ? s : s + std::string(width - s.size(), fill);
}

/// numpy's FloatingFormat (floatmode 'maxprec'): one layout for all elements,
/// positional unless the magnitudes call for scientific, dots aligned.
class FloatFormat {
 public:
  FloatFormat(const std::vector<double>& values, bool single) : single_(single) {
    std::vector<double> finite;
    for (double v : values) {
      if (std::isfinite(v)) finite.push_back(v);
    }
    choose_notation(finite);
    measure(finite);
    widen_for_non_finite(values, finite.size());
  }

  std::string operator()(double v) const {
    const std::size_t width = static_cast<std::size_t>(pad_left_ + pad_right_ + 1);
    if (std::isnan(v)) return pad_left("nan", width);
    if (std::isinf(v)) return pad_left(v < 0 ? "-inf" : "inf", width);
    if (!exp_format_) {
      const FloatParts p = float_parts(v, single_, std::chars_format::fixed);
      return pad_left(p.int_part, pad_left_) + "." + pad_right(p.frac_part, pad_right_);
    }
    // Every mantissa gets precision_ digits: numpy's min_digits continues with
    // the value's exact digits, rounded, rather than padding with zeros (this
    // differs for float32, whose shortest form is often 7 digits).
    const FloatParts p = split(chars(v, single_, std::chars_format::scientific, precision_));
    const std::string exp_digits = pad_left(p.exp_part.substr(1), exp_size_, '0');
    return pad_left(p.int_part, pad_left_) + "." + p.frac_part + "e" + p.exp_part[0] + exp_digits;
  }

 private:
  std::chars_format notation() const {
    return exp_format_ ? std::chars_format::scientific : std::chars_format::fixed;
  }

  // Scientific when the nonzero magnitudes are very large, very small, or
  // span more than three decades. "Very large" is 1e8 for float64 and 1e6
  // for float32, whose 7 significant digits would print as noise beyond it
  // (numpy >= 2.3; older numpy used 1e8 for both).
  void choose_notation(const std::vector<double>& finite) {
    double max_val = 0;
    double min_val = std::numeric_limits<double>::infinity();
    for (double v : finite) {
      if (v == 0) continue;
      max_val = std::max(max_val, std::fabs(v));
      min_val = std::min(min_val, std::fabs(v));
    }
    if (max_val == 0) return;
    const double large = single_ ? 1e6 : 1e8;
    exp_format_ = max_val >= large || min_val < 1e-4 || max_val / min_val > 1000.;
  }

  void measure(const std::vector<double>& finite) {
    std::size_t int_width = 0;
    std::size_t frac_width = 0;
    std::size_t exp_width = 0;
    for (double v : finite) {
      const FloatParts p = float_parts(v, single_, notation());
      int_width = std::max(int_width, p.int_part.size());
      frac_width = std::max(frac_width, p.frac_part.size());
      exp_width = std::max(exp_width, p.exp_part.size() - (exp_format_ ? 1 : 0));
    }
    pad_left_ = static_cast<int>(int_width);
    if (exp_format_) {
      precision_ = static_cast<int>(frac_width);
      exp_size_ = static_cast<int>(exp_width);
      pad_right_ = exp_size_ + 2 + precision_;  // "e", sign, digits after the fraction
    } else {
      pad_right_ = static_cast<int>(frac_width);
    }
  }

  // nan, inf and -inf are right-aligned to the width of the finite values,
  // which grows if they do not fit.
  void widen_for_non_finite(const std::vector<double>& values, std::size_t finite_count) {
    if (finite_count == values.size()) return;
    const bool neg_inf =
        std::any_of(values.begin(), values.end(), [](double v) { return std::isinf(v) && v < 0; });
    const int offset = pad_right_ + 1;
    pad_left_ = std::max({pad_left_, 3 - offset, 3 + (neg_inf ? 1 : 0) - offset});
  }

  bool single_;
  bool exp_format_ = false;
  int pad_left_ = 0;
  int pad_right_ = 0;
  int precision_ = 0;
  int exp_size_ = 0;
};

/// The positions shown along an axis of length `len`: all of them, or the
/// first and last kEdgeItems when the array is summarised.
std::vector<std::int64_t> shown_positions(std::int64_t len, bool summarise) {
  std::vector<std::int64_t> pos;
  if (!summarise || len <= 2 * kEdgeItems) {
    for (std::int64_t i = 0; i < len; ++i) pos.push_back(i);
    return pos;
  }
  for (std::int64_t i = 0; i < kEdgeItems; ++i) pos.push_back(i);
  for (std::int64_t i = len - kEdgeItems; i < len; ++i) pos.push_back(i);
  return pos;
}

/// C-order flat indices of the elements that will be printed.
void collect_shown(const Shape& shape, bool summarise, std::size_t axis, std::int64_t flat,
                   std::vector<std::int64_t>& out) {
  if (axis == shape.size()) {
    out.push_back(flat);
    return;
  }
  for (std::int64_t i : shown_positions(shape[axis], summarise)) {
    collect_shown(shape, summarise, axis + 1, flat * shape[axis] + i, out);
  }
}

/// The printed text of each shown element, all of one width.
std::vector<std::string> format_elements(const Array& a, const std::vector<std::int64_t>& shown) {
  std::vector<std::string> words;
  if (is_float(a.dtype())) {
    std::vector<double> values;
    for (std::int64_t i : shown) values.push_back(a.get_flat_double(i));
    const FloatFormat format(values, a.dtype() == DType::Float32);
    for (double v : values) words.push_back(format(v));
    return words;
  }
  if (is_bool(a.dtype())) {
    // " True" so that True and False line up.
    for (std::int64_t i : shown) words.push_back(a.get_flat_int(i) ? " True" : "False");
    return words;
  }
  std::size_t width = 0;
  for (std::int64_t i : shown) {
    words.push_back(std::to_string(a.get_flat_int(i)));
    width = std::max(width, words.back().size());
  }
  for (auto& w : words) w = pad_left(w, width);
  return words;
}

/// numpy's _formatArray: nested brackets, a hanging indent per level, rows
/// wrapped at the line width, blank lines between blocks of 3-d and up.
class Layout {
 public:
  Layout(const Shape& shape, bool summarise, std::vector<std::string> words)
      : shape_(shape), summarise_(summarise), words_(std::move(words)) {}

  std::string format() { return nest(0, " ", kLineWidth); }

 private:
  std::string nest(std::size_t axis, const std::string& indent, std::int64_t width) {
    if (axis == shape_.size()) return words_[next_word_++];
    const std::vector<std::int64_t> pos = shown_positions(shape_[axis], summarise_);
    const bool gap = pos.size() < static_cast<std::size_t>(shape_[axis]);
    std::string s = axis + 1 == shape_.size() ? row(axis, indent, width, pos, gap)
                                              : block(axis, indent, width, pos, gap);
    std::string bracketed = "[";  // built by append: g++ 12 warns falsely on "[" + std::string&&
    bracketed.append(s, indent.size());
    bracketed += ']';
    return bracketed;
  }

  // The last axis: elements separated by spaces, wrapped at `width`.
  std::string row(std::size_t axis, const std::string& indent, std::int64_t width,
                  const std::vector<std::int64_t>& pos, bool gap) {
    const std::int64_t elem_width = width - 1;  // room for the closing "]"
    std::string s;
    std::string line = indent;
    for (std::size_t k = 0; k < pos.size(); ++k) {
      extend_line(s, line, nest(axis + 1, indent + " ", width - 1), elem_width, indent);
      if (k + 1 == pos.size()) break;
      line += " ";
      if (gap && k + 1 == static_cast<std::size_t>(kEdgeItems)) {
        extend_line(s, line, "...", elem_width, indent);
        line += " ";
      }
    }
    return s + line;
  }

  // Outer axes: one sub-array per line, blank lines between deeper blocks.
  std::string block(std::size_t axis, const std::string& indent, std::int64_t width,
                    const std::vector<std::int64_t>& pos, bool gap) {
    const std::string line_sep(shape_.size() - axis - 1, '\n');
    std::string s;
    for (std::size_t k = 0; k < pos.size(); ++k) {
      s += indent + nest(axis + 1, indent + " ", width - 1);
      if (k + 1 == pos.size()) break;
      s += line_sep;
      if (gap && k + 1 == static_cast<std::size_t>(kEdgeItems)) s += indent + "..." + line_sep;
    }
    return s;
  }

  static void extend_line(std::string& s, std::string& line, const std::string& word,
                          std::int64_t width, const std::string& indent) {
    const bool too_long = static_cast<std::int64_t>(line.size() + word.size()) > width;
    // Wrapping a line that holds only the indent would not help.
    if (too_long && line.size() > indent.size()) {
      s += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
      line = indent;
    }
    line += word;
  }

  const Shape& shape_;
  bool summarise_;
  std::vector<std::string> words_;
  std::size_t next_word_ = 0;
};

/// str() of a 0-d array: like the scalar it holds.
std::string scalar_str(const Array& a) {
  if (is_float(a.dtype()))
    return scalar_float_str(a.get_flat_double(0), a.dtype() == DType::Float32);
  if (is_bool(a.dtype())) return a.get_flat_int(0) ? "True" : "False";
  return std::to_string(a.get_flat_int(0));
}

}  // namespace

std::string Array::str() const {
  if (ndim() == 0) return scalar_str(*this);
  if (size() == 0) return "[]";
  const bool summarise = size() > kThreshold;
  std::vector<std::int64_t> shown;
  collect_shown(shape_, summarise, 0, 0, shown);
  return Layout(shape_, summarise, format_elements(*this, shown)).format();
}

std::ostream& operator<<(std::ostream& os, const Array& a) { return os << a.str(); }

}  // namespace hypatia
