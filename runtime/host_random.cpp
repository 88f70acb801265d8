/// \file hp::random: Philox4x32-10 and the three samplers on top of it, each
/// step spelled out in include/hypatia/random.hpp so that another
/// implementation (tests/runtime/data/host_random_reference.py) gives the
/// same numbers.
///
/// Every value is computed with IEEE-754 double operations only (+ - * /
/// and sqrt, which are correctly rounded) so the bits do not depend on the
/// C library; fused multiply-add is kept out, as it rounds once where the
/// specification rounds twice.
#include "hypatia/random.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "hypatia/error.hpp"
#include "runtime/shapes.hpp"

// No fused multiply-add: it rounds once where the specification rounds twice,
// so machines with FMA (and -march flags that enable it) would give other bits.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace hypatia::random {
namespace {

/// One format for every error raised here: "hp::random::<function>: <what>".
template <class E>
[[noreturn]] void fail(const char* function, const std::string& what) {
  throw E(std::string("hp::random::") + function + ": " + what);
}

void check_shape(const char* function, const Shape& shape) {
  for (std::int64_t d : shape) {
    if (d < 0) {
      fail<ShapeError>(function, "shape " + shapes::str(shape) + " has a negative dimension");
    }
  }
}

void check_float_dtype(const char* function, DType dtype) {
  if (is_float(dtype)) return;
  fail<TypeError>(function,
                  "dtype must be float32 or float64, not " + std::string(dtype_name(dtype)));
}

// --- Philox4x32-10 -----------------------------------------------------------------

using Block = std::array<std::uint32_t, 4>;

/// The multipliers and Weyl increments of Philox4x32 (Random123's philox.h).
constexpr std::uint32_t kMul0 = 0xD2511F53u;
constexpr std::uint32_t kMul1 = 0xCD9E8D57u;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;
constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;
constexpr int kRounds = 10;

/// philox4x32_10(counter, key): ten rounds, the key bumped between them.
Block philox4x32_10(Block x, std::uint32_t key0, std::uint32_t key1) {
  for (int round = 0; round < kRounds; ++round) {
    if (round > 0) {
      key0 += kWeyl0;
      key1 += kWeyl1;
    }
    const std::uint64_t p0 = std::uint64_t{kMul0} * x[0];
    const std::uint64_t p1 = std::uint64_t{kMul1} * x[2];
    x = {static_cast<std::uint32_t>(p1 >> 32) ^ x[1] ^ key0, static_cast<std::uint32_t>(p1),
         static_cast<std::uint32_t>(p0 >> 32) ^ x[3] ^ key1, static_cast<std::uint32_t>(p0)};
  }
  return x;
}

/// The stream of 64-bit words of one seed (see random.hpp for its layout).
class WordStream {
 public:
  explicit WordStream(std::uint64_t seed)
      : key0_(static_cast<std::uint32_t>(seed)), key1_(static_cast<std::uint32_t>(seed >> 32)) {}

  std::uint64_t next() {
    if (half_ == 0) {
      block_ = philox4x32_10(
          {static_cast<std::uint32_t>(counter_), static_cast<std::uint32_t>(counter_ >> 32), 0, 0},
          key0_, key1_);
      ++counter_;
    }
    const std::uint64_t word = block_[2 * half_] | std::uint64_t{block_[2 * half_ + 1]} << 32;
    half_ ^= 1;
    return word;
  }

  /// A double in [0, 1) from the top 53 bits of the next word.
  double next_unit() { return static_cast<double>(next() >> 11) * 0x1p-53; }

 private:
  std::uint32_t key0_;
  std::uint32_t key1_;
  std::uint64_t counter_ = 0;
  Block block_{};
  int half_ = 0;
};

// --- log without libm ----------------------------------------------------------------

/// log(x) for finite x > 0 from the series log(m) = 2 atanh(f), f = (m-1)/(m+1),
/// with m in [sqrt(1/2), sqrt(2)) so that f^2 < 0.0295: eleven terms leave a
/// truncation error below 1e-18. The result is within 3 ulp of glibc's log
/// (measured over 10^7 arguments in (0, 1)); frexp and the constants are
/// exact and the rest is IEEE arithmetic, so it is the same on every machine.
double portable_log(double x) {
  int exponent = 0;
  double m = std::frexp(x, &exponent);  // x = m 2^exponent, m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2;
    --exponent;
  }
  const double f = (m - 1) / (m + 1);
  const double f2 = f * f;
  double series = 0;  // sum of f2^k / (2k + 1), k = 0..11, by Horner's rule
  for (int k = 11; k >= 0; --k) series = series * f2 + 1.0 / (2 * k + 1);
  // ln 2 split so that exponent * kLn2Hi is exact (fdlibm's constants).
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double e = exponent;
  return e * kLn2Hi + (e * kLn2Lo + 2 * f * series);
}

// --- samplers --------------------------------------------------------------------------

