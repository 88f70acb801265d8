// ---------------------------------------------------------------------------
// Hypatia generated-code ABI for CUDA. Every generated CUDA source starts with
// this text; NVRTC compiles it with no header at all (no stddef, no
// cuda_runtime.h). It mirrors abi.h, the CPU side: the same tensor layout,
// dtype names and scalar helpers with the reference evaluator's semantics, so
// that an op's scalar expression reads the same on both backends. The
// transcendental functions are CUDA's own (libdevice: <= 2 ulp, IEEE special
// values); kernels are compiled without fast math.
// ---------------------------------------------------------------------------
typedef signed char hp_i8;
typedef short hp_i16;
typedef int hp_i32;
typedef long long hp_i64;
typedef unsigned char hp_u8;
typedef unsigned long long hp_u64;
typedef bool hp_bool;

#define HP_MAX_RANK 8
#define HP_DEVICE static __device__ __forceinline__

// A strided tensor as a kernel parameter (by value): element [i0, i1, ...] is
// at data + sum(i_k * strides[k]) elements. The host sets the strides of
// broadcast axes to 0 and aligns every operand to the output's rank, so a
// kernel indexes all operands with the output's coordinates.
struct hp_cuda_tensor {
  void* data;
  hp_i64 ndim;
  hp_i64 shape[HP_MAX_RANK];
  hp_i64 strides[HP_MAX_RANK];
};

// How an elementwise kernel walks its elements (chosen by the host per call).
enum {
  HP_STRIDED = 0,  // coordinates from the flat index, then strides
  HP_FLAT = 1,     // every operand contiguous and of the output's shape
  HP_VECTOR = 2,   // HP_FLAT and every pointer aligned to 4 elements: packed loads
};

// NaN and infinity without __builtin_nan (NVRTC has no GCC builtins).
#define HP_NAN __longlong_as_double(0x7ff8000000000000LL)
#define HP_INF __longlong_as_double(0x7ff0000000000000LL)
#define HP_NANF __int_as_float(0x7fc00000)
#define HP_INFF __int_as_float(0x7f800000)

// Four consecutive elements, aligned so that one load or store moves them all
// (ld.global.v4.f32, v2.f64 twice, ...).
template <class T>
struct alignas(4 * sizeof(T)) hp_pack4 {
  T v[4];
};
template <class T>
HP_DEVICE hp_pack4<T> hp_load4(const T* p, hp_i64 i) {
  return reinterpret_cast<const hp_pack4<T>*>(p)[i];
}
template <class T>
HP_DEVICE void hp_store4(T* p, hp_i64 i, const hp_pack4<T>& value) {
  reinterpret_cast<hp_pack4<T>*>(p)[i] = value;
}

// The first thread that meets an error sets the flag; the host reads it after
// the node's launch and raises the reference's error for that node.
HP_DEVICE void hp_fail(int* flag, int code) { atomicCAS(flag, 0, code); }

