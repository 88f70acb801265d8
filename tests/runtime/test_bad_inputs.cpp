// The bad-input catalogue: one row per way a caller can misuse the public
// API. Each row performs the bad call and states the exact class of the
// hp::Error it must raise (the dynamic type, not a base) and the parts its
// message must contain to name what is at fault: the variable, the input
// position, the shape, the axis, the flag. No row may crash, throw a std::
// exception, or change the value of a shared variable: every shared
// variable the catalogue makes is compared before and after each row.
//
// Rows that run compiled code name their mode; rows that only build graphs
// or call eval follow config().mode, so the suite's Debug rerun covers them
// in Debug mode too.
#include <doctest/doctest.h>
#include <cxxabi.h>
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "tests/support/test_support.hpp"

namespace hp = hypatia;
namespace fs = std::filesystem;

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer an allocation of 2^53 bytes aborts the process
// unless the allocator may return null: the huge-shape rows need the library
// to see the failure and raise its hp::Error.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }
#endif

namespace {

using hypatia_test::ConfigScope;
using hypatia_test::contains;
using hypatia_test::TempDir;

// --- the table ---------------------------------------------------------------------------

struct BadInput {
  std::string what;
  std::function<void()> call;
  std::type_index expected;
  std::vector<std::string> parts;  ///< substrings the message must contain
};

template <class E>
BadInput row(std::string what, std::function<void()> call, std::vector<std::string> parts) {
  return BadInput{std::move(what), std::move(call), std::type_index(typeid(E)), std::move(parts)};
}

std::string demangled(const std::type_index& type) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(type.name());
}

/// Every shared variable the catalogue makes, so that each row can check that none changed.
std::vector<hp::Shared>& watched() {
  static std::vector<hp::Shared> shared;
  return shared;
}

hp::Shared watched_shared(const hp::Array& value, const std::string& name) {
  hp::Shared s = hp::shared(value, name);
  watched().push_back(s);
  return s;
}

/// Exact equality of dtype, shape and every element (NaN equal to NaN).
bool same_array(const hp::Array& a, const hp::Array& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  for (std::int64_t i = 0; i < a.size(); ++i) {
    const double x = a.get_flat_double(i), y = b.get_flat_double(i);
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
    if (a.get_flat_int(i) != b.get_flat_int(i)) return false;
  }
  return true;
}

/// Whether `text` is well-formed UTF-8 with no control character but newlines.
bool is_printable(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n') || c == 0x7f) return false;
      ++i;
      continue;
    }
    const std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (n == 0 || c > 0xF4 || i + n > text.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

void check_row(const BadInput& bad) {
  INFO("row: " << bad.what);
  std::vector<hp::Array> before;
  for (const hp::Shared& s : watched()) before.push_back(s.get_value());

  std::string message;
  std::optional<std::type_index> thrown;
  try {
    bad.call();
  } catch (const std::exception& e) {
    thrown = std::type_index(typeid(e));
    message = e.what();
  } catch (...) {
    FAIL_CHECK("an exception that is not a std::exception");
    return;
  }
  INFO("message: " << message);
  if (!thrown) {
    FAIL_CHECK("no exception; expected " << demangled(bad.expected));
  } else if (*thrown != bad.expected) {
    FAIL_CHECK("threw " << demangled(*thrown) << ", expected " << demangled(bad.expected));
  }
  for (const std::string& part : bad.parts) {
    if (!contains(message, part)) FAIL_CHECK("the message lacks \"" << part << "\"");
  }
  if (!is_printable(message)) FAIL_CHECK("the message holds control characters or bytes that are not UTF-8");
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (!same_array(before[i], watched()[i].get_value())) {
      FAIL_CHECK("shared variable '" << watched()[i].name() << "' changed");
    }
  }
}

hp::Array vec(std::vector<double> v) { return hp::array(std::move(v)); }
hp::Array ivec(std::vector<std::int64_t> v, hp::DType dtype = hp::int64) { return hp::array(v, dtype); }

hp::Function compile_in(hp::Mode mode, const std::vector<hp::In>& inputs, const std::vector<hp::Var>& outputs,
                        hp::CompileOptions options = {}) {
  options.mode = mode;
  return hp::compile(inputs, outputs, options);
}

constexpr hp::Mode kModes[] = {hp::Mode::FastRun, hp::Mode::FastCompile, hp::Mode::Debug};

std::string mode_text(hp::Mode mode) { return std::string(hp::mode_name(mode)); }

// --- call arguments ------------------------------------------------------------------------

void add_call_argument_rows(std::vector<BadInput>& rows) {
  hp::Shared w = watched_shared(vec({1, 2}), "w_args");
  for (hp::Mode mode : kModes) {
    const std::string in = " (" + mode_text(mode) + ")";
    rows.push_back(row<hp::TypeError>(
        "an argument of a narrower-losing dtype" + in,
        [=] {
          hp::Var x = hp::vector("xf32", hp::float32);
          compile_in(mode, {x}, {x * 2}, {.updates = {{w, w + 1}}})(ivec({1, 2}));
        },
        {"input 0", "'xf32'", "float32", "int64"}));
    rows.push_back(row<hp::TypeError>(
        "an argument of the wrong rank" + in,
        [=] {
          hp::Var x = hp::vector("xrank");
          compile_in(mode, {x}, {x + w}, {.updates = {{w, w + 1}}})(hp::Array::ones({2, 2}));
        },
        {"input 0", "'xrank'", "rank 2", "(2, 2)"}));
    rows.push_back(row<hp::ShapeError>(
        "a size other than 1 on a broadcastable axis" + in,
        [=] {
          hp::Var c = hp::col("column");
          compile_in(mode, {c}, {c * 2}, {.updates = {{w, w + 1}}})(hp::Array::ones({2, 3}));
        },
        {"input 0", "'column'", "axis 1", "(2, 3)"}));
    rows.push_back(row<hp::ShapeError>(
        "arguments whose shapes do not broadcast" + in,
        [=] {
          hp::Var a = hp::vector("a"), b = hp::vector("b");
          compile_in(mode, {a, b}, {a + b}, {.updates = {{w, w + 1}}})(vec({1, 2}), vec({1, 2, 3}));
        },
        {"(2,)", "(3,)"}));
    rows.push_back(row<hp::ShapeError>(
        "dot of misaligned matrices" + in,
        [=] {
          hp::Var A = hp::matrix("A"), B = hp::matrix("B");
          compile_in(mode, {A, B}, {hp::dot(A, B)}, {.updates = {{w, w + 1}}})(hp::Array::ones({2, 3}),
                                                                              hp::Array::ones({2, 3}));
        },
        {"(2, 3)"}));
  }
  rows.push_back(row<hp::TypeError>(
      "a missing argument",
      [=] {
        hp::Var x = hp::vector("first"), y = hp::vector("second");
        hp::compile({x, y}, {x + y}, {.updates = {{w, w + 1}}})(vec({1}));
      },
      {"missing", "input 1", "'second'"}));
  rows.push_back(row<hp::TypeError>(
      "an extra argument",
      [=] {
        hp::Var x = hp::vector("only");
        hp::compile({x}, {x + 1}, {.updates = {{w, w + 1}}, .name = "one_arg"})(vec({1}), vec({2}));
      },
      {"'one_arg'", "takes 1 argument", "got 2"}));
  rows.push_back(row<hp::TypeError>(
      "an argument by a name no input has",
      [=] {
        hp::Var x = hp::vector("x");
        hp::compile({x}, {x + 1}, {.updates = {{w, w + 1}}}).call({{"nosuch", vec({1})}});
      },
      {"'nosuch'"}));
  rows.push_back(row<hp::TypeError>(
      "an argument given by position and by name",
      [=] {
        hp::Var x = hp::vector("twice");
        hp::compile({x}, {x + 1}, {.updates = {{w, w + 1}}}).call({vec({1})}, {{"twice", vec({1})}});
      },
      {"input 0", "'twice'", "given twice"}));
  rows.push_back(row<hp::TypeError>(
      "a default value of the wrong rank",
      [] {
        hp::Var x = hp::vector("defaulted");
        hp::compile({hp::In(x, hp::Array::ones({2, 2}))}, {x + 1});
      },
      {"'defaulted'", "rank 2"}));
}

