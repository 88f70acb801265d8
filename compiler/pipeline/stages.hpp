/// \file hp::compile's stages, in the order compile() runs them
/// (compiler/pipeline/compile.cpp). Each takes what the stages before it
/// produced, so each can be tested alone (tests/compiler/test_compile_stages.cpp):
///
///   1. signature      check_signature: inputs, outputs and updates checked
///   2. givens         apply_givens: the outputs and update values with givens applied
///   3. shared inputs  find_shared_inputs: the shared variables read; missing and unused inputs
///   4. key, 5. lookup, 6. optimise, 7. build: the backend (backend_cpu: index
///      key, memory/disk lookup, then on a miss the optimise stage
///      (OptimizedGraphs, once per mode), codegen and the JIT; backend_cuda)
///   8. wrap           wrap_function: the Executor and the hp::Function around the Program
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/pipeline/backend.hpp"
#include "hypatia/function.hpp"

namespace hypatia {

/// "compile" or "compile('f')": how compile's error messages start.
std::string compile_label(const CompileOptions& options);

/// Stage 1: the function's signature, checked.
struct Signature {
  std::vector<In> inputs;    ///< none null, shared, constant or repeated
  std::vector<Var> outputs;  ///< none null
  /// Each updated shared variable with its new value: a bare C++ number made
  /// a constant of the shared variable's dtype; dtypes, ranks and broadcast
  /// patterns agree.
  std::vector<std::pair<Shared, Var>> updates;
};
Signature check_signature(const std::vector<In>& inputs, const std::vector<Var>& outputs,
                          const CompileOptions& options);

/// Stage 2: the outputs, then the update values, with options.givens applied.
std::vector<Var> apply_givens(const Signature& signature, const CompileOptions& options);

/// Stage 3: the shared variables `targets` read, in the order first met
/// (the program's inputs after the explicit ones). A leaf that is neither
/// an explicit input, a constant nor a shared variable is a missing input
/// (hp::Error); an explicit input nothing reads is handled as
/// options.on_unused_input says.
std::vector<Shared> find_shared_inputs(const Signature& signature, const std::vector<Var>& targets,
                                       const CompileOptions& options);

/// Stages 4 to 7: the Program for the request, from the backend
/// config().device names; for a Debug function, the reference evaluator
/// checking it. Null when the compiled backend cannot run the graph (built
/// without the JIT, or beyond its limits): the reference runs it then.
std::unique_ptr<Program> build_program(const BackendRequest& request, Mode mode, CompileReport& report);

/// Stage 8: the function around `program`: the executor (argument checks,
/// shared variables, updates, profile) and the graph it was compiled from.
/// compile() adds the compile time and registers a profiled function.
std::shared_ptr<FunctionImpl> wrap_function(const Signature& signature, const std::vector<Var>& targets,
                                            const std::vector<Shared>& shared_inputs,
                                            std::unique_ptr<Program> program, Mode mode,
                                            std::shared_ptr<OptimizedGraphs> graphs, const BackendRequest& request,
                                            const CompileReport& report, const CompileOptions& options);

}  // namespace hypatia
