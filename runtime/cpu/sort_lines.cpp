/// The sorting services generated CPU code calls (hp_sort, hp_searchsorted in
/// codegen_templates/abi.h): numpy's stable order with NaN last.
///
/// Every element becomes a 64-bit key whose unsigned order is numpy's order:
/// floats by their sign-folded IEEE bits with -0.0 taken as +0.0 and every NaN
/// as the largest key, integers with the sign bit flipped. Long lines are then
/// sorted by a least-significant-digit radix sort (keys alone for sort, (key,
/// position) pairs for argsort), which is stable and runs in a few linear
/// passes (faster than std::sort's comparisons on millions of doubles); short
/// lines by insertion.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "runtime/cpu/services.hpp"
#include "runtime/cpu/thread_pool.hpp"

namespace hypatia {
namespace {

constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

template <class T>
std::uint64_t sort_key(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    double d = static_cast<double>(v);
    if (d != d) return ~std::uint64_t{0};
    if (d == 0) d = 0.0;  // -0.0 sorts with +0.0, in input order
    const auto bits = std::bit_cast<std::uint64_t>(d);
    return (bits & kSignBit) ? ~bits : bits | kSignBit;
  } else if constexpr (std::is_signed_v<T>) {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(v)) ^ kSignBit;
  } else {
    return static_cast<std::uint64_t>(v);
  }
}

template <class T>
T from_key(std::uint64_t key) {
  if constexpr (std::is_floating_point_v<T>) {
    const std::uint64_t bits = (key & kSignBit) ? key ^ kSignBit : ~key;
    return static_cast<T>(std::bit_cast<double>(bits));
  } else if constexpr (std::is_signed_v<T>) {
    return static_cast<T>(static_cast<std::int64_t>(key ^ kSignBit));
  } else {
    return static_cast<T>(key);
  }
}

/// A key with its element's position in the line (argsort).
struct Entry {
  std::uint64_t key;
  std::int64_t position;
};

std::uint64_t key_of(std::uint64_t key) { return key; }
std::uint64_t key_of(const Entry& e) { return e.key; }

constexpr int kDigitBits = 11;
constexpr int kPasses = (64 + kDigitBits - 1) / kDigitBits;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
constexpr std::size_t kInsertionMax = 48;

/// Uninitialised storage for n elements, kept for the next line of a chunk.
template <class E>
class Buffer {
 public:
  E* get(std::size_t n) {
    if (n > size_) {
      data_.reset(new E[n]);  // default-initialised: no pass zeroing memory that is written next
      size_ = n;
    }
    return data_.get();
  }

 private:
  std::unique_ptr<E[]> data_;
  std::size_t size_ = 0;
};

/// Sorts data[0, n) stably by key: insertion for short lines, else LSD radix
/// (passes whose digit is the same for every key are skipped). Returns where
/// the sorted elements are: `data` or `scratch` (n elements).
template <class E>
E* stable_sort_by_key(E* data, E* scratch, std::size_t n) {
  if (n <= kInsertionMax) {
    for (std::size_t j = 1; j < n; ++j) {
      const E e = data[j];
      std::size_t k = j;
      for (; k > 0 && key_of(e) < key_of(data[k - 1]); --k) data[k] = data[k - 1];
      data[k] = e;
    }
    return data;
  }
  if (n > std::numeric_limits<std::uint32_t>::max()) {
    std::stable_sort(data, data + n, [](const E& a, const E& b) { return key_of(a) < key_of(b); });
    return data;
  }
  std::array<std::array<std::uint32_t, kBuckets>, kPasses> counts{};
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint64_t key = key_of(data[j]);
    for (int p = 0; p < kPasses; ++p) ++counts[p][(key >> (p * kDigitBits)) & (kBuckets - 1)];
  }
  for (int p = 0; p < kPasses; ++p) {
    auto& c = counts[p];
    if (std::find(c.begin(), c.end(), static_cast<std::uint32_t>(n)) != c.end()) continue;  // one digit only
    std::uint32_t total = 0;
    for (auto& bucket : c) {
      const std::uint32_t here = bucket;
      bucket = total;
      total += here;
    }
    const int shift = p * kDigitBits;
    for (std::size_t j = 0; j < n; ++j) scratch[c[(key_of(data[j]) >> shift) & (kBuckets - 1)]++] = data[j];
    std::swap(data, scratch);
  }
  return data;
}

/// One chunk's buffers, reused from line to line.
struct SortBuffers {
  Buffer<std::uint64_t> keys, key_scratch;
  Buffer<Entry> entries, entry_scratch;
};

/// argsort: (key, position) pairs, sorted; the positions are the result.
template <class T>
void argsort_line(const T* x, std::int64_t sx, std::size_t n, std::int64_t* y, std::int64_t so, SortBuffers& b) {
  Entry* entries = b.entries.get(n);
  for (std::size_t j = 0; j < n; ++j) {
    const auto position = static_cast<std::int64_t>(j);
    entries[j] = {sort_key(x[position * sx]), position};
  }
  const Entry* sorted = stable_sort_by_key(entries, b.entry_scratch.get(n), n);
  for (std::size_t j = 0; j < n; ++j) y[static_cast<std::int64_t>(j) * so] = sorted[j].position;
}

