// hp::compile and hp::Function (issue 4): signatures, argument checking and
// conversion, defaults and names, shared variables and their updates, givens,
// modes, profiling and calls from many threads.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "runtime/cpu/jit.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;

namespace {

using hypatia_test::contains;
using hypatia_test::occurrences;

std::vector<double> values(const hp::Array& a) { return a.to_vector<double>(); }

template <class E, class F>
std::string error_message(F&& call) {
  return hypatia_test::message_of<E>(std::forward<F>(call));
}

/// Everything written to std::cerr while `call` runs.
template <class F>
std::string captured_cerr(F&& call) {
  std::ostringstream captured;
  std::streambuf* old = std::cerr.rdbuf(captured.rdbuf());
  try {
    call();
  } catch (...) {
    std::cerr.rdbuf(old);
    throw;
  }
  std::cerr.rdbuf(old);
  return captured.str();
}

constexpr int kThreads = 8;
constexpr int kCallsPerThread = 200;

}  // namespace

// --- calling ------------------------------------------------------------------------------

TEST_CASE("a function returns one array per output, in order") {
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({x}, {x + 1, x * 2, hp::sum(x)});
  std::vector<hp::Array> out = f(hp::array({1., 2., 3.}));
  REQUIRE(out.size() == 3);
  CHECK(values(out[0]) == std::vector<double>{2, 3, 4});
  CHECK(values(out[1]) == std::vector<double>{2, 4, 6});
  CHECK(out[2].item<double>() == 6.0);
}

TEST_CASE("f.one(args...) returns the only output of a function with one, called as f(args...)") {
  hp::Var x = hp::vector("x");
  hp::Var k = hp::scalar("k");
  hp::Function f = hp::compile({x, hp::In(k, hp::Array(10.0))}, {x * k});
  const hp::Array y = f.one(hp::array({1., 2.}), 3);
  CHECK(values(y) == std::vector<double>{3, 6});
  CHECK(values(f.one(std::vector<double>{1, 2})) == std::vector<double>{10, 20});  // k takes its default
}

TEST_CASE("f.one() of a function with several outputs or none is an hp::Error naming it, and runs nothing") {
  hp::Shared calls = hp::shared(hp::Array(0.0), "calls");
  hp::Var x = hp::scalar("x");
  hp::Function pair = hp::compile({x}, {x + 1, x + 2}, {.updates = {{calls, calls + 1}}, .name = "pair"});
  const std::string message = error_message<hp::Error>([&] { pair.one(1.0); });
  CHECK(contains(message, "function 'pair'"));
  CHECK(contains(message, "it has 2"));
  CHECK(calls.get_value().item<double>() == 0.0);  // the update did not run
  hp::Function none = hp::compile({}, {}, {.updates = {{calls, calls + 1}}});
  CHECK(contains(error_message<hp::Error>([&] { none.one(); }), "it has 0"));
  CHECK(calls.get_value().item<double>() == 0.0);
}

TEST_CASE("f(args...) and f.call(vector) give the same results") {
  hp::Var a = hp::scalar("a");
  hp::Var b = hp::scalar("b");
  hp::Function f = hp::compile({a, b}, {a - b});
  CHECK(f(7.0, 2.0)[0].item<double>() == 5.0);
  CHECK(f.call(std::vector<hp::Array>{7.0, 2.0})[0].item<double>() == 5.0);
}

TEST_CASE("arguments may be std::vector and C++ numbers of any arithmetic type") {
  hp::Var v = hp::vector("v");
  hp::Var s = hp::scalar("s");
  hp::Function f = hp::compile({v, s}, {v * s});
  CHECK(values(f(std::vector<double>{1, 2}, 3)[0]) == std::vector<double>{3, 6});
  CHECK(values(f(std::vector<int>{1, 2}, 2.5f)[0]) == std::vector<double>{2.5, 5});
}

TEST_CASE("a function with no inputs and no outputs can be called and returns nothing") {
  hp::Function f = hp::compile({}, {});
  CHECK(f().empty());
}

TEST_CASE("an intermediate variable may be an input: the graph above it is cut") {
  hp::Var x = hp::scalar("x");
  hp::Var y = x * 2;
  hp::Var z = y + 1;
  // x is not needed: y is given directly.
  hp::Function f = hp::compile({y}, {z});
  CHECK(f(10.0)[0].item<double>() == 11.0);
}

// --- argument count and names -----------------------------------------------------------

TEST_CASE("too many arguments is a TypeError giving both counts") {
  hp::Var x = hp::scalar("x");
  hp::Function f = hp::compile({x}, {x * 2});
  const std::string msg = error_message<hp::TypeError>([&] { f(1.0, 2.0); });
  CHECK(contains(msg, "takes 1 argument(s), got 2"));
}

TEST_CASE("too few arguments is a TypeError naming the missing input and its position") {
  hp::Var x = hp::scalar("x");
  hp::Var y = hp::scalar("y");
  hp::Function f = hp::compile({x, y}, {x + y});
  const std::string msg = error_message<hp::TypeError>([&] { f(1.0); });
  CHECK(contains(msg, "input 1 ('y')"));
  CHECK(contains(msg, "missing argument"));
}

TEST_CASE("hp::In(var, default): a missing trailing argument takes its default") {
  hp::Var x = hp::vector("x");
  hp::Var b = hp::vector("b");
  hp::Function f = hp::compile({x, hp::In(b, hp::array({10., 20.}))}, {x + b});
  CHECK(values(f(hp::array({1., 2.}))[0]) == std::vector<double>{11, 22});
  CHECK(values(f(hp::array({1., 2.}), hp::array({100., 200.}))[0]) ==
        std::vector<double>{101, 202});
}

TEST_CASE("a default is converted to the input's type at compile time") {
  hp::Var x = hp::scalar("x", hp::float32);
  hp::Var k = hp::scalar("k", hp::float32);
  hp::Function f = hp::compile({x, hp::In(k, 0.5)}, {x * k});
  hp::Array out = f(3.0)[0];
  CHECK(out.dtype() == hp::float32);
  CHECK(out.item<float>() == 1.5f);
}

