// ---------------------------------------------------------------------------
// Hypatia generated-code ABI. Every generated translation unit starts with
// this text. It includes no system header: the types come from compiler
// builtins, and the runtime services are functions of the host process,
// resolved by the JIT when the code is linked.
// ---------------------------------------------------------------------------
typedef __INT8_TYPE__ hp_i8;
typedef __INT16_TYPE__ hp_i16;
typedef __INT32_TYPE__ hp_i32;
typedef __INT64_TYPE__ hp_i64;
typedef __UINT8_TYPE__ hp_u8;
typedef __UINT64_TYPE__ hp_u64;
typedef bool hp_bool;

#define HP_MAX_RANK 8

// A strided tensor: element [i0, i1, ...] is at data + sum(i_k * strides[k])
// elements (strides count elements, not bytes).
struct hp_tensor {
  void* data;
  hp_i64 ndim;
  hp_i64 shape[HP_MAX_RANK];
  hp_i64 strides[HP_MAX_RANK];
};

struct hp_context;  // the runtime's per-call state; opaque here

extern "C" {
// Output `index` of the function, contiguous, of the output's dtype; null if it cannot be allocated.
void* hp_output(hp_context* ctx, hp_i64 index, hp_i64 ndim, const hp_i64* shape);
// Output `index` as a copy of `value` (a view, an input, a repeated output).
int hp_output_copy(hp_context* ctx, hp_i64 index, const hp_tensor* value);
// Scratch memory for one call (64-byte aligned); null if it cannot be allocated.
void* hp_temp(hp_context* ctx, hp_i64 nbytes);
// Scratch memory from hp_temp that no later node reads: reusable by this call.
void hp_temp_release(hp_context* ctx, void* p);
// Runs body(closure, begin, end) over [0, n) split across the runtime's threads.
void hp_parallel_for(hp_context* ctx, hp_i64 n, void (*body)(void*, hp_i64, hp_i64), void* closure);
// Runs body(args, begin, end) over the elements of out. Flat when out and every
// operand are contiguous and of out's shape (split across threads from
// HP_PARALLEL_MIN elements); otherwise block by block: operand j's elements
// (broadcast along its size-1 and missing leading axes) are gathered into a
// buffer that *slots[j] points at, *slots[n] at the block's output, which is
// scattered into out after the body ran (gathered from out first when
// out_read: the body reads out[i]). sizes[j]: operand j's element size. 0 on success.
int hp_elementwise(hp_context* ctx, const hp_tensor* out, int out_size, const hp_tensor* const* operands,
                   const int* sizes, void** const* slots, int n, int out_read,
                   void (*body)(void*, hp_i64, hp_i64), void* args);
// As hp_elementwise for a loop writing n_outs outputs of one shape (outs[0]'s):
// *slots[n + k] points at output k's block, scattered into outs[k].
int hp_elementwise_outputs(hp_context* ctx, const hp_tensor* const* outs, const int* out_sizes, int n_outs,
                           const hp_tensor* const* operands, const int* sizes, void** const* slots, int n,
                           int out_read, void (*body)(void*, hp_i64, hp_i64), void* args);
// out = a . b for ranks 1 and 2 (BLAS for floats); out is allocated and contiguous. 0 on success.
int hp_dot(hp_context* ctx, int dtype, const hp_tensor* a, const hp_tensor* b, hp_tensor* out);
// out += alpha * a . b for float32/float64 (cblas_?gemm, ?gemv); out holds the product's shape. 0 on success.
int hp_gemm(hp_context* ctx, int dtype, double alpha, const hp_tensor* a, const hp_tensor* b, hp_tensor* out);
// dst = src elementwise (same shape), converting from src_dtype to dst_dtype.
void hp_copy(const hp_tensor* src, int src_dtype, hp_tensor* dst, int dst_dtype);
// Profiling: marks the end of node `node` (called only when the caller asked for times).
void hp_node_done(hp_context* ctx, hp_i64 node);
// Runs node `node` with its reference implementation (ops without generated code).
int hp_perform(hp_context* ctx, hp_i64 node, const hp_tensor* inputs, hp_i64 n_inputs, hp_tensor* out);
// Sorts every line of x along `axis` into out (x's shape, contiguous), stable with NaN last:
// the values (out of x's dtype), or with `argsort` their int64 positions. 0 on success.
int hp_sort(hp_context* ctx, int dtype, const hp_tensor* x, hp_i64 axis, hp_tensor* out, int argsort);
// out[i] (int64, v's shape, contiguous) = where v[i] goes in the sorted 1-d a: before equal
// elements, or after them with `right` (NaN sorts last). 0 on success.
int hp_searchsorted(hp_context* ctx, int a_dtype, const hp_tensor* a, int v_dtype, const hp_tensor* v,
                    hp_tensor* out, int right);
}

