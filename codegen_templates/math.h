// ---- hypatia math: vectorisable elementary functions for generated code ----
//
// Pasted verbatim into every generated translation unit, which includes no
// system header. Clang lowers __builtin_exp, __builtin_tanh, ... to scalar
// libm calls, and one such call keeps a whole fused loop scalar; these inline
// functions are plain arithmetic and bit operations, so a loop that calls them
// vectorises (AVX2 / AVX-512 on the host CPU) with no call left in it.
//
// Naming: one overload per dtype, hp_NAME(double) and hp_NAME(float) (hp_pow
// takes two arguments of one type). Arguments must already have that type:
// hp_exp(1) is ambiguous, hp_exp(1.0) is the float64 one.
//
//   function     method (float64; float32 the same with shorter polynomials
//                unless it says otherwise)
//   hp_exp       Cody-Waite reduction, degree-12 polynomial (float: 6)
//   hp_expm1     exp's reduction, (2^k - 1) + 2^k expm1(r) in double-double;
//                float: evaluated in float64
//   hp_log       x = 2^e (1+f), odd polynomial in s = f/(2+f) (fdlibm's form)
//   hp_log1p     log's kernel on 1 + x plus its rounding error
//   hp_tanh      (e - 1)/(e + 1) | 1 - 2/(e + 1), e = e^2|x| as double-double
//   hp_sigmoid   (x >= 0 ? 1 : e)/(1 + e), e = e^-|x| as double-double
//   hp_softplus  max(x, 0) + log1p(e^-|x|)
//   hp_erf       odd polynomial | 1 - e^-x^2 F(x), F piecewise polynomial
//   hp_pow       exp(y log x) with log and product in double-double;
//                float: evaluated in float64
//   hp_sin/cos   5-part Cody-Waite below 2^33, Payne-Hanek (1152 bits of
//                2/pi) above, double-double r; float: evaluated in float64
//   hp_tan       sin/cos's reduction, sin(r)/cos(r) as a corrected division
//   hp_arcsin    x + x^3 S(x^2) to 1/2, pi/2 - 2 asin(sqrt((1-x)/2)) above
//   hp_arccos    from the same parts as arcsin, double-double constants
//   hp_arctan    1/x above 1, pi/4 + atan((x-1)/(x+1)) above tan(pi/8)
//   hp_arctan2   atan(min/max) with the quotient as a double-double
//   hp_sinh      Taylor below 1, expm1 to 22, e^x/2 scaled (no early overflow)
//   hp_cosh      (e + 1/e)/2 to 22, e^x/2 above
//   hp_arcsinh   log1p/log forms (fdlibm's); hp_arccosh the same
//   hp_arctanh   log1p(2x/(1-x))/2
//   hp_exp2      exp's kernel on x ln2 as a double-double
//   hp_log2/10   log as a double-double (pow's), times 1/ln2 (1/ln10) in dd
//   hp_erfc      1-x-xE(x^2) to 1/2, e^-x^2 F(x) (5 intervals) to 4,
//                e^-x^2 G(1/x^2)/(x sqrt(pi)) to 27.3 (own fits, not 1-erf)
//   hp_erfinv    Giles' guess (asymptotic in erfc's far tail), two Halley
//   hp_erfcinv   steps on erf(y) - x, written as t - erfc(y) above 1/2
//   hp_gammaln   Taylor-type fits about 1 and 2 (in z - 1/4), recurrence
//                to 8, Stirling from 8, reflection below -1/4
//   hp_psi       fit about the positive root, recurrence from [1, 2) to
//                10, asymptotic series above, reflection below 0
//   hp_hypot     scaled, sum of squares in double-double, corrected sqrt
//   hp_logaddexp max + log1p(e^-|a-b|), a - b and e^-|a-b| as double-doubles
//
// Error bounds in ulp of the result, against glibc (long double references
// for float64, double references for float32), checked by
// tests/runtime/test_math_accuracy.cpp over 2 million points per function and
// dtype (float32 exp and log also over every 17th float), with the largest
// error seen when this was written:
//
//                bound     max seen (f64 / f32)
//   hp_exp         1       0.77 / 0.87   (0.77: subnormal results)
//   hp_log         1       0.82 / 0.83
//   hp_expm1       2       1.07 / 0.50
//   hp_log1p       2       0.83 / 0.83
//   hp_tanh        2       0.95 / 1.35
//   hp_sigmoid     2       0.79 / 0.95
//   hp_softplus    2       1.16 / 1.22
//   hp_erf         2       1.14 / 1.15
//   hp_pow         2       0.92 / 0.50
//   hp_sin, cos    2       0.84 / 0.50   (also 0.82 from 2^33 to 1.8e308)
//   hp_tan         2       0.98 / 0.50
//   hp_arcsin      1       0.62 / 0.50
//   hp_arccos      1       0.74 / 0.50
//   hp_arctan      2       1.00 / 0.50
//   hp_arctan2     2       0.95 / 0.50
//   hp_sinh        2       1.22 / 0.50
//   hp_cosh        2       1.10 / 0.50
//   hp_arcsinh     2       1.66 / 0.50
//   hp_arccosh     3       2.07 / 0.50
//   hp_arctanh     2       1.63 / 0.50
//   hp_exp2        1       0.77 / 0.50
//   hp_log2        1       0.50 / 0.50
//   hp_log10       1       0.50 / 0.50
//   hp_erfc        4       3.74 / 0.50   (relative, down to 1e-300 at 26.5)
//   hp_erfinv      3       2.07 / 0.50
//   hp_erfcinv     3       2.04 / 0.50
//   hp_gammaln     3       2.72 / 0.50   (x > 0, zeros at 1 and 2 included;
//                                         x < 0: 3.1 ulp of the largest term)
//   hp_psi         4       3.10 / 0.50   (x > 0, root 1.4616 included;
//                                         x < 0: 4.1 ulp of the largest term)
//   hp_hypot       1       0.75 / 0.50
//   hp_logaddexp   2       1.77 / 0.50   (ulp of max(|result|, max(a, b)))
//
// (Bounds of the functions added with issue 19 hold with fp contraction off
// and without a hardware fma too; the f32 column is the float64 evaluation
// rounded once more.)
//
// Special values are exact as C99 Annex F states them: +-0 (sign kept where
// the function is odd), +-inf, nan in -> nan out, overflow to inf and gradual
// underflow at libm's thresholds (exp(709.78) finite, exp(710) = inf,
// exp(-745.13) = 2^-1074, exp(-746) = 0), subnormal arguments and results.
// Also sigmoid(-800) = 0, sigmoid(800) = 1, softplus(800) = 800,
// softplus(-800) = 0, tanh(+-big) = +-1, tanh(-0) = -0.
//
// Known limits:
//  - hp_sin/hp_cos/hp_tan carry the reduced argument to ~2^-104 absolute for
//    |x| >= 2^33, so at the rare doubles within 2^-60 of a multiple of pi/2
//    beyond 2^33 the result is good to ~2^-44 relative, not 1 ulp.
//  - Being branch-free, every element pays for Payne-Hanek (eight gathers
//    and ~200 operations): hp_sin costs ~10x hp_exp (~2x before it). A loop
//    that checked once for |x| >= 2^33 and took a second loop for those
//    elements would get the speed back; the code generator does not do that.
//  - hp_erfinv, hp_erfcinv, hp_gammaln and hp_psi compute every branch of
//    their piecewise definitions for every element (8-38x hp_exp).
//  - float32 hp_expm1, hp_pow, hp_sin, hp_cos and every function below hp_cos
//    in the table compute in float64: accurate, but at half the vector width
//    of the other float32 functions.
//  - hp_gammaln and hp_psi for x < 0 use the reflection formulas, whose error
//    is absolute (a few ulp of the largest term): near the zeros of lgamma
//    and psi on the negative axis the relative error grows without bound.
//  - hp_logaddexp's error is in ulp of max(|result|, max(a, b)): where
//    max(a, b) is near -log1p(e^-|a-b|) the result cancels to near 0.
//  - parsing this text costs Clang's frontend ~8 ms per translation unit;
//    functions a unit does not call generate no code.
//  - hp_pow follows Annex F, including pow(x, +-0) = 1 and pow(1, y) = 1 for
//    nan, and pow(negative, non-integer) = nan; pow(x, 2) is within 1 ulp
//    but not always bit-equal to x*x.
//
// Rules that keep this vectorisable and correct (read before editing):
//  - no early returns and no branches: every path is computed and the result
//    chosen with a ternary on computed values (a select);
//  - nan must flow through: clamps are written `x > hi ? hi : x`, which keeps
//    a nan, never `x < hi ? x : hi`;
//  - never compile with fast-math or reassociation: the round-to-integer trick
//    (x + 1.5*2^52) - 1.5*2^52 and the double-double sums need IEEE rounding.
//    FP contraction (a*b+c -> fma) is harmless: every exact product below is
//    computed with two_prod, never as `a*b - p`.
//
// Polynomial coefficients are minimax fits (Remez exchange in mpmath) made
// for this file; the comment above each table gives its interval and the
// relative error of the fit.

// Every function is forced inline: a call left in a loop (Clang's inliner
// gives up on big bodies such as hp_pow's) would keep that loop scalar.
#define HP_MATH_INLINE [[gnu::always_inline]] static inline

