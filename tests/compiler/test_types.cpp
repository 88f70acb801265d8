// Tensor types: Theano's string form, numpy's promotion table, and the weak
// typing of C++ numbers (NEP 50).
#include <doctest/doctest.h>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

TEST_CASE("constructors give Theano's type strings") {
  CHECK(hp::scalar("a").type().str() == "TensorType(float64, scalar)");
  CHECK(hp::vector("a").type().str() == "TensorType(float64, vector)");
  CHECK(hp::matrix("a", hp::float32).type().str() == "TensorType(float32, matrix)");
  CHECK(hp::row("a").type().str() == "TensorType(float64, row)");
  CHECK(hp::col("a").type().str() == "TensorType(float64, col)");
  CHECK(hp::tensor3("a", hp::int8).type().str() == "TensorType(int8, tensor3)");
  CHECK(hp::tensor4("a").type().str() == "TensorType(float64, tensor4)");
  CHECK(hp::tensor("a", hp::uint8, {true, false, true}).type().str() ==
        "TensorType(uint8, (True, False, True))");
  CHECK(hp::tensor("a", hp::bool_, {true}).type().str() == "TensorType(bool, (True,))");
}

TEST_CASE("a variable reports its name, dtype, rank and broadcast pattern") {
  hp::Var c = hp::col("c", hp::int16);
  CHECK(c.name() == "c");
  CHECK(c.dtype() == hp::int16);
  CHECK(c.ndim() == 2);
  CHECK(c.broadcastable() == std::vector<bool>{false, true});
  CHECK(c.is_input());
  CHECK_FALSE(c.is_constant());
}

TEST_CASE("new variables take config().floatX") {
  const hp::DType old = hp::config().floatX;
  hp::config().floatX = hp::float32;
  CHECK(hp::matrix("m").dtype() == hp::float32);
  hp::config().set("floatX", "float64");
  CHECK(hp::matrix("m").dtype() == hp::float64);
  hp::config().floatX = old;
}

TEST_CASE("numpy's promotion table") {
  CHECK(hp::upcast(hp::int8, hp::float32) == hp::float32);
  CHECK(hp::upcast(hp::int16, hp::float32) == hp::float32);
  CHECK(hp::upcast(hp::int32, hp::float32) == hp::float64);
  CHECK(hp::upcast(hp::int64, hp::float32) == hp::float64);
  CHECK(hp::upcast(hp::float32, hp::float64) == hp::float64);
  CHECK(hp::upcast(hp::uint8, hp::int8) == hp::int16);
  CHECK(hp::upcast(hp::uint8, hp::int32) == hp::int32);
  CHECK(hp::upcast(hp::int8, hp::int64) == hp::int64);
  CHECK(hp::upcast(hp::bool_, hp::int8) == hp::int8);
  CHECK(hp::upcast(hp::bool_, hp::bool_) == hp::bool_);
}

TEST_CASE("binary operations between tensors promote as numpy") {
  CHECK((hp::vector("a", hp::int8) + hp::vector("b", hp::float32)).dtype() == hp::float32);
  CHECK((hp::vector("a", hp::int32) + hp::vector("b", hp::float32)).dtype() == hp::float64);
  CHECK((hp::vector("a", hp::float32) * hp::vector("b", hp::float64)).dtype() == hp::float64);
  CHECK((hp::vector("a", hp::uint8) - hp::vector("b", hp::int8)).dtype() == hp::int16);
}

TEST_CASE("C++ numbers are weakly typed") {
  hp::Var x32 = hp::vector("x", hp::float32);
  hp::Var i8 = hp::vector("i", hp::int8);
  CHECK((x32 * 0.1).dtype() == hp::float32);
  CHECK((0.1 * x32).dtype() == hp::float32);
  CHECK((i8 + 1).dtype() == hp::int8);
  CHECK((x32 + 1).dtype() == hp::float32);
  CHECK((i8 * 0.5).dtype() == hp::float64);  // a float number with integers gives floatX
  const hp::DType old = hp::config().floatX;
  hp::config().floatX = hp::float32;
  CHECK((i8 * 0.5).dtype() == hp::float32);
  hp::config().floatX = old;
  CHECK((hp::vector("b", hp::bool_) + 1).dtype() == hp::int64);
}