// --- compile: inputs, outputs, updates, givens ------------------------------------------------

void add_compile_rows(std::vector<BadInput>& rows) {
  hp::Shared w = watched_shared(vec({1, 2}), "w_updates");
  hp::Shared b_col = hp::shared(hp::Array::zeros({3, 1}), "b_col", {false, true});
  watched().push_back(b_col);
  hp::Shared v = watched_shared(hp::array({{1., 2.}}), "v_updates");
  rows.push_back(row<hp::TypeError>(
      "an update of a variable that is not shared",
      [=] {
        hp::Var x = hp::vector("not_shared");
        hp::compile({x}, {x}, {.updates = {{w, w + 1}, {hp::Shared(x.node_ptr()), x + 1}}});
      },
      {"update 1", "'not_shared'", "not a shared variable"}));
  rows.push_back(row<hp::Error>(
      "two updates of one shared variable",
      [=] {
        hp::Var x = hp::vector("x");
        hp::compile({x}, {x}, {.updates = {{w, w + x}, {w, w - x}}});
      },
      {"update 1", "'w_updates'", "twice"}));
  rows.push_back(row<hp::TypeError>(
      "an update of another dtype",
      [=] { hp::compile({}, {}, {.updates = {{w, hp::cast(w, hp::float32)}}}); },
      {"'w_updates'", "float32"}));
  rows.push_back(row<hp::TypeError>(
      "an update of another rank",
      [=] { hp::compile({}, {}, {.updates = {{w, v}}}); },
      {"'w_updates'", "matrix"}));
  rows.push_back(row<hp::TypeError>(
      "an update whose broadcast pattern is less broadcastable",
      [=] {
        hp::Var g = hp::matrix("g");
        hp::compile({g}, {}, {.updates = {{b_col, b_col - g}}});
      },
      {"'b_col'", "(False, True)", "(False, False)", "axis 1", "hp::patternbroadcast(value, {false, true})",
       "hp::unbroadcast"}));
  rows.push_back(row<hp::Error>(
      "an update whose new value is a null hp::Var",
      [=] { hp::compile({}, {}, {.updates = {{w, hp::Var()}}}); },
      {"update 0", "null"}));
  rows.push_back(row<hp::TypeError>(
      "a shared variable among the explicit inputs",
      [=] { hp::compile({w}, {w * 2}); },
      {"input 0", "'w_updates'", "shared"}));
  rows.push_back(row<hp::TypeError>(
      "a constant among the explicit inputs",
      [] { hp::compile({hp::constant(hp::Array(1.0), "one")}, {}); },
      {"input 0", "'one'", "constant"}));
  rows.push_back(row<hp::Error>(
      "one variable twice among the inputs",
      [] {
        hp::Var x = hp::vector("dup");
        hp::compile({x, x}, {x});
      },
      {"input 1", "'dup'", "twice"}));
  rows.push_back(row<hp::Error>(
      "a null hp::Var among the inputs",
      [] { hp::compile({hp::vector("x"), hp::Var()}, {}); },
      {"input 1", "null"}));
  rows.push_back(row<hp::Error>(
      "a null hp::Var among the outputs",
      [] {
        hp::Var x = hp::vector("x");
        hp::compile({x}, {x, hp::Var()});
      },
      {"output 1", "null"}));
  rows.push_back(row<hp::Error>(
      "an output that needs a variable that is not an input",
      [=] {
        hp::Var x = hp::vector("given"), y = hp::vector("forgotten");
        hp::compile({x}, {x + y}, {.updates = {{w, w + 1}}});
      },
      {"missing input", "'forgotten'"}));
  rows.push_back(row<hp::Error>(
      "an input no output uses (on_unused_input = Raise)",
      [=] {
        hp::Var x = hp::vector("used"), y = hp::vector("unused");
        hp::compile({x, y}, {x * 2}, {.updates = {{w, w + 1}}});
      },
      {"input 1", "'unused'", "not used"}));
  rows.push_back(row<hp::TypeError>(
      "givens that replace a vector by a matrix",
      [=] {
        hp::Var x = hp::vector("replaced");
        hp::compile({}, {x * 2}, {.updates = {{w, w + 1}}, .givens = {{x, v}}});
      },
      {"'replaced'", "'v_updates'", "types differ"}));
  rows.push_back(row<hp::TypeError>(
      "givens that replace a float64 vector by an int32 one",
      [] {
        hp::Var x = hp::vector("replaced64"), i = hp::vector("by32", hp::int32);
        hp::compile({i}, {x * 2}, {.givens = {{x, i}}});
      },
      {"'replaced64'", "'by32'", "int32"}));
  rows.push_back(row<hp::Error>(
      "givens with a null hp::Var",
      [] {
        hp::Var x = hp::vector("x");
        hp::compile({x}, {x * 2}, {.givens = {{x, hp::Var()}}});
      },
      {"given 0", "null", "replacement"}));
  rows.push_back(row<hp::Error>(
      "givens that replace one variable twice",
      [=] {
        hp::Var x = hp::vector("twice_replaced"), a = hp::vector("a"), b = hp::vector("b");
        hp::compile({a, b}, {x * 2}, {.updates = {{w, w + 1}}, .givens = {{x, a}, {x, b}}});
      },
      {"given 1", "'twice_replaced'", "given 0"}));
  rows.push_back(row<hp::Error>(
      "an unknown rewrite pass name",
      [] {
        hp::Var x = hp::vector("x");
        hp::compile({x}, {x * 2}, {.optimizer_including = {"no_such_pass"}});
      },
      {"'no_such_pass'"}));
}

// --- gradients --------------------------------------------------------------------------------

void add_grad_rows(std::vector<BadInput>& rows) {
  rows.push_back(row<hp::TypeError>(
      "grad of a vector cost",
      [] {
        hp::Var x = hp::vector("x");
        hp::grad(hp::exp(x), x);
      },
      {"scalar", "vector"}));
  rows.push_back(row<hp::DisconnectedInputError>(
      "grad with respect to a variable the cost does not use",
      [] {
        hp::Var x = hp::vector("x"), lonely = hp::vector("lonely");
        hp::grad(hp::sum(x), {x, lonely});
      },
      {"wrt 1", "'lonely'"}));
  rows.push_back(row<hp::Error>(
      "grad of a null cost", [] { hp::grad(hp::Var(), hp::vector("x")); }, {"cost", "null"}));
  rows.push_back(row<hp::Error>(
      "grad with respect to a null hp::Var",
      [] {
        hp::Var x = hp::vector("x");
        hp::grad(hp::sum(x), {x, hp::Var()});
      },
      {"wrt 1", "null"}));
  rows.push_back(row<hp::TypeError>(
      "hessian of a vector",
      [] {
        hp::Var x = hp::vector("x");
        hp::hessian(x * 2, x);
      },
      {"scalar"}));
  rows.push_back(row<hp::TypeError>(
      "jacobian of a matrix",
      [] {
        hp::Var x = hp::vector("x");
        hp::jacobian(hp::dimshuffle(x, {0, hp::newaxis}) * 2, x);
      },
      {"jacobian", "vector", "TensorType(float64, col)"}));
  rows.push_back(row<hp::TypeError>(
      "hessian with respect to a matrix",
      [] {
        hp::Var m = hp::matrix("m");
        hp::hessian(hp::sum(m), m);
      },
      {"hessian", "vector", "matrix"}));
  rows.push_back(row<hp::TypeError>(
      "verify_grad at an integer point",
      [] { hp::verify_grad([](const std::vector<hp::Var>& v) { return v[0] * 2; }, {hp::array({1, 2})}); },
      {"point 0", "int32"}));
  rows.push_back(row<hp::Error>(
      "verify_grad of a function that returns a null hp::Var",
      [] { hp::verify_grad([](const std::vector<hp::Var>&) { return hp::Var(); }, {hp::array({1.})}); },
      {"verify_grad", "null"}));
  rows.push_back(row<hp::Error>(
      "verify_grad of a gradient that is NaN both ways",
      [] { hp::verify_grad([](const std::vector<hp::Var>& v) { return hp::sqrt(v[0] - 2.0); }, {hp::array({1.})}); },
      {"input 0 is not finite", "element 0", "symbolic nan", "numeric nan"}));
  rows.push_back(row<hp::TypeError>(
      "a known gradient of the wrong rank",
      [] {
        hp::Var x = hp::vector("x");
        hp::Var y = hp::exp(x);
        hp::grad(hp::sum(y), x, {.known_grads = {{y, hp::matrix("g")}}});
      },
      {"known gradient", "matrix"}));
}

