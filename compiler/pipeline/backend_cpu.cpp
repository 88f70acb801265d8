#include "compiler/pipeline/backend_cpu.hpp"

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/codegen/cpp_codegen.hpp"
#include "compiler/pipeline/cpu_recipe.hpp"

#include "compiler/codegen/schedule.hpp"
#include "compiler/graph/graph_key.hpp"
#include "compiler/graph/op.hpp"
#include "hypatia/config.hpp"
#include "hypatia/print.hpp"
#include "runtime/cache.hpp"
#include "runtime/cpu/jit.hpp"
#include "runtime/cpu/program.hpp"
#include "runtime/templates.hpp"

namespace hypatia {
namespace {

/// Bumped whenever generated code changes meaning: part of every cache key.
constexpr const char* kCodegenVersion = "hypatia-cpp-codegen-1";

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/// An object linked into this process, and its text.
struct CompiledGraph {
  std::shared_ptr<jit::Module> module;
  std::string source;
  std::string graph;  ///< the optimised graph's printout (graph_printout), as graph.txt holds it
  /// Nodes without generated code (run through their reference perform).
  std::vector<int> fallback_nodes;
};

/// What an index hit needs: the object and the recipe to run it.
struct IndexedProgram {
  std::shared_ptr<const CompiledGraph> compiled;
  CpuRecipe recipe;
};

/// Values by key, for the life of the process.
template <class T>
class Memo {
 public:
  std::shared_ptr<const T> find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : it->second;
  }
  /// Keeps the first one stored under a key (two threads may compile it at once).
  std::shared_ptr<const T> insert(const std::string& key, std::shared_ptr<const T> value) {
    std::lock_guard lock(mutex_);
    return values_.emplace(key, std::move(value)).first->second;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const T>> values_;
};

/// What an entry's graph.txt holds, for people (hypatia-dump --graph): the
/// graph as debugprint shows it, with the user's names (W and W#2 told
/// apart), constants in decimal, outputs and updates labelled. The key is
/// the canonical, name-free text; this is only read. An entry shared by
/// functions that differ only in names shows the names of the first.
std::string graph_printout(const std::vector<Var>& roots, const std::vector<Shared>& updated) {
  const auto outputs = static_cast<long>(roots.size() - updated.size());
  std::vector<std::pair<Shared, Var>> updates;
  for (std::size_t k = 0; k < updated.size(); ++k) updates.emplace_back(updated[k], roots[outputs + k]);
  return debugprint(std::vector<Var>(roots.begin(), roots.begin() + outputs), updates);
}

/// Linked objects by object key.
Memo<CompiledGraph>& object_memo() {
  static Memo<CompiledGraph> instance;
  return instance;
}

/// Programs by index key.
Memo<IndexedProgram>& index_memo() {
  static Memo<IndexedProgram> instance;
  return instance;
}

/// Links an object read from the disk cache; null when it does not link:
/// whole on disk yet unusable, say stored by a build whose runtime exported
/// other symbols.
std::shared_ptr<jit::Module> link_cached(std::string bytes, CompileReport& report) {
  const auto start = std::chrono::steady_clock::now();
  jit::ObjectCode object;
  object.bytes = std::move(bytes);
  try {
    auto module = jit::load_object(object, runtime_symbols());
    report.phases.emplace_back("link", ms_since(start));
    return module;
  } catch (const Error&) {
    return nullptr;
  }
}

/// The linked object for `key`: from the disk cache when a valid entry is
/// there, else compiled by Clang and stored.
std::shared_ptr<jit::Module> load_or_compile(const std::string& key, const std::string& versions,
                                             const std::string& name, const std::string& source,
                                             const std::string& graph, CompileReport& report) {
  cache::DiskCache& disk = cache::DiskCache::from_config();
  auto start = std::chrono::steady_clock::now();
  cache::LoadResult hit = disk.load(key, versions);
  report.phases.emplace_back("object load", ms_since(start));
  if (hit.entry && hit.entry->meta.kind == "object") {
    if (auto module = link_cached(std::move(hit.entry->object), report)) {
      report.cache = "disk hit (optimised graph)";
      return module;
    }
    disk.discard(key);  // store() would keep a whole entry
    hit.miss = cache::Miss::Corrupt;
  }
  report.cache = fmt::format("compiled ({})", cache::miss_name(hit.miss));
  jit::ObjectCode object = jit::compile_to_object(source);
  report.phases.emplace_back("clang frontend", object.timings.frontend_ms);
  report.phases.emplace_back("llvm optimize", object.timings.optimize_ms);
  report.phases.emplace_back("machine code", object.timings.codegen_ms);
  start = std::chrono::steady_clock::now();
  auto module = jit::load_object(object, runtime_symbols());
  report.phases.emplace_back("link", ms_since(start));

  cache::Entry entry;
  entry.object = std::move(object.bytes);
  entry.source = source;
  entry.graph = graph;
  entry.meta.key = key;
  entry.meta.name = name;
  entry.meta.versions = versions;
  for (const auto& [phase, ms] : report.phases) entry.meta.compile_ms[phase] = ms;
  start = std::chrono::steady_clock::now();
  disk.store(entry);
  report.phases.emplace_back("cache store", ms_since(start));
  return module;
}

/// The program of an index entry on disk, with its object (from this
/// process's memo or the disk); null on any miss.
std::shared_ptr<const IndexedProgram> load_indexed(const std::string& index_key, const std::string& versions,
                                                   CompileReport& report) {
  cache::DiskCache& disk = cache::DiskCache::from_config();
  auto start = std::chrono::steady_clock::now();
  cache::LoadResult index = disk.load(index_key, versions);
  if (!index.entry || index.entry->meta.kind != "index") {
    report.phases.emplace_back("cache load", ms_since(start));
    return nullptr;
  }
  auto program = std::make_shared<IndexedProgram>();
  try {
    program->recipe = recipe_from_bytes(index.entry->object);
  } catch (const Error&) {
    disk.discard(index_key);  // checksums held, so written so by a buggy or foreign writer
    report.phases.emplace_back("cache load", ms_since(start));
    return nullptr;
  }
  program->compiled = object_memo().find(program->recipe.object_key);
  if (!program->compiled) {
    cache::LoadResult object = disk.load(program->recipe.object_key, versions);
    report.phases.emplace_back("cache load", ms_since(start));
    if (!object.entry || object.entry->meta.kind != "object") return nullptr;
    auto compiled = std::make_shared<CompiledGraph>();
    compiled->source = std::move(object.entry->source);
    compiled->graph = std::move(object.entry->graph);
    // An object that does not link is left for load_or_compile to report and replace.
    compiled->module = link_cached(std::move(object.entry->object), report);
    if (!compiled->module) return nullptr;
    program->compiled = object_memo().insert(program->recipe.object_key, std::move(compiled));
  } else {
    report.phases.emplace_back("cache load", ms_since(start));
  }
  return program;
}

/// Stores the index entry of a program (best effort, as every store).
void store_index(const std::string& index_key, const std::string& versions, const std::string& name,
                 const std::string& given_graph, const CpuRecipe& recipe, CompileReport& report) {
  cache::Entry entry;
  entry.object = recipe_to_bytes(recipe);
  entry.graph = given_graph;
  entry.meta.key = index_key;
  entry.meta.name = name;
  entry.meta.versions = versions;
  entry.meta.kind = "index";
  entry.meta.object_key = recipe.object_key;
  const auto start = std::chrono::steady_clock::now();
  cache::DiskCache::from_config().store(entry);
  report.phases.emplace_back("index store", ms_since(start));
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
                const CompiledGraph& compiled) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string stem = (std::filesystem::path(dir) / file_stem(name, hash)).string();
  auto write = [&](const std::string& suffix, const std::string& content) {
    std::ofstream(stem + suffix, std::ios::binary) << content;
  };
  write(".graph.txt", compiled.graph);
  write(".cpp", compiled.source);
  write(".ll", jit::emit_llvm_ir(compiled.source));
  write(".s", jit::emit_assembly(compiled.source));
}

/// The program of an index hit: every node has generated code (programs
/// with reference fallbacks are never indexed), so it needs no graph.
std::unique_ptr<Program> program_from(const IndexedProgram& indexed, std::unique_ptr<Program> reference) {
  CpuProgramSpec spec;
  spec.module = indexed.compiled->module;
  spec.constants = indexed.recipe.constants;
  spec.output_dtypes = indexed.recipe.output_dtypes;
  spec.node_input_dtypes = indexed.recipe.node_input_dtypes;
  spec.node_count = indexed.recipe.nodes.size();
  spec.describe_node = [nodes = indexed.recipe.nodes](std::size_t i) { return nodes.at(i); };
  spec.perform = [](std::int64_t i, const std::vector<Array>&) -> Array {
    throw Error(fmt::format("internal: node {} of an indexed program has no reference perform", i));
  };
  spec.reference = std::move(reference);
  return make_cpu_program(std::move(spec));
}

}  // namespace

