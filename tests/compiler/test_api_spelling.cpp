// The spellings a Theano user writes in C++ (issue 17, first part): each
// line here is the natural spelling, compiled and checked as written.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

TEST_CASE("Theano's typed constructors: the prefix letter names the dtype") {
  CHECK(hp::ivector("y").type().str() == "TensorType(int32, vector)");
  CHECK(hp::lvector("y").dtype() == hp::int64);
  CHECK(hp::bscalar("b").dtype() == hp::int8);
  CHECK(hp::wmatrix("w").dtype() == hp::int16);
  CHECK(hp::fmatrix("x").type().str() == "TensorType(float32, matrix)");
  CHECK(hp::dmatrix("x").dtype() == hp::float64);
  CHECK(hp::ftensor4("images").ndim() == 4);
  CHECK(hp::drow("r").broadcastable() == std::vector<bool>{true, false});
  CHECK(hp::icol("c").broadcastable() == std::vector<bool>{false, true});
  CHECK(hp::ftensor3("t").name() == "t");
}

TEST_CASE("hp::shared takes its broadcast pattern as a braced list") {
  hp::Shared b = hp::shared(hp::array({{1.}, {2.}}), "b", {false, true});
  CHECK(b.broadcastable() == std::vector<bool>{false, true});
  hp::Var m = hp::matrix("m");
  const hp::Array sum = hp::compile({m}, {m + b})(hp::array({{1., 2.}, {3., 4.}}))[0];
  CHECK(sum.to_vector<double>() == std::vector<double>{2, 3, 5, 6});
  // A pattern that does not fit the value is refused, as before.
  CHECK_THROWS_AS(hp::shared(hp::array({{1., 2.}}), "bad", {false, true}), hp::Error);
}

TEST_CASE("hp::compile takes its inputs as a std::vector<hp::Var> built in a loop") {
  std::vector<hp::Var> inputs;
  hp::Var total;
  for (int k = 0; k < 3; ++k) {
    std::string name = "x";
    name += std::to_string(k);
    inputs.push_back(hp::scalar(name));
    total = k == 0 ? inputs.back() : total + inputs.back();
  }
  const hp::Function f = hp::compile(inputs, {total});
  CHECK(f(1.0, 2.0, 4.0)[0].item<double>() == 7.0);
  const std::vector<hp::Var>& same = inputs;
  CHECK(hp::compile(same, {total * 2.0})(1.0, 2.0, 4.0)[0].item<double>() == 14.0);
}

TEST_CASE("std::ostream << hp::Var prints pp") {
  hp::Var foo = hp::scalar("foo");
  std::ostringstream out;
  out << hp::pow(foo, 2);
  CHECK(out.str() == hp::pp(hp::pow(foo, 2)));
  CHECK(out.str() == "(foo ** TensorConstant{2})");
}

TEST_CASE("Theano's methods on a variable: x.T(), x.sum(axis), x.mean(), x.reshape, x.astype") {
  hp::Var x = hp::matrix("x");
  const hp::Array a = hp::array({{1., 2., 3.}, {4., 5., 6.}});
  const hp::Function f =
      hp::compile({x}, {x.T(), x.sum(1), x.mean(), x.max(0), x.min(), x.argmax(1), x.reshape({3, 2}), x.flatten(),
                        x.dimshuffle({1, hp::newaxis, 0}), x.astype(hp::int32), x.sum(0, true)});
  const std::vector<hp::Array> r = f(a);
  CHECK(r[0].shape() == hp::Shape{3, 2});
  CHECK(r[0].to_vector<double>() == std::vector<double>{1, 4, 2, 5, 3, 6});
  CHECK(r[1].to_vector<double>() == std::vector<double>{6, 15});
  CHECK(r[2].item<double>() == 3.5);
  CHECK(r[3].to_vector<double>() == std::vector<double>{4, 5, 6});
  CHECK(r[4].item<double>() == 1.0);
  CHECK(r[5].to_vector<std::int64_t>() == std::vector<std::int64_t>{2, 2});
  CHECK(r[6].shape() == hp::Shape{3, 2});
  CHECK(r[7].shape() == hp::Shape{6});
  CHECK(r[8].shape() == hp::Shape{3, 1, 2});
  CHECK(r[9].dtype() == hp::int32);
  CHECK(r[10].shape() == hp::Shape{1, 3});
}

TEST_CASE("set_name names an intermediate result in pp and debugprint") {
  hp::Var z = hp::vector("z");
  hp::Var xent = hp::softplus(-z);
  xent.set_name("xent");
  CHECK(xent.name() == "xent");
  hp::Var copy = xent;
  CHECK(copy.name() == "xent");  // the name belongs to the variable
  CHECK(hp::debugprint(hp::sum(xent)).find("'xent'") != std::string::npos);
  CHECK_THROWS_AS(hp::Var().set_name("nothing"), hp::Error);
}
