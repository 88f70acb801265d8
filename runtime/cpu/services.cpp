/// The runtime services of generated CPU code (see codegen_templates/abi.h).
#include "runtime/cpu/services.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "runtime/cpu/blocked_elementwise.hpp"
#include "runtime/cpu/thread_pool.hpp"

namespace hypatia {
namespace {

constexpr std::size_t kAlign = 64;
constexpr std::size_t kMinBlock = std::size_t{1} << 20;

std::size_t align_up(std::size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

/// Converts one element as hp::Array::astype does: to bool is != 0; float to
/// integer saturates (NaN -> 0); otherwise C++ conversion (integers wrap).
template <class D, class S>
D convert(S v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != 0;
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    const double x = static_cast<double>(v);
    if (std::isnan(x)) return 0;
    if (x <= static_cast<double>(std::numeric_limits<D>::min())) return std::numeric_limits<D>::min();
    if (x >= static_cast<double>(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    return static_cast<D>(x);
  } else {
    return static_cast<D>(v);
  }
}

template <class S, class D>
void copy_typed(const hp_tensor& src, hp_tensor& dst) {
  const std::int64_t ndim = dst.ndim;
  const std::int64_t n = element_count(dst);
  if (n == 0) return;
  const S* s = static_cast<const S*>(src.data);
  D* d = static_cast<D*>(dst.data);
  std::int64_t index[8] = {0};
  std::int64_t so = 0, dof = 0;
  for (std::int64_t k = 0; k < n; ++k) {
    d[dof] = convert<D>(s[so]);
    // Advance the multi-index, last axis fastest.
    for (std::int64_t a = ndim - 1; a >= 0; --a) {
      if (++index[a] < dst.shape[a]) {
        so += src.strides[a];
        dof += dst.strides[a];
        break;
      }
      so -= src.strides[a] * (dst.shape[a] - 1);
      dof -= dst.strides[a] * (dst.shape[a] - 1);
      index[a] = 0;
    }
  }
}

/// How a matrix operand is handed to BLAS: row-major with a leading
/// dimension, possibly transposed, or not at all (needs a contiguous copy).
struct BlasLayout {
  bool ok;
  CBLAS_TRANSPOSE trans;
  std::int64_t ld;
};

BlasLayout blas_layout(std::int64_t rows, std::int64_t cols, std::int64_t s0, std::int64_t s1) {
  if ((s1 == 1 || cols == 1) && s0 >= std::max<std::int64_t>(1, cols)) return {true, CblasNoTrans, s0};
  if ((s0 == 1 || rows == 1) && s1 >= std::max<std::int64_t>(1, rows)) return {true, CblasTrans, s1};
  return {false, CblasNoTrans, 0};
}

/// A contiguous copy of a rank-2 tensor in the arena, when BLAS cannot take it as it is.
hp_tensor contiguous_in_arena(hp_context* ctx, const hp_tensor& t, DType dtype) {
  hp_tensor c = t;
  const std::int64_t n = element_count(t);
  c.data = ctx->arena->allocate(static_cast<std::size_t>(n) * dtype_size(dtype));
  std::int64_t s = 1;
  for (std::int64_t i = t.ndim - 1; i >= 0; --i) {
    c.strides[i] = s;
    s *= t.shape[i];
  }
  hp_copy(&t, static_cast<int>(dtype), &c, static_cast<int>(dtype));
  return c;
}

/// How BLAS takes the rank-2 tensor `t`; replaces `t` by a contiguous copy
/// when BLAS cannot take it as it is.
BlasLayout usable_layout(hp_context* ctx, hp_tensor& t, DType dtype) {
  const BlasLayout layout = blas_layout(t.shape[0], t.shape[1], t.strides[0], t.strides[1]);
  if (layout.ok) return layout;
  t = contiguous_in_arena(ctx, t, dtype);
  return blas_layout(t.shape[0], t.shape[1], t.strides[0], t.strides[1]);
}

template <class T>
void dot_loop(const hp_tensor& a, const hp_tensor& b, hp_tensor& out, std::int64_t m,
              std::int64_t k, std::int64_t n, std::int64_t as0, std::int64_t as1, std::int64_t bs0,
              std::int64_t bs1) {
  const T* A = static_cast<const T*>(a.data);
  const T* B = static_cast<const T*>(b.data);
  T* C = static_cast<T*>(out.data);
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      if constexpr (std::is_floating_point_v<T>) {
        double acc = 0;
        for (std::int64_t p = 0; p < k; ++p) acc += double(A[i * as0 + p * as1]) * double(B[p * bs0 + j * bs1]);
        C[i * n + j] = static_cast<T>(acc);
      } else {
        std::uint64_t acc = 0;  // wraps as the reference
        for (std::int64_t p = 0; p < k; ++p) {
          acc += static_cast<std::uint64_t>(static_cast<std::int64_t>(A[i * as0 + p * as1])) *
                 static_cast<std::uint64_t>(static_cast<std::int64_t>(B[p * bs0 + j * bs1]));
        }
        C[i * n + j] = convert<T>(static_cast<std::int64_t>(acc));
      }
    }
  }
}

/// C = alpha * A.B + beta * C (beta 0: C is only written).
template <class T>
void gemm(const BlasLayout& la, const BlasLayout& lb, std::int64_t m, std::int64_t n, std::int64_t k,
          const void* A, const void* B, void* C, T alpha, T beta) {
  if constexpr (std::is_same_v<T, double>) {
    cblas_dgemm(CblasRowMajor, la.trans, lb.trans, m, n, k, alpha, static_cast<const double*>(A), la.ld,
                static_cast<const double*>(B), lb.ld, beta, static_cast<double*>(C), std::max<std::int64_t>(1, n));
  } else {
    cblas_sgemm(CblasRowMajor, la.trans, lb.trans, m, n, k, alpha, static_cast<const float*>(A), la.ld,
                static_cast<const float*>(B), lb.ld, beta, static_cast<float*>(C), std::max<std::int64_t>(1, n));
  }
}

/// y = alpha * A.x + beta * y (beta 0: y is only written).
template <class T>
void gemv(CBLAS_TRANSPOSE trans, std::int64_t rows, std::int64_t cols, const void* A, std::int64_t ld,
          const void* x, std::int64_t incx, void* y, T alpha, T beta) {
  if constexpr (std::is_same_v<T, double>) {
    cblas_dgemv(CblasRowMajor, trans, rows, cols, alpha, static_cast<const double*>(A), ld,
                static_cast<const double*>(x), incx, beta, static_cast<double*>(y), 1);
  } else {
    cblas_sgemv(CblasRowMajor, trans, rows, cols, alpha, static_cast<const float*>(A), ld,
                static_cast<const float*>(x), incx, beta, static_cast<float*>(y), 1);
  }
}

/// out = alpha * a . b + beta * out with BLAS for float32/float64 (beta 0:
/// out is only written); both operands viewed as matrices. Integer dtypes
/// take only alpha = 1, beta = 0.
template <class T>
int dot_typed(hp_context* ctx, DType dtype, hp_tensor a, hp_tensor b, hp_tensor& out, T alpha = T(1),
              T beta = T(0)) {
  const bool a_vec = a.ndim == 1, b_vec = b.ndim == 1;
  const std::int64_t m = a_vec ? 1 : a.shape[0];
  const std::int64_t k = a_vec ? a.shape[0] : a.shape[1];
  const std::int64_t n = b_vec ? 1 : b.shape[1];
  std::int64_t as0 = a_vec ? 0 : a.strides[0], as1 = a_vec ? a.strides[0] : a.strides[1];
  std::int64_t bs0 = b.strides[0], bs1 = b_vec ? 0 : b.strides[1];
  T* C = static_cast<T*>(out.data);
  if (m * n == 0) return 0;
  if (k == 0) {
    if (beta == T(0)) std::fill(C, C + m * n, T(0));
    else std::transform(C, C + m * n, C, [&](T c) { return beta * c; });
    return 0;
  }
  if constexpr (!std::is_floating_point_v<T>) {
    dot_loop<T>(a, b, out, m, k, n, as0, as1, bs0, bs1);
    return 0;
  } else {
    // Negative strides: BLAS wants the lowest address; copy instead. A
    // vector's increment must also be non-zero (a broadcast view has 0).
    if (as0 < 0 || as1 < 0 || (a_vec && as1 == 0)) {
      a = contiguous_in_arena(ctx, a, dtype);
      as0 = a_vec ? 0 : a.strides[0];
      as1 = a_vec ? a.strides[0] : a.strides[1];
    }
    if (bs0 < 0 || bs1 < 0 || (b_vec && bs0 == 0)) {
      b = contiguous_in_arena(ctx, b, dtype);
      bs0 = b.strides[0];
      bs1 = b_vec ? 0 : b.strides[1];
    }
    if (a_vec && b_vec) {
      const T d = std::is_same_v<T, double>
                      ? static_cast<T>(cblas_ddot(k, static_cast<const double*>(a.data), as1,
                                                  static_cast<const double*>(b.data), bs0))
                      : static_cast<T>(cblas_sdot(k, static_cast<const float*>(a.data), as1,
                                                  static_cast<const float*>(b.data), bs0));
      C[0] = beta == T(0) ? alpha * d : alpha * d + beta * C[0];
      return 0;
    }
    if (b_vec) {  // (m, k) . (k,)
      const BlasLayout la = usable_layout(ctx, a, dtype);
      if (la.trans == CblasNoTrans) gemv<T>(CblasNoTrans, m, k, a.data, la.ld, b.data, bs0, C, alpha, beta);
      else gemv<T>(CblasTrans, k, m, a.data, la.ld, b.data, bs0, C, alpha, beta);
      return 0;
    }
    if (a_vec) {  // (k,) . (k, n) = b^T a
      const BlasLayout lb = usable_layout(ctx, b, dtype);
      if (lb.trans == CblasNoTrans) gemv<T>(CblasTrans, k, n, b.data, lb.ld, a.data, as1, C, alpha, beta);
      else gemv<T>(CblasNoTrans, n, k, b.data, lb.ld, a.data, as1, C, alpha, beta);
      return 0;
    }
    const BlasLayout la = usable_layout(ctx, a, dtype);
    const BlasLayout lb = usable_layout(ctx, b, dtype);
    gemm<T>(la, lb, m, n, k, a.data, b.data, C, alpha, beta);
    return 0;
  }
}

}  // namespace

void* Arena::allocate(std::size_t nbytes) {
  nbytes = align_up(std::max<std::size_t>(nbytes, 1));
  // A released piece big enough (at most twice the size, to waste little).
  if (auto it = free_.lower_bound(nbytes); it != free_.end() && it->first <= 2 * nbytes) {
    void* p = it->second;
    live_[p] = it->first;
    free_.erase(it);
    return p;
  }
  if (blocks_.empty() || used_ + nbytes > blocks_.back()->nbytes()) {
    blocks_.push_back(std::make_unique<Storage>(std::max(nbytes, kMinBlock), Storage::Init::None));
    used_ = 0;
  }
  void* p = static_cast<char*>(blocks_.back()->data()) + used_;
  used_ += nbytes;
  total_ += nbytes;
  live_[p] = nbytes;
  return p;
}

void Arena::release(void* p) {
  auto it = live_.find(p);
  if (it == live_.end()) return;  // not ours (a view's base, or released already)
  free_.emplace(it->second, p);
  live_.erase(it);
}

void Arena::reset() {
  if (blocks_.size() > 1) {
    // Next time, one block holds everything this call needed.
    const std::size_t want = align_up(total_);
    blocks_.clear();
    blocks_.push_back(std::make_unique<Storage>(std::max(want, kMinBlock), Storage::Init::None));
  }
  used_ = 0;
  total_ = 0;
  live_.clear();
  free_.clear();
}

hp_tensor tensor_of(const Array& a) {
  hp_tensor t{};
  t.data = const_cast<void*>(a.raw_data());
  t.ndim = a.ndim();
  for (int i = 0; i < a.ndim(); ++i) {
    t.shape[i] = a.shape()[i];
    t.strides[i] = a.strides()[i];
  }
  return t;
}

Array array_of(const hp_tensor& t, DType dtype) {
  Array a(Shape(t.shape, t.shape + t.ndim), dtype);
  hp_tensor dst = tensor_of(a);
  hp_copy(&t, static_cast<int>(dtype), &dst, static_cast<int>(dtype));
  return a;
}

std::vector<jit::HostSymbol> runtime_symbols() {
  return {
      {"hp_output", reinterpret_cast<void*>(&hp_output)},
      {"hp_output_copy", reinterpret_cast<void*>(&hp_output_copy)},
      {"hp_temp", reinterpret_cast<void*>(&hp_temp)},
      {"hp_parallel_for", reinterpret_cast<void*>(&hp_parallel_for)},
      {"hp_elementwise", reinterpret_cast<void*>(&hp_elementwise)},
      {"hp_elementwise_outputs", reinterpret_cast<void*>(&hp_elementwise_outputs)},
      {"hp_dot", reinterpret_cast<void*>(&hp_dot)},
      {"hp_gemm", reinterpret_cast<void*>(&hp_gemm)},
      {"hp_copy", reinterpret_cast<void*>(&hp_copy)},
      {"hp_perform", reinterpret_cast<void*>(&hp_perform)},
      {"hp_node_done", reinterpret_cast<void*>(&hp_node_done)},
      {"hp_temp_release", reinterpret_cast<void*>(&hp_temp_release)},
      {"hp_sort", reinterpret_cast<void*>(&hp_sort)},
      {"hp_searchsorted", reinterpret_cast<void*>(&hp_searchsorted)},
  };
}

}  // namespace hypatia