TEST_CASE("a default that does not fit the input's type is refused at compile time") {
  hp::Var x = hp::vector("x");
  hp::Var b = hp::vector("b");
  const std::string msg = error_message<hp::TypeError>(
      [&] { hp::compile({x, hp::In(b, hp::array({{1., 2.}}))}, {x + b}); });
  CHECK(contains(msg, "default value of input 'b'"));
}

TEST_CASE("a default is copied at compile time: changing the caller's array later changes nothing") {
  hp::Var x = hp::scalar("x");
  hp::Var b = hp::scalar("b");
  hp::Array b_default = 1.0;
  hp::Function f = hp::compile({x, hp::In(b, b_default)}, {x + b});
  b_default.data<double>()[0] = 100.0;
  CHECK(f(1.0)[0].item<double>() == 2.0);
}

TEST_CASE("arguments can be passed by input name, positional ones first") {
  hp::Var a = hp::scalar("a");
  hp::Var b = hp::scalar("b");
  hp::Var c = hp::scalar("c");
  hp::Function f = hp::compile({a, hp::In(b, 2.0), hp::In(c, 3.0)}, {a * 100 + b * 10 + c});
  CHECK(f.call({{"a", 1.0}})[0].item<double>() == 123.0);
  CHECK(f.call({{"c", 9.0}, {"a", 1.0}})[0].item<double>() == 129.0);
  CHECK(f.call(std::vector<hp::Array>{1.0}, {{"c", 7.0}})[0].item<double>() == 127.0);
}

TEST_CASE("InOptions.name renames an input for calls by name") {
  hp::Var x = hp::scalar("x");
  hp::Var b = hp::scalar("b");
  hp::Function f = hp::compile({x, hp::In(b, 0.0, {.name = "bias"})}, {x + b});
  CHECK(f.call(std::vector<hp::Array>{1.0}, {{"bias", 5.0}})[0].item<double>() == 6.0);
  // The variable's own name no longer calls it.
  CHECK(contains(error_message<hp::TypeError>([&] { f.call({{"b", 5.0}}); }),
                 "no input named 'b'"));
}

TEST_CASE("InOptions.name works without a default, as theano.In(x, name=...)") {
  hp::Var x = hp::scalar("x");
  hp::Function f = hp::compile({hp::In(x, {.name = "value"})}, {x * 3});
  CHECK(f.call({{"value", 2.0}})[0].item<double>() == 6.0);
  CHECK(contains(error_message<hp::TypeError>([&] { f(); }), "input 0 ('value')"));
}

TEST_CASE("a name that several inputs have cannot call any of them: TypeError, as Theano") {
  hp::Var a1 = hp::scalar("a");
  hp::Var a2 = hp::scalar("a");
  hp::Function f = hp::compile({a1, a2}, {a1 - a2});
  CHECK(f(5.0, 3.0)[0].item<double>() == 2.0);
  CHECK(contains(error_message<hp::TypeError>([&] { f.call({{"a", 1.0}}); }), "ambiguous"));
}

TEST_CASE("an argument given both by position and by name is a TypeError") {
  hp::Var a = hp::scalar("a");
  hp::Var b = hp::scalar("b");
  hp::Function f = hp::compile({a, b}, {a + b});
  const std::string msg =
      error_message<hp::TypeError>([&] { f.call(std::vector<hp::Array>{1.0, 2.0}, {{"b", 3.0}}); });
  CHECK(contains(msg, "input 1 ('b')"));
  CHECK(contains(msg, "given twice"));
}

TEST_CASE("an unknown argument name is a TypeError naming it") {
  hp::Var a = hp::scalar("a");
  hp::Function f = hp::compile({a}, {a + 1});
  CHECK(contains(error_message<hp::TypeError>([&] { f.call({{"nope", 1.0}}); }),
                 "no input named 'nope'"));
}

// --- dtype, rank and broadcast checks of arguments ----------------------------------------

TEST_CASE("a float64 array for a float32 input is a TypeError naming the input and its position") {
  hp::Var y = hp::vector("y", hp::float32);
  hp::Var x = hp::vector("x", hp::float32);
  hp::Function f = hp::compile({y, x}, {x + y});
  const std::string msg = error_message<hp::TypeError>(
      [&] { f(hp::array({1., 2.}, hp::float32), hp::array({1., 2.})); });
  CHECK(contains(msg, "input 1 ('x')"));
  CHECK(contains(msg, "float32"));
  CHECK(contains(msg, "float64"));
}

TEST_CASE("with allow_input_downcast a float64 array converts to a float32 input") {
  hp::Var x = hp::vector("x", hp::float32);
  hp::Function f = hp::compile({x}, {x * 2}, {.allow_input_downcast = true});
  hp::Array out = f(hp::array({1.5, 2.25}))[0];
  CHECK(out.dtype() == hp::float32);
  CHECK(out.to_vector<float>() == std::vector<float>{3.0f, 4.5f});
}

TEST_CASE("a narrower dtype is upcast safely: an int32 array into a float64 input") {
  hp::Var x = hp::vector("x", hp::float64);
  hp::Function f = hp::compile({x}, {x / 2});
  hp::Array arg = hp::array({1, 3});
  REQUIRE(arg.dtype() == hp::DType::Int32);
  hp::Array out = f(arg)[0];
  CHECK(out.dtype() == hp::float64);
  CHECK(values(out) == std::vector<double>{0.5, 1.5});
}

TEST_CASE("a C++ double goes into a float32 scalar input, as Theano accepts a Python float") {
  hp::Var x = hp::scalar("x", hp::float32);
  hp::Function f = hp::compile({x}, {x + 1});
  hp::Array out = f(0.25)[0];
  CHECK(out.dtype() == hp::float32);
  CHECK(out.item<float>() == 1.25f);
}

