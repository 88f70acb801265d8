// hypatia-dump on CUDA entries: the summary says what they are, --source
// shows the CUDA source, --ptx regenerates PTX with NVRTC, and --sass needs
// the toolkit's disassembler (absent here: a clear message, not a crash).
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/codegen/cuda_codegen.hpp"
#include "runtime/cache.hpp"
#include "runtime/cuda/compile.hpp"
#include "tests/cuda/cuda_test_support.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::nvrtc_or_skip;
using hypatia_test::TempDir;

namespace {

struct Run {
  int status = -1;
  std::string out, err;
};

/// Runs hypatia-dump --cache-dir `dir` with `args`, capturing its output.
Run dump(const std::string& dir, const std::vector<std::string>& args) {
  TempDir outputs;
  std::string command = "env HYPATIARC=/nonexistent HYPATIA_FLAGS= " HYPATIA_DUMP " --cache-dir '" + dir + "'";
  for (const auto& arg : args) command += " '" + arg + "'";
  const auto out = outputs.path() / "out", err = outputs.path() / "err";
  command += " >" + out.string() + " 2>" + err.string();
  const int status = std::system(command.c_str());
  Run run;
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = hypatia_test::read_text(out);
  run.err = hypatia_test::read_text(err);
  return run;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// A cache holding the cubin of exp(x) * 3 for sm_80; returns its key.
std::string cache_with_cubin(const std::string& dir) {
  const hp::Var x = hp::vector("x", hp::float32);
  const std::string source = hp::generate_cuda({x}, {hp::exp(x) * 3}, "scaled_exp").source;
  hp::cache::DiskCache cache(dir, 1 << 30);
  return hp::cuda::compile_kernels(source, 80, "scaled_exp", "graph text", cache).cache_key;
}

}  // namespace

TEST_CASE("hypatia-dump summarises a CUDA entry and shows its source and PTX") {
  if (!nvrtc_or_skip()) return;
  TempDir tmp;
  const std::string key = cache_with_cubin(tmp.cache());

  const Run list = dump(tmp.cache(), {"list"});
  CHECK(list.status == 0);
  CHECK(contains(list.out, key.substr(0, 12)));

  const Run summary = dump(tmp.cache(), {"show", key});
  CHECK(summary.status == 0);
  CHECK(contains(summary.out, "kind:        CUDA kernels for sm_80"));
  CHECK(contains(summary.out, "name:        scaled_exp"));
  CHECK(contains(summary.out, "nvrtc"));

  const Run source = dump(tmp.cache(), {"show", key, "--source"});
  CHECK(source.status == 0);
  CHECK(contains(source.out, "extern \"C\" __global__"));
  CHECK(contains(source.out, "hp_exp("));

  const Run ptx = dump(tmp.cache(), {"show", key, "--ptx"});
  CHECK(ptx.status == 0);
  CHECK(contains(ptx.out, "PTX regenerated now"));
  CHECK(contains(ptx.out, ".target sm_80"));
  CHECK(contains(ptx.out, ".entry hp_node"));
}

TEST_CASE("hypatia-dump --sass disassembles the cubin where the toolkit can, else says what is missing") {
  if (!nvrtc_or_skip()) return;
  TempDir tmp;
  const std::string key = cache_with_cubin(tmp.cache());
  const Run sass = dump(tmp.cache(), {"show", key, "--sass"});
  if (sass.status == 0) {
    CHECK(contains(sass.out, "SASS of the stored cubin"));
  } else {
    MESSAGE("no disassembler: " << sass.err);
    CHECK(sass.status == 1);
    CHECK(contains(sass.err, "needs the CUDA toolkit's nvdisasm or cuobjdump"));
  }
  const Run ir = dump(tmp.cache(), {"show", key, "--ir"});
  CHECK(ir.status == 1);
  CHECK(contains(ir.err, "is a CUDA entry"));
}
