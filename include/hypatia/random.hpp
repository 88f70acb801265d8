/// \file Seeded random arrays on the host: hp::random::normal, uniform and
/// integers, the same numbers for the same seed on every machine.
///
/// Why not <random>: std::normal_distribution and the uniform distributions
/// are implementation-defined, so the same seed gives other numbers with
/// libstdc++ than with libc++ or MSVC. Every step here is specified instead:
///
/// - Generator: Philox4x32-10 (Salmon et al., "Parallel random numbers: as
///   easy as 1, 2, 3", SC11; the Random123 library). Block k is
///   philox4x32_10(counter = {k mod 2^32, k / 2^32, 0, 0}, key = {seed mod
///   2^32, seed / 2^32}), four 32-bit words x0..x3; the stream of 64-bit words
///   is x0 | x1 << 32, x2 | x3 << 32 of block 0, then of block 1, and so on.
///   Every call starts at block 0 of its seed's stream.
/// - uniform: u = (word >> 11) * 2^-53, in [0, 1); value = low + (high - low) * u.
/// - normal: Marsaglia's polar method. Two words give u = 2 u1 - 1 and
///   v = 2 u2 - 1; when 0 < s = u^2 + v^2 < 1 they give the normals
///   u f and v f with f = sqrt(-2 log(s) / s), in that order, else both
///   are discarded. log is computed by a fixed series (not libm's, whose
///   last bit differs between C libraries); value = mean + stddev * z.
/// - integers: Lemire's multiply-and-reject ("Fast random integer generation
///   in an interval", 2019) on the 64-bit words: unbiased, high excluded.
///
/// float32 results are the float64 values rounded to float32 (uniform's
/// kept below high). The elements fill the array in C order.
#pragma once

#include <cstdint>

#include "hypatia/array.hpp"

namespace hypatia::random {

/// Normal samples of the given mean and standard deviation (stddev >= 0,
/// hp::InvalidValueError otherwise); dtype float32 or float64.
Array normal(const Shape& shape, double mean = 0, double stddev = 1, std::uint64_t seed = 0,
             DType dtype = DType::Float64);

/// Uniform samples in [low, high) (low < high, both finite); dtype float32 or float64.
Array uniform(const Shape& shape, double low = 0, double high = 1, std::uint64_t seed = 0,
              DType dtype = DType::Float64);

/// Integers uniform in [low, high), high excluded as numpy's. low < high, and
/// low and high - 1 must fit `dtype` (an integer dtype, or bool within [0, 2)).
Array integers(const Shape& shape, std::int64_t low, std::int64_t high, std::uint64_t seed = 0,
               DType dtype = DType::Int64);

}  // namespace hypatia::random