TEST_CASE("floatX is read once, when a node is made: compile and the rewrites never read it again") {
  struct RestoreFloatX {
    hp::DType saved = hp::config().floatX;
    ~RestoreFloatX() { hp::config().floatX = saved; }
  } restore;
  hp::config().floatX = hp::float32;
  const hp::Var i = hp::vector("i", hp::int8);
  const hp::Var n = hp::scalar("n", hp::int8);
  const hp::Var half = i * 0.5 - (-i) * 0.25;  // canonicalize moves the negation: a - (-b) -> a + b
  const hp::Var steps = hp::arange(0, n, 0.5);  // a C++ float with an integer tensor: floatX
  REQUIRE(half.dtype() == hp::float32);
  REQUIRE(steps.dtype() == hp::float32);
  hp::config().floatX = hp::float64;  // later reads would now give float64
  for (const hp::Mode mode : {hp::Mode::FastRun, hp::Mode::FastCompile}) {
    const hp::Function f = hp::compile({i, n}, {half, steps}, {.mode = mode});
    const std::vector<hp::Array> out = f(hp::array<std::int8_t>({2, -4}), hp::Array(std::int8_t{2}));
    CHECK(out[0].dtype() == hp::float32);
    CHECK(out[0].to_vector<float>() == std::vector<float>{1.5f, -3.0f});
    CHECK(out[1].dtype() == hp::float32);
    CHECK(out[1].to_vector<float>() == std::vector<float>{0.0f, 0.5f, 1.0f, 1.5f});
    for (const hp::Var& v : f.optimized_graph()) CHECK(v.dtype() == hp::float32);
  }
}

TEST_CASE("division follows Theano: / is true division, // keeps integers") {
  hp::Var a32 = hp::vector("a", hp::int32);
  hp::Var a8 = hp::vector("b", hp::int8);
  CHECK((a32 / a32).dtype() == hp::float64);
  CHECK((a8 / a8).dtype() == hp::float64);  // floatX, as Theano's TrueDiv
  CHECK(hp::int_div(a32, a32).dtype() == hp::int32);
  CHECK(hp::mod(a8, 3).dtype() == hp::int8);
  CHECK((a32 / 2).eval({{a32, hp::array({7, -7})}}).to_vector<double>() == std::vector<double>{3.5, -3.5});
  CHECK(hp::int_div(a32, 2).eval({{a32, hp::array({7, -7})}}).to_vector<int>() == std::vector<int>{3, -4});
}

TEST_CASE("transcendental functions of integers give floats, comparisons give bool") {
  CHECK(hp::exp(hp::vector("a", hp::int16)).dtype() == hp::float32);
  CHECK(hp::exp(hp::vector("a", hp::int64)).dtype() == hp::float64);
  CHECK((hp::vector("a") < 0).dtype() == hp::bool_);
  CHECK(hp::eq(hp::vector("a", hp::int8), hp::vector("b", hp::int8)).dtype() == hp::bool_);
}

TEST_CASE("booleans: + is logical or, - is refused as in numpy") {
  hp::Var p = hp::vector("p", hp::bool_);
  hp::Var q = hp::vector("q", hp::bool_);
  CHECK((p + q).dtype() == hp::bool_);
  CHECK_THROWS_AS(p - q, hp::TypeError);
  CHECK_THROWS_AS(-p, hp::TypeError);
  hp::Array r = (p + q).eval({{p, hp::array({true, false, false})}, {q, hp::array({true, true, false})}});
  CHECK(r.to_vector<bool>() == std::vector<bool>{true, true, false});
}

TEST_CASE("elementwise results broadcast by the types' patterns") {
  CHECK((hp::matrix("m") + hp::vector("v")).broadcastable() == std::vector<bool>{false, false});
  CHECK((hp::col("c") + hp::row("r")).broadcastable() == std::vector<bool>{false, false});
  CHECK((hp::col("c") + 1.0).broadcastable() == std::vector<bool>{false, true});
  CHECK((hp::scalar("s") * hp::tensor3("t")).ndim() == 3);
}
