// JIT-compiled code under the sanitizers. A build with HYPATIA_SANITIZE (the
// "asan" preset) has the in-process Clang instrument generated code too
// (runtime/cpu/jit.cpp), so that a bad access or undefined behaviour in a
// generated loop is reported as one in the library would be; a build without
// sanitizers must generate no instrumentation at all. The IR and assembly
// shown to people (hypatia-dump, dump_dir) are never instrumented.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "runtime/cpu/jit.hpp"

namespace jit = hypatia::jit;

namespace {

#ifdef HYPATIA_TEST_SANITIZE
constexpr std::string_view kBuildSanitizers = HYPATIA_TEST_SANITIZE;
#else
constexpr std::string_view kBuildSanitizers = "";
#endif

/// Whether the build's HYPATIA_SANITIZE list names `name`: the JIT's own parse,
/// whose input the first test case checks against the list CMake gave.
bool built_with(std::string_view name) { return jit::sanitizer_enabled(name); }

const std::string kSource = R"(
extern "C" double read_at(const double* p, long i) { return p[i]; }
extern "C" int add_ints(int a, int b) { return a + b; }
)";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Runs `body` in a forked child with its stderr captured; returns what the
/// child wrote there, and its exit status in `status` (-1 when killed).
template <class Body>
std::string stderr_of_child(Body body, int& status) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    ::dup2(pipe_fds[1], 2);
    try {
      body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child threw: %s\n", e.what());
      ::_exit(3);
    }
    ::_exit(0);  // the sanitizer should have ended the child before
  }
  ::close(pipe_fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  ::close(pipe_fds[0]);
  int wait_status = 0;
  REQUIRE(::waitpid(child, &wait_status, 0) == child);
  status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  return text;
}

}  // namespace

TEST_CASE("the JIT's sanitizer list is the build's, and is part of the cache key's fingerprint") {
  if (!jit::available()) return;  // without Clang nothing is instrumented
  CHECK(jit::sanitizers() == kBuildSanitizers);
  // A sanitized and a plain build sharing a cache_dir must not load each other's objects.
  const bool in_fingerprint = jit::compile_fingerprint().find("sanitize=") != std::string::npos;
  CHECK(in_fingerprint == !kBuildSanitizers.empty());
  if (!kBuildSanitizers.empty()) CHECK(contains(jit::compile_fingerprint(), std::string(kBuildSanitizers)));
}

TEST_CASE("JIT-compiled code has AddressSanitizer checks exactly when the build has them") {
  if (!jit::available()) return;
  // The object's symbol table names the runtime functions its checks call.
  const std::string object = jit::compile_to_object(kSource).bytes;
  INFO("HYPATIA_SANITIZE=", kBuildSanitizers);
  CHECK(contains(object, "__asan_report_load8") == built_with("address"));
  // No module constructor: ORC runs none for an object (globals are not instrumented).
  CHECK_FALSE(contains(object, "asan.module_ctor"));
}

TEST_CASE("JIT-compiled code has UndefinedBehaviorSanitizer checks exactly when the build has them") {
  if (!jit::available()) return;
  const std::string object = jit::compile_to_object(kSource).bytes;
  INFO("HYPATIA_SANITIZE=", kBuildSanitizers);
  // Not recoverable: undefined behaviour in generated code fails the test that met it.
  CHECK(contains(object, "__ubsan_handle_add_overflow_abort") == built_with("undefined"));
}

TEST_CASE("the IR and assembly shown to people are those of a build without sanitizers") {
  if (!jit::available()) return;
  CHECK_FALSE(contains(jit::emit_llvm_ir(kSource), "__asan_"));
  CHECK_FALSE(contains(jit::emit_llvm_ir(kSource), "__ubsan_"));
  CHECK_FALSE(contains(jit::emit_assembly(kSource), "__asan_"));
}

TEST_CASE("an out-of-bounds read in JIT-compiled code is reported by AddressSanitizer") {
  if (!jit::available() || !built_with("address")) return;
  int status = 0;
  const std::string report = stderr_of_child(
      [] {
        auto module = jit::compile(kSource);
        auto read_at = reinterpret_cast<double (*)(const double*, long)>(module->lookup("read_at"));
        double* values = new double[4]{1, 2, 3, 4};
        std::printf("%g\n", read_at(values, 4));  // one past the end
        delete[] values;
      },
      status);
  INFO(report);
  CHECK(status != 0);
  CHECK(contains(report, "AddressSanitizer: heap-buffer-overflow"));
  CHECK(contains(report, "READ of size 8"));
}

TEST_CASE("a signed overflow in JIT-compiled code is reported by UndefinedBehaviorSanitizer") {
  if (!jit::available() || !built_with("undefined")) return;
  int status = 0;
  const std::string report = stderr_of_child(
      [] {
        auto module = jit::compile(kSource);
        auto add_ints = reinterpret_cast<int (*)(int, int)>(module->lookup("add_ints"));
        std::printf("%d\n", add_ints(INT_MAX, 1));
      },
      status);
  INFO(report);
  CHECK(status != 0);
  CHECK(contains(report, "signed integer overflow"));
}