TEST_CASE("a C++ integer goes into an int32 scalar input if it fits, else TypeError") {
  hp::Var n = hp::scalar("n", hp::DType::Int32);
  hp::Function f = hp::compile({n}, {n + 1});
  CHECK(f(std::int64_t{41})[0].item<std::int64_t>() == 42);
  CHECK(contains(error_message<hp::TypeError>([&] { f(std::int64_t{5'000'000'000}); }),
                 "input 0 ('n')"));
}

TEST_CASE("an int64 array for an int32 input is a TypeError") {
  hp::Var n = hp::vector("n", hp::DType::Int32);
  hp::Function f = hp::compile({n}, {n + 1});
  CHECK_THROWS_AS(f(hp::array(std::vector<std::int64_t>{1, 2})), hp::TypeError);
}

TEST_CASE("an argument of the wrong rank is a TypeError naming the input") {
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({x}, {x * 2});
  const std::string msg = error_message<hp::TypeError>([&] { f(hp::array({{1., 2.}})); });
  CHECK(contains(msg, "input 0 ('x')"));
  CHECK(contains(msg, "rank"));
}

TEST_CASE("a broadcastable axis given a size other than 1 is a ShapeError") {
  hp::Var r = hp::row("r");
  hp::Function f = hp::compile({r}, {r * 2});
  CHECK(values(f(hp::array({{1., 2., 3.}}))[0]) == std::vector<double>{2, 4, 6});
  const std::string msg =
      error_message<hp::ShapeError>([&] { f(hp::array({{1., 2.}, {3., 4.}})); });
  CHECK(contains(msg, "input 0 ('r')"));
  CHECK(contains(msg, "(2, 2)"));
}

TEST_CASE("shapes that do not agree at run time are a ShapeError naming both shapes") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::vector("y");
  hp::Function f = hp::compile({x, y}, {x + y});
  const std::string msg =
      error_message<hp::ShapeError>([&] { f(hp::array({1., 2.}), hp::array({1., 2., 3.})); });
  CHECK(contains(msg, "(2,)"));
  CHECK(contains(msg, "(3,)"));
}

TEST_CASE("a dot of unaligned shapes at run time is a ShapeError naming both shapes") {
  hp::Var A = hp::matrix("A");
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({A, x}, {hp::dot(A, x)});
  const std::string msg = error_message<hp::ShapeError>(
      [&] { f(hp::array({{1., 2., 3.}, {4., 5., 6.}}), hp::array({1., 2.})); });
  CHECK(contains(msg, "(2, 3)"));
  CHECK(contains(msg, "(2,)"));
}

// --- compile-time checks of the signature ------------------------------------------------

TEST_CASE("a variable the outputs need but that is not an input is an Error naming it") {
  hp::Var x = hp::scalar("x");
  hp::Var y = hp::scalar("y");
  const std::string msg = error_message<hp::Error>([&] { hp::compile({x}, {x + y}); });
  CHECK(contains(msg, "missing input"));
  CHECK(contains(msg, "'y'"));
}

TEST_CASE("a shared variable listed as an explicit input is a TypeError") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  const std::string msg = error_message<hp::TypeError>([&] { hp::compile({w}, {w * 2}); });
  CHECK(contains(msg, "'w'"));
  CHECK(contains(msg, "shared variable"));
}

TEST_CASE("a constant listed as an explicit input is a TypeError") {
  hp::Var c = hp::constant(hp::Array(2.0), "two");
  hp::Var x = hp::scalar("x");
  CHECK(contains(error_message<hp::TypeError>([&] { hp::compile({x, c}, {x * c}); }), "constant"));
}

TEST_CASE("the same variable listed twice as an input is an Error") {
  hp::Var x = hp::scalar("x");
  CHECK(contains(error_message<hp::Error>([&] { hp::compile({x, x}, {x * 2}); }), "twice"));
}

TEST_CASE("a null hp::Var as input or output is an Error, not a crash") {
  hp::Var x = hp::scalar("x");
  CHECK_THROWS_AS(hp::compile({hp::Var()}, {x}), hp::Error);
  CHECK_THROWS_AS(hp::compile({x}, {hp::Var()}), hp::Error);
}

// --- on_unused_input ------------------------------------------------------------------------

TEST_CASE("on_unused_input defaults to Raise: an unused input is an Error naming it") {
  hp::Var x = hp::scalar("x");
  hp::Var unused = hp::scalar("unused");
  const std::string msg = error_message<hp::Error>([&] { hp::compile({x, unused}, {x * 2}); });
  CHECK(contains(msg, "input 1"));
  CHECK(contains(msg, "'unused'"));
}

TEST_CASE("on_unused_input Warn prints a warning naming the input and compiles") {
  hp::Var x = hp::scalar("x");
  hp::Var unused = hp::scalar("unused");
  std::optional<hp::Function> f;
  const std::string warning = captured_cerr([&] {
    f = hp::compile({x, unused}, {x * 2}, {.on_unused_input = hp::OnUnusedInput::Warn});
  });
  CHECK(contains(warning, "'unused'"));
  REQUIRE(f);
  // The unused input is still an argument.
  CHECK((*f)(3.0, 100.0)[0].item<double>() == 6.0);
}

TEST_CASE("on_unused_input Ignore compiles silently") {
  hp::Var x = hp::scalar("x");
  hp::Var unused = hp::scalar("unused");
  std::optional<hp::Function> f;
  const std::string warning = captured_cerr([&] {
    f = hp::compile({x, unused}, {x * 2}, {.on_unused_input = hp::OnUnusedInput::Ignore});
  });
  CHECK(warning.empty());
  REQUIRE(f);
  CHECK((*f)(3.0, 100.0)[0].item<double>() == 6.0);
}

TEST_CASE("an input used only by an update counts as used") {
  hp::Shared acc = hp::shared(hp::Array(0.0), "acc");
  hp::Var x = hp::scalar("x");
  hp::Function f = hp::compile({x}, {}, {.updates = {{acc, acc + x}}});
  f(2.0);
  f(3.0);
  CHECK(acc.get_value().item<double>() == 5.0);
}

// --- outputs never alias ------------------------------------------------------------------

TEST_CASE("an output that is an input is a copy, not the caller's array") {
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({x}, {x});
  hp::Array arg = hp::array({1., 2.});
  hp::Array out = f(arg)[0];
  CHECK_FALSE(out.shares_storage(arg));
  out.data<double>()[0] = 99.0;
  CHECK(values(arg) == std::vector<double>{1, 2});
}

TEST_CASE("an output that is a shared variable is a copy of its value") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Function f = hp::compile({}, {w});
  hp::Array out = f()[0];
  CHECK_FALSE(out.shares_storage(w.get_value(true)));
  out.data<double>()[0] = 99.0;
  CHECK(values(w.get_value()) == std::vector<double>{1, 2});
  CHECK(values(f()[0]) == std::vector<double>{1, 2});
}

TEST_CASE("an output that is a default value is a copy of it") {
  hp::Var b = hp::vector("b");
  hp::Function f = hp::compile({hp::In(b, hp::array({1., 2.}))}, {b});
  f()[0].data<double>()[0] = 99.0;
  CHECK(values(f()[0]) == std::vector<double>{1, 2});
}

TEST_CASE("an output that is a constant is a copy of it") {
  hp::Function f = hp::compile({}, {hp::constant(hp::array({1., 2.}))});
  f()[0].data<double>()[0] = 99.0;
  CHECK(values(f()[0]) == std::vector<double>{1, 2});
}

TEST_CASE("two identical outputs do not alias each other") {
  hp::Var x = hp::vector("x");
  hp::Var y = x * 2;
  hp::Function f = hp::compile({x}, {y, y, x, x});
  std::vector<hp::Array> out = f(hp::array({1., 2.}));
  CHECK_FALSE(out[0].shares_storage(out[1]));
  CHECK_FALSE(out[2].shares_storage(out[3]));
  out[0].data<double>()[0] = 99.0;
  out[2].data<double>()[0] = 99.0;
  CHECK(values(out[1]) == std::vector<double>{2, 4});
  CHECK(values(out[3]) == std::vector<double>{1, 2});
}

TEST_CASE("an output equal to an update's value does not alias the new shared value") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Var next = w + 1;
  hp::Function f = hp::compile({}, {next}, {.updates = {{w, next}}});
  hp::Array out = f()[0];
  CHECK(values(out) == std::vector<double>{2, 3});
  out.data<double>()[0] = 99.0;
  CHECK(values(w.get_value()) == std::vector<double>{2, 3});
}

