// matmul (batched, numpy's broadcasting of batch axes), batched_dot and
// tensordot: values against naive triple loops written in this file, shapes
// and errors as numpy's, gradients by verify_grad.
#include <doctest/doctest.h>

#include <cstdint>
#include <hypatia/hypatia.hpp>
#include <random>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace hp = hypatia;

namespace {

hp::Array random_array(const hp::Shape& shape, unsigned seed, hp::DType dtype = hp::float64) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(-4, 4);  // small integers: exact in every dtype
  hp::Array a(shape, dtype);
  for (std::int64_t i = 0; i < a.size(); ++i) a.set_flat_double(i, dist(rng));
  return a;
}

/// The element of x at `index` (one entry per axis), reading along broadcast
/// batch axes at 0 when x has length 1 there.
double at(const hp::Array& x, const std::vector<std::int64_t>& index) {
  std::int64_t flat = 0;
  const int pad = static_cast<int>(index.size()) - x.ndim();
  for (int a = 0; a < x.ndim(); ++a) {
    const std::int64_t i = x.shape()[a] == 1 ? 0 : index[pad + a];
    flat = flat * x.shape()[a] + i;
  }
  return x.get_flat_double(flat);
}

/// numpy.matmul of a (..., n, k) and b (..., k, m) by a naive loop.
hp::Array naive_matmul(const hp::Array& a, const hp::Array& b) {
  const int batch = std::max(a.ndim(), b.ndim()) - 2;
  hp::Shape shape;
  for (int j = 0; j < batch; ++j) {
    const int ja = j - (batch - (a.ndim() - 2)), jb = j - (batch - (b.ndim() - 2));
    const std::int64_t sa = ja >= 0 ? a.shape()[ja] : 1, sb = jb >= 0 ? b.shape()[jb] : 1;
    shape.push_back(std::max(sa, sb));
  }
  const std::int64_t n = a.shape()[a.ndim() - 2], k = a.shape()[a.ndim() - 1], m = b.shape()[b.ndim() - 1];
  shape.push_back(n);
  shape.push_back(m);
  hp::Array out(shape, hp::float64);
  for (std::int64_t flat = 0; flat < out.size(); ++flat) {
    std::vector<std::int64_t> index(shape.size());
    std::int64_t rest = flat;
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
      index[d] = rest % shape[d];
      rest /= shape[d];
    }
    double acc = 0;
    for (std::int64_t p = 0; p < k; ++p) {
      std::vector<std::int64_t> ia(index.begin(), index.end() - 1), ib(index.begin(), index.end() - 2);
      ia.back() = index[index.size() - 2];
      ia.push_back(p);
      ib.push_back(p);
      ib.push_back(index.back());
      acc += at(a, ia) * at(b, ib);
    }
    out.set_flat_double(flat, acc);
  }
  return out;
}

