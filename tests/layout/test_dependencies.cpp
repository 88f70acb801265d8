// The layering README's "Layout" section draws, checked from the includes:
// each folder includes only the folders below it, so dependencies point one
// way (include <- runtime <- compiler/graph <- ... <- compiler/pipeline) and
// the runtime never includes the compiler.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kSource = HYPATIA_SOURCE_DIR;

/// The public headers whose declarations the runtime implements: the rest
/// (graph, ops, function, grad, print, render, nnet, hypatia) declare the
/// symbolic API, implemented by the compiler.
const std::vector<std::string> kRuntimeLevelPublic = {
    "hypatia/array.hpp", "hypatia/array_ops.hpp", "hypatia/config.hpp",      "hypatia/dtype.hpp",
    "hypatia/error.hpp", "hypatia/npy.hpp",       "hypatia/profile.hpp",     "hypatia/random.hpp",
    "hypatia/tensor_type.hpp", "hypatia/version.hpp"};

struct Layer {
  std::string folder;                  ///< relative to the source root, with a trailing '/'
  std::vector<std::string> may_include;  ///< include prefixes besides the folder's own
};

/// Lowest first. A folder may include its own files and those of the prefixes listed.
const std::vector<Layer> kLayers = {
    {"runtime/", {}},
    {"compiler/graph/", {"hypatia/", "runtime/"}},
    {"compiler/reference/", {"hypatia/", "runtime/", "compiler/graph/"}},
    {"compiler/emit/", {"hypatia/", "runtime/", "compiler/graph/"}},
    {"compiler/ops/", {"hypatia/", "runtime/", "compiler/graph/", "compiler/reference/", "compiler/emit/"}},
    {"compiler/rewrite/", {"hypatia/", "runtime/", "compiler/graph/", "compiler/reference/", "compiler/ops/"}},
    {"compiler/autodiff/",
     {"hypatia/", "runtime/", "compiler/graph/", "compiler/reference/", "compiler/ops/", "compiler/rewrite/"}},
    {"compiler/codegen/", {"hypatia/", "runtime/", "compiler/graph/", "compiler/emit/", "compiler/ops/"}},
    {"compiler/render/", {"hypatia/", "runtime/", "compiler/graph/", "compiler/ops/"}},
    {"compiler/pipeline/", {"hypatia/", "runtime/", "compiler/"}},
};

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

/// The quoted includes of `file` ("compiler/graph/op.hpp"), in order.
std::vector<std::string> quoted_includes(const fs::path& file) {
  static const std::regex include_line(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::ifstream in(file);
  std::vector<std::string> found;
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, include_line)) found.push_back(m[1]);
  }
  return found;
}

/// Every .hpp/.cpp/.h under `folder` (recursively), relative to the source root.
std::vector<std::string> sources_under(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(kSource / folder)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".hpp" || ext == ".cpp" || ext == ".h")) {
      files.push_back(fs::relative(entry.path(), kSource).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool is_runtime_level_public(const std::string& include) {
  return std::find(kRuntimeLevelPublic.begin(), kRuntimeLevelPublic.end(), include) != kRuntimeLevelPublic.end();
}

/// "" when `include` is allowed in `file` of `layer`, else why not.
std::string violation(const Layer& layer, const std::string& include) {
  if (starts_with(include, layer.folder)) return "";
  if (layer.folder == "runtime/") {
    if (starts_with(include, "compiler/")) return "the runtime never includes the compiler";
    if (starts_with(include, "hypatia/") && !is_runtime_level_public(include)) {
      return "a public header of the symbolic API (implemented by the compiler)";
    }
    return "";
  }
  for (const std::string& prefix : layer.may_include) {
    if (starts_with(include, prefix)) return "";
  }
  if (starts_with(include, "compiler/")) return "a folder above " + layer.folder + " in the layering";
  return "";  // the standard library, fmt, Boost, LLVM, generated/...
}

}  // namespace

TEST_CASE("the source tree is where this test looks") {
  REQUIRE(fs::is_directory(kSource / "compiler" / "graph"));
  REQUIRE(fs::is_directory(kSource / "runtime"));
  // The check must see the includes it judges: a sample that must be found.
  const auto includes = quoted_includes(kSource / "compiler" / "pipeline" / "compile.cpp");
  CHECK(std::count_if(includes.begin(), includes.end(),
                      [](const std::string& s) { return starts_with(s, "compiler/"); }) >= 3);
}

TEST_CASE("every compiler and runtime file sits in a folder of the layering") {
  for (const std::string& file : sources_under("compiler")) {
    const bool placed = std::any_of(kLayers.begin(), kLayers.end(),
                                    [&](const Layer& l) { return starts_with(file, l.folder); });
    CHECK_MESSAGE(placed, file << " is in no folder README's Layout names");
  }
}

TEST_CASE("includes point one way: each folder includes only the folders below it") {
  int checked = 0;
  for (const Layer& layer : kLayers) {
    for (const std::string& file : sources_under(layer.folder)) {
      for (const std::string& include : quoted_includes(kSource / file)) {
        ++checked;
        const std::string why = violation(layer, include);
        CHECK_MESSAGE(why.empty(), file << " includes " << include << ": " << why);
      }
    }
  }
  CHECK(checked > 300);
}

TEST_CASE("the runtime-level public headers include no header of the symbolic API") {
  for (const std::string& header : kRuntimeLevelPublic) {
    const fs::path path = header == "hypatia/version.hpp" ? kSource / "include/hypatia/version.hpp.in"
                                                          : kSource / "include" / header;
    REQUIRE_MESSAGE(fs::exists(path), path);
    for (const std::string& include : quoted_includes(path)) {
      CHECK_MESSAGE(is_runtime_level_public(include), header << " includes " << include);
    }
  }
}

TEST_CASE("the code generator's templates include only each other") {
  for (const std::string& file : sources_under("codegen_templates")) {
    for (const std::string& include : quoted_includes(kSource / file)) {
      CHECK_MESSAGE(include.find('/') == std::string::npos, file << " includes " << include);
    }
  }
}

TEST_CASE("shipped tools, examples and benchmarks include no test code") {
  for (const std::string folder : {"tools", "examples", "bench"}) {
    for (const std::string& file : sources_under(folder)) {
      for (const std::string& include : quoted_includes(kSource / file)) {
        CHECK_MESSAGE(!starts_with(include, "tests/"), file << " includes " << include);
      }
    }
  }
}
