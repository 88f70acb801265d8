#include "compiler/backend_cpu.hpp"

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/codegen/cpp_codegen.hpp"
#include "compiler/graph_key.hpp"
#include "compiler/op.hpp"
#include "hypatia/print.hpp"
#include "hypatia/config.hpp"
#include "runtime/cache.hpp"
#include "runtime/cpu_program.hpp"
#include "runtime/jit_cpu.hpp"

namespace hypatia {
namespace {

/// Bumped whenever generated code changes meaning: part of every cache key.
constexpr const char* kCodegenVersion = "hypatia-cpp-codegen-1";

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/// Linked code by key, for the life of the process.
struct Memo {
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<jit::Module>> modules;
};

Memo& memo() {
  static Memo instance;
  return instance;
}

/// The linked object for `hash`: from the disk cache when a valid entry is
/// there, else compiled by Clang and stored.
std::shared_ptr<jit::Module> load_or_compile(const std::string& hash, const std::string& versions,
                                             const std::string& name, const CppProgramText& text,
                                             CompileReport& report) {
  cache::DiskCache& disk = cache::DiskCache::from_config();
  auto start = std::chrono::steady_clock::now();
  cache::LoadResult hit = disk.load(hash, versions);
  report.phases.emplace_back("cache load", ms_since(start));
  if (hit.entry) {
    start = std::chrono::steady_clock::now();
    jit::ObjectCode object;
    object.bytes = std::move(hit.entry->object);
    auto module = jit::load_object(object, runtime_symbols());
    report.phases.emplace_back("link", ms_since(start));
    report.cache = "disk hit";
    return module;
  }
  report.cache = fmt::format("compiled ({})", cache::miss_name(hit.miss));
  jit::ObjectCode object = jit::compile_to_object(text.source);
  report.phases.emplace_back("clang frontend", object.timings.frontend_ms);
  report.phases.emplace_back("llvm optimize", object.timings.optimize_ms);
  report.phases.emplace_back("machine code", object.timings.codegen_ms);
  start = std::chrono::steady_clock::now();
  auto module = jit::load_object(object, runtime_symbols());
  report.phases.emplace_back("link", ms_since(start));

  cache::Entry entry;
  entry.object = std::move(object.bytes);
  entry.source = text.source;
  entry.graph = report.graph;
  entry.meta.key = hash;
  entry.meta.name = name;
  entry.meta.versions = versions;
  for (const auto& [phase, ms] : report.phases) entry.meta.compile_ms[phase] = ms;
  start = std::chrono::steady_clock::now();
  disk.store(entry);
  report.phases.emplace_back("cache store", ms_since(start));
  return module;
}

/// A file name made of the function's name, safe on any file system.
std::string file_stem(const std::string& name, const std::string& hash) {
  std::string stem;
  for (char c : name) stem += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '_';
  if (stem.empty()) stem = "function";
  return stem.substr(0, 64) + "-" + hash.substr(0, 12);
}

/// The dump_dir flag: every compile also writes its graph, source, LLVM IR and assembly there.
void dump_files(const std::string& dir, const std::string& name, const std::string& hash,
                const CppProgramText& text, const std::string& graph) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string stem = (std::filesystem::path(dir) / file_stem(name, hash)).string();
  auto write = [&](const std::string& suffix, const std::string& content) {
    std::ofstream(stem + suffix, std::ios::binary) << content;
  };
  write(".graph.txt", graph);
  write(".cpp", text.source);
  write(".ll", jit::emit_llvm_ir(text.source));
  write(".s", jit::emit_assembly(text.source));
}

}  // namespace

std::unique_ptr<Program> build_cpu_program(const std::vector<Var>& inputs,
                                           const std::vector<Var>& outputs,
                                           const std::string& name,
                                           std::unique_ptr<Program> reference,
                                           CompileReport& report) {
  if (!jit::available()) return nullptr;
  auto start = std::chrono::steady_clock::now();
  report.graph = canonical_graph_text(inputs, outputs);
  const std::string versions = std::string(kCodegenVersion) + " " + jit::compile_fingerprint();
  const std::string hash = cache::hash_hex(versions + "\n" + report.graph);
  report.key = hash;
  report.phases.emplace_back("graph key", ms_since(start));

  start = std::chrono::steady_clock::now();
  std::optional<CppProgramText> text = generate_cpp(inputs, outputs, name);
  if (!text) return nullptr;
  report.phases.emplace_back("codegen", ms_since(start));
  report.source = text->source;
  report.fallback_nodes = text->fallback_nodes;

  std::shared_ptr<jit::Module> module;
  {
    std::lock_guard lock(memo().mutex);
    auto it = memo().modules.find(hash);
    if (it != memo().modules.end()) module = it->second;
  }
  if (module) {
    report.cache = "memory hit";
  } else {
    module = load_or_compile(hash, versions, name, *text, report);
    std::lock_guard lock(memo().mutex);
    memo().modules.emplace(hash, module);
  }
  if (!config().dump_dir.empty()) dump_files(config().dump_dir, name, hash, *text, report.graph);

  CpuProgramSpec spec;
  spec.module = module;
  spec.constants = text->constants;
  spec.output_dtypes = text->output_dtypes;
  spec.node_input_dtypes = text->node_input_dtypes;
  for (const auto& node : text->nodes) {
    spec.node_names.push_back(pp_brief(node->output()));
    spec.node_ops.push_back(node->op().name());
  }
  spec.perform = [nodes = text->nodes](std::int64_t i, const std::vector<Array>& args) {
    const Apply& node = *nodes.at(static_cast<std::size_t>(i));
    return node.op().perform(node, args);
  };
  spec.reference = std::move(reference);
  return make_cpu_program(std::move(spec));
}

}  // namespace hypatia
