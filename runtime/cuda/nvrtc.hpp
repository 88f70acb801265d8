/// \file NVRTC, loaded at run time: CUDA C++ source -> PTX and cubin.
///
/// libhypatia links nothing from CUDA. The first call looks NVRTC up with
/// dlopen (libnvrtc.so.13, libnvrtc.so.12, libnvrtc.so, each also under the
/// toolkit's lib64 directory found at configure time and under
/// /usr/local/cuda/lib64), so the library builds and runs where no toolkit
/// exists: available() is then false and compile() throws hp::Error naming
/// what was tried.
///
/// Generated kernels include no header (codegen_templates/cuda_abi.h is
/// self-contained), so a compile needs nothing but the library itself.
///
/// Thread-safe: loading happens once; NVRTC programs are per call.
#pragma once

#include <string>
#include <vector>

#include "hypatia/error.hpp"

namespace hypatia::nvrtc {

/// Whether NVRTC could be loaded (and the build has the CUDA backend).
bool available();
/// Why it could not ("" when available): the build option or every dlopen error.
std::string unavailable_reason();
/// "13.0": NVRTC's version (throws hp::Error when unavailable).
std::string version();
/// The real architectures NVRTC can compile for, as 80, 86, 90, ...
std::vector<int> supported_archs();

/// What a compile makes: PTX and a cubin for sm_<arch> (ptxas runs), or PTX
/// only, for the virtual architecture compute_<arch> (about three times faster:
/// the test suites check most kernels this way).
enum class Output { Cubin, PtxOnly };

/// What one NVRTC compile produced.
struct Compiled {
  std::string ptx;    ///< PTX text (for hypatia-dump and tests)
  std::string cubin;  ///< SASS for sm_<arch>, loadable by cuModuleLoadData (empty for Output::PtxOnly)
  std::string log;    ///< NVRTC's warnings (empty on a clean compile)
  int arch = 0;       ///< the sm architecture compiled for
  double compile_ms = 0;
};

/// Compiles `source` for sm_<arch> (80 for sm_80) with the options every
/// Hypatia kernel uses: C++17, IEEE float semantics (no fast math, no flush
/// to zero, FMA contraction within an expression as on the CPU). Throws
/// hp::CompileError carrying the source and NVRTC's log when it does not
/// compile, hp::Error when NVRTC is unavailable or `arch` is not supported.
Compiled compile(const std::string& source, int arch, Output output = Output::Cubin,
                 const std::string& program_name = "hypatia.cu");

/// The NVRTC options compile() passes (part of the cubin cache key).
std::vector<std::string> options_for(int arch, Output output = Output::Cubin);

}  // namespace hypatia::nvrtc
