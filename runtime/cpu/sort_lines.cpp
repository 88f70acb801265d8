/// The sorting services generated CPU code calls (hp_sort, hp_searchsorted in
/// codegen_templates/abi.h): numpy's stable order with NaN last.
///
/// Every element becomes a 64-bit key whose unsigned order is numpy's order:
/// floats by their sign-folded IEEE bits with -0.0 taken as +0.0 and every NaN
/// as the largest key, integers with the sign bit flipped. Long lines are then
/// sorted by a least-significant-digit radix sort of (key, payload) pairs,
/// which is stable and runs in a few linear passes (faster than std::sort's
/// comparisons on millions of doubles); short lines by insertion.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <exception>
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

struct Entry {
  std::uint64_t key;
  std::uint64_t payload;  ///< the element's position (argsort) or its bits (sort)
};

constexpr int kDigitBits = 11;
constexpr int kPasses = (64 + kDigitBits - 1) / kDigitBits;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
constexpr std::int64_t kInsertionMax = 48;

/// Stable by key: insertion for short lines, else LSD radix (passes whose
/// digit is the same for every key are skipped). `scratch` holds n entries.
void sort_entries(std::vector<Entry>& entries, std::vector<Entry>& scratch) {
  const std::size_t n = entries.size();
  if (static_cast<std::int64_t>(n) <= kInsertionMax) {
    for (std::size_t j = 1; j < n; ++j) {
      const Entry e = entries[j];
      std::size_t k = j;
      for (; k > 0 && e.key < entries[k - 1].key; --k) entries[k] = entries[k - 1];
      entries[k] = e;
    }
    return;
  }
  std::vector<std::array<std::uint32_t, kBuckets>> counts(kPasses);
  for (auto& c : counts) c.fill(0);
  for (const Entry& e : entries) {
    for (int p = 0; p < kPasses; ++p) ++counts[p][(e.key >> (p * kDigitBits)) & (kBuckets - 1)];
  }
  scratch.resize(n);
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
    for (const Entry& e : entries) scratch[c[(e.key >> shift) & (kBuckets - 1)]++] = e;
    entries.swap(scratch);
  }
}

template <class T>
void sort_line(const T* x, std::int64_t sx, std::int64_t n, void* out, std::int64_t so, bool argsort,
               std::vector<Entry>& entries, std::vector<Entry>& scratch) {
  entries.resize(static_cast<std::size_t>(n));
  for (std::int64_t j = 0; j < n; ++j) {
    const T v = x[j * sx];
    std::uint64_t payload = static_cast<std::uint64_t>(j);
    if (!argsort) {
      payload = 0;
      std::memcpy(&payload, &v, sizeof(T));
    }
    entries[static_cast<std::size_t>(j)] = {sort_key(v), payload};
  }
  sort_entries(entries, scratch);
  if (argsort) {
    auto* y = static_cast<std::int64_t*>(out);
    for (std::int64_t j = 0; j < n; ++j) y[j * so] = static_cast<std::int64_t>(entries[static_cast<std::size_t>(j)].payload);
    return;
  }
  auto* y = static_cast<T*>(out);
  for (std::int64_t j = 0; j < n; ++j) std::memcpy(&y[j * so], &entries[static_cast<std::size_t>(j)].payload, sizeof(T));
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
  const std::size_t out_bytes = argsort ? sizeof(std::int64_t) : sizeof(T);
  parallel_for(lines, std::max<std::int64_t>(1, (1 << 14) / std::max<std::int64_t>(n, 1)),
               [&](std::int64_t begin, std::int64_t end) {
                 std::vector<Entry> entries, scratch;
                 for (std::int64_t r = begin; r < end; ++r) {
                   const T* xs = static_cast<const T*>(x.data) + line_offset(x, axis, r);
                   void* ys = static_cast<char*>(out.data) + line_offset(out, axis, r) * static_cast<std::int64_t>(out_bytes);
                   sort_line(xs, x.strides[axis], n, ys, out.strides[axis], argsort, entries, scratch);
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
    const bool as_float = hypatia::is_float(static_cast<DType>(a_dtype)) || hypatia::is_float(static_cast<DType>(v_dtype));
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
