// The CPU JIT of a build without Clang (HYPATIA_WITH_CLANG=OFF): the same
// interface as jit_cpu.cpp, reporting that there is nothing to compile with.

#include "runtime/cpu/jit.hpp"

namespace hypatia::jit {
namespace {

[[noreturn]] void throw_unavailable(const char* what) {
  throw Error(std::string("hypatia JIT: cannot ") + what +
              ": this Hypatia library was built without Clang (HYPATIA_WITH_CLANG=OFF); "
              "rebuild it with -DHYPATIA_WITH_CLANG=ON");
}

}  // namespace

bool available() { return false; }

std::string target_triple() { return ""; }
std::string host_cpu() { return ""; }
std::string host_cpu_features() { return ""; }
std::string llvm_version() { return ""; }

// Nothing is generated, so nothing is instrumented.
std::string_view sanitizers() { return ""; }
bool sanitizer_enabled(std::string_view) { return false; }

ObjectCode compile_to_object(const std::string&, const CompileOptions&) {
  throw_unavailable("compile generated C++");
}

std::shared_ptr<Module> load_object(const ObjectCode&, const std::vector<HostSymbol>&) {
  throw_unavailable("load a compiled object");
}

std::shared_ptr<Module> compile(const std::string&, const CompileOptions&,
                                const std::vector<HostSymbol>&) {
  throw_unavailable("compile generated C++");
}

std::string emit_llvm_ir(const std::string&, const CompileOptions&) {
  throw_unavailable("emit LLVM IR");
}

std::string emit_assembly(const std::string&, const CompileOptions&) {
  throw_unavailable("emit assembly");
}

}  // namespace hypatia::jit
