// The CPU JIT (runtime/cpu/jit.hpp): C++ source in, callable code out.
// In a build without Clang only the first test case has anything to check.

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hypatia/error.hpp"
#include "runtime/cpu/jit.hpp"

namespace hp = hypatia;
namespace jit = hypatia::jit;

namespace {

// A fused loop as the code generator writes them.
const std::string kAxpySource = R"(
extern "C" void axpy(long n, double a, const double* __restrict x, double* __restrict y) {
  for (long i = 0; i < n; ++i)
    y[i] = a * x[i] + y[i];
}
)";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Internal linkage: reachable from generated code only as a HostSymbol.
double host_twice(double value) { return 2 * value; }

void host_throw(int code) { throw std::runtime_error("host error " + std::to_string(code)); }

}  // namespace

TEST_CASE("without Clang, every JIT entry point throws hp::Error saying so") {
  if (jit::available()) return;
  CHECK_THROWS_WITH_AS(jit::compile(kAxpySource), doctest::Contains("without Clang"), hp::Error);
  CHECK_THROWS_AS(jit::compile_to_object(kAxpySource), hp::Error);
  CHECK_THROWS_AS(jit::load_object(jit::ObjectCode{}), hp::Error);
  CHECK_THROWS_AS(jit::emit_llvm_ir(kAxpySource), hp::Error);
  CHECK_THROWS_AS(jit::emit_assembly(kAxpySource), hp::Error);
}

TEST_CASE("the JIT targets the host and names LLVM 19") {
  if (!jit::available()) return;
  CHECK(jit::llvm_version().rfind("19.", 0) == 0);
  CHECK_FALSE(jit::target_triple().empty());
  CHECK_FALSE(jit::host_cpu().empty());
  CHECK(contains(jit::compile_fingerprint(), jit::host_cpu()));
  CHECK(jit::compile_fingerprint({.opt_level = 2}) != jit::compile_fingerprint({.opt_level = 3}));
  CHECK(jit::compile_fingerprint({.defines = {"A", "B"}}) !=
        jit::compile_fingerprint({.defines = {"A; -DB"}}));
}

TEST_CASE("a compiled axpy loop computes y = a*x + y") {
  if (!jit::available()) return;
  auto module = jit::compile(kAxpySource);
  auto* axpy = module->function<void(long, double, const double*, double*)>("axpy");
  std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  std::vector<double> y = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5};
  axpy(static_cast<long>(x.size()), 2.0, x.data(), y.data());
  CHECK(y == std::vector<double>{3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 22.5});
}

TEST_CASE("compile reports the time of every phase") {
  if (!jit::available()) return;
  auto module = jit::compile(kAxpySource);
  const jit::CompileTimings& timings = module->timings();
  CHECK(timings.frontend_ms > 0);
  CHECK(timings.optimize_ms > 0);
  CHECK(timings.codegen_ms > 0);
  CHECK(timings.link_ms > 0);
  CHECK(timings.total_ms() ==
        doctest::Approx(timings.frontend_ms + timings.optimize_ms + timings.codegen_ms +
                        timings.link_ms));
}

TEST_CASE("generated code calls a host function passed as a HostSymbol") {
  if (!jit::available()) return;
  auto module = jit::compile(R"(
    extern "C" double host_twice(double);
    extern "C" double twice_plus_one(double v) { return host_twice(v) + 1; }
  )", {}, {{"host_twice", reinterpret_cast<void*>(&host_twice)}});
  CHECK(module->function<double(double)>("twice_plus_one")(20.0) == 41.0);
}

TEST_CASE("generated code calls OpenBLAS's cblas_ddot, resolved from the process") {
  if (!jit::available()) return;
  auto module = jit::compile(R"(
    extern "C" double cblas_ddot(int n, const double* x, int incx, const double* y, int incy);
    extern "C" double dot3(const double* x, const double* y) { return cblas_ddot(3, x, 1, y, 1); }
  )");
  double x[] = {1, 2, 3}, y[] = {4, 5, 6};
  CHECK(module->function<double(const double*, const double*)>("dot3")(x, y) == 32.0);
}

