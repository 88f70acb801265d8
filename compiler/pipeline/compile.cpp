/// hp::compile: checks a function's signature, applies givens, finds the
/// shared variables it reads, and asks a backend for the Program.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <unordered_set>

#include <fmt/format.h>

#include "compiler/pipeline/backend_cpu.hpp"
#include "compiler/graph/clone.hpp"
#include "compiler/pipeline/backend_cuda.hpp"
#include "compiler/reference/debug_program.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/graph/graph_node.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/rewrite/optimize.hpp"
#include "compiler/reference/reference_program.hpp"
#include "compiler/rewrite/rewrite_check.hpp"
#include "runtime/function_impl.hpp"
#include "runtime/cpu/jit.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {
namespace {

std::string function_label(const CompileOptions& options) {
  return options.name.empty() ? "compile" : fmt::format("compile({})", quoted_name(options.name));
}

void check_inputs(const std::vector<In>& inputs, const CompileOptions& options) {
  std::unordered_set<const VarNode*> seen;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Var& v = inputs[i].var;
    const std::string where = fmt::format("{}: input {}", function_label(options), i);
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
                                         function_label(options), i, describe_var(shared));
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
    const std::string where = fmt::format("{}: update {}", function_label(options), i);
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

}  // namespace

Function compile(const std::vector<In>& inputs, const std::vector<Var>& outputs,
                 const CompileOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  config().check();  // fields set directly are not validated on the way in
  check_inputs(inputs, options);
  const std::vector<std::pair<Shared, Var>> updates = typed_updates(options);
  check_updates(updates, options);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].is_null()) throw Error(fmt::format("{}: output {} is a null hp::Var", function_label(options), i));
  }

  auto impl = std::make_shared<FunctionImpl>();
  impl->name = options.name;
  impl->mode = options.mode.value_or(config().mode);
  impl->allow_input_downcast = options.allow_input_downcast;
  impl->profile = options.profile || config().profile;

  // Givens rewrite the outputs and the update values together.
  std::vector<Var> targets = outputs;
  for (const auto& [shared, value] : updates) targets.push_back(value);
  for (std::size_t i = 0; i < options.givens.size(); ++i) {
    const auto& [from, to] = options.givens[i];
    if (from.is_null() || to.is_null()) {
      throw Error(fmt::format("{}: given {} has a null hp::Var as its {}", function_label(options), i,
                              from.is_null() ? "variable to replace" : "replacement"));
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (options.givens[k].first.is(from)) {
        throw Error(fmt::format("{}: given {} replaces {} again (given {} replaces it already)",
                                function_label(options), i, describe_var(from), k));
      }
    }
  }
  targets = clone_replace(targets, options.givens);
  impl->outputs.assign(targets.begin(), targets.begin() + static_cast<long>(outputs.size()));
  impl->update_values.assign(targets.begin() + static_cast<long>(outputs.size()), targets.end());
  for (const auto& [shared, value] : updates) impl->updated.push_back(shared);

  std::vector<Var> explicit_inputs;
  for (const In& in : inputs) {
    explicit_inputs.push_back(in.var);
    const std::string name = in.name.empty() ? in.var.name() : in.name;
    impl->inputs.push_back({in.var, name, in.value});
    if (in.value) {
      // A copy: the caller's array may change after compile, or while calls read the default.
      impl->inputs.back().default_value =
          fit_value_to_type(in.var.type(), *in.value, "default value of input " + quoted_name(name))
              .copy();
    }
  }

  // Walk the graph from every target, stopping at the explicit inputs: every
  // other leaf must be a constant or a shared variable.
  std::unordered_set<const VarNode*> explicit_set, used, shared_seen;
  for (const Var& v : explicit_inputs) explicit_set.insert(v.node());
  auto visit_leaf = [&](const Var& v) {
    if (explicit_set.count(v.node())) {
      used.insert(v.node());
    } else if (v.is_shared()) {
      if (shared_seen.insert(v.node()).second) impl->shared_inputs.push_back(Shared(v.node_ptr()));
    } else if (v.is_input()) {
      throw Error(fmt::format("{}: missing input: {} is needed to compute the outputs but is not "
                              "among the function's inputs",
                              function_label(options), describe_var(v)));
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
        function_label(options), i, describe_var(explicit_inputs[i]));
    if (options.on_unused_input == OnUnusedInput::Raise) throw Error(msg);
    std::cerr << "hypatia warning: " << msg << "\n";
  }

  // FastRun and FastCompile run JIT-compiled C++; Debug runs the reference
  // evaluator with NaN/Inf checks and compares the compiled code with it.
  // Without the JIT (built with HYPATIA_WITH_CLANG=OFF) the reference runs.
  std::vector<Var> program_inputs = explicit_inputs;
  for (const Shared& s : impl->shared_inputs) program_inputs.push_back(s);
  const bool debug = impl->mode == Mode::Debug;
  CompileReport report;
  const PassSelection selection = pass_selection(options);
  // FastRun fuses elementwise ops; FastCompile keeps one loop per op. Debug
  // checks the code FastRun would run.
  const Mode compiled_mode = debug ? Mode::FastRun : impl->mode;
  passes_for(compiled_mode, selection);  // unknown pass names fail here, hit or miss
  CpuCompileRequest request;
  request.inputs = program_inputs;
  request.outputs = targets;
  request.updated = impl->updated;
  request.options_key = fmt::format("mode={} passes={}", mode_name(compiled_mode), selection.key());
  request.optimize = [&] { return optimize(program_inputs, targets, compiled_mode, selection); };
  request.name = impl->name;
  request.make_reference = [&] { return make_reference_program(program_inputs, targets, false); };
  std::unique_ptr<Program> compiled =
      config().device == "cuda" ? compile_for_cuda(program_inputs, targets, compiled_mode, selection, impl->name,
                                                   function_label(options))
                                : build_cpu_program(request, report);
  impl->optimized_graph = [program_inputs, targets, compiled_mode, selection] {
    return optimize(program_inputs, targets, compiled_mode, selection);
  };
  impl->source = report.source;
  impl->stats.compile_phases = report.phases;
  impl->stats.cache = compiled ? report.cache
                               : jit::available() ? "reference evaluator (graph beyond the compiled backend's limits)"
                                                  : "reference evaluator (built without the Clang JIT)";
  if (debug) {
    // The oracle runs the stabilised but unfused graph: Theano's DebugMode
    // too checks the graph after its stabilising rewrites, which exist to
    // remove the infinities the naive one would report.
    const std::vector<Var> checked = optimize(program_inputs, targets, Mode::Debug, selection);
    // Every rewrite of the compiled graph is checked on every call (BadOptimization).
    std::vector<PassRun> trace;
    optimize(program_inputs, targets, compiled_mode, selection, &trace);
    auto rewrites = std::make_shared<const RewriteCheck>(program_inputs, targets, std::move(trace));
    impl->program = make_debug_program(make_reference_program(program_inputs, checked, true), std::move(compiled),
                                       [rewrites](const std::vector<Array>& args) { rewrites->check(args); });
  } else if (compiled) {
    impl->program = std::move(compiled);
  } else {
    // Without the JIT the reference runs the graph after the cheap, safe
    // rewrites (stabilisation among them), as FastCompile would.
    impl->program = make_reference_program(program_inputs, optimize(program_inputs, targets, Mode::Debug, selection),
                                           false);
  }

  impl->compile_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  impl->stats.name = impl->name;
  impl->stats.compile_seconds = impl->compile_seconds;
  if (impl->profile) register_profiled(impl, config().profile);
  return Function(impl);
}

}  // namespace hypatia