// --- shared variables ---------------------------------------------------------------------

TEST_CASE("get_value() is a copy: changing it leaves the shared value alone") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Array copy = w.get_value();
  CHECK_FALSE(copy.shares_storage(w.get_value(true)));
  copy.data<double>()[0] = 99.0;
  CHECK(values(w.get_value()) == std::vector<double>{1, 2});
}

TEST_CASE("get_value(true) is the stored array itself") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  CHECK(w.get_value(true).shares_storage(w.get_value(true)));
}

TEST_CASE("hp::shared copies its value: the caller's array stays the caller's") {
  hp::Array init = hp::array({1., 2.});
  hp::Shared w = hp::shared(init, "w");
  init.data<double>()[0] = 99.0;
  CHECK(values(w.get_value()) == std::vector<double>{1, 2});
}

TEST_CASE("set_value copies the value: changing the caller's array later changes nothing") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Array next = hp::array({3., 4.});
  w.set_value(next);
  next.data<double>()[0] = 99.0;
  CHECK(values(w.get_value()) == std::vector<double>{3, 4});
}

TEST_CASE("set_value refuses another dtype with a TypeError naming the variable") {
  hp::Shared w = hp::shared(hp::array({1.f, 2.f}, hp::float32), "w");
  const std::string msg = error_message<hp::TypeError>([&] { w.set_value(hp::array({1., 2.})); });
  CHECK(contains(msg, "'w'"));
  CHECK(contains(msg, "float64"));
  CHECK(w.get_value().to_vector<float>() == std::vector<float>{1, 2});
}

TEST_CASE("set_value refuses another rank with a TypeError") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  CHECK_THROWS_AS(w.set_value(hp::array({{1., 2.}})), hp::TypeError);
  CHECK(values(w.get_value()) == std::vector<double>{1, 2});
}

TEST_CASE("set_value accepts a new shape of the same rank") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  w.set_value(hp::array({5., 6., 7.}));
  CHECK(w.get_value().shape() == hp::Shape{3});
}

TEST_CASE("set_value on a broadcastable axis refuses a size other than 1 with a ShapeError") {
  hp::Shared r = hp::shared(hp::array({{1., 2.}}), "r", std::vector<bool>{true, false});
  CHECK(r.type().str() == "TensorType(float64, row)");
  CHECK_THROWS_AS(r.set_value(hp::array({{1., 2.}, {3., 4.}})), hp::ShapeError);
  r.set_value(hp::array({{7., 8., 9.}}));
  CHECK(values(r.get_value()) == std::vector<double>{7, 8, 9});
}

TEST_CASE("a function compiled before set_value sees the new value") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Function f = hp::compile({}, {hp::sum(w)});
  CHECK(f()[0].item<double>() == 3.0);
  w.set_value(hp::array({10., 20., 30.}));
  CHECK(f()[0].item<double>() == 60.0);
}

TEST_CASE("a default-constructed hp::Shared cannot be read or set") {
  hp::Shared nothing;
  CHECK_THROWS_AS(nothing.get_value(), hp::Error);
  CHECK_THROWS_AS(nothing.set_value(hp::Array(1.0)), hp::Error);
}

// --- updates --------------------------------------------------------------------------------

TEST_CASE("outputs show the values before the updates") {
  hp::Shared count = hp::shared(hp::Array(std::int64_t{5}), "count");
  hp::Function f = hp::compile({}, {count, count * 10}, {.updates = {{count, count + 1}}});
  std::vector<hp::Array> out = f();
  CHECK(out[0].item<std::int64_t>() == 5);
  CHECK(out[1].item<std::int64_t>() == 50);
  CHECK(count.get_value().item<std::int64_t>() == 6);
}

TEST_CASE("updates are simultaneous: {{a, b}, {b, a}} swaps the two values") {
  hp::Shared a = hp::shared(hp::array({1., 2.}), "a");
  hp::Shared b = hp::shared(hp::array({3., 4.}), "b");
  hp::Function swap = hp::compile({}, {}, {.updates = {{a, b}, {b, a}}});
  swap();
  CHECK(values(a.get_value()) == std::vector<double>{3, 4});
  CHECK(values(b.get_value()) == std::vector<double>{1, 2});
  swap();
  CHECK(values(a.get_value()) == std::vector<double>{1, 2});
  CHECK(values(b.get_value()) == std::vector<double>{3, 4});
}

TEST_CASE("an update replaces the stored array: one borrowed before the call keeps the old value") {
  hp::Shared w = hp::shared(hp::array({1., 2., 3.}), "w");
  hp::Var bumped = hp::inc_subtensor(hp::subtensor(w, {hp::slice(0, 2)}), 10.0);
  hp::Function bump = hp::compile({}, {}, {.updates = {{w, bumped}}});
  const hp::Array before = w.get_value(true);
  bump();
  CHECK(values(before) == std::vector<double>{1, 2, 3});
  CHECK(values(w.get_value()) == std::vector<double>{11, 12, 3});
}