// --- integer division by zero -------------------------------------------------------------------

void add_division_rows(std::vector<BadInput>& rows) {
  hp::Shared w = watched_shared(ivec({7, 8}, hp::int32), "w_div");
  for (hp::Mode mode : kModes) {
    const std::string in = " (" + mode_text(mode) + ")";
    rows.push_back(row<hp::InvalidValueError>(
        "integer division by zero" + in,
        [=] {
          hp::Var a = hp::vector("num", hp::int32), b = hp::vector("den", hp::int32);
          compile_in(mode, {a, b}, {hp::int_div(a, b)}, {.updates = {{w, w + 1}}})(ivec({1, 2}, hp::int32),
                                                                                 ivec({1, 0}, hp::int32));
        },
        {"int_div", "division by zero"}));
    rows.push_back(row<hp::InvalidValueError>(
        "integer remainder by zero" + in,
        [=] {
          hp::Var a = hp::vector("num", hp::int64), b = hp::vector("den", hp::int64);
          compile_in(mode, {a, b}, {a % b}, {.updates = {{w, w + 1}}})(ivec({1, 2}), ivec({0, 3}));
        },
        {"mod", "division by zero"}));
  }
}

// --- dtypes an op does not take ------------------------------------------------------------------

void add_dtype_rows(std::vector<BadInput>& rows) {
  rows.push_back(row<hp::TypeError>("sign of a bool tensor", [] { hp::sign(hp::vector("flags", hp::bool_)); },
                                    {"Elemwise{sign}", "not defined on booleans", "TensorType(bool, vector)"}));
  rows.push_back(row<hp::TypeError>("bitwise and of float tensors",
                                    [] { (void)(hp::vector("weights") & hp::vector("mask", hp::int64)); },
                                    {"Elemwise{bitwise_and}", "integers and booleans only", "float64"}));
  rows.push_back(row<hp::TypeError>("a shift of a float tensor", [] { hp::left_shift(hp::matrix("m"), 2); },
                                    {"Elemwise{left_shift}", "integers only", "TensorType(float64, matrix)"}));
}

// --- axes --------------------------------------------------------------------------------------

void add_axis_rows(std::vector<BadInput>& rows) {
  rows.push_back(row<hp::TypeError>("sum over axis 2 of a matrix", [] { hp::sum(hp::matrix("m"), 2); },
                                    {"axis 2", "rank 2"}));
  rows.push_back(row<hp::TypeError>("sum over axis -3 of a matrix", [] { hp::sum(hp::matrix("m"), -3); },
                                    {"axis -3", "rank 2"}));
  rows.push_back(row<hp::TypeError>("sum over a repeated axis", [] { hp::sum(hp::matrix("m"), {1, -1}); },
                                    {"repeats"}));
  rows.push_back(row<hp::TypeError>("max over axis 1 of a vector", [] { hp::max(hp::vector("v"), 1); },
                                    {"axis 1", "rank 1"}));
  rows.push_back(row<hp::TypeError>("mean over axis -2 of a vector", [] { hp::mean(hp::vector("v"), -2); },
                                    {"axis -2", "rank 1"}));
  rows.push_back(row<hp::TypeError>("argmax over axis 3 of a matrix", [] { hp::argmax(hp::matrix("m"), 3); },
                                    {"axis 3", "rank 2"}));
  rows.push_back(row<hp::TypeError>("argmax over axis -3 of a matrix",
                                    [] { hp::argmax(hp::matrix("m"), -3); }, {"axis -3", "rank 2"}));
  rows.push_back(row<hp::TypeError>("argmin over axis 2 of a matrix", [] { hp::argmin(hp::matrix("m"), 2); },
                                    {"Argmin", "axis 2", "rank 2"}));
  rows.push_back(row<hp::TypeError>("var over axis -2 of a vector", [] { hp::var(hp::vector("v"), -2); },
                                    {"var", "axis -2", "rank 1"}));
  rows.push_back(row<hp::TypeError>("std with a negative ddof", [] { hp::std(hp::matrix("m"), 0, false, -1); },
                                    {"std", "ddof", "-1"}));
  rows.push_back(row<hp::TypeError>("logsumexp over a repeated axis",
                                    [] { hp::logsumexp(hp::matrix("m"), {0, -2}); }, {"logsumexp", "repeats"}));
  rows.push_back(row<hp::TypeError>("norm with a NaN ord", [] { hp::norm(hp::vector("v"), std::nan("")); },
                                    {"norm", "NaN"}));
  rows.push_back(row<hp::TypeError>("matmul of a scalar", [] { hp::matmul(hp::scalar("s"), hp::matrix("m")); },
                                    {"matmul", "scalar", "TensorType(float64, scalar)"}));
  rows.push_back(row<hp::TypeError>("tensordot over axes of different counts",
                                    [] { hp::tensordot(hp::tensor3("a"), hp::matrix("b"), {0, 1}, {0}); },
                                    {"tensordot", "2 axes", "1 of the second"}));
  rows.push_back(row<hp::TypeError>("tril of a vector", [] { hp::tril(hp::vector("v")); },
                                    {"tril", "rank 2 or more", "TensorType(float64, vector)"}));
  rows.push_back(row<hp::TypeError>("diagonal of one axis twice",
                                    [] { hp::diagonal(hp::matrix("m"), 0, 1, -1); }, {"diagonal", "same axis"}));
  rows.push_back(row<hp::TypeError>("stack of a vector and a matrix",
                                    [] { hp::stack({hp::vector("v"), hp::matrix("m")}); },
                                    {"stack", "input 1", "rank 2", "rank 1"}));
  rows.push_back(row<hp::TypeError>("zeros with a float size", [] { hp::zeros({hp::scalar("size"), 3}); },
                                    {"Alloc", "size 0", "integer scalar", "float64"}));
  rows.push_back(row<hp::TypeError>("roll by a float shift", [] { hp::roll(hp::vector("v"), 0.5, 0); },
                                    {"roll", "shift", "integer scalar"}));
  rows.push_back(row<hp::TypeError>("expand_dims at axis 3 of a matrix", [] { hp::expand_dims(hp::matrix("m"), 3); },
                                    {"expand_dims", "axis 3", "rank 3"}));
  rows.push_back(row<hp::TypeError>("softmax of a scalar", [] { hp::softmax(hp::scalar("s")); },
                                    {"softmax", "rank"}));
  rows.push_back(row<hp::TypeError>(
      "concatenate along axis 2 of vectors",
      [] { hp::concatenate({hp::vector("p"), hp::vector("q")}, 2); }, {"axis 2", "rank 1"}));
  rows.push_back(row<hp::TypeError>(
      "concatenate along axis -2 of vectors",
      [] { hp::concatenate({hp::vector("p"), hp::vector("q")}, -2); }, {"axis -2", "rank 1"}));
  rows.push_back(row<hp::TypeError>(
      "concatenate of a vector and a matrix",
      [] { hp::concatenate({hp::vector("p"), hp::matrix("q")}); }, {"rank"}));
  rows.push_back(row<hp::TypeError>("concatenate of nothing", [] { hp::concatenate({}); },
                                    {"at least one"}));
  rows.push_back(row<hp::ShapeError>(
      "concatenate of shapes that differ off the joined axis",
      [] {
        hp::Var p = hp::matrix("p"), q = hp::matrix("q");
        hp::concatenate({p, q}, 0).eval({{p, hp::Array::ones({1, 2})}, {q, hp::Array::ones({1, 3})}});
      },
      {"(1, 2)", "(1, 3)", "axis 1"}));
  rows.push_back(row<hp::TypeError>(
      "dimshuffle with an axis out of range", [] { hp::dimshuffle(hp::matrix("m"), {0, 2}); },
      {"entry 2", "rank 2"}));
  rows.push_back(row<hp::TypeError>(
      "dimshuffle with a negative axis other than newaxis", [] { hp::dimshuffle(hp::matrix("m"), {0, -2}); },
      {"-2", "rank 2"}));
  rows.push_back(row<hp::TypeError>(
      "dimshuffle that drops an axis that does not broadcast", [] { hp::dimshuffle(hp::matrix("m"), {1}); },
      {"axis 0", "not broadcastable"}));
  rows.push_back(row<hp::TypeError>(
      "transpose with a permutation of the wrong length", [] { hp::transpose(hp::tensor3("t"), {1, 0}); },
      {"length 2", "rank 3"}));
  rows.push_back(row<hp::TypeError>(
      "transpose with a repeated axis", [] { hp::transpose(hp::matrix("m"), {1, 1}); }, {"1"}));
  rows.push_back(row<hp::TypeError>("flatten to 0 dimensions", [] { hp::flatten(hp::matrix("m"), 0); },
                                    {"ndim", "rank 2"}));
  rows.push_back(row<hp::TypeError>("cumsum over axis 2 of a matrix", [] { hp::cumsum(hp::matrix("m"), 2); },
                                    {"CumSum", "axis 2", "rank 2"}));
  rows.push_back(row<hp::TypeError>("cumprod over axis -3 of a matrix", [] { hp::cumprod(hp::matrix("m"), -3); },
                                    {"CumProd", "axis -3", "rank 2"}));
  rows.push_back(row<hp::TypeError>("cumsum over axis 0 of a scalar", [] { hp::cumsum(hp::scalar("s"), 0); },
                                    {"CumSum", "axis 0", "rank 0", "omit the axis"}));
  rows.push_back(row<hp::TypeError>("sort along axis 2 of a matrix", [] { hp::sort(hp::matrix("m"), 2); },
                                    {"Sort", "axis 2", "rank 2"}));
  rows.push_back(row<hp::TypeError>("argsort along axis -3 of a matrix", [] { hp::argsort(hp::matrix("m"), -3); },
                                    {"ArgSort", "axis -3", "rank 2"}));
  rows.push_back(row<hp::TypeError>("sort of a scalar", [] { hp::sort(hp::scalar("s")); },
                                    {"Sort", "scalar", "TensorType(float64, scalar)"}));
  rows.push_back(row<hp::TypeError>(
      "searchsorted in a matrix", [] { hp::searchsorted(hp::matrix("table"), hp::vector("v")); },
      {"SearchSorted", "input 0", "vector", "TensorType(float64, matrix)"}));
  rows.push_back(row<hp::TypeError>(
      "searchsorted with a side other than left or right",
      [] { hp::searchsorted(hp::vector("a"), hp::vector("v"), "middle"); }, {"SearchSorted", "side", "\"middle\""}));
}