// --- scalar helpers with the reference evaluator's exact semantics ----------------
HP_DEVICE hp_i64 hp_add_i(hp_i64 a, hp_i64 b) { return (hp_i64)((hp_u64)a + (hp_u64)b); }
HP_DEVICE hp_i64 hp_sub_i(hp_i64 a, hp_i64 b) { return (hp_i64)((hp_u64)a - (hp_u64)b); }
HP_DEVICE hp_i64 hp_mul_i(hp_i64 a, hp_i64 b) { return (hp_i64)((hp_u64)a * (hp_u64)b); }
HP_DEVICE hp_i64 hp_abs_i(hp_i64 a) { return a < 0 ? hp_sub_i(0, a) : a; }
// hp_floordiv_i, hp_mod_i, hp_pow_i: shared with abi.h and the reference evaluator.
#include "int_ops.h"
// numpy.maximum/minimum: NaN propagates.
template <class T> HP_DEVICE T hp_max(T a, T b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
template <class T> HP_DEVICE T hp_min(T a, T b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
HP_DEVICE double hp_sqrt(double x) { return sqrt(x); }
HP_DEVICE float hp_sqrt(float x) { return sqrtf(x); }
HP_DEVICE double hp_fabs(double x) { return fabs(x); }
HP_DEVICE float hp_fabs(float x) { return fabsf(x); }
// Rounding: round is half to even, as numpy (rint in the default rounding mode).
HP_DEVICE double hp_floor(double x) { return floor(x); }
HP_DEVICE float hp_floor(float x) { return floorf(x); }
HP_DEVICE double hp_ceil(double x) { return ceil(x); }
HP_DEVICE float hp_ceil(float x) { return ceilf(x); }
HP_DEVICE double hp_trunc(double x) { return trunc(x); }
HP_DEVICE float hp_trunc(float x) { return truncf(x); }
HP_DEVICE double hp_round_even(double x) { return rint(x); }
HP_DEVICE float hp_round_even(float x) { return rintf(x); }
// numpy's sign: -1, 0 or 1; sign(-0.0) = 0 and NaN stays NaN.
template <class T> HP_DEVICE T hp_sign(T x) { return x > 0 ? (T)1 : x < 0 ? (T)-1 : x == 0 ? (T)0 : x; }
// numpy's deg2rad/rad2deg: one multiplication by the constant in the dtype.
template <class T> HP_DEVICE T hp_deg2rad(T x) { return x * (T)(3.141592653589793 / 180.0); }
template <class T> HP_DEVICE T hp_rad2deg(T x) { return x * (T)(180.0 / 3.141592653589793); }
// x - x is NaN exactly for infinities and NaN.
template <class T> HP_DEVICE bool hp_isinf(T x) { return x - x != x - x && x == x; }
template <class T> HP_DEVICE bool hp_isfinite(T x) { return x - x == x - x; }
HP_DEVICE double hp_exp(double x) { return exp(x); }
HP_DEVICE float hp_exp(float x) { return expf(x); }
HP_DEVICE double hp_log(double x) { return log(x); }
HP_DEVICE float hp_log(float x) { return logf(x); }
HP_DEVICE double hp_log1p(double x) { return log1p(x); }
HP_DEVICE float hp_log1p(float x) { return log1pf(x); }
HP_DEVICE double hp_tanh(double x) { return tanh(x); }
HP_DEVICE float hp_tanh(float x) { return tanhf(x); }
HP_DEVICE double hp_pow(double x, double y) { return pow(x, y); }
HP_DEVICE float hp_pow(float x, float y) { return powf(x, y); }
// As the reference: the branch that never overflows exp.
HP_DEVICE double hp_sigmoid(double x) {
  const double e = exp(-fabs(x));
  return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}
HP_DEVICE float hp_sigmoid(float x) {
  const float e = expf(-fabsf(x));
  return x >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
}
HP_DEVICE double hp_softplus(double x) { return fmax(x, 0.0) + log1p(exp(-fabs(x))); }
HP_DEVICE float hp_softplus(float x) { return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x))); }
// Trigonometric, hyperbolic, exponential and special functions: CUDA's device
// libm; digamma (which CUDA lacks) and logaddexp are written here.
HP_DEVICE double hp_sin(double x) { return sin(x); }
HP_DEVICE float hp_sin(float x) { return sinf(x); }
HP_DEVICE double hp_cos(double x) { return cos(x); }
HP_DEVICE float hp_cos(float x) { return cosf(x); }
HP_DEVICE double hp_tan(double x) { return tan(x); }
HP_DEVICE float hp_tan(float x) { return tanf(x); }
HP_DEVICE double hp_arcsin(double x) { return asin(x); }
HP_DEVICE float hp_arcsin(float x) { return asinf(x); }
HP_DEVICE double hp_arccos(double x) { return acos(x); }
HP_DEVICE float hp_arccos(float x) { return acosf(x); }
HP_DEVICE double hp_arctan(double x) { return atan(x); }
HP_DEVICE float hp_arctan(float x) { return atanf(x); }
HP_DEVICE double hp_arctan2(double y, double x) { return atan2(y, x); }
HP_DEVICE float hp_arctan2(float y, float x) { return atan2f(y, x); }
HP_DEVICE double hp_sinh(double x) { return sinh(x); }
HP_DEVICE float hp_sinh(float x) { return sinhf(x); }
HP_DEVICE double hp_cosh(double x) { return cosh(x); }
HP_DEVICE float hp_cosh(float x) { return coshf(x); }
HP_DEVICE double hp_arcsinh(double x) { return asinh(x); }
HP_DEVICE float hp_arcsinh(float x) { return asinhf(x); }
HP_DEVICE double hp_arccosh(double x) { return acosh(x); }
HP_DEVICE float hp_arccosh(float x) { return acoshf(x); }
HP_DEVICE double hp_arctanh(double x) { return atanh(x); }
HP_DEVICE float hp_arctanh(float x) { return atanhf(x); }
HP_DEVICE double hp_exp2(double x) { return exp2(x); }
HP_DEVICE float hp_exp2(float x) { return exp2f(x); }
HP_DEVICE double hp_expm1(double x) { return expm1(x); }
HP_DEVICE float hp_expm1(float x) { return expm1f(x); }
HP_DEVICE double hp_log2(double x) { return log2(x); }
HP_DEVICE float hp_log2(float x) { return log2f(x); }
HP_DEVICE double hp_log10(double x) { return log10(x); }
HP_DEVICE float hp_log10(float x) { return log10f(x); }
HP_DEVICE double hp_erf(double x) { return erf(x); }
HP_DEVICE float hp_erf(float x) { return erff(x); }
HP_DEVICE double hp_erfc(double x) { return erfc(x); }
HP_DEVICE float hp_erfc(float x) { return erfcf(x); }
HP_DEVICE double hp_erfinv(double x) { return erfinv(x); }
HP_DEVICE float hp_erfinv(float x) { return erfinvf(x); }
HP_DEVICE double hp_erfcinv(double x) { return erfcinv(x); }
HP_DEVICE float hp_erfcinv(float x) { return erfcinvf(x); }
HP_DEVICE double hp_gammaln(double x) { return lgamma(x); }
HP_DEVICE float hp_gammaln(float x) { return lgammaf(x); }
HP_DEVICE double hp_hypot(double a, double b) { return hypot(a, b); }
HP_DEVICE float hp_hypot(float a, float b) { return hypotf(a, b); }
// digamma: reflection psi(x) = psi(1 - x) - pi cot(pi x) below 0, recurrence up
// to 10, then the asymptotic series; NaN at 0 and the negative integers (scipy).
HP_DEVICE double hp_psi(double x) {
  if (x <= 0 && floor(x) == x) return nan("");
  if (isinf(x)) return x;  // +inf: psi(inf) = inf (-inf was NaN above)
  double acc = 0;
  if (x < 0) {
    acc = -3.141592653589793 * cospi(x) / sinpi(x);
    x = 1 - x;
  }
  for (; x < 10; x += 1) acc -= 1 / x;
  const double u = 1 / (x * x);
  const double series = u * (1.0 / 12 - u * (1.0 / 120 - u * (1.0 / 252 - u * (1.0 / 240 - u * (1.0 / 132 - u * (691.0 / 32760 - u / 12))))));
  return acc + log(x) - 0.5 / x - series;
}
HP_DEVICE float hp_psi(float x) { return (float)hp_psi((double)x); }
// numpy's logaddexp: max + log1p(exp(-|a - b|)); equal arguments give a + log 2.
template <class T> HP_DEVICE T hp_logaddexp(T a, T b) {
  if (a != a || b != b) return a + b;
  if (a == b) return a + (T)0.6931471805599453;
  return (a > b ? a : b) + (T)log1p(exp(-fabs((double)a - (double)b)));
}
// numpy's floor_divide / remainder on floats (divmod: the remainder takes the divisor's sign).
template <class T> HP_DEVICE T hp_fmod_py(T a, T b) {
  T r = (T)fmod((double)a, (double)b);
  if (r != 0) {
    if ((r < 0) != (b < 0)) r += b;
  } else {
    r = (T)copysign(0.0, (double)b);
  }
  return r;
}
template <class T> HP_DEVICE T hp_floordiv_f(T a, T b) {
  if (b == 0) return a / b;
  T mod = (T)fmod((double)a, (double)b);
  T div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
  if (div == 0) return (T)copysign(0.0, (double)(a / b));
  T floordiv = (T)floor((double)div);
  if (div - floordiv > (T)0.5) floordiv += 1;
  return floordiv;
}
// Float to integer as the reference: NaN -> 0, out of range saturates, else truncation.
template <class I> HP_DEVICE I hp_float_to_int(double x, double lo, double hi) {
  if (x != x) return 0;
  if (x <= lo) return (I)lo;
  if (x >= hi) return (I)hi;
  return (I)x;
}
HP_DEVICE hp_i8 hp_to_i8(double x) { return hp_float_to_int<hp_i8>(x, -128.0, 127.0); }
HP_DEVICE hp_i16 hp_to_i16(double x) { return hp_float_to_int<hp_i16>(x, -32768.0, 32767.0); }
HP_DEVICE hp_i32 hp_to_i32(double x) { return hp_float_to_int<hp_i32>(x, -2147483648.0, 2147483647.0); }
HP_DEVICE hp_u8 hp_to_u8(double x) { return hp_float_to_int<hp_u8>(x, 0.0, 255.0); }
HP_DEVICE hp_i64 hp_to_i64(double x) {
  if (x != x) return 0;
  if (x <= -9223372036854775808.0) return (hp_i64)(-9223372036854775807LL - 1);
  if (x >= 9223372036854775808.0) return 9223372036854775807LL;
  return (hp_i64)x;
}

