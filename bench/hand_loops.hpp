/// \file The hand-written loops hypatia-bench compares compiled graphs with.
///
/// One source, hand_loops.inc, is compiled twice: by hand_loops_o3.cpp with
/// the Release flags (-O3: std::exp and std::tanh stay scalar libm calls, so
/// the loops stay scalar, as a C++ programmer's first version would be) and by
/// hand_loops_fast_math.cpp with -O3 -march=native -ffast-math (GCC then
/// calls glibc's vector math, libmvec, and reassociates reductions). Each
/// file exports one table of function pointers, so the benchmark picks a
/// variant by table. Every loop works on [begin, end) (elements or rows), so
/// the benchmark can split it across threads.
#pragma once

#include <cstdint>

namespace hypatia_bench {

/// The loops of one element type T.
template <class T>
struct HandLoopsOf {
  /// out = sigmoid(a*b+c) * tanh(a) - exp(-(b*b)) + 0.5*c
  void (*chain)(std::int64_t begin, std::int64_t end, const T* a, const T* b, const T* c, T* out);
  /// out = a*b + c
  void (*mul_add)(std::int64_t begin, std::int64_t end, const T* a, const T* b, const T* c, T* out);
  /// out = x*alpha + y
  void (*axpy)(std::int64_t begin, std::int64_t end, const T* x, T alpha, const T* y, T* out);
  /// out = max(x, 0) + y
  void (*relu_add)(std::int64_t begin, std::int64_t end, const T* x, const T* y, T* out);
  /// STREAM triad: a = b + scalar*c
  void (*triad)(std::int64_t begin, std::int64_t end, T* a, const T* b, const T* c, T scalar);
  /// sum(exp(x - y)) over [begin, end)
  T (*sum_exp_diff)(std::int64_t begin, std::int64_t end, const T* x, const T* y);
  /// Row-wise softmax of rows [row_begin, row_end) of a (rows, cols) matrix.
  void (*softmax_rows)(std::int64_t row_begin, std::int64_t row_end, std::int64_t cols, const T* x, T* out);
  /// out[r] = log(sum_j exp(x[r, j])), computed stably (max subtracted).
  void (*logsumexp_rows)(std::int64_t row_begin, std::int64_t row_end, std::int64_t cols, const T* x, T* out);
};

struct HandLoops {
  const char* name;  ///< "hand -O3" or "hand -ffast-math"
  HandLoopsOf<double> f64;
  HandLoopsOf<float> f32;

  template <class T>
  const HandLoopsOf<T>& of() const {
    if constexpr (sizeof(T) == 8) return f64;
    else return f32;
  }
};

/// Built with the benchmark's Release flags (-O3).
extern const HandLoops hand_o3;
/// Built with -O3 -march=native -ffast-math.
extern const HandLoops hand_fast_math;

}  // namespace hypatia_bench
