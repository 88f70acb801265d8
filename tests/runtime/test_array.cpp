// hp::Array: construction, views, element access, conversion, allclose and
// numpy-compatible printing. Expected strings were checked against numpy 2.x.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

#include "hypatia/array.hpp"

namespace hp = hypatia;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

}  // namespace

// --- construction ------------------------------------------------------------------

TEST_CASE("array from a 1-d list is float64 for doubles and int32 for ints") {
  const hp::Array d = hp::array({1.5, 2.5, 3.5});
  CHECK(d.shape() == hp::Shape{3});
  CHECK(d.dtype() == hp::float64);
  CHECK(d.to_vector<double>() == std::vector<double>{1.5, 2.5, 3.5});

  const hp::Array i = hp::array({1, 2, 3});
  CHECK(i.dtype() == hp::int32);
  CHECK(i.to_vector<int>() == std::vector<int>{1, 2, 3});
}

TEST_CASE("array from a 2-d list has shape (rows, cols) in C order") {
  const hp::Array a = hp::array({{1., 2., 3.}, {4., 5., 6.}});
  CHECK(a.shape() == hp::Shape{2, 3});
  CHECK(a.ndim() == 2);
  CHECK(a.size() == 6);
  CHECK(a.dtype() == hp::float64);
  CHECK(a.to_vector<double>() == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(a.strides() == hp::Shape{3, 1});
}

TEST_CASE("array from a 3-d list has shape (blocks, rows, cols)") {
  const hp::Array a = hp::array({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}});
  CHECK(a.shape() == hp::Shape{2, 2, 2});
  CHECK(a.strides() == hp::Shape{4, 2, 1});
  CHECK(a.to_vector<int>() == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});
}

TEST_CASE("array with an explicit dtype converts the values") {
  const hp::Array b = hp::array({{1, 2}, {3, 4}}, hp::float32);
  CHECK(b.dtype() == hp::float32);
  CHECK(b.shape() == hp::Shape{2, 2});
  CHECK(b.to_vector<float>() == std::vector<float>{1.f, 2.f, 3.f, 4.f});
}

TEST_CASE("array of one-element rows is a (n, 1) column") {
  const hp::Array c = hp::array({{10.}, {20.}});
  CHECK(c.shape() == hp::Shape{2, 1});
  CHECK(c.to_vector<double>() == std::vector<double>{10, 20});
}

TEST_CASE("array from a vector is 1-d") {
  const hp::Array v = hp::array(std::vector<double>{1, 2, 3});
  CHECK(v.shape() == hp::Shape{3});
  CHECK(v.dtype() == hp::float64);
  CHECK(v.to_vector<double>() == std::vector<double>{1, 2, 3});
}