std::unique_ptr<Program> build_cpu_program(const BackendRequest& request, CompileReport& report) {
  if (!jit::available()) return nullptr;
  // Everything besides the graph that decides the optimised graph.
  const std::string options_key = fmt::format("mode={} passes={}", mode_name(request.mode), request.selection.key());
  auto start = std::chrono::steady_clock::now();
  // The generator's fingerprint changes with any change to what generated
  // code says, so a newer library never loads objects an older one wrote.
  const std::string versions = fmt::format("{} codegen-sha256={} {}", kCodegenVersion,
                                           codegen_fingerprint().substr(0, 16), jit::compile_fingerprint());
  const std::string given_graph = canonical_graph_text(request.inputs, request.outputs);
  const std::string index_key =
      cache::hash_hex(fmt::format("index\n{}\n{}\n{}", versions, options_key, given_graph));
  report.index_key = index_key;
  report.phases.emplace_back("graph key", ms_since(start));

  // An index hit needs no rewriting and no codegen: equal keys mean equal
  // graphs, whose optimised graphs are equal too.
  std::shared_ptr<const IndexedProgram> indexed = index_memo().find(index_key);
  if (indexed) {
    report.cache = "memory hit";
  } else if ((indexed = load_indexed(index_key, versions, report))) {
    report.cache = "disk hit";
    indexed = index_memo().insert(index_key, indexed);
  }
  if (indexed) {
    report.key = indexed->recipe.object_key;
    report.graph = indexed->compiled->graph;
    report.source = indexed->compiled->source;
    if (!config().dump_dir.empty()) dump_files(config().dump_dir, request.name, report.key, *indexed->compiled);
    return program_from(*indexed, request.make_reference());
  }

  start = std::chrono::steady_clock::now();
  const std::vector<Var> outputs = request.graphs->graph(request.mode, request.selection);
  const std::vector<Var>& inputs = request.inputs;
  report.phases.emplace_back("graph rewrite", ms_since(start));
  start = std::chrono::steady_clock::now();
  report.graph = canonical_graph_text(inputs, outputs);
  const std::string key = cache::hash_hex(versions + "\n" + report.graph);
  report.key = key;
  report.phases.emplace_back("object key", ms_since(start));

  // Equal keys mean equal optimised graphs: this graph's nodes and constants
  // line up with the compiled code's.
  std::shared_ptr<const CompiledGraph> compiled = object_memo().find(key);
  if (compiled) {
    report.cache = "memory hit (optimised graph)";
  } else {
    start = std::chrono::steady_clock::now();
    std::optional<CppProgramText> text = generate_cpp(inputs, outputs, request.name);
    if (!text) return nullptr;
    report.phases.emplace_back("codegen", ms_since(start));
    auto fresh = std::make_shared<CompiledGraph>();
    fresh->graph = graph_printout(outputs, request.updated);
    fresh->module = load_or_compile(key, versions, request.name, text->source, fresh->graph, report);
    fresh->source = std::move(text->source);
    fresh->fallback_nodes = std::move(text->fallback_nodes);
    compiled = object_memo().insert(key, std::move(fresh));
  }
  report.source = compiled->source;
  report.fallback_nodes = compiled->fallback_nodes;
  // Every compile dumps, a memory hit too: the files are named after this function.
  if (!config().dump_dir.empty()) dump_files(config().dump_dir, request.name, key, *compiled);

  // Node i of the generated code is node i of the schedule.
  auto nodes = schedule(inputs, outputs);
  CpuRecipe recipe = recipe_of(nodes, inputs, outputs, key);
  if (compiled->fallback_nodes.empty()) {
    auto fresh = std::make_shared<IndexedProgram>();
    fresh->compiled = compiled;
    fresh->recipe = recipe;
    index_memo().insert(index_key, std::move(fresh));
    store_index(index_key, versions, request.name, graph_printout(request.outputs, request.updated), recipe,
                report);
  }

  CpuProgramSpec spec;
  spec.module = compiled->module;
  spec.constants = std::move(recipe.constants);
  spec.output_dtypes = std::move(recipe.output_dtypes);
  spec.node_input_dtypes = std::move(recipe.node_input_dtypes);
  spec.node_count = nodes.size();
  spec.describe_node = [descriptions = std::move(recipe.nodes)](std::size_t i) { return descriptions.at(i); };
  // The lambda holds the outputs too: a node's output variable lives only as
  // long as someone holds it, and the optimised graph's outputs are ours alone.
  spec.perform = [nodes, outputs](std::int64_t i, const std::vector<Array>& args) {
    const Apply& node = *nodes.at(static_cast<std::size_t>(i));
    return node.op().perform(node, args);
  };
  spec.reference = request.make_reference();
  return make_cpu_program(std::move(spec));
}

}  // namespace hypatia
