/// hp::compile as its stages (compiler/pipeline/stages.hpp says what each
/// does): signature, givens, shared inputs, then the backend's key, lookup,
/// optimise and build, then the function around the program.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <unordered_set>

#include <fmt/format.h>

#include "compiler/graph/clone.hpp"
#include "compiler/graph/describe.hpp"
#include "compiler/graph/graph_node.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/pipeline/backend_cpu.hpp"
#include "compiler/pipeline/backend_cuda.hpp"
#include "compiler/pipeline/function_impl.hpp"
#include "compiler/pipeline/stages.hpp"
#include "compiler/reference/debug_program.hpp"
#include "compiler/reference/reference_program.hpp"
#include "compiler/rewrite/rewrite_check.hpp"
#include "runtime/cpu/jit.hpp"
#include "runtime/text.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {
namespace {

void check_inputs(const std::vector<In>& inputs, const CompileOptions& options) {
  std::unordered_set<const VarNode*> seen;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Var& v = inputs[i].var;
    const std::string where = fmt::format("{}: input {}", compile_label(options), i);
    if (v.is_null()) throw Error(where + " is a null hp::Var");
    if (v.is_shared()) {
      throw TypeError(fmt::format("{}: {} is a shared variable; shared variables are implicit "
                                  "inputs of every function that uses them, not explicit ones",
                                  where, describe_var(v)));
    }
    if (v.is_constant()) throw TypeError(fmt::format("{}: {} is a constant", where, describe_var(v)));
    if (!seen.insert(v.node()).second) {
      throw Error(fmt::format("{}: {} appears twice among the inputs", where, describe_var(v)));
    }
  }
}

/// The updates with each bare C++ number as a new value (`{count, 0}`) made a
/// constant of its shared variable's dtype when that loses nothing, as Theano
/// passes a Python number through the shared variable's type.
std::vector<std::pair<Shared, Var>> typed_updates(const CompileOptions& options) {
  std::vector<std::pair<Shared, Var>> updates = options.updates;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    auto& [shared, value] = updates[i];
    if (shared.is_null() || !shared.is_shared() || value.is_null() || !value.is_weak_literal()) continue;
    if (value.ndim() != shared.ndim()) continue;  // check_updates reports it
    const std::string what = fmt::format("{}: update {} of shared variable {}",
                                         compile_label(options), i, describe_var(shared));
    value = constant(fit_value_to_type(shared.type(), value.constant_value(), what));
  }
  return updates;
}

/// "{false, true}", as C++ writes the pattern.
std::string braced(const std::vector<bool>& pattern) {
  std::vector<std::string> parts;
  for (bool b : pattern) parts.push_back(b ? "true" : "false");
  return fmt::format("{{{}}}", fmt::join(parts, ", "));
}

/// Shared variables and dtype/pattern agreement of each update.
void check_updates(const std::vector<std::pair<Shared, Var>>& updates, const CompileOptions& options) {
  std::unordered_set<const VarNode*> seen;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const auto& [shared, value] = updates[i];
    const std::string where = fmt::format("{}: update {}", compile_label(options), i);
    if (shared.is_null()) throw TypeError(where + " is of a null hp::Shared");
    if (!shared.is_shared()) {
      throw TypeError(fmt::format("{} is of {}, which is not a shared variable (only shared "
                                  "variables can be updated)",
                                  where, describe_var(shared)));
    }
    if (value.is_null()) throw Error(where + " has a null hp::Var as its new value");
    if (!seen.insert(shared.node()).second) {
      throw Error(fmt::format("{}: shared variable {} is updated twice", where, describe_var(shared)));
    }
    const TensorType& want = shared.type();
    const TensorType& got = value.type();
    if (want.dtype != got.dtype || want.ndim() != got.ndim()) {
      throw TypeError(fmt::format("{}: the new value of shared variable {} has type {} where the shared variable "
                                  "is {}; an update must have the shared variable's dtype and rank (cast it: "
                                  "hp::cast(value, hp::{}))",
                                  where, describe_var(shared), got.str(), want.str(), dtype_name(want.dtype)));
    }
    for (int k = 0; k < want.ndim(); ++k) {
      if (!want.broadcastable[k] || got.broadcastable[k]) continue;
      throw TypeError(fmt::format(
          "{}: the new value of shared variable {} has broadcast pattern {} where the shared variable has {}: its "
          "axis {} is broadcastable (always length 1) and the new value's is not. Either give the shared variable "
          "the value's pattern (hp::shared(value, name, {})), or declare that the new value keeps length 1 there "
          "(hp::patternbroadcast(value, {}); hp::unbroadcast(x, axes) removes broadcastable axes)",
          where, describe_var(shared), pattern_str(got.broadcastable), pattern_str(want.broadcastable), k,
          braced(got.broadcastable), braced(want.broadcastable)));
    }
  }
}