// --- indexing and reshape --------------------------------------------------------------------------

void add_indexing_rows(std::vector<BadInput>& rows) {
  hp::Shared w = watched_shared(vec({1, 2, 3}), "w_index");
  for (hp::Mode mode : kModes) {
    const std::string in = " (" + mode_text(mode) + ")";
    rows.push_back(row<hp::IndexError>(
        "an index past the end" + in,
        [=] {
          hp::Var x = hp::vector("x");
          compile_in(mode, {x}, {hp::subtensor(x, {5})}, {.updates = {{w, w + 1}}})(vec({1, 2, 3}));
        },
        {"index 5", "size 3"}));
    rows.push_back(row<hp::ShapeError>(
        "reshape to a size that differs" + in,
        [=] {
          hp::Var x = hp::vector("x");
          compile_in(mode, {x}, {hp::reshape(x, {4, 2})}, {.updates = {{w, w + 1}}})(hp::Array::ones({6}));
        },
        {"(6,)", "(4, 2)"}));
    rows.push_back(row<hp::ShapeError>(
        "set_subtensor with a value of the wrong length" + in,
        [=] {
          hp::Var x = hp::vector("x"), y = hp::vector("y");
          compile_in(mode, {x, y}, {hp::set_subtensor(hp::subtensor(x, {hp::slice(0, 2)}), y)},
                     {.updates = {{w, w + 1}}})(vec({1, 2, 3}), vec({1, 2, 3}));
        },
        {"(3,)", "(2,)"}));
    rows.push_back(row<hp::IndexError>(
        "an index array past the end" + in,
        [=] {
          hp::Var x = hp::matrix("x");
          hp::Var idx = hp::lvector("idx");
          compile_in(mode, {x, idx}, {x[{hp::slice(), idx}]}, {.updates = {{w, w + 1}}})(hp::Array::ones({2, 3}),
                                                                                     hp::array({0, 3}, hp::int64));
        },
        {"index 3", "axis 1", "'x'", "size 3"}));
    rows.push_back(row<hp::IndexError>(
        "inc_subtensor at an index array before the start" + in,
        [=] {
          hp::Var x = hp::vector("x");
          hp::Var idx = hp::ivector("idx");
          compile_in(mode, {x, idx}, {hp::inc_subtensor(x[idx], 1.0)}, {.updates = {{w, w + 1}}})(
              vec({1, 2, 3}), hp::array({-4}, hp::int32));
        },
        {"index -4", "axis 0", "size 3"}));
    rows.push_back(row<hp::IndexError>(
        "index arrays that do not broadcast" + in,
        [=] {
          hp::Var x = hp::matrix("x");
          hp::Var i = hp::lvector("i"), j = hp::lvector("j");
          compile_in(mode, {x, i, j}, {x[{i, j}]}, {.updates = {{w, w + 1}}})(hp::Array::ones({2, 3}),
                                                                          hp::array({0, 1}, hp::int64),
                                                                          hp::array({0, 1, 2}, hp::int64));
        },
        {"(3,)", "(2,)"}));
    rows.push_back(row<hp::IndexError>(
        "a boolean mask of the wrong length" + in,
        [=] {
          hp::Var x = hp::vector("x");
          hp::Var m = hp::vector("m", hp::bool_);
          compile_in(mode, {x, m}, {x[m]}, {.updates = {{w, w + 1}}})(vec({1, 2, 3}), hp::array({true, false}));
        },
        {"mask", "(2,)", "(3,)"}));
  }
  rows.push_back(row<hp::TypeError>("a float index array",
                                    [] { hp::vector("x")[hp::vector("f")]; }, {"entry 0", "integers"}));
  rows.push_back(row<hp::IndexError>("two index arrays for a vector",
                                     [] { hp::vector("x")[{hp::lvector("i"), hp::lvector("j")}]; },
                                     {"2 indices", "rank 1"}));
  rows.push_back(row<hp::IndexError>(
      "an index before the start",
      [] {
        hp::Var x = hp::vector("x");
        hp::subtensor(x, {-4}).eval({{x, vec({1, 2, 3})}});
      },
      {"index -4", "size 3"}));
  rows.push_back(row<hp::IndexError>(
      "an index past the end of a shared variable",
      [=] { hp::subtensor(w, {3}).eval(); }, {"index 3", "size 3"}));
  rows.push_back(row<hp::TypeError>("a slice step of zero",
                                    [] { hp::subtensor(hp::vector("x"), {hp::slice(0, 2, 0)}); }, {"step"}));
  rows.push_back(row<hp::TypeError>("more indices than axes", [] { hp::subtensor(hp::vector("x"), {1, 2}); },
                                    {"2 indices", "rank 1"}));
  rows.push_back(row<hp::TypeError>("an index into a scalar", [] { hp::subtensor(hp::scalar("s"), {0}); },
                                    {"1 indices", "rank 0"}));
  rows.push_back(row<hp::TypeError>("set_subtensor of something that is not a subtensor",
                                    [] { hp::set_subtensor(hp::vector("x"), hp::scalar("y")); }, {"subtensor"}));
  rows.push_back(row<hp::TypeError>(
      "inc_subtensor with a value of higher rank",
      [] { hp::inc_subtensor(hp::subtensor(hp::vector("x"), {hp::slice(0, 2)}), hp::matrix("y")); },
      {"rank 2", "rank 1"}));
  rows.push_back(row<hp::TypeError>(
      "set_subtensor storing a C++ integer an int8 tensor cannot hold",
      [] { hp::set_subtensor(hp::subtensor(hp::vector("x", hp::int8), {hp::slice(0, 2)}), 300); },
      {"300", "int8"}));
  rows.push_back(row<hp::TypeError>("reshape with two -1 entries",
                                    [] { hp::reshape(hp::vector("x"), {-1, -1}); }, {"(-1, -1)"}));
  rows.push_back(row<hp::TypeError>("reshape to a negative size", [] { hp::reshape(hp::vector("x"), {-3, 2}); },
                                    {"(-3, 2)"}));
  rows.push_back(row<hp::ShapeError>(
      "reshape with -1 that cannot divide",
      [] {
        hp::Var x = hp::vector("x");
        hp::reshape(x, {-1, 4}).eval({{x, hp::Array::ones({6})}});
      },
      {"(6,)", "(-1, 4)"}));
}