/// Fills `out` (contiguous, float32 or float64) with sample(stream) in C order.
template <class Sample>
void fill_floats(Array& out, WordStream& stream, Sample&& sample) {
  const std::int64_t n = out.size();
  if (out.dtype() == DType::Float32) {
    float* p = out.data<float>();
    for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(sample(stream));
    return;
  }
  double* p = out.data<double>();
  for (std::int64_t i = 0; i < n; ++i) p[i] = sample(stream);
}

/// Standard normals by Marsaglia's polar method; the second of each pair is
/// kept for the next call.
class PolarNormal {
 public:
  double operator()(WordStream& stream) {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    while (true) {
      const double u = 2 * stream.next_unit() - 1;
      const double v = 2 * stream.next_unit() - 1;
      const double s = u * u + v * v;
      if (s >= 1 || s == 0) continue;
      const double f = std::sqrt(-2 * portable_log(s) / s);
      spare_ = v * f;
      has_spare_ = true;
      return u * f;
    }
  }

 private:
  double spare_ = 0;
  bool has_spare_ = false;
};

/// An unbiased integer in [0, range) (range >= 1), Lemire's method: the high
/// word of word * range, rejecting the few low words that would bias it.
std::uint64_t bounded(WordStream& stream, std::uint64_t range) {
  unsigned __int128 product = static_cast<unsigned __int128>(stream.next()) * range;
  auto low = static_cast<std::uint64_t>(product);
  if (low < range) {
    const std::uint64_t threshold = (0 - range) % range;  // 2^64 mod range
    while (low < threshold) {
      product = static_cast<unsigned __int128>(stream.next()) * range;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

/// The smallest and largest values of an integer (or bool) dtype.
std::pair<std::int64_t, std::int64_t> integer_range(DType dtype) {
  return visit_dtype(dtype, [](auto tag) -> std::pair<std::int64_t, std::int64_t> {
    using T = decltype(tag);
    return {static_cast<std::int64_t>(std::numeric_limits<T>::min()),
            static_cast<std::int64_t>(std::numeric_limits<T>::max())};
  });
}

/// The shortest text that reads back as v: "0.5", "-1", "inf", "nan".
std::string number(double v) { return fmt::format("{}", v); }

}  // namespace

Array normal(const Shape& shape, double mean, double stddev, std::uint64_t seed, DType dtype) {
  check_shape("normal", shape);
  check_float_dtype("normal", dtype);
  if (!(stddev >= 0)) {
    fail<InvalidValueError>("normal", "stddev must be >= 0, not " + number(stddev));
  }
  Array out(shape, dtype);
  WordStream stream(seed);
  PolarNormal standard;
  fill_floats(out, stream, [&](WordStream& s) { return mean + stddev * standard(s); });
  return out;
}

Array uniform(const Shape& shape, double low, double high, std::uint64_t seed, DType dtype) {
  check_shape("uniform", shape);
  check_float_dtype("uniform", dtype);
  if (!(low < high) || !std::isfinite(high - low)) {
    fail<InvalidValueError>("uniform", "needs finite low < high, not low = " + number(low) +
                                           ", high = " + number(high));
  }
  Array out(shape, dtype);
  WordStream stream(seed);
  fill_floats(out, stream, [&](WordStream& s) { return low + (high - low) * s.next_unit(); });
  if (dtype == DType::Float32) {
    // Rounding to float32 may reach high itself; the largest float below it stands in.
    const auto top = static_cast<float>(high);
    const float below = std::nextafter(top, -std::numeric_limits<float>::infinity());
    float* p = out.data<float>();
    for (std::int64_t i = 0; i < out.size(); ++i) {
      if (p[i] >= top && below >= static_cast<float>(low)) p[i] = below;
    }
  }
  return out;
}

Array integers(const Shape& shape, std::int64_t low, std::int64_t high, std::uint64_t seed,
               DType dtype) {
  check_shape("integers", shape);
  if (is_float(dtype)) {
    fail<TypeError>("integers", "dtype must be an integer dtype or bool, not " +
                                    std::string(dtype_name(dtype)));
  }
  if (low >= high) {
    fail<InvalidValueError>("integers", "needs low < high, not low = " + std::to_string(low) +
                                            ", high = " + std::to_string(high));
  }
  const auto [min, max] = integer_range(dtype);
  if (low < min || high - 1 > max) {
    fail<InvalidValueError>("integers", "[" + std::to_string(low) + ", " + std::to_string(high) +
                                            ") does not fit " + std::string(dtype_name(dtype)) +
                                            " ([" + std::to_string(min) + ", " +
                                            std::to_string(max) + "])");
  }
  // high - low as unsigned: up to 2^64 - 1, which int64 cannot hold.
  const std::uint64_t range = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  Array out(shape, DType::Int64);
  WordStream stream(seed);
  auto* p = out.data<std::int64_t>();
  for (std::int64_t i = 0; i < out.size(); ++i) {
    p[i] = static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + bounded(stream, range));
  }
  return dtype == DType::Int64 ? out : out.astype(dtype);
}

}  // namespace hypatia::random
