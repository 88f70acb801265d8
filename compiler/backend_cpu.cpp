#include "compiler/backend_cpu.hpp"

#include <chrono>
#include <mutex>
#include <unordered_map>

#include "compiler/codegen/cpp_codegen.hpp"
#include "compiler/graph_key.hpp"
#include "compiler/op.hpp"
#include "hypatia/print.hpp"
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

}  // namespace

std::unique_ptr<Program> build_cpu_program(const std::vector<Var>& inputs,
                                           const std::vector<Var>& outputs,
                                           const std::string& name,
                                           std::unique_ptr<Program> reference,
                                           CompileReport& report) {
  if (!jit::available()) return nullptr;
  auto start = std::chrono::steady_clock::now();
  report.graph = canonical_graph_text(inputs, outputs);
  const std::string key = std::string(kCodegenVersion) + "\n" + jit::compile_fingerprint() + "\n" + report.graph;
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
    auto it = memo().modules.find(key);
    if (it != memo().modules.end()) module = it->second;
  }
  if (module) {
    report.cache = "memory hit";
  } else {
    jit::ObjectCode object = jit::compile_to_object(text->source);
    report.phases.emplace_back("clang frontend", object.timings.frontend_ms);
    report.phases.emplace_back("llvm optimize", object.timings.optimize_ms);
    report.phases.emplace_back("machine code", object.timings.codegen_ms);
    start = std::chrono::steady_clock::now();
    module = jit::load_object(object, runtime_symbols());
    report.phases.emplace_back("link", ms_since(start));
    report.cache = "compiled (new key)";
    std::lock_guard lock(memo().mutex);
    memo().modules.emplace(key, module);
  }

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