// --- NaN in Debug mode, empty arrays ---------------------------------------------------------------

void add_value_rows(std::vector<BadInput>& rows) {
  hp::Shared w = watched_shared(vec({1, 2}), "w_values");
  rows.push_back(row<hp::InvalidValueError>(
      "log of a negative number in Debug mode",
      [=] {
        hp::Var x = hp::vector("x");
        compile_in(hp::Mode::Debug, {x}, {hp::log(x)}, {.updates = {{w, w + 1}}})(vec({1, -1}));
      },
      {"log", "nan"}));
  rows.push_back(row<hp::InvalidValueError>(
      "a NaN argument in Debug mode",
      [=] {
        hp::Var x = hp::vector("nan_in");
        compile_in(hp::Mode::Debug, {x}, {x * 2}, {.updates = {{w, w + 1}}})(vec({1, std::nan("")}));
      },
      {"nan"}));
  rows.push_back(row<hp::InvalidValueError>(
      "0/0 in Debug mode",
      [=] {
        hp::Var a = hp::scalar("a"), b = hp::scalar("b");
        compile_in(hp::Mode::Debug, {a, b}, {a / b}, {.updates = {{w, w + 1}}})(0.0, 0.0);
      },
      {"true_div", "nan"}));
  for (hp::Mode mode : kModes) {
    const std::string in = " (" + mode_text(mode) + ")";
    rows.push_back(row<hp::InvalidValueError>(
        "max of an empty vector" + in,
        [=] {
          hp::Var x = hp::vector("x");
          compile_in(mode, {x}, {hp::max(x)}, {.updates = {{w, w + 1}}})(hp::Array::zeros({0}));
        },
        {"zero-size"}));
    rows.push_back(row<hp::InvalidValueError>(
        "argmax of an empty vector" + in,
        [=] {
          hp::Var x = hp::vector("x");
          compile_in(mode, {x}, {hp::argmax(x)}, {.updates = {{w, w + 1}}})(hp::Array::zeros({0}));
        },
        {"zero-size"}));
    rows.push_back(row<hp::InvalidValueError>(
        "argmin of an empty vector" + in,
        [=] {
          hp::Var x = hp::vector("x");
          compile_in(mode, {x}, {hp::argmin(x)}, {.updates = {{w, w + 1}}})(hp::Array::zeros({0}));
        },
        {"zero-size"}));
    rows.push_back(row<hp::ShapeError>(
        "split sizes that do not add up to the axis" + in,
        [=] {
          hp::Var x = hp::matrix("x");
          compile_in(mode, {x}, hp::split(x, {1, 1}, 1), {.updates = {{w, w + 1}}})(hp::Array::zeros({2, 3}));
        },
        {"SpecifyShape", "(2, 3)", "axis 1 must have length 2"}));
    rows.push_back(row<hp::ShapeError>(
        "matmul of stacks whose batch axes differ" + in,
        [=] {
          hp::Var a = hp::tensor3("a"), b = hp::tensor3("b");
          compile_in(mode, {a, b}, {hp::matmul(a, b)}, {.updates = {{w, w + 1}}})(hp::Array::zeros({2, 3, 4}),
                                                                                 hp::Array::zeros({3, 4, 5}));
        },
        {"MatMul", "batch axes differ", "(2, 3, 4)", "(3, 4, 5)"}));
    rows.push_back(row<hp::ShapeError>(
        "zeros of a negative size" + in,
        [=] {
          hp::Var n = hp::scalar("n", hp::int64);
          compile_in(mode, {n}, {hp::zeros({n, 2})}, {.updates = {{w, w + 1}}})(hp::Array(std::int64_t{-3}));
        },
        {"Alloc", "-3", "axis 0", "negative"}));
    rows.push_back(row<hp::InvalidValueError>(
        "min along an empty axis" + in,
        [=] {
          hp::Var x = hp::matrix("x");
          compile_in(mode, {x}, {hp::min(x, 0)}, {.updates = {{w, w + 1}}})(hp::Array::zeros({0, 3}));
        },
        {"zero-size"}));
  }
}

// --- huge shapes ---------------------------------------------------------------------------------

void add_huge_rows(std::vector<BadInput>& rows) {
  hp::Shared w = watched_shared(vec({1, 2}), "w_huge");
  rows.push_back(row<hp::Error>("an array of 2^50 doubles",
                                [] { hp::Array::zeros({std::int64_t{1} << 25, std::int64_t{1} << 25}); },
                                {"cannot allocate"}));
  rows.push_back(row<hp::ShapeError>(
      "an array whose element count overflows int64",
      [] { hp::Array::zeros({std::int64_t{1} << 40, std::int64_t{1} << 40}); },
      {"(1099511627776, 1099511627776)", "int64"}));
  rows.push_back(row<hp::ShapeError>("an array of negative size", [] { hp::Array::zeros({2, -1}); }, {"-1"}));
  for (hp::Mode mode : kModes) {
    const std::string in = " (" + mode_text(mode) + ")";
    rows.push_back(row<hp::ShapeError>(
        "concatenate whose joined length overflows int64" + in,
        [=] {
          hp::Var a = hp::vector("a");
          const hp::Array huge = hp::Array::ones({1}).broadcast_to({std::int64_t{1} << 61});
          compile_in(mode, {a}, {hp::concatenate({a, a, a, a, a})}, {.updates = {{w, w + 1}}})(huge);
        },
        {"Join", "overflows int64", "(2305843009213693952,)"}));
    rows.push_back(row<hp::Error>(
        "an output of 2^50 elements from broadcast arguments" + in,
        [=] {
          // Zero-stride views: the arguments take no memory, the result would.
          hp::Var c = hp::col("c"), r = hp::row("r");
          const std::int64_t n = std::int64_t{1} << 25;
          compile_in(mode, {c, r}, {c + r}, {.updates = {{w, w + 1}}})(
              hp::Array::ones({1, 1}).broadcast_to({n, 1}), hp::Array::ones({1, 1}).broadcast_to({1, n}));
        },
        {"cannot allocate"}));
  }
}

