#include "runtime/cuda/compile.hpp"

#include <sstream>

#include <fmt/format.h>

#include "runtime/cuda/nvrtc.hpp"
#include "runtime/templates.hpp"

namespace hypatia::cuda {
namespace {

/// The source without its comment lines: what decides the cubin's bytes.
std::string without_comments(const std::string& source) {
  std::istringstream lines(source);
  std::string line, kept;
  while (std::getline(lines, line)) {
    const auto first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, 2, "//") == 0) continue;
    kept += line;
    kept += '\n';
  }
  return kept;
}

}  // namespace

std::string kernel_versions(int arch) {
  return fmt::format("cuda codegen={} nvrtc={} arch=sm_{} options={}", codegen_fingerprint(), nvrtc::version(),
                     arch, fmt::join(nvrtc::options_for(arch), " "));
}

std::string kernel_cache_key(const std::string& source, int arch) {
  return cache::hash_hex(kernel_versions(arch) + "\n" + without_comments(source));
}

int arch_of_versions(const std::string& versions) {
  if (versions.rfind("cuda ", 0) != 0) return 0;
  const auto at = versions.find(" arch=sm_");
  if (at == std::string::npos) return 0;
  try {
    return std::stoi(versions.substr(at + 9));
  } catch (const std::exception&) {
    return 0;
  }
}

CompiledKernels compile_kernels(const std::string& source, int arch, const std::string& name,
                                const std::string& graph_text, cache::DiskCache& cache) {
  CompiledKernels out;
  out.arch = arch;
  const std::string versions = kernel_versions(arch);
  out.cache_key = kernel_cache_key(source, arch);
  cache::LoadResult loaded = cache.load(out.cache_key, versions);
  if (loaded.entry) {
    out.cubin = std::move(loaded.entry->object);
    out.cache_hit = true;
    return out;
  }
  out.cache_miss = std::string(cache::miss_name(loaded.miss)) + (loaded.detail.empty() ? "" : ": " + loaded.detail);
  nvrtc::Compiled compiled = nvrtc::compile(source, arch);
  out.cubin = std::move(compiled.cubin);
  out.ptx = std::move(compiled.ptx);
  out.compile_ms = compiled.compile_ms;

  cache::Entry entry;
  entry.object = out.cubin;
  entry.source = source;
  entry.graph = graph_text;
  entry.meta.key = out.cache_key;
  entry.meta.name = name;
  entry.meta.versions = versions;
  entry.meta.compile_ms["nvrtc"] = compiled.compile_ms;
  cache.store(entry);  // an optimisation: a failed store warned and is otherwise harmless
  return out;
}

}  // namespace hypatia::cuda