TEST_CASE("a source that does not compile throws CompileError with the diagnostics and source") {
  if (!jit::available()) return;
  const std::string broken = "extern \"C\" int f() { return undeclared_q + 1; }\n";
  try {
    jit::compile(broken);
    FAIL("compile succeeded");
  } catch (const hp::CompileError& error) {
    CHECK(contains(error.diagnostics(), "error: use of undeclared identifier 'undeclared_q'"));
    CHECK(contains(error.diagnostics(), "hypatia_generated.cpp:1:"));
    CHECK(error.source() == broken);
    CHECK(contains(error.what(), "undeclared identifier"));
  }
}

TEST_CASE("an error found only by LLVM's backend throws CompileError instead of exiting") {
  if (!jit::available()) return;
  const std::string source = R"(extern "C" void f() { asm volatile("not_an_instruction"); })";
  CHECK_THROWS_WITH_AS(jit::compile_to_object(source), doctest::Contains("not_an_instruction"),
                       hp::CompileError);
}

TEST_CASE("looking up a symbol the module does not define throws hp::Error naming it") {
  if (!jit::available()) return;
  auto module = jit::compile(kAxpySource);
  CHECK(module->contains("axpy"));
  CHECK_FALSE(module->contains("no_such_kernel"));
  CHECK_THROWS_WITH_AS(module->lookup("no_such_kernel"), doctest::Contains("no_such_kernel"),
                       hp::Error);
}

TEST_CASE("a reference nothing resolves fails at load time, naming the symbol") {
  if (!jit::available()) return;
  const std::string source = R"(
    extern "C" double hypatia_test_missing_function(double);
    extern "C" double f(double v) { return hypatia_test_missing_function(v); }
  )";
  CHECK_THROWS_WITH_AS(jit::compile(source), doctest::Contains("hypatia_test_missing_function"),
                       hp::Error);
}

TEST_CASE("object bytes loaded later give working code, as a disk-cache hit does") {
  if (!jit::available()) return;
  jit::ObjectCode compiled = jit::compile_to_object(kAxpySource);
  CHECK(compiled.bytes.rfind("\x7f" "ELF", 0) == 0);
  jit::ObjectCode reloaded{std::string(compiled.bytes), {}};  // as read back from disk
  auto first = jit::load_object(reloaded);
  auto second = jit::load_object(reloaded);
  CHECK(first->timings().frontend_ms == 0);
  double x[] = {1, 2}, y[] = {10, 20};
  first->function<void(long, double, const double*, double*)>("axpy")(2, 3.0, x, y);
  second->function<void(long, double, const double*, double*)>("axpy")(2, 1.0, x, y);
  CHECK(y[0] == 14.0);
  CHECK(y[1] == 28.0);
}

TEST_CASE("bytes that are not an object file throw hp::Error") {
  if (!jit::available()) return;
  CHECK_THROWS_AS(jit::load_object(jit::ObjectCode{"not an object file", {}}), hp::Error);
  CHECK_THROWS_AS(jit::load_object(jit::ObjectCode{}), hp::Error);
}

TEST_CASE("two modules defining the same symbol coexist") {
  if (!jit::available()) return;
  auto one = jit::compile(R"(extern "C" int kernel() { return 1; })");
  auto two = jit::compile(R"(extern "C" int kernel() { return 2; })");
  CHECK(one->function<int()>("kernel")() == 1);
  CHECK(two->function<int()>("kernel")() == 2);
}

TEST_CASE("a released module's symbol can be defined again") {
  if (!jit::available()) return;
  for (int value = 0; value < 3; ++value) {
    std::string source = "extern \"C\" int kernel() { return " + std::to_string(value) + "; }";
    auto module = jit::compile(source);
    CHECK(module->function<int()>("kernel")() == value);
  }
}

TEST_CASE("several threads compile at once") {
  if (!jit::available()) return;
  constexpr int kThreads = 4;
  std::vector<int> results(kThreads, -1);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t, &results, &errors] {
      try {
        auto module = jit::compile("extern \"C\" int scaled(int v) { return v * " +
                                   std::to_string(t + 2) + "; }");
        results[t] = module->function<int(int)>("scaled")(10);
      } catch (const std::exception& error) {
        errors[t] = error.what();
      }
    });
  for (std::thread& thread : threads) thread.join();
  CHECK(errors == std::vector<std::string>(kThreads));
  CHECK(results == std::vector<int>{20, 30, 40, 50});
}

TEST_CASE("defines reach the preprocessor") {
  if (!jit::available()) return;
  auto module = jit::compile(R"(extern "C" int scale() { return SCALE * 2; })",
                             {.defines = {"SCALE=21"}});
  CHECK(module->function<int()>("scale")() == 42);
}

