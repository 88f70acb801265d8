/// \file Generated CUDA source -> cubin, through the disk cache.
///
/// The CPU backend's compile_to_object + cache, for kernels: a cubin is
/// stored in the same cache directory, under the same rules (runtime/cache.hpp),
/// as one "object" entry holding
///
///   object.o     the cubin (cuModuleLoadData takes it)
///   source.cpp   the CUDA source (hypatia-dump --source; --ptx and --sass
///                are regenerated from it)
///   graph.txt    the graph printout
///
/// keyed by the source without its comment lines (which carry user names: equal
/// math named differently shares one entry) and by the versions: the code
/// generator's fingerprint, NVRTC's version, the sm architecture and the
/// compile options. Metadata versions start with "cuda ", which is how tools
/// tell these entries from CPU objects. Nothing here needs a GPU: a cubin for
/// any architecture NVRTC supports can be built and cached anywhere.
#pragma once

#include <string>

#include "runtime/cache.hpp"

namespace hypatia::cuda {

struct CompiledKernels {
  std::string cubin;
  std::string ptx;         ///< empty on a cache hit (not stored: hypatia-dump regenerates it)
  std::string cache_key;
  int arch = 0;
  bool cache_hit = false;
  std::string cache_miss;  ///< why it missed (cache::miss_name + detail), "" on a hit
  double compile_ms = 0;   ///< NVRTC's time, 0 on a hit
};

/// "cuda codegen=<fingerprint> nvrtc=13.0 arch=sm_80 options=...": the versions
/// every cubin entry records (throws hp::Error when NVRTC is unavailable).
std::string kernel_versions(int arch);

/// The cache key of `source` compiled for sm_<arch>.
std::string kernel_cache_key(const std::string& source, int arch);

/// Whether `versions` (an entry's metadata) is a CUDA entry's, and its arch (0 when not).
int arch_of_versions(const std::string& versions);

/// The cubin of `source` for sm_<arch>: from `cache` when it holds a whole
/// entry of these versions, else compiled with NVRTC and stored. `name` and
/// `graph_text` go into the entry for hypatia-dump. Throws hp::CompileError
/// when NVRTC rejects the source, hp::Error when NVRTC is unavailable.
CompiledKernels compile_kernels(const std::string& source, int arch, const std::string& name,
                                const std::string& graph_text, cache::DiskCache& cache);

}  // namespace hypatia::cuda
