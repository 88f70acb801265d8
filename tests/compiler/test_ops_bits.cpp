// Bits and logic: bitwise_and/or/xor, invert (~), logical_not and the shifts,
// against a naive loop in this file over every pair of values of each
// integer dtype (numpy's semantics written out: wrap to the dtype, counts
// outside [0, bits) shift every bit out), and their type rules.
#include <doctest/doctest.h>

#include <cstdint>
#include <hypatia/hypatia.hpp>
#include <limits>
#include <string>
#include <vector>

#include "tests/support/nonfinite.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;

namespace {

/// Every combination of these, so the corners (min, max, -1, 0) meet each other.
template <class T>
std::vector<std::int64_t> corner_values() {
  using L = std::numeric_limits<T>;
  std::vector<std::int64_t> v = {0, 1, 2, 5, 7, 8, 63, 64, 100, L::max(), L::max() - 1};
  if (L::is_signed) v.insert(v.end(), {-1, -2, -7, -8, -64, L::min(), L::min() + 1});
  for (auto& x : v) x = static_cast<std::int64_t>(static_cast<T>(x));  // 100 in int8 is 100; 63/64 fit
  return v;
}

/// numpy's left_shift in T: counts outside [0, bits) give 0.
template <class T>
T naive_shl(T a, std::int64_t b) {
  constexpr int bits = 8 * sizeof(T);
  if (b < 0 || b >= bits) return 0;
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(static_cast<U>(a) << b));
}

/// numpy's right_shift in T: counts outside [0, bits) give 0 or -1.
template <class T>
T naive_shr(T a, std::int64_t b) {
  constexpr int bits = 8 * sizeof(T);
  if (b < 0 || b >= bits) return a < 0 ? T(-1) : T(0);
  return static_cast<T>(a >> b);
}

template <class T>
void check_dtype() {
  const hp::DType dtype = hp::dtype_of<T>();
  CAPTURE(hp::dtype_name(dtype));
  const std::vector<std::int64_t> values = corner_values<T>();
  const std::int64_t n = static_cast<std::int64_t>(values.size());
  std::vector<std::int64_t> av, bv;
  for (std::int64_t a : values) {
    for (std::int64_t b : values) {
      av.push_back(a);
      bv.push_back(b);
    }
  }
  const hp::Array A = hp::array_from_ints(av, {n * n}, dtype);
  const hp::Array B = hp::array_from_ints(bv, {n * n}, dtype);
  const hp::Var a = hp::vector("a", dtype), b = hp::vector("b", dtype);
  hp::Function f = hp::compile({a, b}, {a & b, a | b, a ^ b, ~a, hp::left_shift(a, b), hp::right_shift(a, b),
                                        hp::logical_not(a)});
  const std::vector<hp::Array> out = f(A, B);
  for (std::size_t k = 0; k < 6; ++k) CHECK(out[k].dtype() == dtype);
  CHECK(out[6].dtype() == hp::bool_);
  for (std::int64_t i = 0; i < n * n; ++i) {
    const T x = static_cast<T>(av[i]), y = static_cast<T>(bv[i]);
    CAPTURE(av[i]);
    CAPTURE(bv[i]);
    CHECK(out[0].get_flat_int(i) == static_cast<T>(x & y));
    CHECK(out[1].get_flat_int(i) == static_cast<T>(x | y));
    CHECK(out[2].get_flat_int(i) == static_cast<T>(x ^ y));
    CHECK(out[3].get_flat_int(i) == static_cast<T>(~x));
    CHECK(out[4].get_flat_int(i) == naive_shl<T>(x, bv[i]));
    CHECK(out[5].get_flat_int(i) == naive_shr<T>(x, bv[i]));
    CHECK(out[6].get_flat_int(i) == (x == 0));
  }
}

}  // namespace

TEST_CASE("bitwise ops, invert and shifts on every integer dtype agree with numpy's rules at the corners") {
  check_dtype<std::int8_t>();
  check_dtype<std::uint8_t>();
  check_dtype<std::int16_t>();
  check_dtype<std::int32_t>();
  check_dtype<std::int64_t>();
}

