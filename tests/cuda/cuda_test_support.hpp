/// \file Helpers of the CUDA suites: skipping cleanly where NVRTC or a GPU is
/// missing, and compiling a generated program for an architecture.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/codegen/cuda_codegen.hpp"
#include "runtime/cuda/driver.hpp"
#include "runtime/cuda/nvrtc.hpp"

namespace hypatia_test {

/// False, with a doctest MESSAGE saying why, when NVRTC cannot be loaded.
inline bool nvrtc_or_skip() {
  if (hypatia::nvrtc::available()) return true;
  MESSAGE("skipped: NVRTC is not available (" << hypatia::nvrtc::unavailable_reason() << ")");
  return false;
}

/// False, with a doctest MESSAGE saying why, when no GPU is usable.
inline bool gpu_or_skip() {
  if (hypatia::cuda::driver_available()) return true;
  MESSAGE("skipped: no GPU (" << hypatia::cuda::driver_unavailable_reason() << ")");
  return false;
}

/// Whether the PTX defines the kernel `name` (`.entry name(`).
inline bool has_entry(const std::string& ptx, const std::string& name) {
  return ptx.find(".entry " + name + "(") != std::string::npos;
}

/// The architectures every generated kernel is compiled for in the tests.
inline const std::vector<int>& test_archs() {
  static const std::vector<int> archs = {80, 90};
  return archs;
}

/// Compiles `program` with NVRTC for each test arch and checks that every
/// kernel it names is an entry point of the PTX. With `with_cubin` the first
/// arch goes through ptxas to a cubin too (which checks the PTX itself); the
/// others stop at PTX, three times faster (large batches). Returns the last PTX.
inline std::string check_compiles(const hypatia::CudaProgramText& program, bool with_cubin = true) {
  std::string ptx;
  for (int arch : test_archs()) {
    CAPTURE(arch);
    const bool cubin = with_cubin && arch == test_archs().front();
    hypatia::nvrtc::Compiled compiled;
    try {
      compiled = hypatia::nvrtc::compile(program.source, arch,
                                         cubin ? hypatia::nvrtc::Output::Cubin : hypatia::nvrtc::Output::PtxOnly);
    } catch (const hypatia::CompileError& e) {
      FAIL_CHECK("NVRTC rejected the generated source:\n" << e.diagnostics() << "\n" << e.source());
      continue;
    }
    CHECK(compiled.cubin.empty() == !cubin);
    CHECK(compiled.ptx.find(".target sm_" + std::to_string(arch)) != std::string::npos);
    for (const std::string& kernel : program.kernels) {
      CAPTURE(kernel);
      CHECK(has_entry(compiled.ptx, kernel));
    }
    ptx = compiled.ptx;
  }
  return ptx;
}

}  // namespace hypatia_test
