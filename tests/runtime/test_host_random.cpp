// hp::random::normal, uniform and integers: golden values from an independent
// implementation (tests/runtime/data/host_random_reference.py, which checks its
// Philox4x32-10 against Random123's known-answer vectors), statistics, seeds,
// dtypes and argument errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/random.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::contains;
using hypatia_test::message_of;

namespace {

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double std_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double sum = 0;
  for (double x : v) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(v.size()));
}

}  // namespace

// --- golden values --------------------------------------------------------------------

TEST_CASE("uniform's first value is Random123's known answer for counter 0, key 0") {
  // philox4x32_10({0, 0, 0, 0}, {0, 0}) = 6627e8d5 e169c58d bc57ac4c 9b00dbd8 (kat_vectors):
  // the first two 64-bit words, and their top 53 bits as doubles in [0, 1).
  const hp::Array u = hp::random::uniform({2});
  CHECK(u.item<double>(0) == static_cast<double>(0xe169c58d6627e8d5ull >> 11) * 0x1p-53);
  CHECK(u.item<double>(1) == static_cast<double>(0x9b00dbd8bc57ac4cull >> 11) * 0x1p-53);
}

TEST_CASE("uniform gives the reference implementation's values exactly") {
  CHECK(hp::random::uniform({4}).to_vector<double>() ==
        std::vector<double>{0.8805201978886142, 0.6054818538799213, 0.36209111566940344,
                            0.037094080749417335});
  // A seed above 2^32 uses both key words.
  CHECK(hp::random::uniform({2, 2}, -2, 3, 0x0123456789abcdefull).to_vector<double>() ==
        std::vector<double>{1.8583899425808021, 0.39295958667141706, -0.3937032454660343,
                            1.488300516497703});
}

TEST_CASE("uniform float32 is the float64 value rounded") {
  const hp::Array u = hp::random::uniform({4}, 0, 1, 5, hp::float32);
  CHECK(u.dtype() == hp::float32);
  CHECK(u.to_vector<float>() == std::vector<float>{0.06970701366662979f, 0.9657269716262817f,
                                                   0.15616416931152344f, 0.11945158988237381f});
}

TEST_CASE("normal gives the reference implementation's values (polar method)") {
  // The reference takes log from libm, Hypatia from its own series: equal to ~1e-15.
  const std::vector<double> z = hp::random::normal({6}).to_vector<double>();
  const std::vector<double> expected = {0.9363929713964901,  0.25957220439568496,
                                        -0.1061672029580497, -0.35636157103372157,
                                        -0.9127828937773328, -1.1539216981664626};
  for (std::size_t i = 0; i < z.size(); ++i)
    CHECK(z[i] == doctest::Approx(expected[i]).epsilon(1e-14));

  const std::vector<double> y = hp::random::normal({5}, 10, 2, 123).to_vector<double>();
  const std::vector<double> shifted = {9.20689116196812, 7.48954955823851, 9.935166802858285,
                                       12.2178573760753, 9.177786803338426};
  for (std::size_t i = 0; i < y.size(); ++i)
    CHECK(y[i] == doctest::Approx(shifted[i]).epsilon(1e-14));
}

TEST_CASE("integers gives the reference implementation's values exactly (Lemire's method)") {
  CHECK(hp::random::integers({10}, -5, 5, 7).to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{2, -5, 2, 4, -5, 3, -3, -4, 4, 0});
  // The widest range, 2^64 - 1 values.
  CHECK(hp::random::integers({3}, std::numeric_limits<std::int64_t>::min(),
                             std::numeric_limits<std::int64_t>::max(), 1)
            .to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{7280647952038102639, 3897208139555152575, 6901147123317216282});
  const hp::Array bytes = hp::random::integers({6}, 0, 256, 9, hp::uint8);
  CHECK(bytes.dtype() == hp::uint8);
  CHECK(bytes.to_vector<int>() == std::vector<int>{136, 197, 126, 115, 133, 96});
}

// --- statistics --------------------------------------------------------------------------

TEST_CASE("100000 normals have the asked mean and standard deviation within 4 sigma") {
  constexpr double kMean = 3.0;
  constexpr double kStd = 2.0;
  constexpr double kN = 100000;
  const std::vector<double> z = hp::random::normal({100000}, kMean, kStd, 2024).to_vector<double>();
  // Standard errors: std / sqrt(n) for the mean, about std / sqrt(2n) for the std.
  CHECK(std::fabs(mean_of(z) - kMean) < 4 * kStd / std::sqrt(kN));
  CHECK(std::fabs(std_of(z) - kStd) < 4 * kStd / std::sqrt(2 * kN));
}

TEST_CASE("100000 uniforms lie in [low, high) with mean (low + high) / 2 within 4 sigma") {
  const std::vector<double> u = hp::random::uniform({100000}, -1, 3, 77).to_vector<double>();
  CHECK(std::all_of(u.begin(), u.end(), [](double x) { return x >= -1 && x < 3; }));
  // The std of U(-1, 3) is 4 / sqrt(12).
  CHECK(std::fabs(mean_of(u) - 1) < 4 * (4 / std::sqrt(12.0)) / std::sqrt(100000.0));
}