/// The passes chosen by the flags, then by the options.
PassSelection pass_selection(const CompileOptions& options) {
  PassSelection selection = PassSelection::from_config();
  selection.including.insert(selection.including.end(), options.optimizer_including.begin(),
                             options.optimizer_including.end());
  selection.excluding.insert(selection.excluding.end(), options.optimizer_excluding.begin(),
                             options.optimizer_excluding.end());
  return selection;
}

/// Each input's default value converted to its type, as a copy: the
/// caller's array may change after compile, or while calls read the default.
std::vector<In> checked_defaults(std::vector<In> inputs) {
  for (In& in : inputs) {
    if (!in.value) continue;
    const std::string name = in.name.empty() ? in.var.name() : in.name;
    in.value = fit_value_to_type(in.var.type(), *in.value, "default value of input " + quoted_name(name)).copy();
  }
  return inputs;
}

}  // namespace

std::string compile_label(const CompileOptions& options) {
  return options.name.empty() ? "compile" : fmt::format("compile({})", quoted_name(options.name));
}

Signature check_signature(const std::vector<In>& inputs, const std::vector<Var>& outputs,
                          const CompileOptions& options) {
  check_inputs(inputs, options);
  Signature signature;
  signature.updates = typed_updates(options);
  check_updates(signature.updates, options);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].is_null()) throw Error(fmt::format("{}: output {} is a null hp::Var", compile_label(options), i));
  }
  signature.outputs = outputs;
  signature.inputs = inputs;
  return signature;
}

std::vector<Var> apply_givens(const Signature& signature, const CompileOptions& options) {
  // Givens rewrite the outputs and the update values together.
  std::vector<Var> targets = signature.outputs;
  for (const auto& [shared, value] : signature.updates) targets.push_back(value);
  for (std::size_t i = 0; i < options.givens.size(); ++i) {
    const auto& [from, to] = options.givens[i];
    if (from.is_null() || to.is_null()) {
      throw Error(fmt::format("{}: given {} has a null hp::Var as its {}", compile_label(options), i,
                              from.is_null() ? "variable to replace" : "replacement"));
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (options.givens[k].first.is(from)) {
        throw Error(fmt::format("{}: given {} replaces {} again (given {} replaces it already)",
                                compile_label(options), i, describe_var(from), k));
      }
    }
  }
  return clone_replace(targets, options.givens);
}

std::vector<Shared> find_shared_inputs(const Signature& signature, const std::vector<Var>& targets,
                                       const CompileOptions& options) {
  // Walk the graph from every target, stopping at the explicit inputs: every
  // other leaf must be a constant or a shared variable.
  std::vector<Var> explicit_inputs;
  for (const In& in : signature.inputs) explicit_inputs.push_back(in.var);
  std::vector<Shared> shared_inputs;
  std::unordered_set<const VarNode*> explicit_set, used, shared_seen;
  for (const Var& v : explicit_inputs) explicit_set.insert(v.node());
  auto visit_leaf = [&](const Var& v) {
    if (explicit_set.count(v.node())) {
      used.insert(v.node());
    } else if (v.is_shared()) {
      if (shared_seen.insert(v.node()).second) shared_inputs.push_back(Shared(v.node_ptr()));
    } else if (v.is_input()) {
      throw Error(fmt::format("{}: missing input: {} is needed to compute the outputs but is not "
                              "among the function's inputs",
                              compile_label(options), describe_var(v)));
    }
  };
  for (const auto& node : topological_order(targets, explicit_inputs)) {
    for (const Var& in : node->inputs()) {
      if (!in.owner() || explicit_set.count(in.node())) visit_leaf(in);
    }
  }
  for (const Var& t : targets) {
    if (!t.owner() || explicit_set.count(t.node())) visit_leaf(t);
  }
  for (std::size_t i = 0; i < explicit_inputs.size(); ++i) {
    if (used.count(explicit_inputs[i].node()) || options.on_unused_input == OnUnusedInput::Ignore) continue;
    const std::string msg = fmt::format(
        "{}: input {} {} is not used by any output or update (pass on_unused_input = Warn or "
        "Ignore to allow it)",
        compile_label(options), i, describe_var(explicit_inputs[i]));
    if (options.on_unused_input == OnUnusedInput::Raise) throw Error(msg);
    std::cerr << "hypatia warning: " << msg << "\n";
  }
  return shared_inputs;
}