TEST_CASE("on booleans & | ^ are logical and ~ is logical not") {
  const hp::Var p = hp::vector("p", hp::bool_), q = hp::vector("q", hp::bool_);
  const hp::Array P = hp::array({false, false, true, true});
  const hp::Array Q = hp::array({false, true, false, true});
  hp::Function f = hp::compile({p, q}, {p & q, p | q, p ^ q, ~p, hp::invert(q), hp::and_(p, q), hp::or_(p, q),
                                        hp::xor_(p, q), hp::bitwise_not(p)});
  const std::vector<hp::Array> out = f(P, Q);
  const std::vector<std::vector<bool>> expected = {{0, 0, 0, 1}, {0, 1, 1, 1}, {0, 1, 1, 0}, {1, 1, 0, 0},
                                                   {1, 0, 1, 0}, {0, 0, 0, 1}, {0, 1, 1, 1}, {0, 1, 1, 0},
                                                   {1, 1, 0, 0}};
  for (std::size_t k = 0; k < expected.size(); ++k) {
    CAPTURE(k);
    REQUIRE(out[k].dtype() == hp::bool_);
    for (std::int64_t i = 0; i < 4; ++i) CHECK(out[k].get_flat_int(i) == expected[k][i]);
  }
}

TEST_CASE("shifts of booleans give int8; a bool with a C++ integer gives int64, as numpy 2") {
  const hp::Var p = hp::vector("p", hp::bool_);
  CHECK(hp::left_shift(p, p).dtype() == hp::int8);
  CHECK((p & 1).dtype() == hp::int64);
  const hp::Array out = hp::left_shift(p, p).eval({{p, hp::array({false, true})}});
  CHECK(out.get_flat_int(0) == 0);
  CHECK(out.get_flat_int(1) == 2);
}

TEST_CASE("mixed integer dtypes promote as numpy, and a broadcast column works") {
  const hp::Var a = hp::matrix("a", hp::int8);
  const hp::Var b = hp::tensor("b", hp::uint8, {false, true});
  const hp::Var c = a ^ b;
  CHECK(c.dtype() == hp::int16);
  const hp::Array out = c.eval({{a, hp::array({{-1, 2}, {3, -128}}, hp::int8)},
                                {b, hp::array({{255}, {1}}, hp::uint8)}});
  CHECK(out.to_vector<std::int64_t>() == std::vector<std::int64_t>{-1 ^ 255, 2 ^ 255, 3 ^ 1, -128 ^ 1});
}

TEST_CASE("logical_not is x == 0 in any dtype: NaN is true, so its negation is false") {
  const hp::Var x = hp::vector("x");
  const hp::Array out = hypatia_test::eval_nonfinite(hp::logical_not(x), {{x, hp::array({0.0, -0.0, 2.5, std::numeric_limits<double>::quiet_NaN()})}});
  CHECK(out.dtype() == hp::bool_);
  CHECK(out.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 1, 0, 0});
}

TEST_CASE("bitwise ops refuse floats; literals must fit the tensor's dtype; pp shows the operators") {
  const hp::Var x = hp::vector("x"), i = hp::vector("i", hp::int8);
  CHECK(hypatia_test::message_of<hp::TypeError>([&] { (void)(x & x); }).find("integers and booleans") !=
        std::string::npos);
  CHECK(hypatia_test::message_of<hp::TypeError>([&] { (void)hp::left_shift(i, x); }).find("integers only") !=
        std::string::npos);
  CHECK(hypatia_test::message_of<hp::TypeError>([&] { (void)(i | 1.5); }).find("bitwise_or") != std::string::npos);
  CHECK(hypatia_test::message_of<hp::TypeError>([&] { (void)(i & 300); }).find("does not fit") != std::string::npos);
  CHECK(hp::pp(~(i & 3)) == "(~(i & TensorConstant{3}))");
  CHECK(hp::pp(hp::right_shift(i, 1)) == "(i >> TensorConstant{1})");
}

TEST_CASE("no gradient flows through bits: grad of a float through a cast of them is zero") {
  const hp::Var x = hp::vector("x");
  const hp::Var bits = hp::cast(hp::cast(x, hp::int64) & 6, hp::float64);
  const hp::Var g = hp::grad(hp::sum(bits * x), x);
  const hp::Array out = g.eval({{x, hp::array({1.0, 2.0, 7.0})}});
  CHECK(out.to_vector<double>() == std::vector<double>{0.0, 2.0, 6.0});
}