// --- shared variables ------------------------------------------------------------------------------

void add_shared_rows(std::vector<BadInput>& rows) {
  hp::Shared w = watched_shared(hp::array({{1., 2.}}), "w_set");
  hp::Shared w32 = watched_shared(hp::array({{1.f, 2.f}}, hp::float32), "w_set32");
  hp::Shared n = watched_shared(hp::array({{1, 2}}, hp::int32), "n_set");
  rows.push_back(row<hp::TypeError>("set_value of another rank", [=] { hp::Shared(w).set_value(vec({1, 2})); },
                                    {"'w_set'", "rank 1", "matrix"}));
  rows.push_back(row<hp::TypeError>("set_value of a dtype that would lose precision",
                                    [=] { hp::Shared(w32).set_value(hp::array({{1., 2.}})); },
                                    {"'w_set32'", "float32", "got a value of dtype float64"}));
  rows.push_back(row<hp::TypeError>("set_value of floats into an integer shared variable",
                                    [=] { hp::Shared(n).set_value(hp::array({{0.5}})); },
                                    {"'n_set'", "int32", "got a value of dtype float64"}));
  rows.push_back(row<hp::Error>("set_value on a null hp::Shared", [] { hp::Shared().set_value(vec({1})); },
                                {"null hp::Shared"}));
  rows.push_back(row<hp::Error>("set_value through an hp::Shared made from a variable that is not shared",
                                [] { hp::Shared(hp::vector("plain").node_ptr()).set_value(vec({1})); },
                                {"'plain'", "not a shared variable"}));
  rows.push_back(row<hp::TypeError>("hp::shared with a broadcast pattern of the wrong length",
                                    [] { hp::shared(vec({1, 2}), "bad_pattern", std::vector<bool>{false, true}); },
                                    {"'bad_pattern'", "rank 1"}));
}

// --- null variables ----------------------------------------------------------------------------------

void add_null_rows(std::vector<BadInput>& rows) {
  rows.push_back(row<hp::Error>("exp of a null hp::Var", [] { hp::exp(hp::Var()); }, {"input 0", "null"}));
  rows.push_back(row<hp::Error>("a null hp::Var as the second operand", [] { hp::vector("x") + hp::Var(); },
                                {"input 1", "null"}));
  rows.push_back(row<hp::Error>("sum of a null hp::Var", [] { hp::sum(hp::Var()); }, {"Sum", "input 0", "null"}));
  rows.push_back(row<hp::Error>("cast of a null hp::Var", [] { hp::cast(hp::Var(), hp::DType::Float32); },
                                {"cast", "input 0", "null"}));
  rows.push_back(row<hp::Error>("zeros_like of a null hp::Var", [] { hp::zeros_like(hp::Var()); },
                                {"zeros_like", "input 0", "null"}));
  rows.push_back(row<hp::Error>("ones_like of a null hp::Var", [] { hp::ones_like(hp::Var()); },
                                {"ones_like", "input 0", "null"}));
  rows.push_back(row<hp::Error>("max over an axis of a null hp::Var", [] { hp::max(hp::Var(), 0); },
                                {"Max", "input 0", "null"}));
  rows.push_back(row<hp::Error>("dot with a null hp::Var", [] { hp::dot(hp::Var(), hp::matrix("m")); },
                                {"Dot", "input 0", "null"}));
  rows.push_back(row<hp::Error>("transpose of a null hp::Var", [] { hp::transpose(hp::Var()); },
                                {"transpose", "input 0", "null"}));
  rows.push_back(row<hp::Error>("set_subtensor of a null hp::Var", [] { hp::set_subtensor(hp::Var(), hp::scalar("y")); },
                                {"set_subtensor", "input 0", "null"}));
  rows.push_back(row<hp::Error>("reshape of a null hp::Var", [] { hp::reshape(hp::Var(), {2}); }, {"null"}));
  rows.push_back(row<hp::Error>("subtensor of a null hp::Var", [] { hp::subtensor(hp::Var(), {0}); }, {"null"}));
  rows.push_back(row<hp::Error>("concatenate with a null hp::Var second",
                                [] { hp::concatenate({hp::vector("x"), hp::Var()}); }, {"Join", "input 1", "null"}));
  rows.push_back(row<hp::Error>("concatenate with a null hp::Var first",
                                [] { hp::concatenate({hp::Var(), hp::vector("x")}); }, {"Join", "input 0", "null"}));
  rows.push_back(row<hp::Error>("cumsum of a null hp::Var", [] { hp::cumsum(hp::Var(), 0); },
                                {"CumSum", "input 0", "null"}));
  rows.push_back(row<hp::Error>("sort of a null hp::Var", [] { hp::sort(hp::Var()); }, {"Sort", "input 0", "null"}));
  rows.push_back(row<hp::Error>("searchsorted of a null hp::Var", [] { hp::searchsorted(hp::vector("a"), hp::Var()); },
                                {"SearchSorted", "input 1", "null"}));
  rows.push_back(row<hp::Error>("eval of a null hp::Var", [] { hp::Var().eval(); }, {"eval", "null"}));
  rows.push_back(row<hp::Error>("eval given a value for a null hp::Var",
                                [] { hp::exp(hp::vector("x")).eval({{hp::Var(), vec({1})}}); }, {"given 0", "null"}));
}

// --- flags ---------------------------------------------------------------------------------------

void add_flag_rows(std::vector<BadInput>& rows) {
  // Each row also checks that the failed set left every flag as it was.
  auto unchanged = [](std::function<void()> set) {
    return [set] {
      ConfigScope scope;
      const hp::Config before = hp::config();
      try {
        set();
      } catch (...) {
        CHECK(hp::config() == before);
        throw;
      }
    };
  };
  rows.push_back(row<hp::Error>("an unknown flag", unchanged([] { hp::config().set("floatx", "float32"); }),
                                {"'floatx'", "known flags"}));
  rows.push_back(row<hp::Error>("floatX=float16",
                                unchanged([] { hp::config().set("floatX", "float16"); }),
                                {"'float16'", "'floatX'"}));
  rows.push_back(row<hp::Error>("threads=0", unchanged([] { hp::config().set("threads", "0"); }),
                                {"'0'", "'threads'"}));
  rows.push_back(row<hp::Error>("threads=-4", unchanged([] { hp::config().set("threads", "-4"); }),
                                {"'-4'", "'threads'"}));
  rows.push_back(row<hp::Error>("threads with trailing text",
                                unchanged([] { hp::config().set("threads", "4x"); }), {"'4x'", "'threads'"}));
  rows.push_back(row<hp::Error>("cache_max_size=12Q",
                                unchanged([] { hp::config().set("cache_max_size", "12Q"); }),
                                {"'12Q'", "'cache_max_size'"}));
  rows.push_back(row<hp::Error>("cache_max_size that overflows",
                                unchanged([] { hp::config().set("cache_max_size", "99999999999999999999G"); }),
                                {"'cache_max_size'"}));
  rows.push_back(row<hp::Error>("cache=maybe", unchanged([] { hp::config().set("cache", "maybe"); }),
                                {"'maybe'", "'cache'"}));
  rows.push_back(row<hp::Error>("device=tpu", unchanged([] { hp::config().set("device", "tpu"); }),
                                {"'tpu'", "'device'"}));
  // Fields set directly are checked when a function is compiled.
  auto compile_with = [](std::function<void(hp::Config&)> set) {
    return [set] {
      ConfigScope scope;
      set(hp::config());
      hp::Var x = hp::vector("x");
      hp::compile({x}, {x * 2});
    };
  };
  rows.push_back(row<hp::Error>("config().device = \"tpu\" set directly, then compile",
                                compile_with([](hp::Config& c) { c.device = "tpu"; }),
                                {"config().device", "'tpu'", "cpu or cuda"}));
  rows.push_back(row<hp::Error>("config().threads = 0 set directly, then compile",
                                compile_with([](hp::Config& c) { c.threads = 0; }),
                                {"config().threads", "'0'", "positive"}));
  rows.push_back(row<hp::Error>("a flag value with control characters",
                                unchanged([] { hp::config().set("mode", "Fast\nRun\x1b[2J"); }),
                                {"'Fast\\nRun\\x1b[2J'", "'mode'"}));
  rows.push_back(row<hp::Error>("a flag name with control characters",
                                unchanged([] { hp::config().set("float\tX", "float32"); }), {"'float\\tX'"}));
  rows.push_back(row<hp::Error>("get of an unknown flag", [] { hp::config().get("nope"); }, {"'nope'"}));
  rows.push_back(row<hp::Error>("HYPATIA_FLAGS with a bad mode",
                                [] { hp::Config::from_sources("", "floatX=float32,mode=Fast"); },
                                {"HYPATIA_FLAGS", "'Fast'", "'mode'"}));
  rows.push_back(row<hp::Error>("HYPATIA_FLAGS with an item without '='",
                                [] { hp::Config::from_sources("", "floatX"); }, {"HYPATIA_FLAGS", "'floatX'"}));
  rows.push_back(row<hp::Error>("HYPATIA_FLAGS with an unknown flag",
                                [] { hp::Config::from_sources("", "device=cpu,colour=blue"); },
                                {"HYPATIA_FLAGS", "'colour'"}));
  rows.push_back(row<hp::Error>("an rc file with a bad value",
                                [] { hp::Config::from_sources("[global]\nfloatX = float8\n", ""); },
                                {"line 2", "'float8'", "'floatX'"}));
  rows.push_back(row<hp::Error>("an rc file with a malformed section",
                                [] { hp::Config::from_sources("[global\n", ""); }, {"line 1", "[global"}));
}