using hypatia::DType;

extern "C" {

void* hp_output(hp_context* ctx, std::int64_t index, std::int64_t ndim, const std::int64_t* shape) {
  try {
    // Generated code writes every element of an output.
    hypatia::Array a = hypatia::Array::uninitialized(hypatia::Shape(shape, shape + ndim), ctx->output_dtypes->at(index));
    void* data = a.raw_data();
    ctx->outputs.at(index) = std::move(a);
    return data;
  } catch (const std::exception& e) {
    ctx->error = e.what();
    return nullptr;
  }
}

int hp_output_copy(hp_context* ctx, std::int64_t index, const hp_tensor* value) {
  void* data = hp_output(ctx, index, value->ndim, value->shape);
  if (!data) return 1;
  hp_tensor dst = hypatia::tensor_of(ctx->outputs[index]);
  const int dtype = static_cast<int>((*ctx->output_dtypes)[index]);
  hp_copy(value, dtype, &dst, dtype);
  return 0;
}

void* hp_temp(hp_context* ctx, std::int64_t nbytes) {
  try {
    return ctx->arena->allocate(static_cast<std::size_t>(nbytes));
  } catch (const std::exception& e) {
    ctx->error = e.what();
    return nullptr;
  }
}

void hp_parallel_for(hp_context*, std::int64_t n, void (*body)(void*, std::int64_t, std::int64_t),
                     void* closure) {
  hypatia::parallel_for(n, 1 << 14, [&](std::int64_t b, std::int64_t e) { body(closure, b, e); });
}

int hp_elementwise(hp_context* ctx, const hp_tensor* out, int out_size, const hp_tensor* const* operands,
                   const int* sizes, void** const* slots, int n, int out_read,
                   void (*body)(void*, std::int64_t, std::int64_t), void* args) {
  const hp_tensor* const outs[] = {out};
  return hp_elementwise_outputs(ctx, outs, &out_size, 1, operands, sizes, slots, n, out_read, body, args);
}

int hp_elementwise_outputs(hp_context* ctx, const hp_tensor* const* outs, const int* out_sizes, int n_outs,
                           const hp_tensor* const* operands, const int* sizes, void** const* slots, int n,
                           int out_read, void (*body)(void*, std::int64_t, std::int64_t), void* args) {
  const hp_tensor& out = *outs[0];
  const std::int64_t total = hypatia::element_count(out);
  bool flat = true;
  for (int k = 0; k < n_outs && flat; ++k) flat = hypatia::is_contiguous(*outs[k]) && hypatia::same_shape(*outs[k], out);
  for (int j = 0; j < n && flat; ++j) flat = hypatia::is_contiguous(*operands[j]) && hypatia::same_shape(*operands[j], out);
  if (flat) {
    if (total >= hypatia::kParallelMinElements) hp_parallel_for(ctx, total, body, args);
    else if (total > 0) body(args, 0, total);
    return 0;
  }
  try {
    hypatia::BlockedElementwise(outs, out_sizes, n_outs, operands, sizes, n).run(slots, out_read != 0, body, args);
    return 0;
  } catch (const std::exception& e) {
    ctx->error = e.what();
    return 1;
  }
}

int hp_dot(hp_context* ctx, int dtype, const hp_tensor* a, const hp_tensor* b, hp_tensor* out) {
  const DType d = static_cast<DType>(dtype);
  return hypatia::visit_dtype(d, [&](auto zero) {
    using T = decltype(zero);
    return hypatia::dot_typed<T>(ctx, d, *a, *b, *out);
  });
}

int hp_gemm(hp_context* ctx, int dtype, double alpha, const hp_tensor* a, const hp_tensor* b,
            hp_tensor* out) {
  const DType d = static_cast<DType>(dtype);
  if (d == DType::Float64) return hypatia::dot_typed<double>(ctx, d, *a, *b, *out, alpha, 1.0);
  if (d == DType::Float32) {
    return hypatia::dot_typed<float>(ctx, d, *a, *b, *out, static_cast<float>(alpha), 1.0f);
  }
  ctx->error = "hp_gemm: BLAS products take float32 or float64 only";
  return 1;
}

void hp_copy(const hp_tensor* src, int src_dtype, hp_tensor* dst, int dst_dtype) {
  hypatia::visit_dtype(static_cast<DType>(src_dtype), [&](auto s) {
    hypatia::visit_dtype(static_cast<DType>(dst_dtype), [&](auto d) {
      hypatia::copy_typed<decltype(s), decltype(d)>(*src, *dst);
    });
  });
}


int hp_perform(hp_context* ctx, std::int64_t node, const hp_tensor* inputs, std::int64_t n_inputs,
               hp_tensor* out) {
  try {
    const auto& dtypes = ctx->node_input_dtypes->at(node);
    std::vector<hypatia::Array> args;
    for (std::int64_t i = 0; i < n_inputs; ++i) args.push_back(hypatia::array_of(inputs[i], dtypes.at(i)));
    hypatia::Array result = (*ctx->perform)(node, args);
    *out = hypatia::tensor_of(result);
    ctx->keep_alive.push_back(std::move(result));
    return 0;
  } catch (const std::exception& e) {
    ctx->error = e.what();
    return 1;
  }
}

void hp_temp_release(hp_context* ctx, void* p) { ctx->arena->release(p); }

void hp_node_done(hp_context* ctx, std::int64_t node) {
  const auto now = std::chrono::steady_clock::now();
  if (static_cast<std::size_t>(node) < ctx->node_seconds.size()) {
    ctx->node_seconds[node] += std::chrono::duration<double>(now - ctx->last_tick).count();
  }
  ctx->last_tick = now;
}

}  // extern "C"