TEST_CASE("an update may change the shape of a shared variable") {
  hp::Shared v = hp::shared(hp::array({1., 2.}), "v");
  hp::Function grow = hp::compile({}, {}, {.updates = {{v, hp::concatenate({v, v})}}});
  grow();
  CHECK(values(v.get_value()) == std::vector<double>{1, 2, 1, 2});
}

TEST_CASE("a call that raises a ShapeError changes no shared variable") {
  hp::Shared a = hp::shared(hp::Array(1.0), "a");
  hp::Shared b = hp::shared(hp::array({1., 2.}), "b");
  hp::Var x = hp::vector("x");
  // a's new value is computed before b's, which fails for a mismatched x.
  hp::Function f = hp::compile({x}, {a * 2}, {.updates = {{a, a + 1}, {b, b + x}}});
  CHECK_THROWS_AS(f(hp::array({1., 2., 3.})), hp::ShapeError);
  CHECK(a.get_value().item<double>() == 1.0);
  CHECK(values(b.get_value()) == std::vector<double>{1, 2});
  f(hp::array({10., 20.}));
  CHECK(a.get_value().item<double>() == 2.0);
  CHECK(values(b.get_value()) == std::vector<double>{11, 22});
}

TEST_CASE("a call that raises in Debug mode (NaN) changes no shared variable") {
  hp::Shared a = hp::shared(hp::Array(1.0), "a");
  hp::Shared b = hp::shared(hp::Array(4.0), "b");
  hp::Var x = hp::scalar("x");
  hp::Function f = hp::compile({x}, {}, {.updates = {{a, a + 1}, {b, hp::log(x)}},
                                         .mode = hp::Mode::Debug});
  CHECK_THROWS_AS(f(-1.0), hp::InvalidValueError);
  CHECK(a.get_value().item<double>() == 1.0);
  CHECK(b.get_value().item<double>() == 4.0);
}

TEST_CASE("a call with a bad argument changes no shared variable") {
  hp::Shared a = hp::shared(hp::Array(1.0), "a");
  hp::Var x = hp::scalar("x");
  hp::Function f = hp::compile({x}, {}, {.updates = {{a, a + x}}});
  CHECK_THROWS_AS(f(hp::array({1., 2.})), hp::TypeError);
  CHECK_THROWS_AS(f(), hp::TypeError);
  CHECK(a.get_value().item<double>() == 1.0);
}

TEST_CASE("an update of another dtype is a compile-time TypeError naming the shared variable") {
  hp::Shared w = hp::shared(hp::array({1.f, 2.f}, hp::float32), "w");
  hp::Var x = hp::vector("x", hp::float64);
  const std::string msg =
      error_message<hp::TypeError>([&] { hp::compile({x}, {}, {.updates = {{w, w + x}}}); });
  CHECK(contains(msg, "'w'"));
  CHECK(contains(msg, "TensorType(float64, vector)"));
}

TEST_CASE("an update cast to the shared variable's dtype is accepted") {
  hp::Shared w = hp::shared(hp::array({1.f, 2.f}, hp::float32), "w");
  hp::Var x = hp::vector("x", hp::float64);
  hp::Function f = hp::compile({x}, {}, {.updates = {{w, hp::cast(w + x, hp::float32)}}});
  f(hp::array({0.5, 0.5}));
  CHECK(w.get_value().to_vector<float>() == std::vector<float>{1.5f, 2.5f});
}

TEST_CASE("an update of another rank is a compile-time TypeError naming the shared variable") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  const std::string msg =
      error_message<hp::TypeError>([&] { hp::compile({}, {}, {.updates = {{w, hp::sum(w)}}}); });
  CHECK(contains(msg, "'w'"));
  CHECK(contains(msg, "TensorType(float64, scalar)"));
}

TEST_CASE("an update that loses a broadcastable axis is refused at compile time") {
  hp::Shared r = hp::shared(hp::array({{1., 2.}}), "r", std::vector<bool>{true, false});
  hp::Var m = hp::matrix("m");
  CHECK_THROWS_AS(hp::compile({m}, {}, {.updates = {{r, r + m}}}), hp::TypeError);
}

TEST_CASE("a bare C++ number as an update takes the shared variable's dtype, as Theano") {
  hp::Shared count = hp::shared(hp::Array(std::int64_t{7}), "count");
  hp::Shared scale = hp::shared(hp::Array(2.0f), "scale");
  hp::Function reset = hp::compile({}, {}, {.updates = {{count, 0}, {scale, 0.5}}});
  reset();
  CHECK(count.get_value().dtype() == hp::int64);
  CHECK(count.get_value().item<std::int64_t>() == 0);
  CHECK(scale.get_value().dtype() == hp::float32);
  CHECK(scale.get_value().item<float>() == 0.5f);
}

TEST_CASE("a bare C++ number that the shared variable's dtype cannot hold is refused") {
  hp::Shared count = hp::shared(hp::Array(std::int64_t{7}), "count");
  const std::string lossy =
      error_message<hp::TypeError>([&] { hp::compile({}, {}, {.updates = {{count, 1.5}}}); });
  CHECK(contains(lossy, "'count'"));
  hp::Shared v = hp::shared(hp::array({1., 2.}), "v");
  const std::string wrong_rank =
      error_message<hp::TypeError>([&] { hp::compile({}, {}, {.updates = {{v, 0.0}}}); });
  CHECK(contains(wrong_rank, "'v'"));
}

TEST_CASE("two updates of one shared variable are refused") {
  hp::Shared w = hp::shared(hp::Array(1.0), "w");
  const std::string msg = error_message<hp::Error>(
      [&] { hp::compile({}, {}, {.updates = {{w, w + 1}, {w, w * 2}}}); });
  CHECK(contains(msg, "'w'"));
  CHECK(contains(msg, "twice"));
}

TEST_CASE("an update of a default-constructed hp::Shared is refused") {
  hp::Shared nothing;
  CHECK_THROWS_AS(hp::compile({}, {}, {.updates = {{nothing, hp::Var(1.0)}}}), hp::TypeError);
}