// --- hostile names -------------------------------------------------------------------------------

/// A name and how messages show it: control characters and bytes that are not
/// UTF-8 escaped (a NUL would cut the message short, an escape sequence would
/// drive the terminal), valid UTF-8 kept, a long name cut with its length stated.
struct HostileName {
  std::string name;
  std::string shown;
};

std::vector<HostileName> hostile_names() {
  return {
      {"it's \"quoted\"", "'it's \"quoted\"'"},
      {"line1\nline2\r\n", "'line1\\nline2\\r\\n'"},
      {"*/ int evil; /*", "'*/ int evil; /*'"},
      {std::string("bell\a\x01\x1b[31mred") + '\0' + "nul\x7f", "'bell\\x07\\x01\\x1b[31mred\\x00nul\\x7f'"},
      {"bad\xff\xfe\xc3(utf8\xed\xa0\x80", "'bad\\xff\\xfe\\xc3(utf8\\xed\\xa0\\x80'"},
      {"na\xc3\xafve \xe5\x90\x8d\xe5\x89\x8d \xf0\x9f\x99\x82", "'na\xc3\xafve \xe5\x90\x8d\xe5\x89\x8d \xf0\x9f\x99\x82'"},
      {std::string(100000, 'n'), "'" + std::string(200, 'n') + "...' (a name of 100000 bytes)"},
  };
}

void add_hostile_name_rows(std::vector<BadInput>& rows) {
  for (const auto& [name, shown] : hostile_names()) {
    hp::Shared w = watched_shared(vec({1, 2}), name);
    rows.push_back(row<hp::TypeError>(
        "a missing argument for an input with a hostile name " + shown.substr(0, 40),
        [=] {
          hp::Var x = hp::vector(name), y = hp::vector("other");
          hp::compile({y, x}, {x + y + w}, {.updates = {{w, w + x}}, .name = name})(vec({1, 2}));
        },
        {"input 1 (" + shown + ") of function " + shown + " (TensorType(float64, vector)), which has no default"}));
    rows.push_back(row<hp::TypeError>(
        "set_value of the wrong rank on a shared variable with a hostile name " + shown.substr(0, 40),
        [=] { hp::Shared(w).set_value(hp::Array::ones({2, 2})); },
        {"set_value of shared variable " + shown + " expects", "rank 2 with shape (2, 2)"}));
    rows.push_back(row<hp::ShapeError>(
        "shapes that do not broadcast, of inputs with a hostile name " + shown.substr(0, 40),
        [=] {
          hp::Var x = hp::vector(name);
          hp::compile({x}, {x + w}, {.updates = {{w, w + 1}}})(vec({1, 2, 3}));
        },
        {"(3,)", "(2,)", "differ on axis 0"}));
    rows.push_back(row<hp::Error>(
        "an unused input with a hostile name " + shown.substr(0, 40),
        [=] { hp::compile({hp::vector(name)}, {w * 2}, {.name = name}); },
        {"compile(" + shown + "): input 0 " + shown + " (TensorType(float64, vector)) is not used"}));
  }
}

// --- arrays and eval -------------------------------------------------------------------------------

void add_array_rows(std::vector<BadInput>& rows) {
  rows.push_back(row<hp::ShapeError>("a ragged nested list", [] { hp::array({{1., 2.}, {3.}}); },
                                     {"ragged", "2", "1"}));
  rows.push_back(row<hp::ShapeError>("data that does not fill the shape",
                                     [] { hp::array(std::vector<double>{1, 2, 3}, hp::Shape{2, 2}); },
                                     {"3 values", "(2, 2)"}));
  rows.push_back(row<hp::ShapeError>("item() of an array of size 3", [] { vec({1, 2, 3}).item<double>(); },
                                     {"size 3"}));
  rows.push_back(row<hp::TypeError>("data<float>() of a float64 array", [] { vec({1}).data<float>(); },
                                    {"float64", "float32"}));
  rows.push_back(row<hp::ShapeError>("Array::reshape to another size", [] { vec({1, 2, 3}).reshape({2, 2}); },
                                     {"(3,)", "(2, 2)"}));
  rows.push_back(row<hp::ShapeError>("Array::transpose with a bad permutation",
                                     [] { hp::Array::ones({2, 3}).transpose({0, 0}); }, {"0, 0"}));
  rows.push_back(row<hp::ShapeError>("Array::broadcast_to an incompatible shape",
                                     [] { vec({1, 2, 3}).broadcast_to({2, 4}); }, {"(3,)", "(2, 4)"}));
  rows.push_back(row<hp::ShapeError>("Array::slice on an axis out of range", [] { vec({1, 2, 3}).slice(5, 0, 3); },
                                     {"axis 5", "(3,)"}));
  rows.push_back(row<hp::InvalidValueError>("Array::slice with a zero step",
                                            [] { vec({1, 2, 3}).slice(0, 0, 3, 0); }, {"step"}));
  rows.push_back(row<hp::ShapeError>("allclose of shapes that do not broadcast",
                                     [] { hp::allclose(vec({1, 2, 3}), vec({1, 2})); }, {"(3,)", "(2,)"}));
  rows.push_back(row<hp::TypeError>("an unknown dtype name", [] { hp::dtype_from_name("float16"); }, {"float16"}));
  rows.push_back(row<hp::TypeError>(
      "eval given a value of the wrong rank",
      [] {
        hp::Var x = hp::vector("x_eval");
        hp::exp(x).eval({{x, hp::Array::ones({2, 2})}});
      },
      {"'x_eval'", "rank 2", "(2, 2)"}));
  rows.push_back(row<hp::Error>(
      "eval given one variable twice",
      [] {
        hp::Var x = hp::vector("x_twice");
        hp::exp(x).eval({{x, vec({1})}, {x, vec({2})}});
      },
      {"'x_twice'", "twice"}));
  rows.push_back(row<hp::Error>(
      "eval without a value for an input it reads",
      [] {
        hp::Var x = hp::vector("x"), y = hp::vector("y_missing");
        (x + y).eval({{x, vec({1})}});
      },
      {"'y_missing'"}));
  rows.push_back(row<hp::TypeError>(
      "a call by a name several inputs share",
      [] {
        hp::Var a = hp::vector("same"), b = hp::vector("same");
        hp::compile({a, b}, {a + b}).call({{"same", vec({1})}});
      },
      {"'same'", "ambiguous"}));
}

