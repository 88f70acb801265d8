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