TEST_CASE("an opt_level outside 0..3 throws hp::Error") {
  if (!jit::available()) return;
  CHECK_THROWS_AS(jit::compile(kAxpySource, {.opt_level = 7}), hp::Error);
}

TEST_CASE("every opt_level from 0 to 3 gives working code") {
  if (!jit::available()) return;
  for (int level = 0; level <= 3; ++level) {
    auto module = jit::compile(kAxpySource, {.opt_level = level});
    double x[] = {1, 2, 3}, y[] = {1, 1, 1};
    module->function<void(long, double, const double*, double*)>("axpy")(3, 2.0, x, y);
    CHECK(y[2] == 7.0);
  }
}

TEST_CASE("IEEE rounding and NaN semantics survive optimisation (no fast-math)") {
  if (!jit::available()) return;
  auto module = jit::compile(R"(
    extern "C" double round_to_even(double x) { return (x + 0x1.8p52) - 0x1.8p52; }
    extern "C" int is_nan(double x) { return x != x; }
    extern "C" double signed_zero(double x) { return x + 0.0; }
  )");
  auto* round_to_even = module->function<double(double)>("round_to_even");
  CHECK(round_to_even(2.5) == 2.0);
  CHECK(round_to_even(3.5) == 4.0);
  CHECK(round_to_even(-1.25) == -1.0);
  CHECK(module->function<int(double)>("is_nan")(std::numeric_limits<double>::quiet_NaN()) == 1);
  CHECK(std::signbit(module->function<double(double)>("signed_zero")(-0.0)) == false);
}

TEST_CASE("an exception thrown by a host function propagates through generated code") {
  if (!jit::available()) return;
  auto module = jit::compile(R"(
    extern "C" void host_throw(int);
    extern "C" void call_host(int code, int* after) {
      host_throw(code + 1);  // not a tail call: generated code has a frame to unwind
      *after = 1;
    }
  )", {}, {{"host_throw", reinterpret_cast<void*>(&host_throw)}});
  int after = 0;
  CHECK_THROWS_WITH_AS(module->function<void(int, int*)>("call_host")(6, &after), "host error 7",
                       std::runtime_error);
  CHECK(after == 0);
}

TEST_CASE("dynamic initialisation of a global is rejected with CompileError") {
  if (!jit::available()) return;
  const std::string source = R"(
    extern "C" double opaque();
    double table_entry = opaque();
    extern "C" double get() { return table_entry; }
  )";
  CHECK_THROWS_WITH_AS(jit::compile_to_object(source), doctest::Contains("initialis"),
                       hp::CompileError);
}

TEST_CASE("emit_llvm_ir returns the optimised, vectorised IR") {
  if (!jit::available()) return;
  std::string ir = jit::emit_llvm_ir(kAxpySource);
  CHECK(contains(ir, "define dso_local void @axpy("));
  CHECK(contains(ir, " x double>"));  // the loop vectoriser ran with a cost model
  CHECK_FALSE(contains(ir, " fast "));  // no fast-math flags on any instruction
  CHECK_FALSE(contains(ir, "reassoc"));
}

TEST_CASE("__builtin_sqrt is an instruction, not a libm call (math-errno is off)") {
  if (!jit::available()) return;
  std::string ir = jit::emit_llvm_ir(R"(
    extern "C" void roots(long n, const double* __restrict x, double* __restrict y) {
      for (long i = 0; i < n; ++i)
        y[i] = __builtin_sqrt(x[i]);
    }
  )");
  CHECK(contains(ir, "@llvm.sqrt.v"));  // vectorised
  CHECK_FALSE(contains(ir, "@sqrt("));
}

TEST_CASE("fp_contract decides whether a*b+c may become one fma") {
  if (!jit::available()) return;
  CHECK(contains(jit::emit_llvm_ir(kAxpySource, {.fp_contract = true}), "fmuladd"));
  CHECK_FALSE(contains(jit::emit_llvm_ir(kAxpySource, {.fp_contract = false}), "fmuladd"));
}

TEST_CASE("emit_assembly returns the host assembly of each function") {
  if (!jit::available()) return;
  std::string assembly = jit::emit_assembly(kAxpySource);
  CHECK(contains(assembly, "axpy:"));
  CHECK(contains(assembly, "ret"));
}