std::unique_ptr<Program> build_program(const BackendRequest& request, Mode mode, CompileReport& report) {
  // FastRun and FastCompile run generated code; Debug runs the reference
  // evaluator with NaN/Inf checks and compares the code FastRun would run with it.
  std::unique_ptr<Program> compiled =
      config().device == "cuda" ? build_cuda_program(request) : build_cpu_program(request, report);
  if (mode == Mode::Debug) {
    // The oracle runs the stabilised but unfused graph: Theano's DebugMode
    // too checks the graph after its stabilising rewrites, which exist to
    // remove the infinities the naive one would report.
    const std::vector<Var> checked = request.graphs->graph(Mode::Debug, request.selection);
    // Every rewrite of the compiled graph is checked on every call (BadOptimization).
    auto rewrites = std::make_shared<const RewriteCheck>(request.inputs, request.outputs,
                                                         request.graphs->trace(request.mode, request.selection));
    return make_debug_program(make_reference_program(request.inputs, checked, true), std::move(compiled),
                              [rewrites](const std::vector<Array>& args) { rewrites->check(args); });
  }
  if (compiled) return compiled;
  // Without the JIT, or beyond the backend's limits, the reference runs the
  // graph after FastCompile's cheap, safe rewrites (stabilisation among them).
  return make_reference_program(request.inputs, request.graphs->graph(Mode::FastCompile, request.selection), false);
}

std::shared_ptr<FunctionImpl> wrap_function(const Signature& signature, const std::vector<Var>& targets,
                       const std::vector<Shared>& shared_inputs, std::unique_ptr<Program> program, Mode mode,
                       std::shared_ptr<OptimizedGraphs> graphs, const BackendRequest& request,
                       const CompileReport& report, const CompileOptions& options) {
  auto executor = std::make_shared<Executor>();
  executor->name = options.name;
  executor->allow_input_downcast = options.allow_input_downcast;
  executor->profile = options.profile || config().profile;
  for (const In& in : signature.inputs) {
    executor->inputs.push_back({in.var.type(), in.name.empty() ? in.var.name() : in.name, in.value});
  }
  for (const Shared& s : shared_inputs) executor->shared_inputs.push_back({s.node()->shared, describe_var(s)});
  executor->n_outputs = signature.outputs.size();
  for (const auto& [shared, value] : signature.updates) executor->updated.push_back(shared.node()->shared);
  executor->program = std::move(program);
  executor->stats.name = options.name;
  executor->stats.compile_phases = report.phases;
  executor->stats.cache = !report.cache.empty() ? report.cache
                          : jit::available()    ? "reference evaluator (graph beyond the compiled backend's limits)"
                                                : "reference evaluator (built without the Clang JIT)";

  auto impl = std::make_shared<FunctionImpl>();
  impl->executor = executor;
  impl->mode = mode;
  for (const In& in : signature.inputs) impl->inputs.push_back(in.var);
  impl->outputs.assign(targets.begin(), targets.begin() + static_cast<long>(signature.outputs.size()));
  impl->update_values.assign(targets.begin() + static_cast<long>(signature.outputs.size()), targets.end());
  for (const auto& [shared, value] : signature.updates) impl->updated.push_back(shared);
  // The graph the compiled code runs: the one the backend optimised, or
  // optimised on first use after a cache hit.
  graphs->drop_traces();
  impl->optimized_graph = [graphs, compiled_mode = request.mode, selection = request.selection] {
    return graphs->graph(compiled_mode, selection);
  };
  impl->source = report.source;
  return impl;
}

Function compile(const std::vector<In>& inputs, const std::vector<Var>& outputs, const CompileOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  config().check();  // fields set directly are not validated on the way in
  Signature signature = check_signature(inputs, outputs, options);
  const std::vector<Var> targets = apply_givens(signature, options);
  const std::vector<Shared> shared_inputs = find_shared_inputs(signature, targets, options);
  signature.inputs = checked_defaults(std::move(signature.inputs));

  const Mode mode = options.mode.value_or(config().mode);
  BackendRequest request;
  for (const In& in : signature.inputs) request.inputs.push_back(in.var);
  request.inputs.insert(request.inputs.end(), shared_inputs.begin(), shared_inputs.end());
  request.outputs = targets;
  for (const auto& [shared, value] : signature.updates) request.updated.push_back(shared);
  // FastRun fuses elementwise ops; FastCompile keeps one loop per op. Debug
  // checks the code FastRun would run.
  request.mode = mode == Mode::Debug ? Mode::FastRun : mode;
  request.selection = pass_selection(options);
  passes_for(request.mode, request.selection);  // unknown pass names fail here, hit or miss
  auto graphs = std::make_shared<OptimizedGraphs>(request.inputs, request.outputs, mode == Mode::Debug);
  request.graphs = graphs.get();
  request.name = options.name;
  request.label = compile_label(options);
  // Called during build only (the request lives as long as this compile).
  request.make_reference = [&request] { return make_reference_program(request.inputs, request.outputs, false); };

  CompileReport report;
  std::unique_ptr<Program> program = build_program(request, mode, report);
  std::shared_ptr<FunctionImpl> impl =
      wrap_function(signature, targets, shared_inputs, std::move(program), mode, graphs, request, report, options);
  impl->executor->stats.compile_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (impl->executor->profile) register_profiled(impl->executor, config().profile);
  return Function(impl);
}

}  // namespace hypatia
