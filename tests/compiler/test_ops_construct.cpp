// Construction and rearrangement: alloc, zeros, ones, full, broadcast_to,
// fill, specify_shape, eye, identity_like, tril, triu, outer, diagonal, diag,
// trace, stack, hstack, vstack, expand_dims, shape_pad*, squeeze, flip, roll,
// tile, repeat, split, swapaxes, moveaxis, addbroadcast. Expected values are
// written by hand (checked against numpy) or computed by naive loops here.
#include <doctest/doctest.h>

#include <cstdint>
#include <hypatia/hypatia.hpp>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace hp = hypatia;

namespace {

std::vector<double> values(const hp::Array& a) { return a.to_vector<double>(); }

/// 0, 1, 2, ... in the given shape, float64.
hp::Array iota(const hp::Shape& shape) {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<double>(i);
  return hp::array(v, shape);
}

}  // namespace

TEST_CASE("alloc, zeros, ones, full and broadcast_to take symbolic and constant sizes") {
  const hp::Var n = hp::scalar("n", hp::int64);
  const hp::Var v = hp::vector("v");
  hp::Function f = hp::compile({n, v}, {hp::zeros({n, 2}), hp::ones({2, n}, hp::int32), hp::full({n}, 7),
                                        hp::full({1, n}, 2.5, hp::float32), hp::alloc(v, {n, 3}),
                                        hp::broadcast_to(hp::dimshuffle(v, {0, hp::newaxis}), {3, n})});
  const std::vector<hp::Array> out = f(hp::Array(std::int64_t{2}), hp::array({1.0, 2.0, 3.0}));
  CHECK(out[0].dtype() == hp::config().floatX);
  CHECK(out[0].shape() == hp::Shape{2, 2});
  CHECK(values(out[0]) == std::vector<double>{0, 0, 0, 0});
  CHECK(out[1].dtype() == hp::int32);
  CHECK(values(out[1]) == std::vector<double>{1, 1, 1, 1});
  CHECK(out[2].dtype() == hp::int64);
  CHECK(values(out[2]) == std::vector<double>{7, 7});
  CHECK(out[3].dtype() == hp::float32);
  CHECK(out[3].shape() == hp::Shape{1, 2});
  CHECK(values(out[3]) == std::vector<double>{2.5, 2.5});
  CHECK(values(out[4]) == std::vector<double>{1, 2, 3, 1, 2, 3});
  CHECK(values(out[5]) == std::vector<double>{1, 1, 2, 2, 3, 3});
  // A constant size 1 makes the axis broadcastable.
  CHECK(hp::zeros({1, n}).broadcastable() == std::vector<bool>{true, false});
}

TEST_CASE("alloc refuses negative sizes, a value that does not fit, and non-integer sizes") {
  const hp::Var n = hp::scalar("n", hp::int64);
  const hp::Var v = hp::vector("v");
  CHECK_THROWS_WITH_AS(hp::zeros({n, 2}).eval({{n, hp::Array(std::int64_t{-1})}}), doctest::Contains("negative"),
                       hp::ShapeError);
  CHECK_THROWS_WITH_AS(hp::alloc(v, {2, 4}).eval({{v, hp::array({1.0, 2.0, 3.0})}}), doctest::Contains("(3,)"),
                       hp::ShapeError);
  CHECK_THROWS_WITH_AS(hp::zeros({hp::scalar("f"), 2}), doctest::Contains("integer scalar"), hp::TypeError);
  CHECK_THROWS_AS(hp::alloc(hp::matrix("m"), {3}), hp::TypeError);
}

TEST_CASE("alloc's gradient sums over the stretched axes") {
  const hp::Var v = hp::vector("v");
  const hp::Var g = hp::grad(hp::sum(hp::alloc(v, {4, 3}) * hp::constant(iota({4, 3}))), v);
  CHECK(values(g.eval({{v, hp::array({1.0, 2.0, 3.0})}})) == std::vector<double>{18, 22, 26});
  CHECK_NOTHROW(hp::verify_grad([](const std::vector<hp::Var>& x) { return hp::alloc(x[0], {2, 3}); },
                                {hp::array({0.5, -1.0, 2.0})}));
}

