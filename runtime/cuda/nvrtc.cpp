#include "runtime/cuda/nvrtc.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>

#include <fmt/format.h>

#include "runtime/cuda/library.hpp"

namespace hypatia::nvrtc {
namespace {

// NVRTC's C API, as declared in nvrtc.h (stable since CUDA 11): our own
// declarations, so that building needs no toolkit.
using Result = int;  // nvrtcResult; 0 is NVRTC_SUCCESS
using Program = struct nvrtc_program*;

struct Api {
  cuda::Library library;
  const char* (*GetErrorString)(Result) = nullptr;
  Result (*Version)(int*, int*) = nullptr;
  Result (*GetNumSupportedArchs)(int*) = nullptr;
  Result (*GetSupportedArchs)(int*) = nullptr;
  Result (*CreateProgram)(Program*, const char*, const char*, int, const char* const*, const char* const*) = nullptr;
  Result (*DestroyProgram)(Program*) = nullptr;
  Result (*CompileProgram)(Program, int, const char* const*) = nullptr;
  Result (*GetPTXSize)(Program, std::size_t*) = nullptr;
  Result (*GetPTX)(Program, char*) = nullptr;
  Result (*GetCUBINSize)(Program, std::size_t*) = nullptr;
  Result (*GetCUBIN)(Program, char*) = nullptr;
  Result (*GetProgramLogSize)(Program, std::size_t*) = nullptr;
  Result (*GetProgramLog)(Program, char*) = nullptr;
  std::string missing;  ///< why the API is unusable, "" when it is usable
};

template <class F>
void bind(Api& api, F& slot, const char* name) {
  slot = reinterpret_cast<F>(cuda::find_symbol(api.library, name));
  if (!slot && api.missing.empty()) api.missing = fmt::format("{} has no symbol {}", api.library.path, name);
}

const Api& api() {
  static const Api loaded = [] {
    Api a;
    if (!cuda::built_with_cuda()) {
      a.missing = "Hypatia was built with HYPATIA_WITH_CUDA=OFF";
      return a;
    }
    a.library = cuda::open_library({"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"}, true);
    if (!a.library.handle) {
      a.missing = "NVRTC not found (" + a.library.error + ")";
      return a;
    }
    bind(a, a.GetErrorString, "nvrtcGetErrorString");
    bind(a, a.Version, "nvrtcVersion");
    bind(a, a.GetNumSupportedArchs, "nvrtcGetNumSupportedArchs");
    bind(a, a.GetSupportedArchs, "nvrtcGetSupportedArchs");
    bind(a, a.CreateProgram, "nvrtcCreateProgram");
    bind(a, a.DestroyProgram, "nvrtcDestroyProgram");
    bind(a, a.CompileProgram, "nvrtcCompileProgram");
    bind(a, a.GetPTXSize, "nvrtcGetPTXSize");
    bind(a, a.GetPTX, "nvrtcGetPTX");
    bind(a, a.GetCUBINSize, "nvrtcGetCUBINSize");
    bind(a, a.GetCUBIN, "nvrtcGetCUBIN");
    bind(a, a.GetProgramLogSize, "nvrtcGetProgramLogSize");
    bind(a, a.GetProgramLog, "nvrtcGetProgramLog");
    return a;
  }();
  return loaded;
}

const Api& require() {
  const Api& a = api();
  if (!a.missing.empty()) throw Error("CUDA: cannot compile kernels: " + a.missing);
  return a;
}

void check(const Api& a, Result r, const char* what) {
  if (r != 0) throw Error(fmt::format("NVRTC: {} failed: {}", what, a.GetErrorString(r)));
}

/// Frees an NVRTC program on every path out of compile().
struct ProgramGuard {
  const Api& a;
  Program program = nullptr;
  ~ProgramGuard() {
    if (program) a.DestroyProgram(&program);
  }
};

std::string program_log(const Api& a, Program program) {
  std::size_t size = 0;
  if (a.GetProgramLogSize(program, &size) != 0 || size <= 1) return "";
  std::string log(size, '\0');
  if (a.GetProgramLog(program, log.data()) != 0) return "";
  log.resize(size - 1);  // the terminating NUL
  return log;
}

}  // namespace

bool available() { return api().missing.empty(); }

std::string unavailable_reason() { return api().missing; }

std::string version() {
  const Api& a = require();
  int major = 0, minor = 0;
  check(a, a.Version(&major, &minor), "nvrtcVersion");
  return fmt::format("{}.{}", major, minor);
}

std::vector<int> supported_archs() {
  const Api& a = require();
  int n = 0;
  check(a, a.GetNumSupportedArchs(&n), "nvrtcGetNumSupportedArchs");
  std::vector<int> archs(static_cast<std::size_t>(std::max(n, 0)));
  if (n > 0) check(a, a.GetSupportedArchs(archs.data()), "nvrtcGetSupportedArchs");
  return archs;
}

std::vector<std::string> options_for(int arch, Output output) {
  // IEEE semantics as on the CPU: no fast math, denormals kept, correctly
  // rounded division and square root; FMA contraction stays on (as Clang's
  // default on the CPU side).
  const char* kind = output == Output::Cubin ? "sm" : "compute";
  return {fmt::format("--gpu-architecture={}_{}", kind, arch), "--std=c++17", "--ftz=false", "--prec-div=true",
          "--prec-sqrt=true", "--fmad=true", "--extra-device-vectorization"};
}

Compiled compile(const std::string& source, int arch, Output output, const std::string& program_name) {
  const Api& a = require();
  const std::vector<int> archs = supported_archs();
  if (std::find(archs.begin(), archs.end(), arch) == archs.end()) {
    throw Error(fmt::format("NVRTC {} cannot compile for sm_{} (it supports sm_{})", version(), arch,
                            fmt::join(archs, ", sm_")));
  }
  const auto start = std::chrono::steady_clock::now();
  ProgramGuard guard{a};
  check(a, a.CreateProgram(&guard.program, source.c_str(), program_name.c_str(), 0, nullptr, nullptr),
        "nvrtcCreateProgram");
  const std::vector<std::string> options = options_for(arch, output);
  std::vector<const char*> argv;
  for (const std::string& o : options) argv.push_back(o.c_str());
  const Result r = a.CompileProgram(guard.program, static_cast<int>(argv.size()), argv.data());
  Compiled out;
  out.arch = arch;
  out.log = program_log(a, guard.program);
  if (r != 0) {
    throw CompileError(fmt::format("NVRTC {} could not compile the generated CUDA source for sm_{} ({})",
                                   version(), arch, a.GetErrorString(r)),
                       source, out.log);
  }
  std::size_t size = 0;
  check(a, a.GetPTXSize(guard.program, &size), "nvrtcGetPTXSize");
  out.ptx.assign(size, '\0');
  check(a, a.GetPTX(guard.program, out.ptx.data()), "nvrtcGetPTX");
  if (!out.ptx.empty() && out.ptx.back() == '\0') out.ptx.pop_back();
  if (output == Output::Cubin) {
    check(a, a.GetCUBINSize(guard.program, &size), "nvrtcGetCUBINSize");
    out.cubin.assign(size, '\0');
    check(a, a.GetCUBIN(guard.program, out.cubin.data()), "nvrtcGetCUBIN");
  }
  out.compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace hypatia::nvrtc