// --- reductions: warp shuffles, then one value per warp through shared memory ---------
// Combining functors; max and min propagate NaN, as the reference.
struct hp_op_add { template <class A> __device__ A operator()(A a, A b) const { return a + b; } };
struct hp_op_mul { template <class A> __device__ A operator()(A a, A b) const { return a * b; } };
struct hp_op_max { template <class A> __device__ A operator()(A a, A b) const { return a != a ? a : (b != b ? b : (b > a ? b : a)); } };
struct hp_op_min { template <class A> __device__ A operator()(A a, A b) const { return a != a ? a : (b != b ? b : (b < a ? b : a)); } };

// argmax's state: the best value and its index in the reduced range; j < 0 is
// "no element yet". The first NaN wins, then the largest value, then the
// smallest index (numpy's argmax).
template <class T>
struct hp_arg {
  T v;
  hp_i64 j;
};
struct hp_op_argmax {
  template <class T> __device__ hp_arg<T> operator()(hp_arg<T> a, hp_arg<T> b) const {
    if (a.j < 0) return b;
    if (b.j < 0) return a;
    const bool a_nan = a.v != a.v, b_nan = b.v != b.v;
    if (a_nan != b_nan) return a_nan ? a : b;
    if (!a_nan && a.v != b.v) return b.v > a.v ? b : a;
    return b.j < a.j ? b : a;
  }
};