// dtype codes, as hypatia::DType
enum { HP_BOOL = 0, HP_INT8, HP_INT16, HP_INT32, HP_INT64, HP_UINT8, HP_FLOAT32, HP_FLOAT64 };

static inline hp_i64 hp_size(const hp_tensor& t) {
  hp_i64 n = 1;
  for (hp_i64 i = 0; i < t.ndim; ++i) n *= t.shape[i];
  return n;
}

// C-contiguous (size-1 axes may have any stride).
static inline bool hp_is_contiguous(const hp_tensor& t) {
  hp_i64 expected = 1;
  for (hp_i64 i = t.ndim - 1; i >= 0; --i) {
    if (t.shape[i] != 1 && t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

static inline void hp_set_contiguous_strides(hp_tensor& t) {
  hp_i64 s = 1;
  for (hp_i64 i = t.ndim - 1; i >= 0; --i) {
    t.strides[i] = s;
    s *= t.shape[i];
  }
}

// Python slice semantics on an axis of `size`: first index and length.
static inline void hp_slice(hp_i64 size, bool has_start, hp_i64 start, bool has_stop, hp_i64 stop,
                            hp_i64 step, hp_i64* first, hp_i64* length) {
  hp_i64 lo, hi;
  if (step > 0) {
    lo = !has_start ? 0 : (start < 0 ? (start + size < 0 ? 0 : start + size) : (start > size ? size : start));
    hi = !has_stop ? size : (stop < 0 ? (stop + size < 0 ? 0 : stop + size) : (stop > size ? size : stop));
    *first = lo;
    *length = hi > lo ? (hi - lo + step - 1) / step : 0;
  } else {
    lo = !has_start ? size - 1 : (start < 0 ? (start + size < 0 ? -1 : start + size) : (start >= size ? size - 1 : start));
    hi = !has_stop ? -1 : (stop < 0 ? (stop + size < 0 ? -1 : stop + size) : (stop >= size ? size - 1 : stop));
    *first = lo;
    *length = lo > hi ? (lo - hi - step - 1) / (-step) : 0;
  }
}

// --- scalar helpers with the reference evaluator's exact semantics ---------------
// Integer arithmetic wraps (two's complement), without signed-overflow UB.
static inline hp_i64 hp_add_i(hp_i64 a, hp_i64 b) { return (hp_i64)((hp_u64)a + (hp_u64)b); }
static inline hp_i64 hp_sub_i(hp_i64 a, hp_i64 b) { return (hp_i64)((hp_u64)a - (hp_u64)b); }
static inline hp_i64 hp_mul_i(hp_i64 a, hp_i64 b) { return (hp_i64)((hp_u64)a * (hp_u64)b); }
static inline hp_i64 hp_abs_i(hp_i64 a) { return a < 0 ? hp_sub_i(0, a) : a; }
// hp_floordiv_i, hp_mod_i, hp_pow_i: shared with cuda_abi.h and the reference evaluator.
#define HP_DEVICE static inline
#include "int_ops.h"
#undef HP_DEVICE
// numpy.maximum/minimum: NaN propagates.
template <class T> static inline T hp_max(T a, T b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
template <class T> static inline T hp_min(T a, T b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
static inline double hp_sqrt(double x) { return __builtin_sqrt(x); }
static inline float hp_sqrt(float x) { return __builtin_sqrtf(x); }
static inline double hp_fabs(double x) { return __builtin_fabs(x); }
// Rounding, vectorisable (roundpd/roundps): round is half to even, as numpy.
static inline double hp_floor(double x) { return __builtin_floor(x); }
static inline float hp_floor(float x) { return __builtin_floorf(x); }
static inline double hp_ceil(double x) { return __builtin_ceil(x); }
static inline float hp_ceil(float x) { return __builtin_ceilf(x); }
static inline double hp_trunc(double x) { return __builtin_trunc(x); }
static inline float hp_trunc(float x) { return __builtin_truncf(x); }
static inline double hp_round_even(double x) { return __builtin_roundeven(x); }
static inline float hp_round_even(float x) { return __builtin_roundevenf(x); }
// numpy's sign: -1, 0 or 1; sign(-0.0) = 0 and NaN stays NaN.
template <class T> static inline T hp_sign(T x) { return x > 0 ? (T)1 : x < 0 ? (T)-1 : x == 0 ? (T)0 : x; }
// numpy's deg2rad/rad2deg: one multiplication by the constant in the dtype.
template <class T> static inline T hp_deg2rad(T x) { return x * (T)(3.141592653589793 / 180.0); }
template <class T> static inline T hp_rad2deg(T x) { return x * (T)(180.0 / 3.141592653589793); }
// In arithmetic (vectorisable): x - x is NaN exactly for infinities and NaN.
template <class T> static inline bool hp_isinf(T x) { return x - x != x - x && x == x; }
template <class T> static inline bool hp_isfinite(T x) { return x - x == x - x; }
// The value of a compensated sum (running sum s, compensation c). Once s is
// an infinity or NaN it is the IEEE sum (infinities and overflow are sticky), and
// its compensation holds inf - inf = NaN, which must not leak into it.
static inline double hp_sum_total(double s, double c) { return s - s == 0 ? s + c : s; }
static inline float hp_fabs(float x) { return __builtin_fabsf(x); }
// numpy's floor_divide / remainder on floats (divmod: the remainder takes the divisor's sign).
template <class T> static inline T hp_fmod_py(T a, T b) {
  T r = (T)__builtin_fmod((double)a, (double)b);
  if (r != 0) {
    if ((r < 0) != (b < 0)) r += b;
  } else {
    r = __builtin_copysign((T)0, b);
  }
  return r;
}
template <class T> static inline T hp_floordiv_f(T a, T b) {
  if (b == 0) return a / b;
  T mod = (T)__builtin_fmod((double)a, (double)b);
  T div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
  if (div == 0) return __builtin_copysign((T)0, a / b);
  T floordiv = (T)__builtin_floor((double)div);
  if (div - floordiv > (T)0.5) floordiv += 1;
  return floordiv;
}
// Float to integer as the reference: NaN -> 0, out of range saturates, else truncation.
template <class I> static inline I hp_float_to_int(double x, double lo, double hi) {
  if (x != x) return 0;
  if (x <= lo) return (I)lo;
  if (x >= hi) return (I)hi;
  return (I)x;
}
static inline hp_i8 hp_to_i8(double x) { return hp_float_to_int<hp_i8>(x, -128.0, 127.0); }
static inline hp_i16 hp_to_i16(double x) { return hp_float_to_int<hp_i16>(x, -32768.0, 32767.0); }
static inline hp_i32 hp_to_i32(double x) { return hp_float_to_int<hp_i32>(x, -2147483648.0, 2147483647.0); }
static inline hp_u8 hp_to_u8(double x) { return hp_float_to_int<hp_u8>(x, 0.0, 255.0); }
static inline hp_i64 hp_to_i64(double x) {
  if (x != x) return 0;
  if (x <= -9223372036854775808.0) return (hp_i64)(-9223372036854775807LL - 1);
  if (x >= 9223372036854775808.0) return 9223372036854775807LL;
  return (hp_i64)x;
}

static inline bool hp_same_shape(const hp_tensor& a, const hp_tensor& b) {
  if (a.ndim != b.ndim) return false;
  for (hp_i64 i = 0; i < a.ndim; ++i) {
    if (a.shape[i] != b.shape[i]) return false;
  }
  return true;
}

// Loops of at least this many elements are split across the runtime's threads.
#define HP_PARALLEL_MIN 32768