TEST_CASE("an update with a null new value is refused") {
  hp::Shared w = hp::shared(hp::Array(1.0), "w");
  CHECK_THROWS_AS(hp::compile({}, {}, {.updates = {{w, hp::Var()}}}), hp::Error);
}

TEST_CASE("the new value of an update must be computable from the inputs") {
  hp::Shared w = hp::shared(hp::Array(1.0), "w");
  hp::Var step = hp::scalar("step");
  const std::string msg =
      error_message<hp::Error>([&] { hp::compile({}, {}, {.updates = {{w, w + step}}}); });
  CHECK(contains(msg, "'step'"));
}

// --- givens -------------------------------------------------------------------------------

TEST_CASE("givens replace a variable by an expression of an input") {
  hp::Var x = hp::scalar("x");
  hp::Var a = hp::scalar("a");
  hp::Function f = hp::compile({x}, {a * 2}, {.givens = {{a, x + 1}}});
  CHECK(f(3.0)[0].item<double>() == 8.0);
}

TEST_CASE("givens apply to update values too") {
  hp::Shared acc = hp::shared(hp::Array(0.0), "acc");
  hp::Var x = hp::scalar("x");
  hp::Var step = hp::scalar("step");
  hp::Function f =
      hp::compile({x}, {}, {.updates = {{acc, acc + step}}, .givens = {{step, x * 10}}});
  f(2.0);
  CHECK(acc.get_value().item<double>() == 20.0);
}

TEST_CASE("givens replace a shared variable by a constant, which leaves the shared value alone") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Var x = hp::vector("x");
  hp::Function f =
      hp::compile({x}, {x * w}, {.givens = {{w, hp::constant(hp::array({10., 100.}))}}});
  CHECK(values(f(hp::array({1., 2.}))[0]) == std::vector<double>{10, 200});
  CHECK(values(w.get_value()) == std::vector<double>{1, 2});
  // The function no longer reads w.
  w.set_value(hp::array({0., 0.}));
  CHECK(values(f(hp::array({1., 2.}))[0]) == std::vector<double>{10, 200});
}

TEST_CASE("givens of another dtype or rank are refused with a TypeError naming both") {
  hp::Var x = hp::vector("x");
  hp::Var a = hp::vector("a");
  hp::Var f32 = hp::vector("f32", hp::float32);
  hp::Var m = hp::matrix("m");
  const std::string dtype_msg =
      error_message<hp::TypeError>([&] { hp::compile({f32}, {x * 2}, {.givens = {{x, f32}}}); });
  CHECK(contains(dtype_msg, "'x'"));
  CHECK(contains(dtype_msg, "'f32'"));
  CHECK_THROWS_AS(hp::compile({m}, {a * 2}, {.givens = {{a, m}}}), hp::TypeError);
}

TEST_CASE("f.outputs() are the outputs after givens") {
  hp::Var x = hp::scalar("x");
  hp::Var a = hp::scalar("a");
  hp::Var y = a * 2;
  hp::Function f = hp::compile({x}, {y}, {.givens = {{a, x}}});
  REQUIRE(f.outputs().size() == 1);
  CHECK_FALSE(f.outputs()[0].is(y));
  CHECK(hp::pp(f.outputs()[0]) == "(x * TensorConstant{2})");
}

// --- modes ----------------------------------------------------------------------------------

TEST_CASE("Debug mode raises InvalidValueError on an infinity (1/0)") {
  hp::Var num = hp::scalar("num");
  hp::Var den = hp::scalar("den");
  hp::Function divide = hp::compile({num, den}, {num / den}, {.mode = hp::Mode::Debug});
  const std::string msg = error_message<hp::InvalidValueError>([&] { divide(1.0, 0.0); });
  CHECK(contains(msg, "Elemwise{true_div}"));
  CHECK(contains(msg, "inf"));
  CHECK(contains(error_message<hp::InvalidValueError>([&] { divide(-1.0, 0.0); }), "-inf"));
}

TEST_CASE("Debug mode raises on a NaN in an intermediate, not only in an output") {
  hp::Var x = hp::vector("x");
  // sqrt(-1) is NaN, which where() then drops: the output alone would look fine.
  hp::Var y = hp::where(x > 0, hp::sqrt(x), 0.0);
  hp::Function fast = hp::compile({x}, {y}, {.mode = hp::Mode::FastRun});
  hp::Function debug = hp::compile({x}, {y}, {.mode = hp::Mode::Debug});
  CHECK(values(fast(hp::array({4., -1.}))[0]) == std::vector<double>{2, 0});
  CHECK(values(debug(hp::array({4., 9.}))[0]) == std::vector<double>{2, 3});
  CHECK(contains(error_message<hp::InvalidValueError>([&] { debug(hp::array({4., -1.})); }),
                 "Elemwise{sqrt}"));
}

TEST_CASE("Debug mode gives the same finite results as FastRun") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::exp(x) / hp::sum(hp::exp(x));
  hp::Function fast = hp::compile({x}, {y});
  hp::Function debug = hp::compile({x}, {y}, {.mode = hp::Mode::Debug});
  hp::Array arg = hp::array({1., 2., 3.});
  // FastRun runs generated code, Debug the reference: equal to rounding.
  CHECK(hp::allclose(fast(arg)[0], debug(arg)[0], 1e-14, 0));
}

TEST_CASE("FastRun lets NaN and infinities through") {
  hp::Var num = hp::scalar("num");
  hp::Var den = hp::scalar("den");
  hp::Function divide = hp::compile({num, den}, {num / den}, {.mode = hp::Mode::FastRun});
  CHECK(std::isinf(divide(1.0, 0.0)[0].item<double>()));
  CHECK(std::isnan(divide(0.0, 0.0)[0].item<double>()));
}

TEST_CASE("FastCompile computes what FastRun computes") {
  hp::Var A = hp::matrix("A");
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({A, x}, {hp::dot(A, x) + 1}, {.mode = hp::Mode::FastCompile});
  CHECK(f.mode() == hp::Mode::FastCompile);
  CHECK(values(f(hp::array({{1., 2., 3.}, {4., 5., 6.}}), hp::array({1., 2., 3.}))[0]) ==
        std::vector<double>{15, 33});
}

