// The cubin cache: kernels compiled for an architecture are stored in the
// disk cache (same directory and rules as CPU objects), keyed by the source
// without comments, the sm architecture and NVRTC's version. No GPU needed.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <hypatia/hypatia.hpp>

#include "compiler/codegen/cuda_codegen.hpp"
#include "runtime/cache.hpp"
#include "runtime/cuda/compile.hpp"
#include "runtime/cuda/nvrtc.hpp"
#include "tests/cuda/cuda_test_support.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::nvrtc_or_skip;
using hypatia_test::TempDir;

namespace {

std::string program_source(const std::string& input_name) {
  const hp::Var x = hp::vector(input_name, hp::float32);
  return hp::generate_cuda({x}, {hp::exp(x) * 3}, "cached").source;
}

}  // namespace

TEST_CASE("a cubin is compiled once, then loaded from the disk cache") {
  if (!nvrtc_or_skip()) return;
  TempDir tmp;
  hp::cache::DiskCache cache(tmp.cache(), 1 << 30);
  const std::string source = program_source("x");
  const hp::cuda::CompiledKernels first = hp::cuda::compile_kernels(source, 80, "f", "graph", cache);
  CHECK_FALSE(first.cache_hit);
  CHECK(first.cache_miss.find("new key") == 0);
  CHECK(!first.cubin.empty());
  CHECK(first.ptx.find(".entry hp_node0(") != std::string::npos);

  const hp::cuda::CompiledKernels second = hp::cuda::compile_kernels(source, 80, "f", "graph", cache);
  CHECK(second.cache_hit);
  CHECK(second.cubin == first.cubin);
  CHECK(second.cache_key == first.cache_key);
  CHECK(second.compile_ms == 0);

  const hp::cache::LoadResult stored = cache.inspect(first.cache_key);
  REQUIRE(stored.entry);
  CHECK(stored.entry->source == source);
  CHECK(stored.entry->meta.kind == "object");
  CHECK(stored.entry->meta.versions.find("nvrtc=" + hp::nvrtc::version()) != std::string::npos);
  CHECK(hp::cuda::arch_of_versions(stored.entry->meta.versions) == 80);
}

TEST_CASE("the cubin cache key changes with the architecture, not with user names") {
  if (!nvrtc_or_skip()) return;
  const std::string named_x = program_source("x"), named_y = program_source("weights");
  CHECK(named_x != named_y);  // the names are in the comments...
  CHECK(hp::cuda::kernel_cache_key(named_x, 80) == hp::cuda::kernel_cache_key(named_y, 80));  // ...not the key
  CHECK(hp::cuda::kernel_cache_key(named_x, 80) != hp::cuda::kernel_cache_key(named_x, 90));
  CHECK(hp::cuda::kernel_versions(90).find("arch=sm_90") != std::string::npos);
  CHECK(hp::cuda::arch_of_versions("clang 19 x86_64") == 0);  // a CPU entry's versions

  TempDir tmp;
  hp::cache::DiskCache cache(tmp.cache(), 1 << 30);
  const auto sm80 = hp::cuda::compile_kernels(named_x, 80, "f", "", cache);
  const auto sm90 = hp::cuda::compile_kernels(named_x, 90, "f", "", cache);
  CHECK(sm80.cubin != sm90.cubin);
  CHECK(cache.list().size() == 2);
  CHECK(hp::cuda::compile_kernels(named_y, 90, "g", "", cache).cache_hit);
}

TEST_CASE("a corrupted cubin entry is a miss and is compiled and stored again") {
  if (!nvrtc_or_skip()) return;
  TempDir tmp;
  hp::cache::DiskCache cache(tmp.cache(), 1 << 30);
  const std::string source = program_source("x");
  const auto first = hp::cuda::compile_kernels(source, 80, "f", "", cache);
  const std::filesystem::path object = std::filesystem::path(tmp.cache()) / first.cache_key / "object.o";
  REQUIRE(std::filesystem::exists(object));
  std::string bytes = hypatia_test::read_text(object);
  bytes[bytes.size() / 2] ^= 0x55;
  hypatia_test::write_text(object, bytes);
  const auto again = hp::cuda::compile_kernels(source, 80, "f", "", cache);
  CHECK_FALSE(again.cache_hit);
  CHECK(again.cache_miss.find("corrupt") == 0);
  CHECK(again.cubin == first.cubin);
  CHECK(hp::cuda::compile_kernels(source, 80, "f", "", cache).cache_hit);
}

TEST_CASE("cache=off compiles every time and stores nothing") {
  if (!nvrtc_or_skip()) return;
  TempDir tmp;
  hp::cache::DiskCache cache(tmp.cache(), 1 << 30, /*enabled=*/false);
  const std::string source = program_source("x");
  CHECK_FALSE(hp::cuda::compile_kernels(source, 80, "f", "", cache).cache_hit);
  const auto again = hp::cuda::compile_kernels(source, 80, "f", "", cache);
  CHECK_FALSE(again.cache_hit);
  CHECK(again.cache_miss.find("disabled") == 0);
  CHECK(cache.list().empty());
}
