#include "compiler/backend_cpu.hpp"

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/codegen/cpp_codegen.hpp"
#include "compiler/evaluate.hpp"
#include "compiler/graph_key.hpp"
#include "compiler/op.hpp"
#include "hypatia/print.hpp"
#include "hypatia/config.hpp"
#include "runtime/cache.hpp"
#include "runtime/cpu_program.hpp"
#include "runtime/jit_cpu.hpp"
#include "runtime/templates.hpp"

namespace hypatia {
namespace {

/// Bumped whenever generated code changes meaning: part of every cache key.
constexpr const char* kCodegenVersion = "hypatia-cpp-codegen-1";

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/// What a compile leaves for later compiles of the same key.
struct CompiledGraph {
  std::shared_ptr<jit::Module> module;
  CppProgramText text;  ///< source, dtypes, fallback nodes (nodes and constants cleared)
};

/// Compiled graphs by key, for the life of the process.
class Memo {
 public:
  std::shared_ptr<const CompiledGraph> find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = graphs_.find(key);
    return it == graphs_.end() ? nullptr : it->second;
  }
  /// Keeps the first one stored under a key (two threads may compile it at once).
  std::shared_ptr<const CompiledGraph> insert(const std::string& key, std::shared_ptr<const CompiledGraph> g) {
    std::lock_guard lock(mutex_);
    return graphs_.emplace(key, std::move(g)).first->second;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CompiledGraph>> graphs_;
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
    try {
      auto module = jit::load_object(object, runtime_symbols());
      report.phases.emplace_back("link", ms_since(start));
      report.cache = "disk hit";
      return module;
    } catch (const Error&) {
      // Whole on disk yet unusable (say, stored by a build whose runtime
      // exported other symbols): recompile, and replace the entry.
      disk.discard(hash);
      hit.miss = cache::Miss::Corrupt;
    }
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
  // The generator's fingerprint changes with any change to what generated
  // code says, so a newer library never loads objects an older one wrote.
  const std::string versions = fmt::format("{} codegen-sha256={} {}", kCodegenVersion,
                                           codegen_fingerprint().substr(0, 16), jit::compile_fingerprint());
  const std::string hash = cache::hash_hex(versions + "\n" + report.graph);
  report.key = hash;
  report.phases.emplace_back("graph key", ms_since(start));

  // A memory hit skips code generation: equal keys mean equal graphs, so this
  // graph's nodes and constants line up with the compiled code's.
  std::shared_ptr<const CompiledGraph> compiled = memo().find(hash);
  if (compiled) {
    report.cache = "memory hit";
  } else {
    start = std::chrono::steady_clock::now();
    std::optional<CppProgramText> text = generate_cpp(inputs, outputs, name);
    if (!text) return nullptr;
    report.phases.emplace_back("codegen", ms_since(start));
    auto fresh = std::make_shared<CompiledGraph>();
    fresh->module = load_or_compile(hash, versions, name, *text, report);
    fresh->text = std::move(*text);
    fresh->text.nodes.clear();  // this graph's; each program takes its own
    fresh->text.constants.clear();
    compiled = memo().insert(hash, std::move(fresh));
  }
  report.source = compiled->text.source;
  report.fallback_nodes = compiled->text.fallback_nodes;
  // Every compile dumps, a memory hit too: the files are named after this function.
  if (!config().dump_dir.empty()) dump_files(config().dump_dir, name, hash, compiled->text, report.graph);

  auto nodes = topological_order(outputs, inputs);
  CpuProgramSpec spec;
  spec.module = compiled->module;
  spec.constants = program_constants(nodes, inputs, outputs);
  spec.output_dtypes = compiled->text.output_dtypes;
  spec.node_input_dtypes = compiled->text.node_input_dtypes;
  spec.node_count = nodes.size();
  // The lambdas hold the outputs too: a node's output variable lives only as
  // long as someone holds it, and the optimised graph's outputs are ours alone.
  spec.describe_node = [nodes, outputs](std::size_t i) {
    return NodeProfile{nodes.at(i)->op().name(), pp_brief(nodes.at(i)->output()), 0.0, 0};
  };
  spec.perform = [nodes, outputs](std::int64_t i, const std::vector<Array>& args) {
    const Apply& node = *nodes.at(static_cast<std::size_t>(i));
    return node.op().perform(node, args);
  };
  spec.reference = std::move(reference);
  return make_cpu_program(std::move(spec));
}

}  // namespace hypatia
