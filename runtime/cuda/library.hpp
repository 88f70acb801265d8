/// \file Run-time loading of the CUDA libraries (NVRTC, the driver, cuBLAS).
///
/// Nothing from CUDA is linked into libhypatia: each library is opened with
/// dlopen on first use, its functions looked up with dlsym. A library that is
/// missing is not an error here; the caller reports it when the backend is
/// asked for.
#pragma once

#include <string>
#include <vector>

namespace hypatia::cuda {

/// Whether the build has the CUDA backend (CMake option HYPATIA_WITH_CUDA).
bool built_with_cuda();

/// An opened shared library, or why none of the candidates opened.
struct Library {
  void* handle = nullptr;
  std::string path;   ///< the name that opened
  std::string error;  ///< when handle is null: what was tried and the first dlerror
};

/// Opens the first of `names` that loads: each as given (the loader's search
/// path), then, with `in_toolkit`, under the toolkit's library directories
/// (the driver is not there). The handle is never closed: the libraries live
/// as long as the process, as the code loaded from them.
Library open_library(const std::vector<std::string>& names, bool in_toolkit);

/// The address of `name` in `library`, or null.
void* find_symbol(const Library& library, const char* name);

}  // namespace hypatia::cuda