/// sort: the keys alone are sorted (half the memory traffic of pairs) and
/// turned back into values. Keys lose only what numpy's order ignores: the
/// sign of zero and NaN payloads. The run of zeros and the run of NaNs are
/// written again from the input, in input order, which is where a stable
/// sort puts them.
template <class T>
void sort_line(const T* x, std::int64_t sx, std::size_t n, T* y, std::int64_t so, SortBuffers& b) {
  std::uint64_t* keys = b.keys.get(n);
  std::size_t zeros = 0, nans = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const T v = x[static_cast<std::int64_t>(j) * sx];
    keys[j] = sort_key(v);
    if constexpr (std::is_floating_point_v<T>) {
      zeros += v == 0;
      nans += v != v;
    }
  }
  const std::uint64_t* sorted = stable_sort_by_key(keys, b.key_scratch.get(n), n);
  for (std::size_t j = 0; j < n; ++j) y[static_cast<std::int64_t>(j) * so] = from_key<T>(sorted[j]);
  if (zeros == 0 && nans == 0) return;
  std::size_t next_zero = static_cast<std::size_t>(std::lower_bound(sorted, sorted + n, sort_key(T(0))) - sorted);
  std::size_t next_nan = n - nans;
  for (std::size_t j = 0; j < n; ++j) {
    const T v = x[static_cast<std::int64_t>(j) * sx];
    if (v == 0) y[static_cast<std::int64_t>(next_zero++) * so] = v;
    else if (v != v) y[static_cast<std::int64_t>(next_nan++) * so] = v;
  }
}

/// Element offsets of line `line` of `t` along `axis` (the other axes in C order).
std::int64_t line_offset(const hp_tensor& t, std::int64_t axis, std::int64_t line) {
  std::int64_t offset = 0;
  for (std::int64_t a = t.ndim - 1; a >= 0; --a) {
    if (a == axis) continue;
    offset += (line % t.shape[a]) * t.strides[a];
    line /= t.shape[a];
  }
  return offset;
}

template <class T>
void sort_lines(const hp_tensor& x, std::int64_t axis, const hp_tensor& out, bool argsort) {
  const std::int64_t n = x.shape[axis];
  std::int64_t size = 1;
  for (std::int64_t a = 0; a < x.ndim; ++a) size *= x.shape[a];
  const std::int64_t lines = n == 0 ? 0 : size / n;
  parallel_for(lines, std::max<std::int64_t>(1, (1 << 14) / std::max<std::int64_t>(n, 1)),
               [&](std::int64_t begin, std::int64_t end) {
                 SortBuffers buffers;
                 const auto length = static_cast<std::size_t>(n);
                 for (std::int64_t r = begin; r < end; ++r) {
                   const T* xs = static_cast<const T*>(x.data) + line_offset(x, axis, r);
                   const std::int64_t o = line_offset(out, axis, r);
                   if (argsort) {
                     argsort_line(xs, x.strides[axis], length, static_cast<std::int64_t*>(out.data) + o,
                                  out.strides[axis], buffers);
                   } else {
                     sort_line(xs, x.strides[axis], length, static_cast<T*>(out.data) + o, out.strides[axis], buffers);
                   }
                 }
               });
}

template <class T>
std::uint64_t element_key(const hp_tensor& t, std::int64_t flat, bool as_float) {
  std::int64_t offset = 0;
  for (std::int64_t a = t.ndim - 1; a >= 0; --a) {
    offset += (flat % t.shape[a]) * t.strides[a];
    flat /= t.shape[a];
  }
  const T v = static_cast<const T*>(t.data)[offset];
  return as_float ? sort_key(static_cast<double>(v)) : sort_key(static_cast<std::int64_t>(v));
}

}  // namespace
}  // namespace hypatia

extern "C" {

int hp_sort(hp_context* ctx, int dtype, const hp_tensor* x, std::int64_t axis, hp_tensor* out, int argsort) {
  try {
    hypatia::visit_dtype(static_cast<hypatia::DType>(dtype), [&](auto tag) {
      hypatia::sort_lines<decltype(tag)>(*x, axis, *out, argsort != 0);
    });
    return 0;
  } catch (const std::exception& e) {
    ctx->error = e.what();
    return 1;
  }
}

int hp_searchsorted(hp_context* ctx, int a_dtype, const hp_tensor* a, int v_dtype, const hp_tensor* v,
                    hp_tensor* out, int right) {
  try {
    using hypatia::DType;
    // Compared as float64 when either is a float (numpy's common type), else as int64.
    const bool as_float =
        hypatia::is_float(static_cast<DType>(a_dtype)) || hypatia::is_float(static_cast<DType>(v_dtype));
    const std::int64_t n = a->shape[0];
    std::vector<std::uint64_t> keys(static_cast<std::size_t>(n));
    hypatia::visit_dtype(static_cast<DType>(a_dtype), [&](auto tag) {
      for (std::int64_t i = 0; i < n; ++i) keys[i] = hypatia::element_key<decltype(tag)>(*a, i, as_float);
    });
    std::int64_t size = 1;
    for (std::int64_t d = 0; d < v->ndim; ++d) size *= v->shape[d];
    auto* y = static_cast<std::int64_t*>(out->data);
    hypatia::visit_dtype(static_cast<DType>(v_dtype), [&](auto tag) {
      for (std::int64_t i = 0; i < size; ++i) {
        const std::uint64_t key = hypatia::element_key<decltype(tag)>(*v, i, as_float);
        const auto at = right ? std::upper_bound(keys.begin(), keys.end(), key)
                              : std::lower_bound(keys.begin(), keys.end(), key);
        y[i] = at - keys.begin();
      }
    });
    return 0;
  } catch (const std::exception& e) {
    ctx->error = e.what();
    return 1;
  }
}

}  // extern "C"
