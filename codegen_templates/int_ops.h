/// \file The integer operations that can fail (Python's // and %, and the
/// power, which set *err on a zero divisor or a negative exponent) and the
/// shifts (defined for every count), written
/// once for the three places that compute them: generated CPU code (abi.h includes it), generated CUDA code
/// (cuda_abi.h) and the reference evaluator (compiler/ops/elemwise.cpp), so
/// that they cannot differ. Plain C++ that includes nothing: the includer
/// defines the types hp_i64 and hp_u64 and HP_DEVICE, the function's
/// qualifiers (static inline, or CUDA's static __device__ __forceinline__).
/// cmake/embed_templates.cmake pastes this text where abi.h and cuda_abi.h
/// include it, so generated sources stay self-contained.
#ifndef HP_INT_OPS_H
#define HP_INT_OPS_H

// Python's // and % on integers, wrapping as numpy's do (INT64_MIN // -1 is
// INT64_MIN); a zero divisor sets *err and gives 0.
HP_DEVICE hp_i64 hp_floordiv_i(hp_i64 a, hp_i64 b, int* err) {
  if (b == 0) { *err = 1; return 0; }
  if (b == -1) return (hp_i64)((hp_u64)0 - (hp_u64)a);
  hp_i64 q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}
HP_DEVICE hp_i64 hp_mod_i(hp_i64 a, hp_i64 b, int* err) {
  if (b == 0) { *err = 1; return 0; }
  if (b == -1) return 0;
  hp_i64 r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

// base ** e by squaring, wrapping as numpy's integers do (two's complement,
// without signed-overflow UB); x ** 0 is 1, 0 included. A negative exponent
// sets *err and gives 0 (numpy: "Integers to negative integer powers are not
// allowed").
HP_DEVICE hp_i64 hp_pow_i(hp_i64 base, hp_i64 e, int* err) {
  if (e < 0) { *err = 1; return 0; }
  hp_i64 r = 1;
  while (e > 0) {
    if (e & 1) r = (hp_i64)((hp_u64)r * (hp_u64)base);
    base = (hp_i64)((hp_u64)base * (hp_u64)base);
    e >>= 1;
  }
  return r;
}

// numpy's shifts of int64 values: counts outside [0, 64) shift every bit
// out (left: 0; right: 0, or -1 for a negative value). Computing in int64 and
// truncating to a narrower dtype gives numpy's result for that dtype too.
HP_DEVICE hp_i64 hp_shl_i(hp_i64 a, hp_i64 b) {
  return b >= 0 && b < 64 ? (hp_i64)((hp_u64)a << b) : 0;
}
HP_DEVICE hp_i64 hp_shr_i(hp_i64 a, hp_i64 b) {
  if (b >= 0 && b < 64) return a >> b;  // arithmetic shift
  return a < 0 ? -1 : 0;
}

#endif  // HP_INT_OPS_H