bool same(const hp::Array& got, const hp::Array& expected) {
  if (got.shape() != expected.shape()) return false;
  for (std::int64_t i = 0; i < got.size(); ++i) {
    if (got.get_flat_double(i) != expected.get_flat_double(i)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("matmul of stacks of matrices with batch axes that broadcast, in float64, float32 and int32") {
  for (hp::DType dtype : {hp::float64, hp::float32, hp::int32}) {
    CAPTURE(hp::dtype_name(dtype));
    const hp::Var a = hp::tensor3("a", dtype);
    const hp::Var b = hp::tensor3("b", dtype);
    const hp::Var row = hp::tensor("row", dtype, {true, false, false});  // one matrix for every batch element
    const hp::Var four = hp::tensor("four", dtype, {false, true, false, false});
    hp::Function f = hp::compile({a, b, row, four}, {hp::matmul(a, b), hp::matmul(a, row), hp::matmul(four, b)});
    const hp::Array av = random_array({3, 2, 4}, 1, dtype), bv = random_array({3, 4, 5}, 2, dtype);
    const hp::Array rv = random_array({1, 4, 2}, 3, dtype), fv = random_array({2, 1, 5, 4}, 4, dtype);
    const std::vector<hp::Array> out = f(av, bv, rv, fv);
    CHECK(out[0].dtype() == dtype);
    CHECK(same(out[0], naive_matmul(av, bv)));
    CHECK(same(out[1], naive_matmul(av, rv)));
    CHECK(out[2].shape() == hp::Shape{2, 3, 5, 5});
    CHECK(same(out[2], naive_matmul(fv, bv)));
  }
}

TEST_CASE("matmul with vectors drops their axis; matrices are dot; transposed views and mixed dtypes") {
  const hp::Var t = hp::tensor3("t"), v = hp::vector("v"), m = hp::matrix("m");
  const hp::Array tv = random_array({2, 3, 4}, 5), vv = random_array({4}, 6), wv = random_array({3}, 7);
  const hp::Array tv_v = hp::matmul(t, v).eval({{t, tv}, {v, vv}});
  CHECK(tv_v.shape() == hp::Shape{2, 3});
  const hp::Array expected = naive_matmul(tv, vv.reshape({4, 1}));
  for (std::int64_t i = 0; i < 6; ++i) CHECK(tv_v.get_flat_double(i) == expected.get_flat_double(i));
  const hp::Array v_t = hp::matmul(v, t).eval({{v, wv}, {t, tv}});
  CHECK(v_t.shape() == hp::Shape{2, 4});
  const hp::Array expected_vt = naive_matmul(wv.reshape({1, 3}), tv);
  for (std::int64_t i = 0; i < 8; ++i) CHECK(v_t.get_flat_double(i) == expected_vt.get_flat_double(i));
  // A transposed (non-contiguous) operand, and int8 with float64 (upcast to float64).
  const hp::Var i8 = hp::tensor3("i8", hp::int8);
  const hp::Array sw = hp::matmul(hp::swapaxes(t, 1, 2), hp::cast(t, hp::int8) * 1).eval({{t, tv}});
  CHECK(same(sw, naive_matmul(tv.transpose({0, 2, 1}).contiguous(), tv)));
  const hp::Array mixed = hp::matmul(i8, t).eval({{i8, random_array({2, 4, 3}, 8, hp::int8)}, {t, tv}});
  CHECK(mixed.dtype() == hp::float64);
  CHECK(same(mixed, naive_matmul(random_array({2, 4, 3}, 8), tv)));
  CHECK(same(hp::matmul(m, m).eval({{m, random_array({3, 3}, 9)}}),
             naive_matmul(random_array({3, 3}, 9), random_array({3, 3}, 9))));
}

TEST_CASE("matmul refuses scalars and misaligned or unbroadcastable shapes") {
  const hp::Var a = hp::tensor3("a"), b = hp::tensor3("b");
  CHECK_THROWS_AS(hp::matmul(hp::scalar("s"), a), hp::TypeError);
  CHECK_THROWS_WITH_AS(hp::matmul(a, b).eval({{a, random_array({2, 3, 4}, 1)}, {b, random_array({2, 3, 4}, 2)}}),
                       doctest::Contains("MatMul"), hp::ShapeError);
  CHECK_THROWS_WITH_AS(hp::matmul(a, b).eval({{a, random_array({2, 3, 4}, 1)}, {b, random_array({3, 4, 4}, 2)}}),
                       doctest::Contains("batch axes differ"), hp::ShapeError);
  // Empty batches and empty inner axes: numpy gives empty results and zeros.
  CHECK(hp::matmul(a, b).eval({{a, random_array({0, 3, 4}, 1)}, {b, random_array({0, 4, 2}, 2)}}).shape() ==
        hp::Shape{0, 3, 2});
  const hp::Array zeros = hp::matmul(a, b).eval({{a, random_array({2, 3, 0}, 1)}, {b, random_array({2, 0, 2}, 2)}});
  for (std::int64_t i = 0; i < zeros.size(); ++i) CHECK(zeros.get_flat_double(i) == 0.0);
}

TEST_CASE("batched_dot is Theano's: a[i] . b[i]") {
  const hp::Var a = hp::tensor3("a"), b = hp::tensor3("b"), u = hp::matrix("u"), w = hp::matrix("w");
  const hp::Array av = random_array({4, 2, 3}, 11), bv = random_array({4, 3, 5}, 12);
  CHECK(same(hp::batched_dot(a, b).eval({{a, av}, {b, bv}}), naive_matmul(av, bv)));
  const hp::Array uv = random_array({4, 3}, 13), wv = random_array({4, 3}, 14);
  const hp::Array vv = hp::batched_dot(u, w).eval({{u, uv}, {w, wv}});
  REQUIRE(vv.shape() == hp::Shape{4});
  for (std::int64_t i = 0; i < 4; ++i) {
    double acc = 0;
    for (std::int64_t j = 0; j < 3; ++j) acc += uv.get_flat_double(i * 3 + j) * wv.get_flat_double(i * 3 + j);
    CHECK(vv.get_flat_double(i) == acc);
  }
  const hp::Array mv = hp::batched_dot(u, b).eval({{u, uv}, {b, bv}});
  CHECK(mv.shape() == hp::Shape{4, 5});
  CHECK_THROWS_AS(hp::batched_dot(hp::vector("v"), a), hp::TypeError);
}

TEST_CASE("tensordot over given axes and over the last n, against a naive sum") {
  const hp::Var a = hp::tensor3("a"), b = hp::tensor3("b");
  const hp::Array av = random_array({3, 4, 5}, 21), bv = random_array({4, 3, 2}, 22);
  // np.tensordot(a, b, axes=([1, 0], [0, 1])): (5, 2)
  const hp::Array got = hp::tensordot(a, b, {1, 0}, {0, 1}).eval({{a, av}, {b, bv}});
  REQUIRE(got.shape() == hp::Shape{5, 2});
  for (std::int64_t k = 0; k < 5; ++k) {
    for (std::int64_t l = 0; l < 2; ++l) {
      double acc = 0;
      for (std::int64_t i = 0; i < 3; ++i) {
        for (std::int64_t j = 0; j < 4; ++j) acc += at(av, {i, j, k}) * at(bv, {j, i, l});
      }
      CHECK(got.get_flat_double(k * 2 + l) == acc);
    }
  }
  // The last 2 axes of a with the first 2 of b: (3, 2) . ... a (3,4,5) b (4,5,2)
  const hp::Array cv = random_array({4, 5, 2}, 23);
  const hp::Array two = hp::tensordot(a, b, 2).eval({{a, av}, {b, cv}});
  REQUIRE(two.shape() == hp::Shape{3, 2});
  for (std::int64_t i = 0; i < 3; ++i) {
    for (std::int64_t l = 0; l < 2; ++l) {
      double acc = 0;
      for (std::int64_t j = 0; j < 4; ++j) {
        for (std::int64_t k = 0; k < 5; ++k) acc += at(av, {i, j, k}) * at(cv, {j, k, l});
      }
      CHECK(two.get_flat_double(i * 2 + l) == acc);
    }
  }
  // Summed axes must match one by one, not only in their product.
  CHECK_THROWS_AS(hp::tensordot(a, b, 2).eval({{a, av}, {b, random_array({5, 4, 2}, 24)}}), hp::ShapeError);
  CHECK_THROWS_AS(hp::tensordot(a, b, {0}, {0, 1}), hp::TypeError);
  CHECK_THROWS_AS(hp::tensordot(a, b, {0, 0}, {0, 1}), hp::TypeError);
}

TEST_CASE("verify_grad through matmul with broadcast batch axes, batched_dot and tensordot") {
  using Inputs = std::vector<hp::Var>;
  const hp::Array a = random_array({2, 3, 4}, 31), b = random_array({2, 4, 2}, 32), one = random_array({4, 2}, 33);
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::matmul(x[0], x[1]); }, {a, b}));
  CHECK_NOTHROW(hp::verify_grad(
      [](const Inputs& x) { return hp::matmul(x[0], hp::dimshuffle(x[1], {hp::newaxis, 0, 1})); }, {a, one}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::batched_dot(x[0], x[1]); }, {a, b}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::tensordot(x[0], x[1], {1, 0}, {1, 0}); },
                                {a, random_array({2, 3, 2}, 34)}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::dot(x[0], x[1]); }, {a, one}));
  CHECK_NOTHROW(hp::verify_grad([](const Inputs& x) { return hp::matmul(x[0], x[1]); },
                                {(a * 0.25).astype(hp::float32), (b * 0.25).astype(hp::float32)}));
}

TEST_CASE("tensordot and zeros whose sizes read a broadcastable axis compile: the size folding to 1 keeps the type") {
  // Found by hypatia-fuzz --seed 938: simplify_shapes turned shape(x)[0] of a
  // row into the constant 1, and the reshape's type changed under it.
  const hp::Var r = hp::row("r"), m = hp::matrix("m"), n = hp::matrix("n");
  hp::Function f = hp::compile({r, m, n}, {hp::tensordot(r, m, 1), hp::zeros({hp::shape(r)[0], 2}) + 1,
                                           hp::specify_shape(n, {hp::shape(r)[0], 2})},
                               {.mode = hp::Mode::FastRun});
  const std::vector<hp::Array> out =
      f(hp::array({{1.0, 2.0}}), hp::array({{1.0, 0.0}, {1.0, 1.0}}), hp::array({{3.0, 4.0}}));
  REQUIRE(out.size() == 3);
  CHECK(out[0].to_vector<double>() == std::vector<double>{3, 2});
  CHECK(out[0].shape() == hp::Shape{1, 2});
  CHECK(out[1].to_vector<double>() == std::vector<double>{1, 1});
  CHECK(out[2].to_vector<double>() == std::vector<double>{3, 4});
}