// argmin: the first NaN, then the smallest value, then the smallest index.
struct hp_op_argmin {
  template <class T> __device__ hp_arg<T> operator()(hp_arg<T> a, hp_arg<T> b) const {
    if (a.j < 0) return b;
    if (b.j < 0) return a;
    const bool a_nan = a.v != a.v, b_nan = b.v != b.v;
    if (a_nan != b_nan) return a_nan ? a : b;
    if (!a_nan && a.v != b.v) return b.v < a.v ? b : a;
    return b.j < a.j ? b : a;
  }
};

template <class T> HP_DEVICE T hp_shfl_down(T v, int offset) { return __shfl_down_sync(0xffffffffu, v, offset); }
HP_DEVICE bool hp_shfl_down(bool v, int offset) { return __shfl_down_sync(0xffffffffu, (int)v, offset) != 0; }
template <class T> HP_DEVICE hp_arg<T> hp_shfl_down(hp_arg<T> a, int offset) {
  return hp_arg<T>{hp_shfl_down(a.v, offset), hp_shfl_down(a.j, offset)};
}

// Reduces `value` over the block (blockDim.x a multiple of 32, at most 1024);
// thread 0 gets the result. `scratch`: 32 slots of shared memory. Every thread
// of the block must call it.
template <class A, class F> HP_DEVICE A hp_block_reduce(A value, F f, A* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int offset = 16; offset > 0; offset >>= 1) value = f(value, hp_shfl_down(value, offset));
  if (lane == 0) scratch[warp] = value;
  __syncthreads();
  const int warps = (int)(blockDim.x >> 5);
  if (warp == 0) {
    value = scratch[lane < warps ? lane : 0];
    for (int offset = 16; offset > 0; offset >>= 1) {
      const A other = hp_shfl_down(value, offset);
      if (lane + offset < warps) value = f(value, other);
    }
  }
  __syncthreads();  // scratch is free again for the next reduction
  return value;
}

// The value of a compensated sum, as abi.h's: a non-finite running sum is
// the IEEE sum (its compensation holds inf - inf = NaN).
HP_DEVICE double hp_sum_total(double s, double c) { return s - s == 0 ? s + c : s; }

// Neumaier's compensated sum, one per thread (the reference compensates too).
struct hp_compensated {
  double s, c;
  __device__ void add(double x) {
    const double t = s + x;
    c += fabs(s) >= fabs(x) ? (s - t) + x : (x - t) + s;
    s = t;
  }
  __device__ double value() const { return hp_sum_total(s, c); }
};

// std::fmax: NaN is skipped (softmax's row maximum, as the reference).
HP_DEVICE double hp_fmax(double a, double b) { return fmax(a, b); }
HP_DEVICE float hp_fmax(float a, float b) { return fmaxf(a, b); }
struct hp_op_fmax { template <class A> __device__ A operator()(A a, A b) const { return hp_fmax(a, b); } };

// hp_block_reduce, with the result handed to every thread of the block.
template <class A, class F> HP_DEVICE A hp_block_all_reduce(A value, F f, A* scratch) {
  value = hp_block_reduce(value, f, scratch);
  if (threadIdx.x == 0) scratch[0] = value;
  __syncthreads();
  value = scratch[0];
  __syncthreads();
  return value;
}