TEST_CASE("the mode defaults to config().mode") {
  hp::Var x = hp::scalar("x");
  CHECK(hp::compile({x}, {x + 1}).mode() == hp::config().mode);
  const hp::Mode old = hp::config().mode;
  hp::config().mode = hp::Mode::Debug;
  hp::Function f = hp::compile({x}, {x / 0});
  hp::config().mode = old;
  CHECK(f.mode() == hp::Mode::Debug);
  CHECK_THROWS_AS(f(1.0), hp::InvalidValueError);
}

// --- introspection ----------------------------------------------------------------------------

TEST_CASE("f.inputs(), f.outputs(), f.name() and f.mode() describe the function") {
  hp::Var x = hp::scalar("x");
  hp::Var b = hp::scalar("b");
  hp::Var y = x + b;
  hp::Function f =
      hp::compile({x, hp::In(b, 1.0)}, {y}, {.mode = hp::Mode::FastRun, .name = "add_b"});
  REQUIRE(f.inputs().size() == 2);
  CHECK(f.inputs()[0].is(x));
  CHECK(f.inputs()[1].is(b));
  REQUIRE(f.outputs().size() == 1);
  CHECK(f.outputs()[0].is(y));
  CHECK(f.name() == "add_b");
  CHECK(f.mode() == hp::Mode::FastRun);
}

TEST_CASE("f.graph_text() prints the outputs and update values with their op names") {
  hp::Shared w = hp::shared(hp::Array(1.0), "w");
  hp::Var x = hp::scalar("x");
  hp::Function f = hp::compile({x}, {x * 2}, {.updates = {{w, hp::exp(w)}}});
  const std::string text = f.graph_text();
  CHECK(contains(text, "Elemwise{mul}"));
  CHECK(contains(text, "Elemwise{exp}"));
  CHECK(contains(text, "x [id"));
  CHECK(contains(text, "w [id"));
}

TEST_CASE("errors of a named function name it") {
  hp::Var x = hp::scalar("x");
  hp::Function f = hp::compile({x}, {x * 2}, {.name = "double_it"});
  CHECK(contains(error_message<hp::TypeError>([&] { f(); }), "'double_it'"));
  hp::Var y = hp::scalar("y");
  CHECK(contains(error_message<hp::Error>([&] { hp::compile({x}, {y}, {.name = "broken"}); }),
                 "'broken'"));
}

// --- profiling ----------------------------------------------------------------------------

TEST_CASE("profile = true counts calls and time, per function and per node") {
  hp::Var x = hp::vector("x");
  // FastCompile: one node per op (FastRun would fuse them into one loop).
  hp::Function f = hp::compile({x}, {hp::exp(x) * 2},
                               {.mode = hp::Mode::FastCompile, .name = "profiled", .profile = true});
  for (int i = 0; i < 3; ++i) f(hp::array({1., 2.}));
  const hp::FunctionProfile p = f.profile();
  CHECK(p.name == "profiled");
  CHECK(p.calls == 3);
  CHECK(p.seconds > 0);
  CHECK(p.compile_seconds > 0);
  REQUIRE(p.nodes.size() == 2);
  CHECK(p.nodes[0].op == "Elemwise{exp}");
  CHECK(p.nodes[1].op == "Elemwise{mul}");
  CHECK(p.nodes[1].node == "(exp(x) * TensorConstant{2})");
  for (const hp::NodeProfile& n : p.nodes) {
    CHECK(n.calls == 3);
    CHECK(n.seconds >= 0);
  }
}

TEST_CASE("the profile of a FastRun function shows its fused nodes") {
  // Without the JIT (HYPATIA_WITH_CLANG=OFF) compile runs the reference on the graph as given.
  if (!hp::jit::available()) return;
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({x}, {hp::exp(x) * 2}, {.mode = hp::Mode::FastRun, .profile = true});
  f(hp::array({1., 2.}));
  const hp::FunctionProfile p = f.profile();
  REQUIRE(p.nodes.size() == 1);
  CHECK(p.nodes[0].op == "Elemwise{Composite{(exp(i0) * TensorConstant{2})}}");
  CHECK(p.nodes[0].node == "(exp(x) * TensorConstant{2})");
}

TEST_CASE("a failed call of a profiled function does not corrupt its profile") {
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({x}, {x + 1}, {.profile = true});
  f(hp::array({1.}));
  CHECK_THROWS(f(hp::array({{1.}})));
  f(hp::array({1.}));
  const hp::FunctionProfile p = f.profile();
  CHECK(p.calls == 2);
  REQUIRE(p.nodes.size() == 1);
  CHECK(p.nodes[0].calls == 2);
}

TEST_CASE("a function compiled without profile records no calls") {
  hp::Var x = hp::scalar("x");
  hp::Function f = hp::compile({x}, {x + 1});
  f(1.0);
  f(2.0);
  CHECK(f.profile().calls == 0);
  CHECK(f.profile().nodes.empty());
}

TEST_CASE("print_profile prints each profiled function's name, calls and op names") {
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({x}, {hp::tanh(x) + 1},
                               {.mode = hp::Mode::FastCompile, .name = "printed_profile", .profile = true});
  f(hp::array({0.5}));
  f(hp::array({0.5}));
  std::ostringstream os;
  hp::print_profile(os);
  const std::string text = os.str();
  CHECK(contains(text, "printed_profile"));
  CHECK(contains(text, "Time in 2 calls"));
  CHECK(contains(text, "Elemwise{tanh}"));
  CHECK(contains(text, "Elemwise{add}"));
}

TEST_CASE("print_profile leaves out functions that no longer exist") {
  {
    hp::Var x = hp::scalar("x");
    hp::Function f = hp::compile({x}, {x + 1}, {.name = "short_lived", .profile = true});
    f(1.0);
  }
  std::ostringstream os;
  hp::print_profile(os);
  CHECK_FALSE(contains(os.str(), "short_lived"));
}

// HYPATIA_FLAGS=profile=True (Theano's config.profile): a child process
// compiles under the flag; what it prints at exit is checked by the parent.
TEST_CASE("child process: compile under the profile flag and exit" * doctest::skip()) {
  if (std::getenv("HP_PROFILE_CHILD") == nullptr) return;
  hp::Var x = hp::vector("x");
  hp::Function kept = hp::compile({x}, {hp::exp(x)}, {.name = "flag_profiled_kept"});
  kept(hp::array({1., 2.}));
  kept(hp::array({1., 2.}));
  {
    hp::Function gone = hp::compile({x}, {x * 2.0}, {.name = "flag_profiled_gone"});
    gone(hp::array({1.}));
  }
  std::printf("HP_CHILD_DONE calls=%ld\n", kept.profile().calls);  // profiled without .profile = true
  std::fflush(stdout);
}