TEST_CASE("array from a vector and a shape fills the shape in C order") {
  const hp::Array m = hp::array(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(m.shape() == hp::Shape{2, 3});
  CHECK(m.item<double>(4) == 5.0);

  const hp::Array z = hp::array(std::vector<double>(6), {2, 3});
  CHECK(z.to_vector<double>() == std::vector<double>(6, 0.0));
}

TEST_CASE("array_from_ints keeps int64 values beyond 2^53 exactly") {
  const std::int64_t big = (std::int64_t{1} << 53) + 1;
  const hp::Array a = hp::array_from_ints({big, -big}, {2}, hp::int64);
  CHECK(a.get_flat_int(0) == big);
  CHECK(a.item<std::int64_t>(1) == -big);
}

TEST_CASE("a C++ scalar converts implicitly to a 0-d array of its dtype") {
  const hp::Array s = 3.0;
  CHECK(s.ndim() == 0);
  CHECK(s.shape().empty());
  CHECK(s.size() == 1);
  CHECK(s.dtype() == hp::float64);
  CHECK(s.item<double>() == 3.0);

  const hp::Array i = 3;
  CHECK(i.dtype() == hp::int32);
  CHECK(i.item<int>() == 3);

  const hp::Array f = 0.5f;
  CHECK(f.dtype() == hp::float32);
  const hp::Array b = true;
  CHECK(b.dtype() == hp::bool_);
}

TEST_CASE("a default Array is a 0-d float64 zero") {
  const hp::Array a;
  CHECK(a.ndim() == 0);
  CHECK(a.dtype() == hp::float64);
  CHECK(a.item<double>() == 0.0);
}

TEST_CASE("zeros, ones and full fill every element") {
  const hp::Array z = hp::Array::zeros({2, 3}, hp::int16);
  CHECK(z.dtype() == hp::int16);
  CHECK(z.to_vector<int>() == std::vector<int>(6, 0));

  const hp::Array o = hp::Array::ones({4});
  CHECK(o.dtype() == hp::float64);
  CHECK(o.to_vector<double>() == std::vector<double>(4, 1.0));

  const hp::Array f = hp::Array::full({2, 2}, 7.5, hp::float32);
  CHECK(f.to_vector<float>() == std::vector<float>(4, 7.5f));

  const hp::Array t = hp::Array::full({3}, 2.9, hp::int32);
  CHECK(t.to_vector<int>() == std::vector<int>(3, 2));
}

TEST_CASE("an array with a zero dimension is legal and empty") {
  const hp::Array e = hp::Array::zeros({2, 0});
  CHECK(e.size() == 0);
  CHECK(e.shape() == hp::Shape{2, 0});
  CHECK(e.to_vector<double>().empty());
  CHECK(e.is_contiguous());
  CHECK(e.copy().size() == 0);
}

TEST_CASE("storage is 64-byte aligned") {
  for (const hp::Shape& shape : {hp::Shape{}, hp::Shape{1}, hp::Shape{3, 5}, hp::Shape{0}}) {
    hp::Array a = hp::Array::zeros(shape, hp::int8);
    CHECK(reinterpret_cast<std::uintptr_t>(a.raw_data()) % 64 == 0);
  }
  hp::Array f = hp::Array::zeros({1000}, hp::float32);
  CHECK(reinterpret_cast<std::uintptr_t>(f.data<float>()) % 64 == 0);
}

TEST_CASE("new arrays are zero-filled") {
  const hp::Array a(hp::Shape{3, 4}, hp::float64);
  CHECK(a.to_vector<double>() == std::vector<double>(12, 0.0));
}

TEST_CASE("copies of an Array share storage; copy() does not") {
  hp::Array a = hp::array({1., 2., 3.});
  hp::Array alias = a;
  alias.set_flat_double(0, 9.0);
  CHECK(a.item<double>(0) == 9.0);
  CHECK(alias.shares_storage(a));

  hp::Array deep = a.copy();
  deep.set_flat_double(1, -1.0);
  CHECK(a.item<double>(1) == 2.0);
  CHECK_FALSE(deep.shares_storage(a));
}

// --- bad shapes and allocation --------------------------------------------------

TEST_CASE("a negative dimension is a ShapeError naming the shape") {
  CHECK_THROWS_WITH_AS(hp::Array::zeros({2, -3}), doctest::Contains("(2, -3)"), hp::ShapeError);
}

TEST_CASE("a ragged nested list is a ShapeError") {
  CHECK_THROWS_AS(hp::array({{1., 2.}, {3.}}), hp::ShapeError);
  CHECK_THROWS_AS(hp::array({{{1, 2}, {3, 4}}, {{5, 6}}}), hp::ShapeError);
}

TEST_CASE("data that does not fill the shape is a ShapeError naming both sizes") {
  CHECK_THROWS_WITH_AS(hp::array(std::vector<double>{1, 2, 3, 4, 5}, {2, 3}),
                       doctest::Contains("5 values do not fill shape (2, 3) (size 6)"),
                       hp::ShapeError);
  CHECK_THROWS_AS(hp::array_from_ints({1, 2}, {3}, hp::int32), hp::ShapeError);
}

TEST_CASE("a shape whose size overflows int64 is a ShapeError, not a crash") {
  CHECK_THROWS_AS(hp::Array::zeros({std::int64_t{1} << 40, std::int64_t{1} << 30}), hp::ShapeError);
  CHECK_THROWS_AS(hp::Array::zeros({std::int64_t{1} << 40, std::int64_t{1} << 30}), hp::Error);
  // Zero elements, but the strides would still overflow.
  CHECK_THROWS_AS(hp::Array::zeros({0, std::int64_t{1} << 40, std::int64_t{1} << 30}),
                  hp::ShapeError);
}

TEST_CASE("an allocation that cannot succeed is an hp::Error naming the byte count") {
  // 2^53 bytes (8 PiB) is more than any address space or overcommit allows.
  CHECK_THROWS_WITH_AS(hp::Array::zeros({std::int64_t{1} << 40, std::int64_t{1} << 10}),
                       doctest::Contains("9007199254740992 bytes"), hp::Error);
  // 2^62 float64 elements: the byte count itself overflows.
  CHECK_THROWS_AS(hp::Array::zeros({std::int64_t{1} << 62}), hp::Error);
}

// --- astype and element access ----------------------------------------------------

TEST_CASE("astype converts to a new contiguous array") {
  const hp::Array a = hp::array({{1., 2.}, {3., 4.}});
  const hp::Array t = a.transpose().astype(hp::int64);
  CHECK(t.dtype() == hp::int64);
  CHECK(t.is_contiguous());
  CHECK_FALSE(t.shares_storage(a));
  CHECK(t.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 3, 2, 4});
}