TEST_CASE("fill takes the model's shape and the value's dtype; specify_shape checks a shape") {
  const hp::Var m = hp::matrix("m");
  const hp::Array filled = hp::fill(m, 3).eval({{m, hp::Array::zeros({2, 2})}});
  CHECK(values(filled) == std::vector<double>{3, 3, 3, 3});
  const hp::Var s = hp::specify_shape(m, {2, 2});
  CHECK(values(s.eval({{m, iota({2, 2})}})) == std::vector<double>{0, 1, 2, 3});
  CHECK_THROWS_WITH_AS(s.eval({{m, iota({2, 3})}}), doctest::Contains("axis 1 must have length 2"),
                       hp::ShapeError);
  CHECK(hp::specify_shape(m, {1, 3}).broadcastable() == std::vector<bool>{true, false});
}

TEST_CASE("eye and identity_like, with offsets and rectangular shapes") {
  const hp::Array e = hp::eye(3).eval();
  CHECK(values(e) == std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  const hp::Array r = hp::eye(2, 4, 1, hp::int8).eval();
  CHECK(r.dtype() == hp::int8);
  CHECK(values(r) == std::vector<double>{0, 1, 0, 0, 0, 0, 1, 0});
  CHECK(values(hp::eye(3, 2, -1).eval()) == std::vector<double>{0, 0, 1, 0, 0, 1});
  const hp::Var m = hp::matrix("m", hp::float32);
  const hp::Array id = hp::identity_like(m).eval({{m, hp::Array::zeros({2, 3}).astype(hp::float32)}});
  CHECK(id.dtype() == hp::float32);
  CHECK(values(id) == std::vector<double>{1, 0, 0, 0, 1, 0});
}

TEST_CASE("tril and triu of a matrix and of a stack of matrices, with offsets, against a naive loop") {
  const hp::Var t = hp::tensor3("t");
  const hp::Array v = iota({2, 3, 4});
  for (int k : {-1, 0, 2}) {
    CAPTURE(k);
    hp::Function f = hp::compile({t}, {hp::tril(t, k), hp::triu(t, k)});
    const std::vector<hp::Array> out = f(v);
    for (std::int64_t b = 0; b < 2; ++b) {
      for (std::int64_t i = 0; i < 3; ++i) {
        for (std::int64_t j = 0; j < 4; ++j) {
          const std::int64_t at = (b * 3 + i) * 4 + j;
          CHECK(out[0].get_flat_double(at) == (j <= i + k ? v.get_flat_double(at) : 0.0));
          CHECK(out[1].get_flat_double(at) == (j >= i + k ? v.get_flat_double(at) : 0.0));
        }
      }
    }
  }
  const hp::Var b = hp::matrix("b", hp::bool_);
  CHECK(hp::tril(b).dtype() == hp::bool_);
  CHECK_THROWS_AS(hp::tril(hp::vector("v")), hp::TypeError);
  CHECK_NOTHROW(hp::verify_grad([](const std::vector<hp::Var>& x) { return hp::triu(x[0], 1); }, {iota({3, 3})}));
}

TEST_CASE("outer flattens its operands") {
  const hp::Var a = hp::vector("a"), m = hp::matrix("m");
  const hp::Array out = hp::outer(a, m).eval({{a, hp::array({1.0, 2.0})}, {m, hp::array({{1.0, 2.0}, {3.0, 4.0}})}});
  CHECK(out.shape() == hp::Shape{2, 4});
  CHECK(values(out) == std::vector<double>{1, 2, 3, 4, 2, 4, 6, 8});
}

TEST_CASE("diagonal, diag and trace with offsets and on other axes, as numpy") {
  const hp::Var m = hp::matrix("m");
  const hp::Array v = iota({3, 4});
  CHECK(values(hp::diagonal(m).eval({{m, v}})) == std::vector<double>{0, 5, 10});
  CHECK(values(hp::diagonal(m, 1).eval({{m, v}})) == std::vector<double>{1, 6, 11});
  CHECK(values(hp::diagonal(m, -1).eval({{m, v}})) == std::vector<double>{4, 9});
  CHECK(hp::diagonal(m, 5).eval({{m, v}}).size() == 0);
  CHECK(values(hp::trace(m).eval({{m, v}})) == std::vector<double>{15});
  CHECK(values(hp::trace(m, 1).eval({{m, v}})) == std::vector<double>{18});
  // numpy: np.arange(24).reshape(2,3,4).diagonal(0, 1, 2) == [[0, 5, 10], [12, 17, 22]]
  const hp::Var t = hp::tensor3("t");
  const hp::Array d = hp::diagonal(t, 0, 1, 2).eval({{t, iota({2, 3, 4})}});
  CHECK(d.shape() == hp::Shape{2, 3});
  CHECK(values(d) == std::vector<double>{0, 5, 10, 12, 17, 22});
  // ... and diagonal(0, 0, 2) == [[0, 13], [4, 17], [8, 21]]: the diagonal goes last.
  const hp::Array d02 = hp::diagonal(t, 0, 0, 2).eval({{t, iota({2, 3, 4})}});
  CHECK(d02.shape() == hp::Shape{3, 2});
  CHECK(values(d02) == std::vector<double>{0, 13, 4, 17, 8, 21});
  const hp::Var x = hp::vector("x");
  const hp::Array dm = hp::diag(x, 1).eval({{x, hp::array({1.0, 2.0})}});
  CHECK(dm.shape() == hp::Shape{3, 3});
  CHECK(values(dm) == std::vector<double>{0, 1, 0, 0, 0, 2, 0, 0, 0});
  CHECK(values(hp::diag(m).eval({{m, v}})) == std::vector<double>{0, 5, 10});
  CHECK_THROWS_AS(hp::diagonal(m, 0, 1, -1), hp::TypeError);
  CHECK_NOTHROW(hp::verify_grad([](const std::vector<hp::Var>& in) { return hp::trace(in[0]) * hp::diag(in[1], -1); },
                                {iota({3, 3}), hp::array({1.0, 2.0})}));
}

TEST_CASE("stack, hstack and vstack") {
  const hp::Var a = hp::vector("a"), b = hp::vector("b");
  const std::vector<std::pair<hp::Var, hp::Array>> given = {{a, hp::array({1.0, 2.0})}, {b, hp::array({3.0, 4.0})}};
  const hp::Array s0 = hp::stack({a, b}).eval(given);
  CHECK(s0.shape() == hp::Shape{2, 2});
  CHECK(values(s0) == std::vector<double>{1, 2, 3, 4});
  const hp::Array s1 = hp::stack({a, b}, -1).eval(given);
  CHECK(values(s1) == std::vector<double>{1, 3, 2, 4});
  CHECK(values(hp::hstack({a, b}).eval(given)) == std::vector<double>{1, 2, 3, 4});
  const hp::Array vs = hp::vstack({a, b}).eval(given);
  CHECK(vs.shape() == hp::Shape{2, 2});
  const hp::Var m = hp::matrix("m");
  const hp::Array hs = hp::hstack({m, m}).eval({{m, iota({2, 1})}});
  CHECK(hs.shape() == hp::Shape{2, 2});
  CHECK(values(hs) == std::vector<double>{0, 0, 1, 1});
  CHECK_THROWS_AS(hp::stack({a, m}), hp::TypeError);
  CHECK_THROWS_AS(hp::stack({}), hp::TypeError);
}

TEST_CASE("expand_dims, shape_padleft/right/axis and squeeze") {
  const hp::Var m = hp::matrix("m");
  CHECK(hp::expand_dims(m, 1).broadcastable() == std::vector<bool>{false, true, false});
  CHECK(hp::expand_dims(m, -1).broadcastable() == std::vector<bool>{false, false, true});
  CHECK(hp::shape_padleft(m, 2).ndim() == 4);
  CHECK(hp::shape_padright(m).broadcastable() == std::vector<bool>{false, false, true});
  CHECK(hp::shape_padaxis(m, 0).broadcastable() == std::vector<bool>{true, false, false});
  const hp::Var r = hp::tensor("r", hp::float64, {true, false, true});
  CHECK(hp::squeeze(r).ndim() == 1);
  // An axis not marked broadcastable is checked when the function runs.
  const hp::Var sq = hp::squeeze(m, {0});
  CHECK(values(sq.eval({{m, iota({1, 3})}})) == std::vector<double>{0, 1, 2});
  CHECK_THROWS_AS(sq.eval({{m, iota({2, 3})}}), hp::ShapeError);
  CHECK_THROWS_AS(hp::expand_dims(m, 3), hp::TypeError);
}

TEST_CASE("flip and roll, against numpy's values") {
  const hp::Var m = hp::matrix("m");
  const hp::Array v = iota({2, 3});
  CHECK(values(hp::flip(m).eval({{m, v}})) == std::vector<double>{5, 4, 3, 2, 1, 0});
  CHECK(values(hp::flip(m, {1}).eval({{m, v}})) == std::vector<double>{2, 1, 0, 5, 4, 3});
  CHECK(values(hp::roll(m, 1, 1).eval({{m, v}})) == std::vector<double>{2, 0, 1, 5, 3, 4});
  CHECK(values(hp::roll(m, -4, 1).eval({{m, v}})) == std::vector<double>{1, 2, 0, 4, 5, 3});
  CHECK(values(hp::roll(m, 2).eval({{m, v}})) == std::vector<double>{4, 5, 0, 1, 2, 3});
  const hp::Var s = hp::scalar("s", hp::int32);
  const hp::Array rolled = hp::roll(m, s, 0).eval({{m, v}, {s, hp::Array(std::int32_t{3})}});
  CHECK(values(rolled) == std::vector<double>{3, 4, 5, 0, 1, 2});
  CHECK(hp::roll(m, 1, 0).eval({{m, hp::Array::zeros({0, 3})}}).size() == 0);
  CHECK_THROWS_AS(hp::roll(m, 1.5, 0), hp::TypeError);
  CHECK_NOTHROW(hp::verify_grad([](const std::vector<hp::Var>& x) { return hp::roll(hp::flip(x[0]), 1, 1); },
                                {iota({2, 3})}));
}

TEST_CASE("tile and repeat, against numpy's values") {
  const hp::Var m = hp::matrix("m");
  const hp::Array v = iota({2, 2});
  const hp::Array t = hp::tile(m, {2, 1}).eval({{m, v}});
  CHECK(t.shape() == hp::Shape{4, 2});
  CHECK(values(t) == std::vector<double>{0, 1, 2, 3, 0, 1, 2, 3});
  const hp::Array t3 = hp::tile(m, {2, 1, 2}).eval({{m, v}});
  CHECK(t3.shape() == hp::Shape{2, 2, 4});
  CHECK(hp::tile(m, {0, 3}).eval({{m, v}}).shape() == hp::Shape{0, 6});
  const hp::Array r = hp::repeat(m, 2, 1).eval({{m, v}});
  CHECK(values(r) == std::vector<double>{0, 0, 1, 1, 2, 2, 3, 3});
  CHECK(values(hp::repeat(m, 3).eval({{m, v}})) == std::vector<double>{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3});
  const hp::Var n = hp::scalar("n", hp::int64);
  CHECK(hp::repeat(m, n, 0).eval({{m, v}, {n, hp::Array(std::int64_t{0})}}).shape() == hp::Shape{0, 2});
  CHECK_THROWS_AS(hp::repeat(m, -1, 0), hp::TypeError);
  CHECK_THROWS_AS(hp::tile(m, {-1}), hp::TypeError);
  CHECK_NOTHROW(hp::verify_grad(
      [](const std::vector<hp::Var>& x) { return hp::tile(x[0], {2, 3}) * hp::repeat(hp::repeat(x[0], 2, 0), 3, 1); },
      {iota({2, 2})}));
}

TEST_CASE("split into pieces of given sizes checks that they add up when it runs") {
  const hp::Var m = hp::matrix("m");
  const std::vector<hp::Var> parts = hp::split(m, {1, 2}, 1);
  REQUIRE(parts.size() == 2);
  hp::Function f = hp::compile({m}, parts);
  const std::vector<hp::Array> out = f(iota({2, 3}));
  CHECK(values(out[0]) == std::vector<double>{0, 3});
  CHECK(values(out[1]) == std::vector<double>{1, 2, 4, 5});
  CHECK_THROWS_AS(f(iota({2, 4})), hp::ShapeError);
}

TEST_CASE("swapaxes, moveaxis and addbroadcast") {
  const hp::Var t = hp::tensor3("t");
  const hp::Array v = iota({2, 3, 4});
  CHECK(hp::swapaxes(t, 0, 2).eval({{t, v}}).shape() == hp::Shape{4, 3, 2});
  const hp::Array mv = hp::moveaxis(t, 0, -1).eval({{t, v}});
  CHECK(mv.shape() == hp::Shape{3, 4, 2});
  CHECK(mv.get_flat_double(1) == 12.0);  // t[1, 0, 0]
  const hp::Var m = hp::matrix("m");
  CHECK(hp::addbroadcast(m, {0}).broadcastable() == std::vector<bool>{true, false});
  CHECK_THROWS_AS(hp::addbroadcast(m, {0}).eval({{m, iota({2, 2})}}), hp::ShapeError);
}