TEST_CASE("integers cover [low, high) and never give high") {
  const std::vector<std::int64_t> v =
      hp::random::integers({10000}, -3, 4, 11).to_vector<std::int64_t>();
  const std::set<std::int64_t> seen(v.begin(), v.end());
  CHECK(seen == std::set<std::int64_t>{-3, -2, -1, 0, 1, 2, 3});
}

TEST_CASE("integers over a one-value range give that value") {
  CHECK(hp::random::integers({3}, 5, 6).to_vector<int>() == std::vector<int>{5, 5, 5});
}

TEST_CASE("integers as bool give both values") {
  const hp::Array b = hp::random::integers({64}, 0, 2, 3, hp::bool_);
  CHECK(b.dtype() == hp::bool_);
  const std::vector<bool> v = b.to_vector<bool>();
  CHECK(std::set<bool>(v.begin(), v.end()) == std::set<bool>{false, true});
}

// --- seeds, shapes and dtypes ---------------------------------------------------------------

TEST_CASE("the same seed gives the same array, another seed another one") {
  CHECK(hp::random::normal({3, 4}, 0, 1, 99).to_vector<double>() ==
        hp::random::normal({3, 4}, 0, 1, 99).to_vector<double>());
  CHECK(hp::random::normal({3, 4}, 0, 1, 99).to_vector<double>() !=
        hp::random::normal({3, 4}, 0, 1, 100).to_vector<double>());
  CHECK(hp::random::integers({8}, 0, 1000, 1).to_vector<int>() !=
        hp::random::integers({8}, 0, 1000, 2).to_vector<int>());
}

TEST_CASE("a larger array starts with the values of a smaller one of the same seed") {
  const std::vector<double> small = hp::random::normal({5}, 0, 1, 8).to_vector<double>();
  const std::vector<double> large = hp::random::normal({2, 6}, 0, 1, 8).to_vector<double>();
  CHECK(std::vector<double>(large.begin(), large.begin() + 5) == small);
}

TEST_CASE("normal float32 rounds the float64 values") {
  const hp::Array d = hp::random::normal({7}, 1, 0.5, 4);
  const hp::Array f = hp::random::normal({7}, 1, 0.5, 4, hp::float32);
  CHECK(f.dtype() == hp::float32);
  CHECK(f.shape() == hp::Shape{7});
  for (int i = 0; i < 7; ++i) CHECK(f.item<float>(i) == static_cast<float>(d.item<double>(i)));
}

TEST_CASE("shapes of any rank, 0-d and empty included") {
  CHECK(hp::random::uniform({}).shape() == hp::Shape{});
  CHECK(hp::random::normal({2, 0, 3}).size() == 0);
  CHECK(hp::random::integers({2, 3, 4}, 0, 10).shape() == hp::Shape{2, 3, 4});
}

TEST_CASE("normal with stddev 0 gives the mean") {
  CHECK(hp::random::normal({3}, 1.5, 0).to_vector<double>() == std::vector<double>{1.5, 1.5, 1.5});
}

// --- argument errors ----------------------------------------------------------------------

TEST_CASE("a negative stddev is an InvalidValueError naming it") {
  const std::string msg = message_of<hp::InvalidValueError>([] { hp::random::normal({2}, 0, -1); });
  CHECK(msg == "hp::random::normal: stddev must be >= 0, not -1");
  CHECK(contains(message_of<hp::InvalidValueError>(
                     [] { hp::random::normal({2}, 0, std::numeric_limits<double>::quiet_NaN()); }),
                 "stddev must be >= 0, not nan"));
}

TEST_CASE("uniform and integers need low < high") {
  CHECK(message_of<hp::InvalidValueError>([] { hp::random::uniform({2}, 1, 1); }) ==
        "hp::random::uniform: needs finite low < high, not low = 1, high = 1");
  CHECK(message_of<hp::InvalidValueError>([] { hp::random::integers({2}, 3, 2); }) ==
        "hp::random::integers: needs low < high, not low = 3, high = 2");
}

TEST_CASE("integers outside the dtype's range are refused, naming the dtype") {
  CHECK(message_of<hp::InvalidValueError>([] {
          hp::random::integers({2}, 0, 257, 0, hp::uint8);
        }) == "hp::random::integers: [0, 257) does not fit uint8 ([0, 255])");
  CHECK(contains(
      message_of<hp::InvalidValueError>([] { hp::random::integers({2}, -1, 1, 0, hp::bool_); }),
      "does not fit bool"));
}

TEST_CASE("the wrong dtype kind is a TypeError naming the dtype") {
  CHECK(message_of<hp::TypeError>([] { hp::random::normal({2}, 0, 1, 0, hp::int32); }) ==
        "hp::random::normal: dtype must be float32 or float64, not int32");
  CHECK(message_of<hp::TypeError>([] { hp::random::integers({2}, 0, 5, 0, hp::float64); }) ==
        "hp::random::integers: dtype must be an integer dtype or bool, not float64");
}

TEST_CASE("a negative dimension is a ShapeError naming the shape") {
  CHECK(message_of<hp::ShapeError>([] {
          hp::random::uniform({2, -1});
        }) == "hp::random::uniform: shape (2, -1) has a negative dimension");
}