TEST_CASE("astype float to int truncates toward zero") {
  const hp::Array a = hp::array({2.9, -2.9, 0.5, -0.5});
  CHECK(a.astype(hp::int32).to_vector<int>() == std::vector<int>{2, -2, 0, 0});
}

TEST_CASE("astype float to int maps NaN to 0 and saturates infinities and overflow") {
  const hp::Array a = hp::array({kNaN, kInf, -kInf, 1e10, -1e10, 300.0, -5.0});
  CHECK(
      a.astype(hp::int32).to_vector<std::int64_t>() ==
      std::vector<std::int64_t>{0, 2147483647, -2147483648LL, 2147483647, -2147483648LL, 300, -5});
  CHECK(a.astype(hp::uint8).to_vector<int>() == std::vector<int>{0, 255, 0, 255, 0, 255, 0});
  CHECK(a.astype(hp::int64).get_flat_int(1) == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("astype to bool is value != 0, NaN included") {
  const hp::Array a = hp::array({0., 2., -0.5, kNaN});
  CHECK(a.astype(hp::bool_).to_vector<bool>() == std::vector<bool>{false, true, true, true});
}

TEST_CASE("astype between integers wraps like a C++ cast") {
  const hp::Array a = hp::array({300, -1});
  CHECK(a.astype(hp::uint8).to_vector<int>() == std::vector<int>{44, 255});
  CHECK(a.astype(hp::int8).to_vector<int>() == std::vector<int>{44, -1});
}

TEST_CASE("set_flat stores with the same conversion; a bool stores value != 0") {
  hp::Array b = hp::Array::zeros({2}, hp::bool_);
  b.set_flat_double(0, 0.25);
  b.set_flat_int(1, 7);
  CHECK(b.to_vector<int>() == std::vector<int>{1, 1});

  hp::Array i = hp::Array::zeros({1}, hp::int32);
  i.set_flat_double(0, -7.75);
  CHECK(i.item<int>() == -7);
}

TEST_CASE("to_vector converts element types") {
  const hp::Array a = hp::array({1.75, -2.5});
  CHECK(a.to_vector<int>() == std::vector<int>{1, -2});
  CHECK(a.to_vector<float>() == std::vector<float>{1.75f, -2.5f});
}

TEST_CASE("item reads the single element or a flat position, negative from the end") {
  const hp::Array a = hp::array({{1, 2}, {3, 4}});
  CHECK(a.item<int>(0) == 1);
  CHECK(a.item<int>(3) == 4);
  CHECK(a.item<int>(-1) == 4);
  CHECK(hp::array({5.5}).item<double>() == 5.5);
}

TEST_CASE("item out of range or of a non-single array is a ShapeError") {
  const hp::Array a = hp::array({1, 2, 3});
  CHECK_THROWS_AS(a.item<int>(3), hp::ShapeError);
  CHECK_THROWS_AS(a.item<int>(-4), hp::ShapeError);
  CHECK_THROWS_AS(a.item<int>(), hp::ShapeError);
  CHECK_THROWS_AS(a.get_flat_double(3), hp::ShapeError);
}

TEST_CASE("data<T> with the wrong T is a TypeError naming both dtypes") {
  hp::Array a = hp::array({1., 2.});
  CHECK(a.data<double>()[1] == 2.0);
  CHECK_THROWS_WITH_AS(a.data<float>(), doctest::Contains("float64"), hp::TypeError);
  CHECK_THROWS_WITH_AS(a.data<float>(), doctest::Contains("float32"), hp::TypeError);
  const hp::Array& c = a;
  CHECK_THROWS_AS(c.data<int>(), hp::TypeError);
}

// --- views ------------------------------------------------------------------------

TEST_CASE("transpose is a view that shares storage and reads transposed") {
  hp::Array a = hp::array({{1, 2, 3}, {4, 5, 6}});
  hp::Array t = a.transpose();
  CHECK(t.shape() == hp::Shape{3, 2});
  CHECK(t.strides() == hp::Shape{1, 3});
  CHECK(t.shares_storage(a));
  CHECK_FALSE(t.is_contiguous());
  CHECK(t.to_vector<int>() == std::vector<int>{1, 4, 2, 5, 3, 6});
  t.set_flat_int(1, 40);  // t[0, 1] is a[1, 0]
  CHECK(a.item<int>(3) == 40);
}

TEST_CASE("transpose with a permutation reorders axes; a bad one is a ShapeError") {
  const hp::Array a = hp::Array::zeros({2, 3, 4});
  const hp::Array p = a.transpose({1, 2, 0});
  CHECK(p.shape() == hp::Shape{3, 4, 2});
  CHECK(p.strides() == hp::Shape{4, 1, 12});
  CHECK_THROWS_AS(a.transpose({0, 0, 1}), hp::ShapeError);
  CHECK_THROWS_AS(a.transpose({0, 1}), hp::ShapeError);
  CHECK_THROWS_AS(a.transpose({0, 1, 3}), hp::ShapeError);
}

TEST_CASE("slice follows Python start:stop:step") {
  const hp::Array a = hp::array({0, 1, 2, 3, 4, 5});
  CHECK(a.slice(0, 1, 4).to_vector<int>() == std::vector<int>{1, 2, 3});
  CHECK(a.slice(0, 0, 6, 2).to_vector<int>() == std::vector<int>{0, 2, 4});
  CHECK(a.slice(0, -2, 100).to_vector<int>() == std::vector<int>{4, 5});
  CHECK(a.slice(0, 4, 2).size() == 0);
  CHECK(a.slice(0, -100, 2).to_vector<int>() == std::vector<int>{0, 1});
}

TEST_CASE("slice with a negative step is a reversed view") {
  hp::Array a = hp::array({0, 1, 2, 3, 4, 5});
  const std::int64_t kNone = std::numeric_limits<std::int64_t>::min();  // Python's None stop
  hp::Array r = a.slice(0, -1, kNone, -1);
  CHECK(r.to_vector<int>() == std::vector<int>{5, 4, 3, 2, 1, 0});
  CHECK(r.strides() == hp::Shape{-1});
  CHECK(r.shares_storage(a));
  CHECK(a.slice(0, 5, 0, -2).to_vector<int>() == std::vector<int>{5, 3, 1});
  CHECK(a.slice(0, 4, 1, -1).to_vector<int>() == std::vector<int>{4, 3, 2});
  r.set_flat_int(0, 50);
  CHECK(a.item<int>(5) == 50);
}

TEST_CASE("slice on an inner axis or a negative axis keeps the other axes") {
  const hp::Array m = hp::array({{1, 2, 3}, {4, 5, 6}});
  CHECK(m.slice(1, 1, 3).to_vector<int>() == std::vector<int>{2, 3, 5, 6});
  CHECK(m.slice(-1, 0, 1).shape() == hp::Shape{2, 1});
}

TEST_CASE("slice with step 0 is an error; a bad axis is a ShapeError") {
  const hp::Array a = hp::array({1, 2, 3});
  CHECK_THROWS_AS(a.slice(0, 0, 3, 0), hp::Error);
  CHECK_THROWS_AS(a.slice(1, 0, 1), hp::ShapeError);
  CHECK_THROWS_AS(a.slice(-2, 0, 1), hp::ShapeError);
}

TEST_CASE("index drops an axis and shares storage") {
  const hp::Array m = hp::array({{1, 2, 3}, {4, 5, 6}});
  const hp::Array row = m.index(0, 1);
  CHECK(row.shape() == hp::Shape{3});
  CHECK(row.to_vector<int>() == std::vector<int>{4, 5, 6});
  CHECK(row.shares_storage(m));
  CHECK(m.index(1, -1).to_vector<int>() == std::vector<int>{3, 6});
  CHECK(m.index(0, 1).index(0, 2).ndim() == 0);
  CHECK(m.index(0, 1).index(0, 2).item<int>() == 6);
  CHECK_THROWS_AS(m.index(0, 2), hp::ShapeError);
  CHECK_THROWS_AS(m.index(2, 0), hp::ShapeError);
}

TEST_CASE("broadcast_to repeats with stride 0 and shares storage") {
  const hp::Array col = hp::array({{1}, {2}});
  const hp::Array b = col.broadcast_to({3, 2, 4});
  CHECK(b.shape() == hp::Shape{3, 2, 4});
  CHECK(b.strides() == hp::Shape{0, 1, 0});
  CHECK(b.shares_storage(col));
  CHECK(b.to_vector<int>() ==
        std::vector<int>{1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2});
  CHECK(hp::Array(5.0).broadcast_to({2}).to_vector<double>() == std::vector<double>{5, 5});
}

TEST_CASE("broadcast_to an incompatible shape is a ShapeError naming both shapes") {
  const hp::Array a = hp::Array::zeros({2, 3});
  CHECK_THROWS_WITH_AS(a.broadcast_to({3, 3}), doctest::Contains("(2, 3) to (3, 3)"),
                       hp::ShapeError);
  CHECK_THROWS_AS(a.broadcast_to({3}), hp::ShapeError);
}

TEST_CASE("reshape of a contiguous array is a view") {
  const hp::Array a = hp::array({1, 2, 3, 4, 5, 6});
  const hp::Array r = a.reshape({2, 3});
  CHECK(r.shape() == hp::Shape{2, 3});
  CHECK(r.strides() == hp::Shape{3, 1});
  CHECK(r.shares_storage(a));
  CHECK(a.reshape({3, -1}).shape() == hp::Shape{3, 2});
  CHECK(a.reshape({-1}).shape() == hp::Shape{6});
}

TEST_CASE("reshape of a non-contiguous array copies in C order") {
  const hp::Array t = hp::array({{1, 2, 3}, {4, 5, 6}}).transpose();
  const hp::Array r = t.reshape({6});
  CHECK_FALSE(r.shares_storage(t));
  CHECK(r.to_vector<int>() == std::vector<int>{1, 4, 2, 5, 3, 6});
}

TEST_CASE("reshape to a different size or with two -1 is a ShapeError naming both shapes") {
  const hp::Array a = hp::Array::zeros({2, 3});
  CHECK_THROWS_WITH_AS(a.reshape({4, 2}), doctest::Contains("(2, 3)"), hp::ShapeError);
  CHECK_THROWS_WITH_AS(a.reshape({4, 2}), doctest::Contains("(4, 2)"), hp::ShapeError);
  CHECK_THROWS_AS(a.reshape({-1, 4}), hp::ShapeError);
  CHECK_THROWS_AS(a.reshape({-1, -1}), hp::ShapeError);
  CHECK_THROWS_AS(a.reshape({-2, -3}), hp::ShapeError);
}

TEST_CASE("contiguous returns the array itself when already contiguous") {
  const hp::Array a = hp::array({{1, 2}, {3, 4}});
  CHECK(a.contiguous().shares_storage(a));
  const hp::Array c = a.transpose().contiguous();
  CHECK_FALSE(c.shares_storage(a));
  CHECK(c.is_contiguous());
  CHECK(c.to_vector<int>() == std::vector<int>{1, 3, 2, 4});
}

TEST_CASE("a view's data pointer starts at its first element") {
  hp::Array a = hp::array({10, 11, 12, 13});
  hp::Array s = a.slice(0, 2, 4);
  CHECK(s.offset() == 2);
  CHECK(s.data<int>()[0] == 12);
  CHECK(s.storage_index(1) == 3);
}

// --- allclose ---------------------------------------------------------------------

TEST_CASE("allclose uses |a - b| <= atol + rtol * |b|") {
  CHECK(hp::allclose(hp::array({1.0, 2.0}), hp::array({1.0 + 1e-6, 2.0})));
  CHECK_FALSE(hp::allclose(hp::array({1.0}), hp::array({1.001})));
  CHECK(hp::allclose(hp::array({1.0}), hp::array({1.001}), 1e-2));
  CHECK(hp::allclose(hp::array({0.0}), hp::array({1e-9})));
  CHECK_FALSE(hp::allclose(hp::array({0.0}), hp::array({1e-7})));
  CHECK(hp::allclose(hp::array({0.0}), hp::array({1e-7}), 0.0, 1e-6));
}

TEST_CASE("allclose: NaN is never close, equal infinities are") {
  CHECK_FALSE(hp::allclose(hp::array({kNaN}), hp::array({kNaN})));
  CHECK(hp::allclose(hp::array({kInf, -kInf}), hp::array({kInf, -kInf})));
  CHECK_FALSE(hp::allclose(hp::array({kInf}), hp::array({-kInf})));
  CHECK_FALSE(hp::allclose(hp::array({kInf}), hp::array({1e308})));
}

TEST_CASE("allclose broadcasts and compares across dtypes") {
  CHECK(hp::allclose(hp::array({{2., 2.}, {2., 2.}}), hp::Array(2)));
  CHECK(hp::allclose(hp::array({{1, 2}, {3, 4}}, hp::float32), hp::array({{1., 2.}, {3., 4.}})));
  CHECK_FALSE(hp::allclose(hp::array({{1., 2.}, {1., 3.}}), hp::array({1., 2.})));
}

TEST_CASE("allclose of shapes that do not broadcast is a ShapeError") {
  CHECK_THROWS_WITH_AS(hp::allclose(hp::array({1., 2.}), hp::array({1., 2., 3.})),
                       doctest::Contains("(2,) and (3,)"), hp::ShapeError);
}

// --- printing ---------------------------------------------------------------------

TEST_CASE("str of a float64 matrix matches numpy") {
  CHECK(hp::array({{1., 2., 3.}, {4., 5., 6.}}).str() == "[[1. 2. 3.]\n [4. 5. 6.]]");
}

TEST_CASE("operator<< prints str()") {
  std::ostringstream os;
  os << hp::array({{1., 2.}, {3., 4.}});
  CHECK(os.str() == "[[1. 2.]\n [3. 4.]]");
}

TEST_CASE("str pads fractions with spaces so the dots align") {
  CHECK(hp::array({1.5, 2., 3.}).str() == "[1.5 2.  3. ]");
  CHECK(hp::array({0.1, 0.2}).str() == "[0.1 0.2]");
  CHECK(hp::array({-1., 2.5}).str() == "[-1.   2.5]");
  CHECK(hp::array({123456.789, 1000.}).str() == "[123456.789   1000.   ]");
  CHECK(hp::array({-0.0, 1.}).str() == "[-0.  1.]");
}

TEST_CASE("str rounds to 8 fractional digits and trims zeros") {
  CHECK(hp::array({1. / 3., 2. / 3.}).str() == "[0.33333333 0.66666667]");
  CHECK(hp::array({0.1 + 0.2}).str() == "[0.3]");
  CHECK(hp::array({0.00012345678901, 0.1}).str() == "[0.00012346 0.1       ]");
}

TEST_CASE("str of a 0-d float prints like a Python float") {
  CHECK(hp::Array(9.0).str() == "9.0");
  CHECK(hp::Array(0.5).str() == "0.5");
  CHECK(hp::Array(kNaN).str() == "nan");
  CHECK(hp::Array(kInf).str() == "inf");
  CHECK(hp::Array(-kInf).str() == "-inf");
  CHECK(hp::Array(123456789.0).str() == "123456789.0");
  CHECK(hp::Array(1e16).str() == "1e+16");
  CHECK(hp::Array(1e-5).str() == "1e-05");
  CHECK(hp::Array(-0.0).str() == "-0.0");
}

TEST_CASE("str of nan and inf right-aligns them to the common width") {
  CHECK(hp::array({kNaN, kInf, -kInf}).str() == "[ nan  inf -inf]");
  CHECK(hp::array({1.5, kNaN}).str() == "[1.5 nan]");
  CHECK(hp::array({1e-5, kNaN, -kInf}).str() == "[1.e-05    nan   -inf]");
}

TEST_CASE("str switches to scientific notation as numpy does") {
  CHECK(hp::array({1e-5, 1.}).str() == "[1.e-05 1.e+00]");
  CHECK(hp::array({1e-5, 2.5}).str() == "[1.0e-05 2.5e+00]");
  CHECK(hp::array({1e8, 1.}).str() == "[1.e+08 1.e+00]");
  CHECK(hp::array({99999999., 1.}).str() == "[9.9999999e+07 1.0000000e+00]");
  CHECK(hp::array({0., 1e-5}).str() == "[0.e+00 1.e-05]");
  CHECK(hp::array({1.23456789e-5, 1e3}).str() == "[1.23456789e-05 1.00000000e+03]");
  CHECK(hp::array({-1e-5, 1e200}).str() == "[-1.e-005  1.e+200]");
}

TEST_CASE("str stays positional when magnitudes span at most three decades") {
  CHECK(hp::array({1e5, 1.5e5}).str() == "[100000. 150000.]");
  CHECK(hp::array({0., 0.}).str() == "[0. 0.]");
}

TEST_CASE("str of float32 uses the shortest float32 representation") {
  CHECK(hp::array({0.1f}).str() == "[0.1]");
  CHECK(hp::Array(0.1f).str() == "0.1");
  CHECK(hp::array({0.1, 0.25}).astype(hp::float32).str() == "[0.1  0.25]");
}

TEST_CASE("str of float32 switches to scientific from 1e6, as numpy >= 2.3") {
  CHECK(hp::array({2e6, 1.5e6}, hp::float32).str() == "[2.0e+06 1.5e+06]");
  CHECK(hp::array({2e6, 1.5e6}).str() == "[2000000. 1500000.]");
  CHECK(hp::Array(1234567.0f).str() == "1.234567e+06");
  CHECK(hp::Array(1234567.0).str() == "1234567.0");
}

TEST_CASE("str of float32 in scientific pads mantissas with the value's own digits") {
  // float32 4.5031552e-06 is shortest as 4.503155e-06; numpy prints the next exact digit.
  CHECK(hp::array({4.5031552e-06f, 0.12345678f}).str() == "[4.5031552e-06 1.2345678e-01]");
  CHECK(hp::array({0.1f, 1e-5f}).str() == "[1.e-01 1.e-05]");
}

TEST_CASE("str of integers right-aligns to the widest") {
  CHECK(hp::array({1, 20, 3}).str() == "[ 1 20  3]");
  CHECK(hp::array({-5, 10}).str() == "[-5 10]");
  CHECK(hp::Array(3).str() == "3");
  CHECK(hp::array({200, 3}, hp::uint8).str() == "[200   3]");
}

TEST_CASE("str of bools pads True to the width of False") {
  CHECK(hp::array({true, false}).str() == "[ True False]");
  CHECK(hp::array({true, true}).str() == "[ True  True]");
  CHECK(hp::Array(true).str() == "True");
  CHECK(hp::Array(false).str() == "False");
}

TEST_CASE("str of a 3-d array separates blocks with a blank line") {
  CHECK(hp::array({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}).str() ==
        "[[[1 2]\n  [3 4]]\n\n [[5 6]\n  [7 8]]]");
}

TEST_CASE("str of an empty array is []") {
  CHECK(hp::Array::zeros({0}).str() == "[]");
  CHECK(hp::Array::zeros({2, 0}).str() == "[]");
}

TEST_CASE("str of a strided view prints its elements in C order") {
  const hp::Array a = hp::array({{1., 2.}, {3., 4.}});
  CHECK(a.transpose().str() == "[[1. 3.]\n [2. 4.]]");
  CHECK(hp::array({1, 2, 3}).slice(0, 2, -4, -1).str() == "[3 2 1]");
}

TEST_CASE("str wraps rows at 75 characters") {
  std::vector<double> v(30);
  for (int i = 0; i < 30; ++i) v[i] = i;
  CHECK(hp::array(v).str() ==
        "[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n"
        " 18. 19. 20. 21. 22. 23. 24. 25. 26. 27. 28. 29.]");
}

TEST_CASE("str summarises arrays of more than 1000 elements") {
  std::vector<std::int64_t> v(2000);
  for (int i = 0; i < 2000; ++i) v[i] = i;
  CHECK(hp::array_from_ints(v, {2, 1000}, hp::int64).str() ==
        "[[   0    1    2 ...  997  998  999]\n [1000 1001 1002 ... 1997 1998 1999]]");
  std::vector<double> d(1100);
  for (int i = 0; i < 1100; ++i) d[i] = i;
  CHECK(hp::array(d).str() == "[0.000e+00 1.000e+00 2.000e+00 ... 1.097e+03 1.098e+03 1.099e+03]");
}

TEST_CASE("a freed large array's memory serves the next array of its size, even after other sizes filled the cache") {
  {
    std::vector<hp::Array> others;  // about 9 x 64 MiB: more than the cache keeps
    for (int i = 0; i < 9; ++i) others.push_back(hp::Array::uninitialized({(std::int64_t{64} << 20) / 8 + i * 1000}, hp::float64));
  }
  const std::int64_t n = (std::int64_t{100} << 20) / 8;
  {
    hp::Array a = hp::Array::uninitialized({n}, hp::float64);
    double* p = a.data<double>();
    for (std::int64_t i = 0; i < n; i += 512) p[i] = 42.0;
  }
  // Memory fresh from the operating system is zeros; the reused block still holds the pattern.
  hp::Array b = hp::Array::uninitialized({n}, hp::float64);
  CHECK(b.data<double>()[0] == 42.0);
  CHECK(b.data<double>()[n - 512] == 42.0);
}