namespace hp_math_detail {

using u64 = unsigned long long;
using i64 = long long;
using u32 = unsigned int;
using i32 = int;

HP_MATH_INLINE u64 bits_of(double x) { return __builtin_bit_cast(u64, x); }
HP_MATH_INLINE u32 bits_of(float x) { return __builtin_bit_cast(u32, x); }
HP_MATH_INLINE double f64_from_bits(u64 b) { return __builtin_bit_cast(double, b); }
HP_MATH_INLINE float f32_from_bits(u32 b) { return __builtin_bit_cast(float, b); }
HP_MATH_INLINE double magnitude(double x) { return __builtin_fabs(x); }
HP_MATH_INLINE float magnitude(float x) { return __builtin_fabsf(x); }

// c[0] + c[1] x + ... + c[N-1] x^(N-1), Horner's rule (fully unrolled by Clang).
template <typename T, int N>
HP_MATH_INLINE T horner(T x, const T (&c)[N]) {
  T p = c[N - 1];
  for (int i = N - 2; i >= 0; --i) p = p * x + c[i];
  return p;
}

// c(0) + c(1) x + ... + c(N-1) x^(N-1) with coefficients from a callable
// (picked by selects), unrolled here rather than left to Clang's unroller,
// which gives up on such loops inside big bodies and leaves them scalar.
template <int N, int J = 0, typename T, typename Coefficient>
HP_MATH_INLINE T horner_of(T x, const Coefficient& c) {
  if constexpr (J == N - 1) {
    return c(J);
  } else {
    return horner_of<N, J + 1>(x, c) * x + c(J);
  }
}

// The same polynomial as two Horner chains in x^2 (even and odd coefficients)
// that run side by side: about half the latency for the same operations,
// which matters in loops with several transcendental calls per element.
template <typename T, int N>
HP_MATH_INLINE T horner_split(T x, T x2, const T (&c)[N]) {
  constexpr int last_even = (N - 1) / 2 * 2, last_odd = (N - 2) / 2 * 2 + 1;
  T even = c[last_even], odd = c[last_odd];
  for (int i = last_even - 2; i >= 0; i -= 2) even = even * x2 + c[i];
  for (int i = last_odd - 2; i >= 1; i -= 2) odd = odd * x2 + c[i];
  return even + x * odd;
}

// hi + lo == a + b exactly (Knuth's TwoSum: no condition on magnitudes).
template <typename T>
HP_MATH_INLINE T two_sum(T a, T b, T& lo) {
  T hi = a + b;
  T b_virtual = hi - a;
  lo = (a - (hi - b_virtual)) + (b - b_virtual);
  return hi;
}

// a * b + c rounded once (the hardware fma).
HP_MATH_INLINE double fused_multiply_add(double a, double b, double c) {
  return __builtin_fma(a, b, c);
}
HP_MATH_INLINE float fused_multiply_add(float a, float b, float c) {
  return __builtin_fmaf(a, b, c);
}

// Without a hardware fma (or with HP_MATH_NO_FMA defined, which the accuracy
// test uses to cover this path) __builtin_fma would be a scalar libm call, so
// exact products fall back to Dekker's algorithm.
#if (defined(__FMA__) || defined(__aarch64__)) && !defined(HP_MATH_NO_FMA)
#define HP_MATH_HAS_FMA 1
#else
#define HP_MATH_HAS_FMA 0
#endif

// hi + lo == a * b exactly (barring overflow/underflow).
template <typename T>
HP_MATH_INLINE T two_prod(T a, T b, T& lo) {
  T hi = a * b;
#if HP_MATH_HAS_FMA
  lo = fused_multiply_add(a, b, -hi);
#else
  // Dekker: split each factor into halves whose products are exact.
  const T split = sizeof(T) == 8 ? T(0x1p27 + 1) : T(0x1p12 + 1);
  T ta = split * a, tb = split * b;
  T a_hi = ta - (ta - a), b_hi = tb - (tb - b);
  T a_lo = a - a_hi, b_lo = b - b_hi;
  lo = ((a_hi * b_hi - hi) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo;
#endif
  return hi;
}

// n - q d, exactly when it is representable (as for the remainder of a
// division q = n/d rounded to nearest): one fma, or Dekker's product.
template <typename T>
HP_MATH_INLINE T exact_remainder(T n, T q, T d) {
#if HP_MATH_HAS_FMA
  return fused_multiply_add(-q, d, n);
#else
  T p_lo;
  T p = two_prod(q, d, p_lo);
  return (n - p) - p_lo;
#endif
}

// ---- constants ---------------------------------------------------------------

// Adding 1.5 * 2^52 to |v| < 2^51 rounds v to an integer k (ties to even) and
// leaves k in the low mantissa bits; subtracting it again gives k as a double.
constexpr double kRoundF64 = 0x1.8p52;
constexpr float kRoundF32 = 0x1.8p23f;

constexpr double kLog2eF64 = 0x1.71547652b82fep0;
constexpr float kLog2eF32 = 0x1.715476p0f;
// ln 2 = hi + lo; hi has 32 significant bits, so k * hi is exact for |k| < 2^21.
constexpr double kLn2HiF64 = 0x1.62e42ffp-1;
constexpr double kLn2LoF64 = -0x1.718432a1b0e26p-35;
// float: hi has 15 significant bits, so k * hi is exact for |k| < 2^9.
constexpr float kLn2HiF32 = 0x1.62e4p-1f;
constexpr float kLn2LoF32 = 0x1.7f7d1cp-20f;

constexpr double kSqrt2F64 = 0x1.6a09e667f3bcdp0;
constexpr float kSqrt2F32 = 0x1.6a09e6p0f;

// Kernels with an optional low part (x_lo, c) are passed -0.0 when there is
// none: x + -0.0 is x for every x, including -0, so Clang deletes the addition.

// The constants of the kernels written once for both types (below), by type.
template <typename T>
struct Constants;

// exp: Q(r) ~ (e^r-1-r)/r^2 on |r| <= ln2/2, rel err 2^-58.35 (e^r: 2^-61)
static constexpr double kExpQF64[] = {
    0x1.0000000000000p-1,  0x1.5555555555557p-3,  0x1.555555555554ep-5,  0x1.11111111100eep-7,
    0x1.6c16c16c1a076p-10, 0x1.a01a01abdf567p-13, 0x1.a01a019061ac4p-16, 0x1.71de024a3222bp-19,
    0x1.27e510db27b20p-22, 0x1.af4dbadd67bccp-26, 0x1.1f19f44a3fbe1p-29};

// exp: Q(r) ~ (e^r-1-r)/r^2 on |r| <= ln2/2; error of 1 + r + r^2 Q(r) with
// the coefficients rounded to float: 2^-30.4
static constexpr float kExpQF32[] = {0x1p-1f, 0x1.555526p-3f, 0x1.555586p-5f, 0x1.11d926p-7f,
                                     0x1.6c7aaep-10f};

// log: P(z) ~ (2 atanh(s) - 2s)/s^3, z = s^2 <= 0.02944, rel err 2^-50.9 (log: 2^-57)
static constexpr double kLogPF64[] = {
    0x1.5555555555558p-1, 0x1.999999999529cp-2, 0x1.2492492df841bp-2, 0x1.c71c62dd6bf1cp-3,
    0x1.7462b6c85155ep-3, 0x1.39fe1f2d7e5d0p-3, 0x1.2b5b3cd07a05ap-3};

// log: P(z) as above, rel err 2^-24.9 after rounding to float (log: 2^-31)
static constexpr float kLogPF32[] = {0x1.555556p-1f, 0x1.9999ecp-2f, 0x1.245c32p-2f,
                                     0x1.ddd234p-3f};

// pow's log: Q(z) ~ (2 atanh(s) - 2s - 2s^3/3)/s^5, rel err 2^-53.8 (log: 2^-66)
static constexpr double kLogTailQF64[] = {
    0x1.999999999999ap-2, 0x1.2492492492522p-2, 0x1.c71c71c6ea8a9p-3, 0x1.745d177aa7ee1p-3,
    0x1.3b1395cb4cb2fp-3, 0x1.1118c937bbe73p-3, 0x1.df7c8767c8b5bp-4, 0x1.e030ec15abd4fp-4};
constexpr double kTwoThirdsHi = 0x1.5555555555555p-1;
constexpr double kTwoThirdsLo = 0x1.5555555555555p-55;

// erf: E(w) ~ erf(x)/x - 1, w = x^2 <= 1, abs err 2^-56
static constexpr double kErfEF64[] = {
    0x1.06eba8214db69p-3,  -0x1.812746b0379e6p-2,  0x1.ce2f21a042b34p-4,  -0x1.b82ce31284f37p-6,
    0x1.565bcd0dbd8f3p-8,  -0x1.c02db3db490c9p-11, 0x1.f9a321e4aee23p-14, -0x1.f4d1e43432947p-17,
    0x1.b9df3057b5b66p-20, -0x1.5f1f40df26ad5p-23, 0x1.f7b99cd9c00ccp-27, -0x1.38ac220dc377ep-30,
    0x1.06275bdf84b94p-34};

// erf: E(w) as above, abs err 2^-26 after rounding to float
static constexpr float kErfEF32[] = {0x1.06eba8p-3f,  -0x1.81273ep-2f, 0x1.ce2d20p-4f,
                                     -0x1.b7fbb4p-6f, 0x1.5419f6p-8f,  -0x1.a485ecp-11f,
                                     0x1.4ae4d2p-14f};

// erf: F(x) = erfc(x) e^(x^2) on four intervals, each a polynomial in
// (x - centre); the error of F times erfc(x) is below 2^-59 on each.
constexpr int kErfIntervalsF64 = 4;
static constexpr double kErfLowerF64[kErfIntervalsF64] = {1.0, 1.5, 2.25, 3.5};
static constexpr double kErfCentreF64[kErfIntervalsF64] = {1.25, 1.875, 2.875, 4.75};
static constexpr double kErfFF64[kErfIntervalsF64][14] = {
    {0x1.78a692138767ap-2, -0x1.abaacdbfa8b07p-3, 0x1.b56f45eef7e3fp-4, -0x1.9b635ac624afbp-5,
     0x1.68a25a6648303p-6, -0x1.299636d6c2908p-7, 0x1.d1b69597ff29ep-9, -0x1.5b8bc94ce13e6p-10,
     0x1.f0fe8a7aeea84p-12, -0x1.55c0831b422adp-13, 0x1.c55c987564187p-15, -0x1.22f4c31ffe3ffp-16,
     0x1.71357ccb0b869p-18, -0x1.bcbbcc1b6c558p-20},
    {0x1.13e5743b60481p-2, -0x1.e36580c7f734ap-4, 0x1.8a6efeed231abp-5, -0x1.2ef92f6f10948p-6,
     0x1.b99589d48189cp-8, -0x1.33237c3ed8074p-9, 0x1.99b60daa42684p-11, -0x1.070e0ca2a2844p-12,
     0x1.4632258843767p-14, -0x1.87a655eab7276p-16, 0x1.c81a490e399b8p-18, -0x1.026da48d53bbfp-19,
     0x1.276f539513132p-21, -0x1.3c80b52242b84p-23},
    {0x1.7d0a5e9dd5717p-3, -0x1.dfc0205709b0ep-5, 0x1.21c23afa305adp-6, -0x1.512f92fca8decp-8,
     0x1.7b404aad9dd23p-10, -0x1.9d6f222891689p-12, 0x1.b5d782c8d121bp-14, -0x1.c35c6155793afp-16,
     0x1.c5b85e63540a1p-18, -0x1.bd6115dc7a6a2p-20, 0x1.aa9c9a6c34f54p-22, -0x1.91166fc4316cfp-24,
     0x1.8c552dd8e66ecp-26, -0x1.63b0b23dc0c8cp-28},
    {0x1.dc603a3e78348p-4, -0x1.81149bc4a0a04p-6, 0x1.317c144e65453p-8, -0x1.dc1af88370d34p-11,
     0x1.6cc10d8e77b83p-13, -0x1.12f174c7776ecp-15, 0x1.98180c77dc50cp-18, -0x1.2a620137f078ep-20,
     0x1.ae48991b8b6eap-23, -0x1.31dadb36fffbfp-25, 0x1.a83c620fe7a4cp-28, -0x1.26356fb6367f9p-30,
     0x1.db0b28c173695p-33, -0x1.3e489ce833e1dp-35}};

// erf: F(x) on [1, 2) and [2, 4] for float; error times erfc(x) below 2^-27.
constexpr int kErfIntervalsF32 = 2;
static constexpr float kErfLowerF32[kErfIntervalsF32] = {1.0f, 2.0f};
static constexpr float kErfCentreF32[kErfIntervalsF32] = {1.5f, 3.0f};
static constexpr float kErfFF32[kErfIntervalsF32][8] = {
    {0x1.494db0p-2f, -0x1.4f198ap-3f, 0x1.37eb1ap-4f, -0x1.0dc51cp-5f, 0x1.b5c0e0p-7f,
     -0x1.510402p-8f, 0x1.065880p-9f, -0x1.6bd186p-11f},
    {0x1.6e9822p-3f, -0x1.bd6aeap-5f, 0x1.0445dcp-6f, -0x1.259342p-8f, 0x1.3ec0fap-10f,
     -0x1.527380p-12f, 0x1.8d0f58p-14f, -0x1.896c0ep-16f}};

// sin: S(w) ~ (sin(x)-x)/x^3, w = x^2 <= (pi/4)^2, rel err 2^-52 (sin: 2^-55)
static constexpr double kSinS[] = {-0x1.5555555555555p-3,  0x1.1111111110b97p-7,
                                   -0x1.a01a019e7d9cap-13, 0x1.71de378f278e7p-19,
                                   -0x1.ae6003b1c8ae5p-26, 0x1.5e08934e9c94ep-33};

// cos: C(w) ~ (cos(x)-1+w/2)/w^2, w = x^2 <= (pi/4)^2, rel err 2^-54
static constexpr double kCosC[] = {0x1.5555555555555p-5,  -0x1.6c16c16c1695bp-10,
                                   0x1.a01a019f4c26ap-16, -0x1.27e4fa14b6d3fp-22,
                                   0x1.1eeb65c3d48a4p-29, -0x1.907b716b63fc3p-37};

// pi/2 = P1 + P2 + P3 + P4 + P5 (170 bits); P1..P3 have <= 20 significant
// bits, so k * Pi is exact for |k| < 2^33. The bits below 2^-100 matter:
// 0x1.6c6cbc45dc8dep+5 is within 2^-61 of 29 pi/2.
constexpr double kTwoOverPi = 0x1.45f306dc9c883p-1;
constexpr double kPio2P1 = 0x1.921fcp0;
constexpr double kPio2P2 = -0x1.5777ap-21;
constexpr double kPio2P3 = -0x1.73dccp-43;
constexpr double kPio2P4 = 0x1.898cc51701b84p-64;
constexpr double kPio2P5 = -0x1.976b7ed8fbbadp-118;
constexpr double kSinCosMaxArg = 0x1p33;

template <>
struct Constants<double> {
  using Int = i64;
  static constexpr double kRound = kRoundF64, kLog2e = kLog2eF64, kLn2Hi = kLn2HiF64,
                          kLn2Lo = kLn2LoF64, kSqrt2 = kSqrt2F64;
  static constexpr const auto& kExpQ = kExpQF64;
  static constexpr const auto& kLogP = kLogPF64;
};

template <>
struct Constants<float> {
  using Int = i32;
  static constexpr float kRound = kRoundF32, kLog2e = kLog2eF32, kLn2Hi = kLn2HiF32,
                         kLn2Lo = kLn2LoF32, kSqrt2 = kSqrt2F32;
  static constexpr const auto& kExpQ = kExpQF32;
  static constexpr const auto& kLogP = kLogPF32;
};

// ---- exp ---------------------------------------------------------------------

// 2^k for -1022 <= k <= 1023 (float: -126 <= k <= 127).
HP_MATH_INLINE double pow2(i64 k) { return f64_from_bits(static_cast<u64>(k + 1023) << 52); }
HP_MATH_INLINE float pow2(i32 k) { return f32_from_bits(static_cast<u32>(k + 127) << 23); }

// e^(x + x_lo) = (sum + sum_lo) * 2^k, sum in [0.7, 1.42], for |x| <= 750
// (float: 110) and |x_lo| <= 2^-30 |x|.
//
// x = k ln2 + r, |r| <= ln2/2, with r = r_hi + r_lo carried to ~2^-78;
// e^r = (1 + r_hi) + [r_hi^2 Q(r_hi) + r_lo] (r_lo r_hi < 2^-57 is dropped),
// with 1 + r_hi split exactly too, so that sum + sum_lo carries e^r to ~2^-57
// and the only sizeable rounding of exp is the final one. Q is evaluated as
// two interleaved Horner chains: three of these in one loop body are
// latency-bound otherwise.
template <typename T, typename Int>
struct ExpParts {
  T sum, sum_lo;
  Int k;
};

template <typename T>
HP_MATH_INLINE ExpParts<T, typename Constants<T>::Int> exp_parts(T x, T x_lo) {
  using C = Constants<T>;
  using Int = typename C::Int;
  T shifted = x * C::kLog2e + C::kRound;
  T k = shifted - C::kRound;
  Int k_int = static_cast<Int>(bits_of(shifted) - bits_of(C::kRound));
  T y = x - k * C::kLn2Hi;  // exact: k * hi is exact, Sterbenz does the rest
  T c = x_lo - k * C::kLn2Lo;
  T r = y + c;
  T r_lo = (y - r) + c;  // r's rounding error: exact when |y| >= |c|, else < 2^-78
  T one_plus_r = T(1) + r;
  T r2 = r * r;
  T tail = ((T(1) - one_plus_r) + r) + (r2 * horner_split(r, r2, C::kExpQ) + r_lo);
  T sum = one_plus_r + tail;
  T sum_lo = (one_plus_r - sum) + tail;  // |one_plus_r| >= |tail|
  return {sum, sum_lo, k_int};
}

// e^(x + x_lo) = result + lo for x in [-750, 720] (float: [-110, 100]; callers
// clamp). The sum is scaled by 2^k in two steps, 2^(k/2) then 2^(k - k/2):
// both factors are normal and only the last multiplication rounds, so
// overflow to inf and gradual underflow to subnormals and 0 come out exactly
// as libm's. Callers that need no `lo` ignore it and Clang drops it.
template <typename T>
HP_MATH_INLINE T exp_core(T x, T x_lo, T& lo) {
  auto parts = exp_parts(x, x_lo);
  auto k_half = parts.k >> 1;
  T scale_a = pow2(k_half), scale_b = pow2(parts.k - k_half);
  lo = parts.sum_lo * scale_a * scale_b;
  return parts.sum * scale_a * scale_b;
}

// e^(x + x_lo) rounded, as above.
template <typename T>
HP_MATH_INLINE T exp_core(T x, T x_lo) {
  T unused_lo;
  return exp_core(x, x_lo, unused_lo);
}

// e^(x + x_lo) = result + lo for |x| <= 700 (float: 85), where 2^k is
// normal: one scaling step.
template <typename T>
HP_MATH_INLINE T exp_core_normal(T x, T x_lo, T& lo) {
  auto parts = exp_parts(x, x_lo);
  T scale = pow2(parts.k);
  lo = parts.sum_lo * scale;
  return parts.sum * scale;
}

// ---- log ---------------------------------------------------------------------

// x = 2^e * (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)), for finite x > 0
// (subnormals included); f is exact. Other x give garbage the callers replace.
HP_MATH_INLINE double split_log_argument(double x, double& f) {
  bool subnormal = x < 0x1p-1022;
  double scaled = subnormal ? x * 0x1p54 : x;
  u64 b = bits_of(scaled);
  double m = f64_from_bits((b & 0x000fffffffffffffULL) | bits_of(1.0));  // [1, 2)
  // The biased exponent as a double, exactly, with no int->double conversion.
  double e = f64_from_bits((b >> 52) | bits_of(0x1p52)) - (0x1p52 + 1023);
  bool above = m > kSqrt2F64;
  m = above ? m * 0.5 : m;
  e = e + (above ? 1.0 : 0.0) - (subnormal ? 54.0 : 0.0);
  f = m - 1.0;
  return e;
}

HP_MATH_INLINE float split_log_argument(float x, float& f) {
  bool subnormal = x < 0x1p-126f;
  float scaled = subnormal ? x * 0x1p25f : x;
  u32 b = bits_of(scaled);
  float m = f32_from_bits((b & 0x007fffffu) | bits_of(1.0f));
  float e = static_cast<float>(static_cast<i32>(b >> 23)) - 127.0f;
  bool above = m > kSqrt2F32;
  m = above ? m * 0.5f : m;
  e = e + (above ? 1.0f : 0.0f) - (subnormal ? 25.0f : 0.0f);
  f = m - 1.0f;
  return e;
}

// e ln2 + log1p(f) + c, for |f| <= sqrt(2) - 1 and a small correction c.
// log1p(f) = 2 atanh(s) with s = f/(2+f) = 2s + s R(s^2), rewritten as
// f - (f^2/2 - s (f^2/2 + R)) so that f, exact, is added last (fdlibm's form).
template <typename T>
HP_MATH_INLINE T log_from_parts(T e, T f, T c) {
  using C = Constants<T>;
  T s = f / (T(2) + f);
  T z = s * s;
  T r = z * horner_split(z, z * z, C::kLogP);
  T half_f2 = T(0.5) * f * f;
  return e * C::kLn2Hi + (f - (half_f2 - (s * (half_f2 + r) + (e * C::kLn2Lo + c))));
}

// log1p(x + x_lo) for finite x > -1 without special cases. u = 1 + x is
// rounded; its rounding error (u >= 2: u - x is exact; u < 2: u - 1 is exact)
// and x_lo, relative to u, are added back as c.
template <typename T>
HP_MATH_INLINE T log1p_core(T x, T x_lo) {
  T u = T(1) + x;
  T c = ((u >= T(2) ? T(1) - (u - x) : x - (u - T(1))) + x_lo) / u;
  T f;
  T e = split_log_argument(u, f);
  return log_from_parts(e, f, c);
}

// log(x) = hi + lo with a relative error below 2^-66, for finite x > 0.
// As log_from_parts, but 2s and (2/3)s^3 are carried as double-doubles: pow
// multiplies the result by y, and exp(y log x) needs log x to ~2^-63.
HP_MATH_INLINE double log_double_double(double x, double& lo) {
  double f;
  double e = split_log_argument(x, f);
  // s = f/(2+f) as s_hi + s_lo.
  double den = 2.0 + f;
  double den_lo = f - (den - 2.0);  // den - 2 is exact (Sterbenz)
  double s_hi = f / den;
  double p_lo;
  double p_hi = two_prod(s_hi, den, p_lo);
  double s_lo = (((f - p_hi) - p_lo) - s_hi * den_lo) / den;
  // s^2 and s^3 as double-doubles (dropping terms below 2^-105 relative).
  double z_lo;
  double z = two_prod(s_hi, s_hi, z_lo);
  z_lo += 2.0 * s_hi * s_lo;
  double s3_lo;
  double s3 = two_prod(z, s_hi, s3_lo);
  s3_lo += z * s_lo + z_lo * s_hi;
  double t3_lo;
  double t3 = two_prod(kTwoThirdsHi, s3, t3_lo);
  t3_lo += kTwoThirdsHi * s3_lo + kTwoThirdsLo * s3;
  double t5 = s3 * z * horner_split(z, z * z, kLogTailQF64);
  // log(1+f) = 2s + (2/3)s^3 + s^5 Q(s^2); |2s| > |(2/3) s^3|.
  double m_hi = 2.0 * s_hi + t3;
  double m_lo = (2.0 * s_hi - m_hi) + t3;
  m_lo += 2.0 * s_lo + t3_lo + t5;
  // + e ln2; e * kLn2HiF64 is exact and may be larger or smaller than m_hi.
  double sum_lo;
  double sum = two_sum(e * kLn2HiF64, m_hi, sum_lo);
  sum_lo += e * kLn2LoF64 + m_lo;
  double hi = sum + sum_lo;
  lo = (sum - hi) + sum_lo;
  return hi;
}

// ---- sin / cos ---------------------------------------------------------------

// pi/2 as hi + lo (lo: the next 53 bits).
constexpr double kPio2Hi = 0x1.921fb54442d18p+0, kPio2Lo = 0x1.1a62633145c07p-54;

// 2/pi = sum_j kTwoOverPiChunks[j] 2^(-24 (j + 1)): 1152 bits, 24 to a chunk.
static constexpr double kTwoOverPiChunks[48] = {
    0xa2f983.0p0, 0x6e4e44.0p0, 0x1529fc.0p0, 0x2757d1.0p0, 0xf534dd.0p0, 0xc0db62.0p0, 0x95993c.0p0,
    0x439041.0p0, 0xfe5163.0p0, 0xabdebb.0p0, 0xc561b7.0p0, 0x246e3a.0p0, 0x424dd2.0p0, 0xe00649.0p0,
    0x2eea09.0p0, 0xd1921c.0p0, 0xfe1deb.0p0, 0x1cb129.0p0, 0xa73ee8.0p0, 0x8235f5.0p0, 0x2ebb44.0p0,
    0x84e99c.0p0, 0x7026b4.0p0, 0x5f7e41.0p0, 0x3991d6.0p0, 0x398353.0p0, 0x39f49c.0p0, 0x845f8b.0p0,
    0xbdf928.0p0, 0x3b1ff8.0p0, 0x97ffde.0p0, 0x05980f.0p0, 0xef2f11.0p0, 0x8b5a0a.0p0, 0x6d1f6d.0p0,
    0x367ecf.0p0, 0x27cb09.0p0, 0xb74f46.0p0, 0x3f669e.0p0, 0x5fea2d.0p0, 0x7527ba.0p0, 0xc7ebe5.0p0,
    0xf17b3d.0p0, 0x0739f7.0p0, 0x8a5292.0p0, 0xea6bfb.0p0, 0x5fb11f.0p0, 0x8d5d08.0p0};

// Payne-Hanek: x 2/pi = q + f (q an integer, f + f_lo in [-1/2, 1/2]) for
// finite |x| >= 2^33, where x = M 2^s with M < 2^53 an integer and s >= -19.
// Chunks of 2/pi whose products with x are multiples of 4 are skipped; M is
// split into 26 + 27 bits so that each product with a 24-bit chunk is exact;
// eight chunks (192 bits) follow. The sixteen exact products are independent:
// those of the first four chunks are split into an integer (mod 4, into q)
// and a fraction, exactly; then all fractions are summed by a tree of
// TwoSums (short dependency chains: this runs for every element), so f is
// carried to ~2^-104 absolute. Other x give garbage the caller does not select.
HP_MATH_INLINE double fraction_mod4(double t, double& integer) {
  t = t - 4.0 * __builtin_floor(t * 0.25);  // exact: t mod 4
  integer = __builtin_rint(t);
  return t - integer;  // exact
}

// hi + lo = a + b + a_lo + b_lo for two double-doubles (TwoSum of the highs).
HP_MATH_INLINE double add_pair(double a, double a_lo, double b, double b_lo, double& lo) {
  double e;
  double hi = two_sum(a, b, e);
  lo = (a_lo + b_lo) + e;
  return hi;
}

HP_MATH_INLINE double reduce_large(double x, double& f_lo, u64& quadrant) {
  u64 b = bits_of(x) & 0x7fffffffffffffffULL;
  double m = f64_from_bits((b & 0x000fffffffffffffULL) | (1075ULL << 52));  // M in [2^52, 2^53)
  double m1 = f64_from_bits(bits_of(m) & ~((1ULL << 27) - 1));
  double m2 = m - m1;
  double s = f64_from_bits((b >> 52) | bits_of(0x1p52)) - (0x1p52 + 1075.0);  // x = M 2^s
  double first = __builtin_floor((s - 2.0) * (1.0 / 24.0));  // may be one low: harmless
  first = first < 0.0 ? 0.0 : first > 40.0 ? 40.0 : first;
  int j = static_cast<int>(first);
  double scale = pow2(static_cast<i64>(s - 24.0 * (first + 1.0)));
  double c0 = kTwoOverPiChunks[j] * scale, c1 = kTwoOverPiChunks[j + 1] * (scale * 0x1p-24),
         c2 = kTwoOverPiChunks[j + 2] * (scale * 0x1p-48), c3 = kTwoOverPiChunks[j + 3] * (scale * 0x1p-72),
         c4 = kTwoOverPiChunks[j + 4] * (scale * 0x1p-96), c5 = kTwoOverPiChunks[j + 5] * (scale * 0x1p-120),
         c6 = kTwoOverPiChunks[j + 6] * (scale * 0x1p-144), c7 = kTwoOverPiChunks[j + 7] * (scale * 0x1p-168);
  // Products of M's halves with the scaled chunks: exact (26 or 27 bits times 24).
  double k0, k1, k2, k3, k4, k5, k6, k7;
  double f0 = fraction_mod4(m1 * c0, k0), f1 = fraction_mod4(m2 * c0, k1);
  double f2 = fraction_mod4(m1 * c1, k2), f3 = fraction_mod4(m2 * c1, k3);
  double f4 = fraction_mod4(m1 * c2, k4), f5 = fraction_mod4(m2 * c2, k5);
  double f6 = fraction_mod4(m1 * c3, k6), f7 = fraction_mod4(m2 * c3, k7);
  double q = ((k0 + k1) + (k2 + k3)) + ((k4 + k5) + (k6 + k7));  // small integers: exact
  // The tree: level 1 pairs terms of like magnitude.
  double l0, l1, l2, l3, l4, l5, l6, l7;
  double a0 = add_pair(f0, 0.0, f1, 0.0, l0), a1 = add_pair(f2, 0.0, f3, 0.0, l1);
  double a2 = add_pair(f4, 0.0, f5, 0.0, l2), a3 = add_pair(f6, 0.0, f7, 0.0, l3);
  double a4 = add_pair(m1 * c4, 0.0, m2 * c4, 0.0, l4), a5 = add_pair(m1 * c5, 0.0, m2 * c5, 0.0, l5);
  double a6 = add_pair(m1 * c6, 0.0, m2 * c6, 0.0, l6), a7 = add_pair(m1 * c7, 0.0, m2 * c7, 0.0, l7);
  double g0, g1, g2, g3;
  double b0 = add_pair(a0, l0, a1, l1, g0), b1 = add_pair(a2, l2, a3, l3, g1);
  double b2 = add_pair(a4, l4, a5, l5, g2), b3 = add_pair(a6, l6, a7, l7, g3);
  double h0, h1;
  double d0 = add_pair(b0, g0, b1, g1, h0), d1 = add_pair(b2, g2, b3, g3, h1);
  double lo;
  double hi = add_pair(d0, h0, d1, h1, lo);
  double k = __builtin_rint(hi);  // |hi| <= 8
  double f = (hi - k) + lo;       // hi - k is exact
  f_lo = ((hi - k) - f) + lo;
  q += k;
  // The above is |x| 2/pi; for x < 0 every part changes sign.
  bool negative = x < 0.0;
  f = negative ? -f : f;
  f_lo = negative ? -f_lo : f_lo;
  q = negative ? -q : q;
  double r = q - 4.0 * __builtin_floor(q * 0.25);
  r = r >= 0.0 && r < 4.0 ? r : 0.0;  // NaN and inf arguments (their result is NaN): no UB in the cast
  quadrant = static_cast<u64>(static_cast<i64>(r));
  return f;
}

// sin and cos of the reduced argument for finite x, as double-doubles
// (sin_r + sin_lo, cos_r + cos_lo); returns the quadrant k mod 4.
// x = k pi/2 + r with |r| <= pi/4. Below 2^33: x - k P1 is exact, k P2..k P4
// are exact products (P4 via two_prod) subtracted with TwoSum, and k P5 goes
// into the low part, so r = r_hi + r_lo to ~2^-150 absolute. From 2^33:
// reduce_large's fraction times pi/2. kBelow2p33: the caller knows |x| < 2^33
// (the special functions' small arguments), and skips Payne-Hanek's cost.
template <bool kBelow2p33 = false>
HP_MATH_INLINE u64 sin_cos_reduced(double x, double& sin_r, double& sin_lo, double& cos_r,
                                   double& cos_lo) {
  double shifted = x * kTwoOverPi + kRoundF64;
  double k = shifted - kRoundF64;
  u64 quadrant = bits_of(shifted) - bits_of(kRoundF64);
  double y = x - k * kPio2P1;  // exact
  double e1, e2, e3, p4_lo;
  double r = two_sum(y, -(k * kPio2P2), e1);  // k * P2, k * P3 are exact
  r = two_sum(r, -(k * kPio2P3), e2);
  double p4 = two_prod(k, kPio2P4, p4_lo);
  r = two_sum(r, -p4, e3);
  double r_lo = ((e1 + e2) + (e3 - p4_lo)) - k * kPio2P5;
  double f_lo;
  u64 quadrant_large;
  double f = reduce_large(x, f_lo, quadrant_large);
  double large_lo;
  double large = two_prod(f, kPio2Hi, large_lo);
  large_lo += f * kPio2Lo + f_lo * kPio2Hi;
  bool is_large = !kBelow2p33 && __builtin_fabs(x) >= kSinCosMaxArg;
  r = is_large ? large : r;
  r_lo = is_large ? large_lo : r_lo;
  quadrant = is_large ? quadrant_large : quadrant;
  double r_hi = r + r_lo;
  r_lo = (r - r_hi) + r_lo;

  double z_lo;
  double z = two_prod(r_hi, r_hi, z_lo);
  // sin(r_hi + r_lo) = sin(r_hi) + r_lo cos(r_hi)
  double z2 = z * z;
  double sin_tail = r_hi * z * horner_split(z, z2, kSinS) + r_lo * (1.0 - 0.5 * z);
  sin_r = r_hi + sin_tail;
  sin_lo = (r_hi - sin_r) + sin_tail;  // |r_hi| >= |sin_tail|
  // cos(r_hi + r_lo) = cos(r_hi) - r_lo sin(r_hi); 1 - z/2 is split so that its
  // rounding error is kept (fdlibm's trick).
  double half_z = 0.5 * z;
  double one_minus = 1.0 - half_z;
  double cos_tail = ((1.0 - one_minus) - half_z) - 0.5 * z_lo +
                    (z2 * horner_split(z, z2, kCosC) - r_hi * r_lo);
  cos_r = one_minus + cos_tail;
  cos_lo = (one_minus - cos_r) + cos_tail;  // one_minus >= 0.69 > |cos_tail|
  return quadrant;
}

// sin(x + quadrant_offset * pi/2): sin or cos of r, chosen and signed by
// (k + offset) mod 4; nan for infinities and nan.
template <bool kBelow2p33 = false>
HP_MATH_INLINE double sin_quadrant(double x, int quadrant_offset) {
  double sin_r, sin_lo, cos_r, cos_lo;
  u64 quadrant = sin_cos_reduced<kBelow2p33>(x, sin_r, sin_lo, cos_r, cos_lo) +
                 static_cast<u64>(quadrant_offset);
  double value = (quadrant & 1) ? cos_r : sin_r;
  value = (quadrant & 2) ? -value : value;
  return __builtin_fabs(x) < __builtin_inf() ? value : __builtin_nan("");
}

}  // namespace hp_math_detail

// ---- exp ---------------------------------------------------------------------

// e^x. Cody-Waite reduction + degree-12 polynomial: <= 1 ulp.
HP_MATH_INLINE double hp_exp(double x) {
  double clamped = x > 720.0 ? 720.0 : x;  // beyond: overflow/underflow anyway
  clamped = clamped < -750.0 ? -750.0 : clamped;
  return hp_math_detail::exp_core(clamped, -0.0);
}

// e^x, float. Same method, degree 6: <= 1 ulp.
HP_MATH_INLINE float hp_exp(float x) {
  float clamped = x > 100.0f ? 100.0f : x;
  clamped = clamped < -110.0f ? -110.0f : clamped;
  return hp_math_detail::exp_core(clamped, -0.0f);
}

// e^x - 1, accurate near 0. x = k ln2 + r with r as a double-double; then
// e^x - 1 = (2^k - 1) + 2^k expm1(r), summed with TwoSum. For k > 56 the -1
// is below half an ulp and the result is exp's. <= 2 ulp (measured 1.07).
HP_MATH_INLINE double hp_expm1(double x) {
  using namespace hp_math_detail;
  double clamped = x > 720.0 ? 720.0 : x;
  clamped = clamped < -50.0 ? -50.0 : clamped;  // e^-50 - 1 rounds to -1
  double shifted = clamped * kLog2eF64 + kRoundF64;
  double k = shifted - kRoundF64;
  i64 k_int = static_cast<i64>(bits_of(shifted) - bits_of(kRoundF64));
  double y = clamped - k * kLn2HiF64;  // exact
  double r_lo;
  double r = two_sum(y, -(k * kLn2LoF64), r_lo);
  // expm1(r + r_lo) = r + r_lo e^r + r^2 Q(r), e^r ~ 1 + r for the tiny r_lo
  double r2 = r * r;
  double tail = r2 * horner_split(r, r2, kExpQF64) + r_lo * (1.0 + r);
  double em = r + tail;
  double em_lo = (r - em) + tail;  // |r| >= |tail|
  i64 k_half = k_int >> 1;
  double scale_a = pow2(k_half), scale_b = pow2(k_int - k_half);
  double two_k = scale_a * scale_b;  // exact for the k <= 56 that use it
  double sum_lo;
  double sum = two_sum(two_k - 1.0, two_k * em, sum_lo);
  double moderate = sum + (sum_lo + two_k * em_lo);
  double large = (1.0 + em) * scale_a * scale_b;
  double result = k > 56.0 ? large : moderate;
  return __builtin_fabs(x) < 0x1p-54 ? x : result;  // keeps -0 and subnormals
}

// e^x - 1, float: evaluated in float64 and rounded once more: <= 1 ulp.
HP_MATH_INLINE float hp_expm1(float x) {
  return static_cast<float>(hp_expm1(static_cast<double>(x)));
}

// ---- log ---------------------------------------------------------------------

namespace hp_math_detail {

template <typename T>
HP_MATH_INLINE T log_with_special_cases(T x) {
  T f;
  T e = split_log_argument(x, f);
  T result = log_from_parts(e, f, T(-0.0));
  result = x == T(0) ? -T(__builtin_inf()) : result;
  result = x < T(0) ? T(__builtin_nan("")) : result;
  result = x == T(__builtin_inf()) ? x : result;
  return x != x ? x : result;
}

// `tiny`: below it log1p(x) rounds to x.
template <typename T>
HP_MATH_INLINE T log1p_with_special_cases(T x, T tiny) {
  T result = log1p_core(x, T(-0.0));
  result = x == T(-1) ? -T(__builtin_inf()) : result;
  result = x < T(-1) ? T(__builtin_nan("")) : result;
  result = x == T(__builtin_inf()) ? x : result;
  result = magnitude(x) < tiny ? x : result;  // keeps -0 and subnormals
  return x != x ? x : result;
}

}  // namespace hp_math_detail

// Natural log. x = 2^e (1+f), log = e ln2 + log1p(f) by an odd series in
// s = f/(2+f) (fdlibm's method, own coefficients): <= 1 ulp.
HP_MATH_INLINE double hp_log(double x) { return hp_math_detail::log_with_special_cases(x); }

// Natural log, float. Same method, shorter polynomial: <= 1 ulp.
HP_MATH_INLINE float hp_log(float x) { return hp_math_detail::log_with_special_cases(x); }

// log(1 + x), accurate near 0: log's kernel on u = 1 + x plus the rounding
// error of u divided by u: <= 2 ulp (measured 0.83).
HP_MATH_INLINE double hp_log1p(double x) {
  return hp_math_detail::log1p_with_special_cases(x, 0x1p-54);
}

HP_MATH_INLINE float hp_log1p(float x) {
  return hp_math_detail::log1p_with_special_cases(x, 0x1p-25f);
}

// ---- tanh, sigmoid, softplus ---------------------------------------------------

namespace hp_math_detail {

// N/D for N = n + n_lo, D = d + d_lo (double-doubles), given q = n/d rounded
// and 1/d to a few ulp: one Newton step, q + (N - q D)/D, where n - q d is
// exact (the remainder of a correctly rounded division is representable), so
// the result is rounded once: error 0.5 ulp plus ~2^-100 relative.
template <typename T>
HP_MATH_INLINE T divide_corrected(T n, T n_lo, T d, T d_lo, T q, T reciprocal_d) {
  T remainder = exact_remainder(n, q, d);
  return q + reciprocal_d * ((remainder + n_lo) - q * d_lo);
}

// tanh(a) for a = |x| in [0, 40] (float: [0, 20]), from e = e^(2a) carried as
// a double-double: (e - 1)/(e + 1) below 0.75, where e - 1 is exact and the
// quotient is not near 1; 1 - 2/(e + 1) above, where the small term's error
// no longer matters. One division serves both: 1/(e + 1) is (1 - q)/2, resp.
// q/2. No polynomial is needed near 0: for 2a < ln2/2, e = sum + sum_lo
// exactly as exp_parts built it from 1 + 2a, so e - 1 + e_lo is 2a + (its
// series tail) to full precision, down to subnormal a.
template <typename T>
HP_MATH_INLINE T tanh_magnitude(T a) {
  T e_lo;
  T e = exp_core_normal(T(2) * a, T(-0.0), e_lo);
  bool moderate = a < T(0.75);
  T n = moderate ? e - T(1) : T(2);  // exact
  T n_lo = moderate ? e_lo : T(0);
  T d = e + T(1);
  T d_lo = ((e - d) + T(1)) + e_lo;  // e >= 1
  T q = n / d;
  T reciprocal_d = moderate ? T(0.5) * (T(1) - q) : T(0.5) * q;
  T quotient = divide_corrected(n, n_lo, d, d_lo, q, reciprocal_d);
  return moderate ? quotient : T(1) - quotient;
}

}  // namespace hp_math_detail

// tanh, from e^(2|x|) (see tanh_magnitude) with the sign of x copied
// (tanh(-0) = -0); tanh(x) rounds to x below 2^-27 (float: 2^-12): <= 2 ulp.
HP_MATH_INLINE double hp_tanh(double x) {
  double ax = __builtin_fabs(x);
  double a = ax > 40.0 ? 40.0 : ax;  // tanh(x) rounds to 1 from 19.1 on; nan stays
  double result = __builtin_copysign(hp_math_detail::tanh_magnitude(a), x);
  return ax < 0x1p-27 ? x : result;
}

HP_MATH_INLINE float hp_tanh(float x) {
  float ax = __builtin_fabsf(x);
  float a = ax > 20.0f ? 20.0f : ax;  // tanh(x) rounds to 1 from 9.01 on
  float result = __builtin_copysignf(hp_math_detail::tanh_magnitude(a), x);
  return ax < 0x1p-12f ? x : result;
}

namespace hp_math_detail {

// 1 / (1 + e^-x) = n / d with e = e^-|x| (no overflow, no cancellation),
// n = (x >= 0 ? 1 : e), d = 1 + e, all carried as double-doubles: with e
// rounded, its error, amplified when e and the result sit at opposite ends of
// their binades, reaches 2.3 ulp. 1/d is q for x >= 0 and 1 - q below.
template <typename T>
HP_MATH_INLINE T sigmoid(T x, T exp_limit) {
  T ax = magnitude(x);
  T a = ax > exp_limit ? exp_limit : ax;
  T e_lo;
  T e = exp_core(-a, T(-0.0), e_lo);
  bool positive = x >= T(0);
  T n = positive ? T(1) : e;
  T n_lo = positive ? T(0) : e_lo;
  T d = T(1) + e;
  T d_lo = ((T(1) - d) + e) + e_lo;  // 1 >= e
  T q = n / d;
  return divide_corrected(n, n_lo, d, d_lo, q, positive ? q : T(1) - q);
}

}  // namespace hp_math_detail

// 1 / (1 + e^-x), without cancellation or overflow: sigmoid(-800) = 0,
// sigmoid(800) = 1, subnormal results near -745: <= 2 ulp (measured 0.79).
HP_MATH_INLINE double hp_sigmoid(double x) { return hp_math_detail::sigmoid(x, 750.0); }

HP_MATH_INLINE float hp_sigmoid(float x) { return hp_math_detail::sigmoid(x, 110.0f); }

namespace hp_math_detail {

// max(x, 0) + log1p(e^-|x|), with e^-|x| as a double-double fed to log1p.
template <typename T>
HP_MATH_INLINE T softplus(T x, T exp_limit, T tiny) {
  T ax = magnitude(x);
  T a = ax > exp_limit ? exp_limit : ax;
  T e_lo;
  T e = exp_core(-a, T(-0.0), e_lo);
  T tail = e < tiny ? e : log1p_core(e, e_lo);  // log1p(e) rounds to e below `tiny`
  return (x > T(0) ? x : T(0)) + tail;
}

}  // namespace hp_math_detail

// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): softplus(800) = 800,
// softplus(-800) = 0, e^x itself far below 0: <= 2 ulp.
HP_MATH_INLINE double hp_softplus(double x) { return hp_math_detail::softplus(x, 750.0, 0x1p-54); }

HP_MATH_INLINE float hp_softplus(float x) { return hp_math_detail::softplus(x, 110.0f, 0x1p-25f); }

// ---- erf -----------------------------------------------------------------------

// erf. |x| < 1: x + x E(x^2). 1 <= |x| <= 6: 1 - e^(-x^2) F(x), F a
// polynomial on one of four intervals (coefficients picked by selects), x^2
// split exactly into hi + lo and fed to exp as such. erf(|x| > 6) = 1: <= 2 ulp.
namespace hp_math_detail {

// erfc(a) = e^(-a^2) F(a) for 1 <= a <= 6 (callers clamp a): F a polynomial
// on one of four intervals, coefficients picked by selects; a^2 is split
// exactly into hi + lo and fed to exp as such.
HP_MATH_INLINE double erfc_one_to_six(double a) {
  bool in1 = a >= kErfLowerF64[1], in2 = a >= kErfLowerF64[2], in3 = a >= kErfLowerF64[3];
  auto pick = [&](double c0, double c1, double c2, double c3) {
    return in3 ? c3 : in2 ? c2 : in1 ? c1 : c0;
  };
  double t = a - pick(kErfCentreF64[0], kErfCentreF64[1], kErfCentreF64[2], kErfCentreF64[3]);
  auto coefficient = [&](int j) {
    return pick(kErfFF64[0][j], kErfFF64[1][j], kErfFF64[2][j], kErfFF64[3][j]);
  };
  double poly = horner_of<14>(t, coefficient);
  double a2_lo;
  double a2 = two_prod(a, a, a2_lo);
  double unused_lo;
  return exp_core_normal(-a2, -a2_lo, unused_lo) * poly;
}

}  // namespace hp_math_detail

HP_MATH_INLINE double hp_erf(double x) {
  using namespace hp_math_detail;
  double ax = __builtin_fabs(x);
  double w = ax * ax;
  double small = ax + ax * horner_split(w, w * w, kErfEF64);
  double a = ax > 6.0 ? 6.0 : ax;
  double large = 1.0 - erfc_one_to_six(a);
  return __builtin_copysign(ax < 1.0 ? small : large, x);
}

HP_MATH_INLINE float hp_erf(float x) {
  using namespace hp_math_detail;
  float ax = __builtin_fabsf(x);
  float small = ax + ax * horner(ax * ax, kErfEF32);
  float a = ax > 4.0f ? 4.0f : ax;  // erf(x) rounds to 1 from 3.92 on
  bool in1 = a >= kErfLowerF32[1];
  float t = a - (in1 ? kErfCentreF32[1] : kErfCentreF32[0]);
  float poly = in1 ? kErfFF32[1][7] : kErfFF32[0][7];
  for (int j = 6; j >= 0; --j) poly = poly * t + (in1 ? kErfFF32[1][j] : kErfFF32[0][j]);
  float a2_lo;
  float a2 = two_prod(a, a, a2_lo);
  float unused_lo;
  float large = 1.0f - exp_core_normal(-a2, -a2_lo, unused_lo) * poly;
  return __builtin_copysignf(ax < 1.0f ? small : large, x);
}

// ---- pow -----------------------------------------------------------------------

// x^y = sign * exp(y log|x|), log|x| as a double-double and y log|x| as one,
// so the result is within ~1 ulp even for |y log x| near 709. Special cases as
// C99 Annex F (see the header comment): <= 2 ulp.
HP_MATH_INLINE double hp_pow(double x, double y) {
  using namespace hp_math_detail;
  const double inf = __builtin_inf();
  double ax = __builtin_fabs(x);
  double log_lo;
  double log_hi = log_double_double(ax, log_lo);
  double z_lo;
  double z = two_prod(y, log_hi, z_lo);
  z_lo += y * log_lo;
  bool out_of_range = z > 720.0 || z < -750.0;  // overflow/underflow anyway
  double clamped = z > 720.0 ? 720.0 : z;
  clamped = clamped < -750.0 ? -750.0 : clamped;
  double power = exp_core(clamped, out_of_range ? 0.0 : z_lo);  // |x|^y

  bool y_integer = __builtin_trunc(y) == y;  // also true for +-inf
  bool y_odd = y_integer && __builtin_trunc(0.5 * y) != 0.5 * y;
  double sign = (__builtin_signbit(x) && y_odd) ? -1.0 : 1.0;
  double result = sign * power;
  result = (x < 0.0 && !y_integer) ? __builtin_nan("") : result;
  result = ax == 0.0 ? sign * (y < 0.0 ? inf : 0.0) : result;
  result = ax == inf ? sign * (y < 0.0 ? 0.0 : inf) : result;
  bool y_infinite = __builtin_fabs(y) == inf;
  double limit = ax == 1.0 ? 1.0 : ((ax < 1.0) == (y < 0.0) ? inf : 0.0);
  result = y_infinite ? limit : result;
  result = (x != x || y != y) ? x + y : result;
  return (y == 0.0 || x == 1.0) ? 1.0 : result;
}

// x^y, float: evaluated in float64 (exact for float arguments) and rounded.
HP_MATH_INLINE float hp_pow(float x, float y) {
  return static_cast<float>(hp_pow(static_cast<double>(x), static_cast<double>(y)));
}

// ---- sin, cos --------------------------------------------------------------------

// sin. Exact 5-part Cody-Waite reduction, r as a double-double, polynomial
// kernels (Payne-Hanek from 2^33): <= 2 ulp (measured 0.83); nan at +-inf.
HP_MATH_INLINE double hp_sin(double x) {
  double value = hp_math_detail::sin_quadrant(x, 0);
  return __builtin_fabs(x) < 0x1p-27 ? x : value;  // sin(x) rounds to x; keeps -0
}

HP_MATH_INLINE double hp_cos(double x) { return hp_math_detail::sin_quadrant(x, 1); }

// float: evaluated in float64 and rounded: <= 1 ulp.
HP_MATH_INLINE float hp_sin(float x) { return static_cast<float>(hp_sin(static_cast<double>(x))); }
HP_MATH_INLINE float hp_cos(float x) { return static_cast<float>(hp_cos(static_cast<double>(x))); }

// ---- trigonometric, hyperbolic, exponential and special functions --------------
//
// Built on the kernels above (exp_parts/exp_core, log_double_double,
// log1p_core, sin_cos_reduced, erfc_one_to_six). float versions evaluate in
// float64 and round once more.

namespace hp_math_detail {

// Constants as hi + lo (lo: the next 53 bits).
constexpr double kPiHi = 0x1.921fb54442d18p+1, kPiLo = 0x1.1a62633145c07p-53;
constexpr double kPio4Hi = 0x1.921fb54442d18p-1, kPio4Lo = 0x1.1a62633145c07p-55;
constexpr double kTanPio8 = 0x1.a827999fcef32p-2;
constexpr double kLn2F64 = 0x1.62e42fefa39efp-1, kLn2TailF64 = 0x1.abc9e3b39803fp-56;
constexpr double kInvLn2Hi = 0x1.71547652b82fep+0, kInvLn2Lo = 0x1.777d0ffda0d24p-56;
constexpr double kInvLn10Hi = 0x1.bcb7b1526e50ep-2, kInvLn10Lo = 0x1.95355baaafad3p-57;
constexpr double kLogPi = 0x1.250d048e7a1bdp+0;
constexpr double kSqrtPiOver2 = 0x1.c5bf891b4ef6bp-1;
constexpr double kTwoOverSqrtPi = 0x1.20dd750429b6dp+0;
constexpr double kInvSqrtPi = 0x1.20dd750429b6dp-1;
constexpr double kLogSqrtPi = 0x1.250d048e7a1bdp-1;

// atan: A(z) ~ (atan(t)-t)/t^3, z = t^2 <= tan(pi/8)^2, rel err 2^-54.8
static constexpr double kAtanA[] = {
    -0x1.5555555555555p-2, 0x1.999999999934cp-3,  -0x1.2492492436201p-3, 0x1.c71c71853d7fap-4,
    -0x1.745d0b28a7e37p-4, 0x1.3b1263064f6b9p-4,  -0x1.10fa77b1a6d57p-4, 0x1.dfe6497e96323p-5,
    -0x1.a0999c632b6edp-5, 0x1.4162c02b1dda3p-5,  -0x1.3a31b1c0fd3b7p-6};

// asin: S(z) ~ (asin(x)-x)/x^3, z = x^2 <= 1/4, rel err 2^-59.8
static constexpr double kAsinS[] = {
    0x1.5555555555555p-3, 0x1.3333333333388p-4, 0x1.6db6db6dac1e0p-5,  0x1.f1c71c7a52ba3p-6,
    0x1.6e8ba123e494cp-6, 0x1.1c4efce23019fp-6, 0x1.c990ad3d8fdcap-7,  0x1.7b027ee1dd585p-7,
    0x1.3b49de7121487p-7, 0x1.31622469ce5adp-7, 0x1.8f193743418ffp-9,  0x1.406192d124629p-6,
    -0x1.3b416bb7d9257p-6, 0x1.e529c6fce9bb4p-6};

// erfc: F(x) = erfc(x) e^(x^2) on five intervals of [1/2, 4), each a
// polynomial in (x - centre), rel err below 2^-64 on each.
constexpr int kErfcIntervals = 5;
static constexpr double kErfcLower[kErfcIntervals] = {0.5, 1.0, 1.5, 2.25, 3.0};
static constexpr double kErfcCentre[kErfcIntervals] = {0.75, 1.25, 1.875, 2.625, 3.5};
static constexpr double kErfcF[kErfcIntervals][16] = {
    {0x1.038d54ea3d834p-1, -0x1.78cdd551ee51ap-2, 0x1.d90093ae10928p-3, -0x1.09e77d40e0239p-3, 0x1.1192f5bd686e0p-4, -0x1.054d68295b1e7p-5, 0x1.d43a7c7a8d2edp-7, -0x1.8c97dd4ebbc8ap-8, 0x1.3f8189568e487p-9, -0x1.ec0cf4b59fcdap-11, 0x1.6b9854f9dee14p-12, -0x1.02b1788882ce9p-13, 0x1.635a1ca888cf3p-15, -0x1.d89e5750955abp-17, 0x1.384edb1c811a0p-18, -0x1.870db7bbda793p-20},
    {0x1.78a692138767ap-2, -0x1.abaacdbfa8b07p-3, 0x1.b56f45eef7e58p-4, -0x1.9b635ac624ad5p-5, 0x1.68a25a6641eeep-6, -0x1.299636d6c5877p-7, 0x1.d1b695aac9c27p-9, -0x1.5b8bc94c695cbp-10, 0x1.f0fe6f9ae86abp-12, -0x1.55c07d13e294bp-13, 0x1.c57052765239ap-15, -0x1.22fc5054bd4fep-16, 0x1.6a07b615332acp-18, -0x1.b5a9c12d213fap-20, 0x1.06b5cf20ecb1dp-21, -0x1.2cf6c190c7ee6p-23},
    {0x1.13e5743b60480p-2, -0x1.e36580c7f734ap-4, 0x1.8a6efeed233aep-5, -0x1.2ef92f6f10798p-6, 0x1.b99589d40eb0cp-8, -0x1.33237c3eea963p-9, 0x1.99b60e43a9bdep-11, -0x1.070e0cb64721ep-12, 0x1.4631c3fe7455fp-14, -0x1.87a61d940fa72p-16, 0x1.c859f0b550c96p-18, -0x1.02868841791fap-19, 0x1.1d231e3a86a85p-21, -0x1.32fe69462a3c2p-23, 0x1.4f0867dedfb79p-25, -0x1.5815cc78e5aa6p-27},
    {0x1.9d7738e1f4db7p-3, -0x1.18737afe106cep-4, 0x1.6afd3ba3fa642p-6, -0x1.c28dd3c4d6775p-8, 0x1.0d40a2ab368bap-9, -0x1.36e9940d2f5dfp-11, 0x1.5bd1dd63271bcp-13, -0x1.79dac3812a465p-15, 0x1.8f69341036a4fp-17, -0x1.9b862048afc64p-19, 0x1.9dea752b46d81p-21, -0x1.96f5e27fdc992p-23, 0x1.8773b4b4387dfp-25, -0x1.710c666ec5bcap-27, 0x1.5f2c872319adep-29, -0x1.3e5e389edf968p-31},
    {0x1.3e0a99a0ee914p-3, -0x1.5285d2eb1ef74p-5, 0x1.5d581133378eep-7, -0x1.5e5d7e9899182p-9, 0x1.5632136d8c871p-11, -0x1.460abd6b257aap-13, 0x1.2f839e54cd10cp-15, -0x1.146bc406f87d7p-17, 0x1.ed2a955d8df2ep-20, -0x1.af5d64282a7e5p-22, 0x1.725027c5bf1e9p-24, -0x1.384594a15adbap-26, 0x1.02b1e305bf75dp-28, -0x1.a5f476d20075dp-31, 0x1.604abf62ed135p-33, -0x1.16441025d9425p-35}};

// erfc from 4: G(u) ~ erfc(x) e^(x^2) x sqrt(pi), u = 1/x^2 <= 1/16, abs err 2^-61.5
static constexpr double kErfcG[] = {0x1.0000000000000p+0, -0x1.fffffffffffd3p-2, 0x1.7ffffffff871ep-1, -0x1.dffffff7f461bp+0, 0x1.a3fffdbc08d23p+2, -0x1.d87f9c6d3ea77p+4, 0x1.44d254dc3f3c1p+7, -0x1.07b5a7cf8cd95p+10, 0x1.eb86f52073062p+12, -0x1.fb3cfc85cae7cp+15, 0x1.10ecb0de4ffd2p+19, -0x1.183966c4b7eb2p+22, 0x1.edaab795da98ep+24, -0x1.4baa33889f5aep+27, 0x1.239a83f54de6dp+29, -0x1.ecc28789f4c2bp+29};

// lgamma: L1(z) ~ lgamma(1+z)/z on [-0.25, 0.75], a polynomial in z - 1/4, rel err 2^-62
static constexpr double kLgammaL1[] = {-0x1.92857d38caf41p-2, 0x1.5337d1f7e6626p-1, -0x1.059d40f5f4df8p-2, 0x1.181b4928a4babp-3, -0x1.5593614f36a18p-4, 0x1.bd90f098646eep-5, -0x1.2e86e8e472318p-5, 0x1.a5c990ad56fc1p-6, -0x1.2b8895f2b680dp-6, 0x1.af5408ffd9200p-7, -0x1.39e3860941ffcp-7, 0x1.ccc6ac80effeap-8, -0x1.5498a54cc1ffbp-8, 0x1.fa81bcb2012adp-9, -0x1.7a681ad35707fp-9, 0x1.1c0946cb69dd7p-9, -0x1.ae00df017d5eep-10, 0x1.45257af35f5c4p-10, -0x1.d7b11c9aeefb8p-11, 0x1.66708ea800efdp-11, -0x1.60c78aa18f59dp-11, 0x1.0e28b8c98e83ap-11, -0x1.0c7689fe958dcp-15, 0x1.7e0f817a5e9cbp-16, -0x1.118b4affbe582p-11, 0x1.a62e0271fdf82p-12};

// lgamma: L2(z) ~ lgamma(2+z)/z on [-0.5, 1], a polynomial in z - 1/4, rel err 2^-65
static constexpr double kLgammaL2[] = {0x1.ff797bba88502p-2, 0x1.2b408cef4c80cp-2, -0x1.bcc9b6fbc7726p-5, 0x1.e14e96ffdd8e7p-7, -0x1.3191e510f9cd8p-8, 0x1.a7552044fc629p-10, -0x1.356ab22aa52eap-11, 0x1.d4c16e965d430p-13, -0x1.6c170d4c3a93cp-14, 0x1.2008628caf180p-15, -0x1.ce1ab69e6aa07p-17, 0x1.76b8f220cefdep-18, -0x1.327fa2326a496p-19, 0x1.f8f1f292e0435p-21, -0x1.a280143dd323dp-22, 0x1.5c7b9d261e2b4p-23, -0x1.221baa025e388p-24, 0x1.e6f206b70d02fp-26, -0x1.ad6c59be3ff09p-27, 0x1.6ad61913fc626p-28, -0x1.af7598d561a65p-30, 0x1.6cf3d45ba34ebp-31, -0x1.92e645e11f2d0p-31, 0x1.57fcc0248b842p-32};

// lgamma for x >= 8: B_2n / (2n (2n-1)), Stirling's series in 1/x^2
static constexpr double kStirling[] = {
    0x1.5555555555555p-4,  -0x1.6c16c16c16c17p-9, 0x1.a01a01a01a01ap-11, -0x1.3813813813814p-11,
    0x1.b951e2b18ff23p-11, -0x1.f6ab0d9993c7dp-10, 0x1.a41a41a41a41ap-8, -0x1.e4286cb0f5398p-6,
    0x1.6fe96381e0680p-3};
// 0.5 log(2 pi) - 0.5
constexpr double kStirlingC = 0x1.acfe390c97d69p-2, kStirlingCLo = 0x1.3494bc9001442p-56;

// psi: Q(t) ~ psi(1.5+t)/(1.5+t-x0) on [-0.5, 0.5], x0 = psi's positive root
// as kPsiRootHi + kPsiRootLo; rel err 2^-60.6
constexpr double kPsiRootHi = 0x1.762d86356be3fp+0, kPsiRootLo = 0x1.b86a722197829p-54;
static constexpr double kPsiQ[] = {
    0x1.e6f0cbb873616p-1,  -0x1.b1cb63005ee96p-2, 0x1.eca189b8e6f7bp-3,  -0x1.2feeeb98a7e14p-3,
    0x1.8512e59037f3fp-4,  -0x1.fb4420299c39ep-5, 0x1.4de9aa17fed5cp-5,  -0x1.b9f8b14eb372ep-6,
    0x1.256471573c163p-6,  -0x1.8635595c28480p-7, 0x1.03c0b29031197p-7,  -0x1.5a07ffdcf1525p-8,
    0x1.cd1f2dbc0dbedp-9,  -0x1.335166d938f39p-9, 0x1.99e14548a2d9bp-10, -0x1.1138fd323dc0cp-10,
    0x1.69be71d89ad40p-11, -0x1.e24e3f4fdc1dcp-12, 0x1.56ae8897d5d3dp-12, -0x1.c8e71b670fd14p-13,
    0x1.80c273fb322c5p-14, -0x1.0081238b97022p-14, 0x1.0080971c5617fp-13, -0x1.5600aebc07538p-14};

// psi for x >= 10: B_2n / (2n), the asymptotic series in 1/x^2
static constexpr double kPsiAsymptotic[] = {
    0x1.5555555555555p-4,  -0x1.1111111111111p-7, 0x1.0410410410410p-8, -0x1.1111111111111p-8,
    0x1.f07c1f07c1f08p-8,  -0x1.5995995995996p-6, 0x1.5555555555555p-4, -0x1.c5e5e5e5e5e5ep-2,
    0x1.86e7f9b9fe6e8p+1};

// erfinv's first guess: Giles' single-precision polynomials (M. Giles,
// "Approximating the erfinv function", GPU Computing Gems, 2011), rel err ~4e-7.
static constexpr double kGilesCentral[] = {1.50140941,      0.246640727,     -0.00417768164,
                                           -0.00125372503,  0.00021858087,   -4.39150654e-06,
                                           -3.5233877e-06,  3.43273939e-07,  2.81022636e-08};
static constexpr double kGilesTail[] = {2.83297682,    1.00167406,     0.00943887047,
                                        -0.0076224613, 0.00573950773,  -0.00367342844,
                                        0.00134934322, 0.000100950558, -0.000200214257};

// hi + lo = n/d for double-doubles n, d (d > 0): the quotient rounded and its
// remainder divided once more.
HP_MATH_INLINE double divide_double_double(double n, double n_lo, double d, double d_lo,
                                           double& lo) {
  double q = n / d;
  lo = (exact_remainder(n, q, d) + n_lo - q * d_lo) / d;
  return q;
}

// hi + lo = a + b + c_lo where a + b is summed exactly and c_lo is small.
HP_MATH_INLINE double add_renormalised(double a, double b, double c_lo, double& lo) {
  double e;
  double s = two_sum(a, b, e);
  double rest = e + c_lo;
  double hi = s + rest;
  lo = (s - hi) + rest;
  return hi;
}

// sinh below 1: (sinh(a) - a)/a^3 = sum a^(2n)/(2n+3)!, Taylor to 1/21!
static constexpr double kSinhTaylor[] = {
    1.0 / 6, 1.0 / 120, 1.0 / 5040, 1.0 / 362880, 1.0 / 39916800, 1.0 / 6227020800.0,
    1.0 / 1307674368000.0, 1.0 / 355687428096000.0, 1.0 / 121645100408832000.0,
    1.0 / 51090942171709440000.0};

// ---- arctangent ----

// atan(a + a_lo) = hi + lo for 0 <= a <= 1: above tan(pi/8),
// atan(a) = pi/4 + atan(t), t = (a - 1)/(a + 1) carried as a double-double;
// then t + t^3 A(t^2) with |t| <= tan(pi/8).
HP_MATH_INLINE double atan_unit(double a, double a_lo, double& lo) {
  bool big = a > kTanPio8;
  double n_lo, d_lo;
  double n = two_sum(a, -1.0, n_lo);
  double d = two_sum(a, 1.0, d_lo);
  double q_lo;
  double q = divide_double_double(n, n_lo + a_lo, d, d_lo + a_lo, q_lo);
  double t = big ? q : a;
  double t_lo = big ? q_lo : a_lo;
  double z = t * t;
  double tail = t * z * horner_split(z, z * z, kAtanA) + t_lo * (1.0 - z);
  return add_renormalised(big ? kPio4Hi : 0.0, t, (big ? kPio4Lo : 0.0) + tail, lo);
}

// The angle of (x, y) with x >= 0, y >= 0 (no nan, not both 0 or both inf):
// atan(min/max), the quotient as a double-double, reflected about pi/4.
HP_MATH_INLINE double first_quadrant_angle(double x, double y, double& lo) {
  bool steep = y > x;
  double n = steep ? x : y, d = steep ? y : x;
  double q = n / d;
  // q's rounding error from n and d scaled by a power of two, so that Dekker's
  // exact product (without fma) neither overflows nor underflows; below
  // 2^-900 (where the scaled n may underflow) q is the result as it stands.
  double scale = d > 0x1p500 ? 0x1p-600 : d < 0x1p-500 ? 0x1p600 : 1.0;
  double q_lo = exact_remainder(n * scale, q, d * scale) / (d * scale);
  q_lo = d == __builtin_inf() || q < 0x1p-900 ? 0.0 : q_lo;
  double a_lo;
  double a = atan_unit(q, q_lo, a_lo);
  double r_lo;
  double r = add_renormalised(kPio2Hi, -a, kPio2Lo - a_lo, r_lo);
  lo = steep ? r_lo : a_lo;
  return steep ? r : a;
}

// ---- arcsine ----

// asin(a) for 0 <= a <= 1 (and nan for a > 1) as hi + lo; also what acos needs:
// for a > 1/2, asin(a) = pi/2 - 2 asin(s), s = sqrt((1 - a)/2) exactly rounded
// and carried with its error; `twice_asin_s` = 2 asin(s) as hi + lo.
struct AsinParts {
  double direct, direct_lo;  // asin(a) for a <= 1/2: a + a^3 S(a^2)
  double twice, twice_lo;    // 2 asin(s) for a > 1/2
};

HP_MATH_INLINE AsinParts asin_parts(double a) {
  double z = a * a;
  double direct_tail = a * z * horner_split(z, z * z, kAsinS);
  double direct = a + direct_tail;
  double direct_lo = (a - direct) + direct_tail;
  double w = 0.5 * (1.0 - a);  // exact for a >= 1/2
  double s = __builtin_sqrt(w);
  double s_lo = s > 0.0 ? exact_remainder(w, s, s) * (0.5 / s) : 0.0;
  double twice_tail = 2.0 * (s_lo + s * w * horner_split(w, w * w, kAsinS));
  double twice = 2.0 * s + twice_tail;
  double twice_lo = (2.0 * s - twice) + twice_tail;
  return {direct, direct_lo, twice, twice_lo};
}

// ---- hyperbolic ----

// e^x / 2 for x in [-750, 720]: exp's parts scaled by 2^(k-1) in two steps,
// so that it overflows only where e^x / 2 does.
HP_MATH_INLINE double half_exp(double x) {
  auto parts = exp_parts(x, -0.0);
  i64 k = parts.k - 1;
  i64 k_half = k >> 1;
  return parts.sum * pow2(k_half) * pow2(k - k_half);
}

// ---- erfc, erfinv ----

// erfc(a) for a >= 0 (nan passes): 1 - a - a E(a^2) below 1/2,
// e^(-a^2) F(a) to 4, e^(-a^2) G(1/a^2) / (a sqrt(pi)) to 27.3, 0 beyond; a^2
// is split exactly into hi + lo and fed to exp as such.
// e^(-a^2) 2^shift for a <= 27.3 and shift in {0, 600}, a^2 as hi + lo.
HP_MATH_INLINE double exp_minus_square(double a, double shift) {
  double a2_lo;
  double a2 = two_prod(a, a, a2_lo);
  double e;
  double hi = two_sum(-a2, shift * kLn2HiF64, e);  // shift * ln2's high part is exact
  return exp_core(hi, (e - a2_lo) + shift * kLn2LoF64);
}

// erfc(a) 2^shift (shift 0, or 600 for erfinv's subnormal arguments).
HP_MATH_INLINE double erfc_nonnegative(double a, double shift = 0.0) {
  double w = a * a;
  double e;
  double one_minus = two_sum(1.0, -a, e);
  double small = one_minus + (e - a * horner_split(w, w * w, kErfEF64));
  double b = a > 27.3 ? 27.3 : a;
  bool in1 = b >= kErfcLower[1], in2 = b >= kErfcLower[2], in3 = b >= kErfcLower[3],
       in4 = b >= kErfcLower[4];
  auto pick = [&](const double (&c)[kErfcIntervals]) {
    return in4 ? c[4] : in3 ? c[3] : in2 ? c[2] : in1 ? c[1] : c[0];
  };
  double t = b - pick(kErfcCentre);
  auto coefficient = [&](int j) {
    return in4 ? kErfcF[4][j] : in3 ? kErfcF[3][j] : in2 ? kErfcF[2][j] : in1 ? kErfcF[1][j] : kErfcF[0][j];
  };
  double mid = horner_of<16>(t, coefficient);
  double u = 1.0 / w;
  double far = horner_split(u, u * u, kErfcG) * (kInvSqrtPi / b);
  double large = exp_minus_square(b, shift) * (b < 4.0 ? mid : far);
  double result = a < 0.5 ? small : large;
  return a > 27.3 ? 0.0 : result;
}

// erf(y) - x for y >= 0 given x and t = 1 - x, one of which is exact: below
// 1/2 from erf, above as t - erfc(y), so the residual keeps its relative
// accuracy where x is near 1.
// Below t = 2^-900 the residual and the slope are both scaled by 2^600, so that
// erfc(y) and e^(-y^2) stay normal numbers with all their bits.
HP_MATH_INLINE double erf_residual(double y, double x, double t, double shift) {
  return x <= 0.5 ? hp_erf(y) - x : t * pow2(static_cast<i64>(shift)) - erfc_nonnegative(y, shift);
}

// One Halley step on erf(y) - x: with u = f/f', y - u / (1 + y u) (f'' = -2y f').
HP_MATH_INLINE double halley_step(double y, double x, double t, double shift) {
  double f = erf_residual(y, x, t, shift);
  double slope = kTwoOverSqrtPi * exp_minus_square(y > 27.3 ? 27.3 : y, shift);
  double u = f / slope;
  return y - u / (1.0 + y * u);
}

// y >= 0 with erf(y) = x, for 0 <= x < 1 given with t = 1 - x (the one above
// 1/2 exact): Giles' guess from w = -log(t (2 - t)) (or, in erfc's far tail, y^2
// ~ L - log(L)/2 with L = -log(t sqrt(pi))), then two Halley steps on
// erf(y) - x.
HP_MATH_INLINE double erfinv_nonnegative(double x, double t) {
  double w = -hp_log(t * (2.0 - t));
  double central = horner(w - 2.5, kGilesCentral);
  double tail = horner(__builtin_sqrt(w) - 3.0, kGilesTail);
  double guess = (w < 5.0 ? central : tail) * x;
  double l = -hp_log(t) - kLogSqrtPi;
  double far = __builtin_sqrt(l - 0.5 * hp_log(l));
  double y = w > 17.0 ? far : guess;
  double shift = t < 0x1p-900 ? 600.0 : 0.0;
  return halley_step(halley_step(y, x, t, shift), x, t, shift);
}

// ---- gammaln ----

// lgamma(x) for x >= -0.25 (inf at 0): x L1(x) - log|x| below 3/4,
// (x-1) L1(x-1) to 3/2, z L2(z) + log((x-1)...(z+2)) with z = x - 2 below 3
// and z = x - floor(x) to 8 (the product a double-double), Stirling's series
// from 8 with log x as a double-double.
HP_MATH_INLINE double lgamma_above_minus_quarter(double x) {
  // below 3/2
  double z1 = x < 0.75 ? x : x - 1.0;
  double near_one =  // + 0.0, not - 0.0: lgamma(1) is +0
      z1 * horner(z1 - 0.25, kLgammaL1) + (x < 0.75 ? -hp_log(__builtin_fabs(x)) : 0.0);
  // 3/2 to 8
  double c = x < 8.0 ? x : 8.0;
  double z2 = c < 3.0 ? c - 2.0 : c - __builtin_floor(c);
  double product = 1.0, product_lo = 0.0;
  for (int j = 1; j <= 5; ++j) {
    double factor = c - j >= 2.0 ? c - j : 1.0;  // exact
    double e;
    double p = two_prod(product, factor, e);
    product_lo = product_lo * factor + e;
    product = p;
  }
  double near_two = z2 * horner(z2 - 0.25, kLgammaL2) + (hp_log(product) + product_lo / product);
  // from 8
  double s = x > 8.0 ? x : 8.0;
  double log_lo;
  double log_hi = log_double_double(s, log_lo);
  double h = s - 0.5;
  // h (log x - 1) as a double-double (log_hi - 1 is exact), h scaled by 2^-600
  // above 2^500 so that Dekker's product (without fma) does not overflow.
  double scale = s > 0x1p500 ? 0x1p-600 : 1.0;
  double m_lo;
  double m = two_prod(h * scale, log_hi - 1.0, m_lo) / scale;
  m_lo /= scale;
  double v = 1.0 / s;
  double u = v * v;
  double series = v * horner_split(u, u * u, kStirling);
  double stirling = m + (m_lo + h * log_lo + kStirlingCLo + kStirlingC + series);
  stirling = m == __builtin_inf() || s == __builtin_inf() ? __builtin_inf() : stirling;
  double value = x < 1.5 ? near_one : x < 8.0 ? near_two : stirling;
  return x != x ? x : value;
}

// ---- psi ----

// psi(x) for x > 0 (nan and inf pass): y in [1, 2) from x by one step up
// (below 1, with y's rounding error carried) or steps down (from 2 to 10),
// psi(y) = (y - x0) Q(y - 1.5); the asymptotic series from 10.
HP_MATH_INLINE double psi_positive(double x) {
  double up = x + 1.0;
  double up_lo = x - (up - 1.0);  // exact below 1
  double y = x < 1.0 ? up : x < 2.0 ? x : x - (__builtin_floor(x < 10.0 ? x : 10.0) - 1.0);
  double q = horner(y - 1.5, kPsiQ);
  double base = ((y - kPsiRootHi) - kPsiRootLo) * q;  // y - x0_hi is exact
  base += x < 1.0 ? up_lo * (1.0 / (y * y) + 1.0 / (y + 0.5)) : 0.0;  // ~ up_lo psi'(y)
  double steps = 0.0;
  double c = x < 10.0 ? x : 10.0;
  for (int j = 1; j <= 8; ++j) steps += c - j >= 1.0 ? 1.0 / (c - j) : 0.0;
  double below_ten = base + steps - (x < 1.0 ? 1.0 / x : 0.0);
  double s = x > 10.0 ? x : 10.0;
  double v = 1.0 / s;
  double u = v * v;
  double asymptotic = hp_log(s) - (0.5 * v + u * horner_split(u, u * u, kPsiAsymptotic));
  double value = x < 10.0 ? below_ten : asymptotic;
  return x != x ? x : value;
}

// pi cot(pi x) for x not an integer: cot has period 1, so f = x - rint(x)
// (exact, in [-1/2, 1/2]) serves, and cot(pi g) for g in [1/4, 1/2] is
// tan(pi (1/2 - g)), so sin and cos only see [0, pi/4].
HP_MATH_INLINE double pi_cot_pi(double x) {
  double f = x - __builtin_rint(x);
  double g = __builtin_fabs(f);
  double h = g > 0.25 ? 0.5 - g : g;
  double s = sin_quadrant<true>(kPiHi * h, 0), c = sin_quadrant<true>(kPiHi * h, 1);
  double cot = g > 0.25 ? s / c : c / s;
  return kPiHi * __builtin_copysign(cot, f);
}

}  // namespace hp_math_detail

// ---- tan ----

// tan = sin(r)/cos(r) or -cos(r)/sin(r) by quadrant, both double-doubles from
// sin and cos's shared reduction, one corrected division: <= 1 ulp for
// finite x, nan at +-inf.
HP_MATH_INLINE double hp_tan(double x) {
  using namespace hp_math_detail;
  double s, s_lo, c, c_lo;
  u64 quadrant = sin_cos_reduced(x, s, s_lo, c, c_lo);
  bool odd = quadrant & 1;
  double n = odd ? -c : s, n_lo = odd ? -c_lo : s_lo;
  double d = odd ? s : c, d_lo = odd ? s_lo : c_lo;
  double q = n / d;
  double value = q + (exact_remainder(n, q, d) + n_lo - q * d_lo) / d;
  value = __builtin_fabs(x) < __builtin_inf() ? value : __builtin_nan("");
  return __builtin_fabs(x) < 0x1p-27 ? x : value;  // tan(x) rounds to x; keeps -0
}

HP_MATH_INLINE float hp_tan(float x) { return static_cast<float>(hp_tan(static_cast<double>(x))); }

// ---- arcsin, arccos, arctan, arctan2 ----

// asin: a + a^3 S(a^2) to 1/2, pi/2 - 2 asin(sqrt((1-a)/2)) above, in
// double-doubles; nan outside [-1, 1].
HP_MATH_INLINE double hp_arcsin(double x) {
  using namespace hp_math_detail;
  double a = __builtin_fabs(x);
  AsinParts p = asin_parts(a);
  double big_lo;
  double big = add_renormalised(kPio2Hi, -p.twice, kPio2Lo - p.twice_lo, big_lo);
  double value = a <= 0.5 ? p.direct : big;
  return __builtin_copysign(value, x);
}

// acos: pi/2 - asin(x) to 1/2, 2 asin(s) above 1/2, pi - 2 asin(s) below -1/2.
HP_MATH_INLINE double hp_arccos(double x) {
  using namespace hp_math_detail;
  double a = __builtin_fabs(x);
  AsinParts p = asin_parts(a);
  double signed_direct = __builtin_copysign(p.direct, x);
  double signed_direct_lo = __builtin_copysign(p.direct_lo, x);
  double middle_lo, negative_lo;
  double middle = add_renormalised(kPio2Hi, -signed_direct, kPio2Lo - signed_direct_lo, middle_lo);
  double negative = add_renormalised(kPiHi, -p.twice, kPiLo - p.twice_lo, negative_lo);
  return a <= 0.5 ? middle : x > 0.0 ? p.twice : negative;
}

// atan: atan(a) for |x| <= 1, pi/2 - atan(1/a) above, 1/a as a double-double.
HP_MATH_INLINE double hp_arctan(double x) {
  using namespace hp_math_detail;
  double a = __builtin_fabs(x);
  bool invert = a > 1.0;
  double r = 1.0 / a;
  double r_lo = a > 0x1p500 ? 0.0 : exact_remainder(1.0, r, a) / a;  // negligible beyond
  double t_lo;
  double t = atan_unit(invert ? r : a, invert ? r_lo : 0.0, t_lo);
  double reflected = (kPio2Hi - t) + (kPio2Lo - t_lo);  // t <= pi/4: exact difference
  return __builtin_copysign(invert ? reflected : t + t_lo, x);
}

// atan2(y, x): the angle of (|x|, |y|), then pi minus it for x < 0 (or -0),
// signed as y; C99 Annex F's zeros and infinities.
HP_MATH_INLINE double hp_arctan2(double y, double x) {
  using namespace hp_math_detail;
  const double inf = __builtin_inf();
  double ax = __builtin_fabs(x), ay = __builtin_fabs(y);
  bool both_zero = ax == 0.0 && ay == 0.0, both_inf = ax == inf && ay == inf;
  double lo;
  double angle = first_quadrant_angle(both_zero || both_inf ? 1.0 : ax,
                                      both_zero || both_inf ? 1.0 : ay, lo);
  angle = both_zero ? 0.0 : angle;
  lo = both_zero ? 0.0 : lo;
  double left_lo;
  double left = add_renormalised(kPiHi, -angle, kPiLo - lo, left_lo);
  double value = __builtin_signbit(x) ? left : angle + lo;
  value = __builtin_copysign(value, y);
  return (x != x || y != y) ? x + y : value;
}

HP_MATH_INLINE float hp_arcsin(float x) { return static_cast<float>(hp_arcsin(static_cast<double>(x))); }
HP_MATH_INLINE float hp_arccos(float x) { return static_cast<float>(hp_arccos(static_cast<double>(x))); }
HP_MATH_INLINE float hp_arctan(float x) { return static_cast<float>(hp_arctan(static_cast<double>(x))); }
HP_MATH_INLINE float hp_arctan2(float y, float x) {
  return static_cast<float>(hp_arctan2(static_cast<double>(y), static_cast<double>(x)));
}

// ---- sinh, cosh, arcsinh, arccosh, arctanh ----

// sinh: (m + m/(m+1))/2 with m = expm1(|x|) below 22, e^|x|/2 above (scaled
// so that it overflows at sinh's own threshold), sign of x.
HP_MATH_INLINE double hp_sinh(double x) {
  double a = __builtin_fabs(x);
  double z = a * a;
  double small = a + a * z * hp_math_detail::horner_split(z, z * z, hp_math_detail::kSinhTaylor);
  double m = hp_expm1(a < 22.0 ? a : 22.0);
  double moderate = a < 1.0 ? small : 0.5 * (m + m / (m + 1.0));
  double large = hp_math_detail::half_exp(a > 720.0 ? 720.0 : a);
  double value = __builtin_copysign(a < 22.0 ? moderate : large, x);
  return a < 0x1p-28 ? x : value;
}

// cosh: (e + 1/e)/2 with e = e^|x| below 22, e^|x|/2 above.
HP_MATH_INLINE double hp_cosh(double x) {
  double a = __builtin_fabs(x);
  double e = hp_exp(a < 22.0 ? a : 22.0);
  double moderate = 0.5 * e + 0.5 / e;
  double large = hp_math_detail::half_exp(a > 720.0 ? 720.0 : a);
  return a < 22.0 ? moderate : large;
}

// asinh: log1p(a + a^2/(1 + sqrt(1 + a^2))) to 2, log(2a + 1/(a + sqrt(a^2 + 1)))
// to 2^28, log(a) + ln2 above; sign of x.
HP_MATH_INLINE double hp_arcsinh(double x) {
  using namespace hp_math_detail;
  double a = __builtin_fabs(x);
  double a2 = a * a;
  double root = __builtin_sqrt(a2 + 1.0);
  double small = hp_log1p(a + a2 / (1.0 + root));
  double middle = hp_log(2.0 * a + 1.0 / (a + root));
  double large = hp_log(a) + kLn2F64;
  double value = a <= 2.0 ? small : a <= 0x1p28 ? middle : large;
  return a < 0x1p-28 ? x : __builtin_copysign(value, x);
}

// acosh: log1p(t + sqrt(2t + t^2)), t = x - 1 (exact) to 2,
// log(2x - 1/(x + sqrt(x^2 - 1))) to 2^28, log(x) + ln2 above; nan below 1.
HP_MATH_INLINE double hp_arccosh(double x) {
  using namespace hp_math_detail;
  double t = x - 1.0;
  double small = hp_log1p(t + __builtin_sqrt(2.0 * t + t * t));
  double middle = hp_log(2.0 * x - 1.0 / (x + __builtin_sqrt(x * x - 1.0)));
  double large = hp_log(x) + kLn2F64;
  double value = x <= 2.0 ? small : x <= 0x1p28 ? middle : large;
  return x < 1.0 ? __builtin_nan("") : value;
}

// atanh: log1p(2a + 2a^2/(1 - a))/2 below 1/2, log1p(2a/(1 - a))/2 above (1 - a
// exact); atanh(+-1) = +-inf, nan beyond.
HP_MATH_INLINE double hp_arctanh(double x) {
  double a = __builtin_fabs(x);
  double one_minus = 1.0 - a;
  double arg = a < 0.5 ? 2.0 * a + 2.0 * a * a / one_minus : 2.0 * a / one_minus;
  double value = 0.5 * hp_log1p(a > 1.0 ? -2.0 : arg);  // log1p(-2) = nan
  return a < 0x1p-28 ? x : __builtin_copysign(value, x);
}

HP_MATH_INLINE float hp_sinh(float x) { return static_cast<float>(hp_sinh(static_cast<double>(x))); }
HP_MATH_INLINE float hp_cosh(float x) { return static_cast<float>(hp_cosh(static_cast<double>(x))); }
HP_MATH_INLINE float hp_arcsinh(float x) { return static_cast<float>(hp_arcsinh(static_cast<double>(x))); }
HP_MATH_INLINE float hp_arccosh(float x) { return static_cast<float>(hp_arccosh(static_cast<double>(x))); }
HP_MATH_INLINE float hp_arctanh(float x) { return static_cast<float>(hp_arctanh(static_cast<double>(x))); }

// ---- exp2, log2, log10 ----

// 2^x = e^(x ln2) with x ln2 as a double-double fed to exp's kernel: powers
// of two come out exact, overflow and underflow at libm's thresholds.
HP_MATH_INLINE double hp_exp2(double x) {
  using namespace hp_math_detail;
  double c = x > 1030.0 ? 1030.0 : x;
  c = c < -1080.0 ? -1080.0 : c;
  double lo;
  double hi = two_prod(c, kLn2F64, lo);
  return exp_core(hi, lo + c * kLn2TailF64);
}

namespace hp_math_detail {

// log(x) * (scale_hi + scale_lo) with log x as a double-double (rel err
// 2^-66), and log's special cases.
HP_MATH_INLINE double scaled_log(double x, double scale_hi, double scale_lo) {
  double lo;
  double hi = log_double_double(x, lo);
  double p_lo;
  double p = two_prod(hi, scale_hi, p_lo);
  double result = p + (p_lo + (hi * scale_lo + lo * scale_hi));
  result = x == 0.0 ? -__builtin_inf() : result;
  result = x < 0.0 ? __builtin_nan("") : result;
  result = x == __builtin_inf() ? x : result;
  return x != x ? x : result;
}

}  // namespace hp_math_detail

HP_MATH_INLINE double hp_log2(double x) {
  return hp_math_detail::scaled_log(x, hp_math_detail::kInvLn2Hi, hp_math_detail::kInvLn2Lo);
}

HP_MATH_INLINE double hp_log10(double x) {
  return hp_math_detail::scaled_log(x, hp_math_detail::kInvLn10Hi, hp_math_detail::kInvLn10Lo);
}

HP_MATH_INLINE float hp_exp2(float x) { return static_cast<float>(hp_exp2(static_cast<double>(x))); }
HP_MATH_INLINE float hp_log2(float x) { return static_cast<float>(hp_log2(static_cast<double>(x))); }
HP_MATH_INLINE float hp_log10(float x) { return static_cast<float>(hp_log10(static_cast<double>(x))); }

// ---- erfc, erfinv, erfcinv ----

// erfc, accurate in the tail (not 1 - erf): 2 - erfc(|x|) for x < 0.
HP_MATH_INLINE double hp_erfc(double x) {
  double e = hp_math_detail::erfc_nonnegative(__builtin_fabs(x));
  double value = x < 0.0 ? 2.0 - e : e;
  return x != x ? x : value;
}

// erfinv: Giles' guess and two Halley steps (see erfinv_nonnegative);
// erfinv(+-1) = +-inf, nan outside [-1, 1].
HP_MATH_INLINE double hp_erfinv(double x) {
  double a = __builtin_fabs(x);
  double a_safe = a < 1.0 ? a : 0.5;
  double y = hp_math_detail::erfinv_nonnegative(a_safe, 1.0 - a_safe);
  y = a < 0x1p-30 ? a * hp_math_detail::kSqrtPiOver2 : y;
  y = a == 1.0 ? __builtin_inf() : y;
  y = a > 1.0 ? __builtin_nan("") : y;
  return x != x ? x : __builtin_copysign(y, x);
}

// erfcinv(z) = erfinv(1 - z) with t = min(z, 2 - z) kept exact (2 - z is exact
// for z >= 1); erfcinv(0) = inf, erfcinv(2) = -inf, nan outside [0, 2].
HP_MATH_INLINE double hp_erfcinv(double z) {
  double t = z > 1.0 ? 2.0 - z : z;
  double t_safe = t > 0.0 ? t : 0.5;
  double y = hp_math_detail::erfinv_nonnegative(1.0 - t_safe, t_safe);
  y = t == 0.0 ? __builtin_inf() : y;
  y = z == 1.0 ? 0.0 : y;
  y = z > 1.0 ? -y : y;
  y = (z < 0.0 || z > 2.0) ? __builtin_nan("") : y;
  return z != z ? z : y;
}

HP_MATH_INLINE float hp_erfc(float x) { return static_cast<float>(hp_erfc(static_cast<double>(x))); }
HP_MATH_INLINE float hp_erfinv(float x) { return static_cast<float>(hp_erfinv(static_cast<double>(x))); }
HP_MATH_INLINE float hp_erfcinv(float x) { return static_cast<float>(hp_erfcinv(static_cast<double>(x))); }

// ---- gammaln, psi ----

// log|Gamma(x)|: lgamma_above_minus_quarter, and for x < -1/4 the reflection
// log(pi) - log(|sin(pi x)| |x|) - lgamma(-x); inf at 0, the negative integers
// and -inf.
HP_MATH_INLINE double hp_gammaln(double x) {
  using namespace hp_math_detail;
  bool reflect = x < -0.25;
  double positive = lgamma_above_minus_quarter(reflect ? -x : x);
  double g = __builtin_fabs(x - __builtin_rint(x));  // exact, in [0, 1/2]
  double sine = sin_quadrant<true>(kPiHi * g, 0);     // |sin(pi x)|
  double reflected = kLogPi - hp_log(sine * -x) - positive;
  reflected = sine == 0.0 || x == -__builtin_inf() ? __builtin_inf() : reflected;
  return reflect ? reflected : positive;
}

// digamma: psi_positive, and for x < 0 psi(-x) - 1/x - pi cot(pi x);
// nan at 0, the negative integers and -inf (as scipy), inf at inf.
HP_MATH_INLINE double hp_psi(double x) {
  using namespace hp_math_detail;
  bool negative = x < 0.0;
  double positive = psi_positive(negative ? -x : x);
  double reflected = positive - 1.0 / x - pi_cot_pi(x);
  double value = negative ? reflected : positive;
  value = x == __builtin_inf() ? x : value;  // psi(inf) = inf (the series alone gives NaN there)
  // Tiny negative x: psi(x) = -1/x - euler + O(x), and -1/x alone is exact to
  // the last bit; the reflection's terms would overflow to inf - inf = NaN.
  value = negative && x > -0x1p-900 ? -1.0 / x : value;
  return x <= 0.0 && __builtin_floor(x) == x ? __builtin_nan("") : value;
}

HP_MATH_INLINE float hp_gammaln(float x) { return static_cast<float>(hp_gammaln(static_cast<double>(x))); }
HP_MATH_INLINE float hp_psi(float x) { return static_cast<float>(hp_psi(static_cast<double>(x))); }

// ---- hypot, logaddexp ----

// sqrt(a^2 + b^2) without overflow or underflow: both scaled by 2^-600 above
// 2^500 (2^600 below 2^-500), the sum of squares as a double-double and the
// square root corrected once; hypot(+-inf, nan) = inf as C99.
HP_MATH_INLINE double hp_hypot(double a, double b) {
  using namespace hp_math_detail;
  double x = __builtin_fabs(a), y = __builtin_fabs(b);
  double big = x > y ? x : y, small = x > y ? y : x;
  double scale = big > 0x1p500 ? 0x1p-600 : big < 0x1p-500 ? 0x1p600 : 1.0;
  double unscale = big > 0x1p500 ? 0x1p600 : big < 0x1p-500 ? 0x1p-600 : 1.0;
  double p = big * scale, q = small * scale;
  double p2_lo, q2_lo, sum_lo;
  double p2 = two_prod(p, p, p2_lo);
  double q2 = two_prod(q, q, q2_lo);
  double sum = two_sum(p2, q2, sum_lo);
  sum_lo += p2_lo + q2_lo;
  double r = __builtin_sqrt(sum);
  double r_lo;
  double r2 = two_prod(r, r, r_lo);
  double corrected = r + ((sum - r2) - r_lo + sum_lo) / (2.0 * r);
  corrected = sum == 0.0 ? 0.0 : corrected;
  double value = corrected * unscale;
  value = (a != a || b != b) ? a + b : value;
  return (x == __builtin_inf() || y == __builtin_inf()) ? __builtin_inf() : value;
}

// log(e^a + e^b) = max(a, b) + log1p(e^-|a - b|), a - b and e^-|a-b| as
// double-doubles; logaddexp(a, a) = a + ln2 (also for infinities).
HP_MATH_INLINE double hp_logaddexp(double a, double b) {
  using namespace hp_math_detail;
  double d_lo;
  double d = two_sum(a, -b, d_lo);
  double m = a > b ? a : b;
  double n = -__builtin_fabs(d);
  double n_lo = d < 0.0 ? d_lo : -d_lo;
  double c = n < -750.0 ? -750.0 : n;
  double e_lo;
  double e = exp_core(c, c == n ? n_lo : 0.0, e_lo);
  double tail = e < 0x1p-54 ? e : log1p_core(e, e_lo);
  double value = m + tail;
  value = a == b ? a + kLn2F64 : value;
  return (a != a || b != b) ? a + b : value;
}

// float: the squares and their sum are exact or nearly so in float64.
HP_MATH_INLINE float hp_hypot(float a, float b) {
  double x = a, y = b;
  double value = __builtin_sqrt(x * x + y * y);
  bool infinite = __builtin_fabs(x) == __builtin_inf() || __builtin_fabs(y) == __builtin_inf();
  return static_cast<float>(infinite ? __builtin_inf() : value);
}

HP_MATH_INLINE float hp_logaddexp(float a, float b) {
  return static_cast<float>(hp_logaddexp(static_cast<double>(a), static_cast<double>(b)));
}

#undef HP_MATH_INLINE
#undef HP_MATH_HAS_FMA

// ---- end of hypatia math -----------------------------------------------------