std::vector<BadInput> catalogue() {
  std::vector<BadInput> rows;
  add_call_argument_rows(rows);
  add_compile_rows(rows);
  add_grad_rows(rows);
  add_division_rows(rows);
  add_dtype_rows(rows);
  add_axis_rows(rows);
  add_indexing_rows(rows);
  add_value_rows(rows);
  add_huge_rows(rows);
  add_shared_rows(rows);
  add_null_rows(rows);
  add_flag_rows(rows);
  add_hostile_name_rows(rows);
  add_array_rows(rows);
  return rows;
}

/// Captures what the process writes to its standard error (file descriptor
/// 2, so that C stdio and std::cerr are both seen) for the scope.
class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    std::cerr.flush();
    saved_ = ::dup(2);
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrCapture() { restore(); }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  /// What was written so far; restores standard error.
  std::string text() {
    restore();
    return hypatia_test::read_text(file_);
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    std::cerr.flush();
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }
  TempDir dir_;
  fs::path file_ = dir_.path() / "stderr.txt";
  int saved_ = -1;
};

/// Compiles and calls a graph no other test compiles (a constant of its own),
/// so that the compile cannot be a memory hit and really meets the cache directory.
void check_compiles_and_runs(double constant) {
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({x}, {x * constant + 0.5});
  CHECK(hp::allclose(f(vec({1, 2})).front(), vec({constant + 0.5, 2 * constant + 0.5})));
}

}  // namespace

TEST_CASE("the catalogue holds at least 40 bad inputs") { CHECK(catalogue().size() >= 40); }

TEST_CASE("every bad input raises exactly its error class, naming the culprit, and changes no shared variable") {
  ConfigScope scope;
  const std::vector<BadInput> rows = catalogue();
  for (const BadInput& bad : rows) check_row(bad);
  MESSAGE(rows.size() << " bad inputs checked");
}

/// Bytes the C heap has handed out and not taken back (mmapped blocks included).
std::size_t heap_bytes() {
  const struct mallinfo2 m = ::mallinfo2();
  return m.uordblks + m.hblkhd;
}

TEST_CASE("a huge allocation that fails leaves nothing allocated, and the function still works") {
  for (hp::Mode mode : kModes) {
    INFO(mode_text(mode));
    // Two outputs: a 32 MiB one that fits, and one of 2^52 elements that does not.
    hp::Var c = hp::col("c"), r = hp::row("r");
    hp::Function f = compile_in(mode, {c, r}, {c * 2.0, c + r});
    const hp::Array tall = hp::Array::ones({1, 1}).broadcast_to({std::int64_t{1} << 22, 1});
    const hp::Array wide = hp::Array::ones({1, 1}).broadcast_to({1, std::int64_t{1} << 30});
    CHECK_THROWS_AS(f(tall, wide), hp::Error);  // the first failure may fill caches
    const std::size_t before = heap_bytes();
    for (int attempt = 0; attempt < 4; ++attempt) {
      try {
        f(tall, wide);
        FAIL_CHECK("no exception");
      } catch (const std::exception& e) {
        CHECK(std::type_index(typeid(e)) == std::type_index(typeid(hp::Error)));
        CHECK(contains(e.what(), "cannot allocate"));
      }
    }
    const std::size_t after = heap_bytes();
    CHECK(after < before + (std::size_t{8} << 20));
    const std::vector<hp::Array> out = f(hp::array({{1.}, {2.}}), hp::array({{10., 20.}}));
    CHECK(out[0].to_vector<double>() == std::vector<double>{2., 4.});
    CHECK(out[1].to_vector<double>() == std::vector<double>{11., 21., 12., 22.});
  }
}

TEST_CASE("a graph a million nodes deep is freed without overflowing the stack") {
  hp::Var x = hp::scalar("x");
  {
    hp::Var y = x;
    for (int i = 0; i < 1000000; ++i) y = -y;
  }
  {
    hp::Var y = x;  // each node reads its input twice
    for (int i = 0; i < 300000; ++i) y = y * y;
  }
  CHECK(x.name() == "x");
}

TEST_CASE("a cache_dir that is a regular file: compile works and warns naming the path") {
  ConfigScope scope;
  TempDir dir;
  const fs::path file = dir.path() / "not_a_directory";
  hypatia_test::write_text(file, "a file\n");
  hp::config().cache_dir = file.string();
  StderrCapture err;
  check_compiles_and_runs(3.25);
  CHECK(contains(err.text(), file.string()));
  CHECK(hypatia_test::read_text(file) == "a file\n");
}

TEST_CASE("a cache_dir that cannot be created: compile works and warns naming the path") {
  ConfigScope scope;
  TempDir dir;
  const fs::path file = dir.path() / "file";
  hypatia_test::write_text(file, "");
  // Under a regular file: not even root can create it.
  const fs::path cache = file / "cache";
  hp::config().cache_dir = cache.string();
  StderrCapture err;
  check_compiles_and_runs(4.75);
  CHECK(contains(err.text(), cache.string()));
}

TEST_CASE("a cache_dir in a read-only file system: compile works and warns naming the path") {
  ConfigScope scope;
  const std::string cache = "/proc/hypatia-cache-test";
  hp::config().cache_dir = cache;
  StderrCapture err;
  check_compiles_and_runs(5.125);
  CHECK(contains(err.text(), cache));
  CHECK_FALSE(fs::exists(cache));
}

TEST_CASE("extreme slice steps and indices give Python's result in every mode") {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (hp::Mode mode : kModes) {
    INFO(mode_text(mode));
    hp::Var x = hp::matrix("x");
    hp::Function f = compile_in(mode, {x},
                                {hp::subtensor(x, {hp::slice(std::nullopt, std::nullopt, kMin)}),
                                 hp::subtensor(x, {hp::slice(kMin, kMax, kMax), hp::slice(kMax, kMin, -kMax)}),
                                 hp::subtensor(x, {hp::slice(), hp::slice(kMax, std::nullopt, kMin)})});
    // x[::-2**63] == x[2:], x[0:1, 2:] as Python, x[:, 2::-2**63] == x[:, 2:3]
    const std::vector<hp::Array> out = f(hp::array({{1., 2., 3.}, {4., 5., 6.}, {7., 8., 9.}}));
    CHECK(out[0].shape() == hp::Shape{1, 3});
    CHECK(out[0].to_vector<double>() == std::vector<double>{7., 8., 9.});
    CHECK(out[1].to_vector<double>() == std::vector<double>{3.});
    CHECK(out[2].shape() == hp::Shape{3, 1});
    CHECK(out[2].to_vector<double>() == std::vector<double>{3., 6., 9.});
    CHECK_THROWS_AS(compile_in(mode, {x}, {hp::subtensor(x, {kMin})})(hp::Array::ones({2, 2})), hp::ShapeError);
  }
}

TEST_CASE("set_value accepts a dtype that converts without loss, as Theano's filter") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  w.set_value(hp::array({3.f, 4.f}));
  CHECK(w.get_value().dtype() == hp::float64);
  CHECK(w.get_value().to_vector<double>() == std::vector<double>{3., 4.});
  w.set_value(hp::array(std::vector<std::int32_t>{5, 6}));
  CHECK(w.get_value().to_vector<double>() == std::vector<double>{5., 6.});
  w.set_value(hp::array(std::vector<std::int64_t>{7, 8}));  // Theano's upcast(float64, int64) is float64
  CHECK(w.get_value().dtype() == hp::float64);
  CHECK(w.get_value().to_vector<double>() == std::vector<double>{7., 8.});
  hp::Shared n = hp::shared(hp::Array(std::int32_t{1}), "n");
  n.set_value(hp::Array(3.0));  // a single number that converts exactly, as a Python number
  CHECK(n.get_value().dtype() == hp::int32);
  CHECK(n.get_value().item<int>() == 3);
}