namespace {

/// Everything the child above writes, stdout and stderr, run with `flags`.
std::string profile_child_output(const std::string& flags) {
  hypatia_test::TempDir tmp;
  FILE* pipe = hypatia_test::start_self("child process: compile under the profile flag and exit",
                                        "HP_PROFILE_CHILD=1 HYPATIARC=/nonexistent HYPATIA_FLAGS=" +
                                            hypatia_test::shell_quote(flags + ",cache_dir=" + tmp.cache()));
  const std::string output = hypatia_test::read_rest(pipe);
  CHECK(::pclose(pipe) == 0);
  return output;
}

}  // namespace

TEST_CASE("profile=True profiles every function and prints the summary once at exit, gone functions too") {
  const std::string output = profile_child_output("profile=True");
  CAPTURE(output);
  CHECK(contains(output, "HP_CHILD_DONE calls=2\n"));
  CHECK(occurrences(output, "hypatia: profile=True: 2 profiled functions at exit") == 1);
  CHECK(occurrences(output, "Function profiling") == 2);
  const auto kept = output.find("Message: flag_profiled_kept");
  const auto gone = output.find("Message: flag_profiled_gone");
  CHECK(kept != std::string::npos);
  CHECK(gone != std::string::npos);
  CHECK(kept < gone);  // in the order they were compiled
  CHECK(contains(output.substr(kept), "Time in 2 calls"));
  CHECK(contains(output.substr(gone), "Time in 1 calls"));
  // After the child's own report: printed at exit.
  CHECK(output.find("HP_CHILD_DONE") < output.find("hypatia: profile=True"));
}

TEST_CASE("without the profile flag nothing is printed at exit") {
  const std::string output = profile_child_output("profile=False");
  CAPTURE(output);
  CHECK(contains(output, "HP_CHILD_DONE calls=0\n"));
  CHECK_FALSE(contains(output, "Function profiling"));
  CHECK_FALSE(contains(output, "profile=True"));
}

// --- threads ------------------------------------------------------------------------------

TEST_CASE("8 threads x 200 calls of one function all get exact results") {
  hp::Var x = hp::vector("x");
  hp::Var k = hp::scalar("k");
  hp::Function f = hp::compile({x, k}, {x * k + 1, hp::sum(x) * k});
  std::atomic<int> wrong{0}, thrown{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        const double a = t * 1000 + i;
        try {
          std::vector<hp::Array> out = f(hp::array({a, a + 1, a + 2}), double(t + 1));
          const double kk = t + 1;
          const std::vector<double> expected{a * kk + 1, (a + 1) * kk + 1, (a + 2) * kk + 1};
          if (values(out[0]) != expected || out[1].item<double>() != (3 * a + 3) * kk) {
            ++wrong;
          }
        } catch (...) {
          ++thrown;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  CHECK(thrown == 0);
}

TEST_CASE("8 threads x 200 calls updating an int64 counter lose no update") {
  hp::Shared count = hp::shared(hp::Array(std::int64_t{0}), "count");
  hp::Function inc = hp::compile({}, {}, {.updates = {{count, count + 1}}});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCallsPerThread; ++i) inc();
    });
  }
  for (auto& th : threads) th.join();
  CHECK(count.get_value().dtype() == hp::int64);
  CHECK(count.get_value().item<std::int64_t>() == 1600);
}

TEST_CASE("8 threads x 200 calls of two functions updating one float64 counter lose no update") {
  hp::Shared total = hp::shared(hp::Array(0.0), "total");
  hp::Var step = hp::scalar("step");
  hp::Function add = hp::compile({step}, {total}, {.updates = {{total, total + step}}});
  hp::Function add_ten = hp::compile({}, {}, {.updates = {{total, total + 10}}});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        if (t % 2 == 0) add(1.0);
        else add_ten();
      }
    });
  }
  for (auto& th : threads) th.join();
  // 4 threads add 1 and 4 threads add 10, 200 times each.
  CHECK(total.get_value().item<double>() == 4 * 200 * 1 + 4 * 200 * 10);
}

TEST_CASE("concurrent swaps of two shared variables in opposite orders neither deadlock nor tear") {
  hp::Shared a = hp::shared(hp::Array(1.0), "a");
  hp::Shared b = hp::shared(hp::Array(2.0), "b");
  hp::Function swap_ab = hp::compile({}, {}, {.updates = {{a, b}, {b, a}}});
  hp::Function swap_ba = hp::compile({}, {}, {.updates = {{b, a}, {a, b}}});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) (t % 2 ? swap_ab : swap_ba)();
    });
  }
  for (auto& th : threads) th.join();
  // 1600 swaps: an even number, so both are back where they started.
  CHECK(a.get_value().item<double>() == 1.0);
  CHECK(b.get_value().item<double>() == 2.0);
}

TEST_CASE("concurrent set_value, get_value and calls reading the variable see whole values") {
  // Every value ever stored is full(n, n): a reader that sees another mix tore a write.
  hp::Shared w = hp::shared(hp::Array::full({1}, 1.0), "w");
  hp::Function mean = hp::compile({}, {hp::mean(w), hp::shape(w)});
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, thrown{0};
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int i = 0; i < 2000; ++i) {
      const double n = 1 + i % 17;
      w.set_value(hp::Array::full({static_cast<std::int64_t>(n)}, n));
    }
    stop = true;
  });
  for (int t = 1; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!stop) {
        try {
          if (t % 2) {
            const hp::Array v = w.get_value(t % 4 == 1);
            const std::vector<double> xs = values(v);
            for (double x : xs) {
              if (x != double(xs.size())) ++torn;
            }
          } else {
            const std::vector<hp::Array> out = mean();
            if (out[0].item<double>() != double(out[1].item<std::int64_t>(0))) ++torn;
          }
        } catch (...) {
          ++thrown;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(torn == 0);
  CHECK(thrown == 0);
}
