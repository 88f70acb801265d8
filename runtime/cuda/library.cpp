#include "runtime/cuda/library.hpp"

#include <dlfcn.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace hypatia::cuda {
namespace {

/// Where a toolkit keeps its libraries: the one CMake found, then the usual place.
std::vector<std::string> library_dirs() {
  std::vector<std::string> dirs;
#ifdef HYPATIA_CUDA_LIBRARY_DIR
  dirs.emplace_back(HYPATIA_CUDA_LIBRARY_DIR);
#endif
  dirs.emplace_back("/usr/local/cuda/lib64");
  return dirs;
}

}  // namespace

bool built_with_cuda() {
#if defined(HYPATIA_WITH_CUDA) && HYPATIA_WITH_CUDA
  return true;
#else
  return false;
#endif
}

Library open_library(const std::vector<std::string>& names, bool in_toolkit) {
  Library library;
  std::vector<std::string> candidates = names;
  for (const std::string& dir : in_toolkit ? library_dirs() : std::vector<std::string>{}) {
    for (const std::string& name : names) candidates.push_back(dir + "/" + name);
  }
  std::string first_error;
  for (const std::string& candidate : candidates) {
    dlerror();
    if (void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      library.handle = handle;
      library.path = candidate;
      return library;
    }
    const char* why = dlerror();
    if (first_error.empty()) first_error = why ? why : candidate;
  }
  library.error = fmt::format("tried {}; {}", fmt::join(candidates, ", "), first_error);
  return library;
}

void* find_symbol(const Library& library, const char* name) {
  return library.handle ? dlsym(library.handle, name) : nullptr;
}

}  // namespace hypatia::cuda
