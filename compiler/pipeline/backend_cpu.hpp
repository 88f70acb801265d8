/// \file The CPU backend: graph -> rewrites -> C++ (compiler/codegen) ->
/// Clang/ORC (runtime/jit_cpu) -> a Program.
///
/// Two keys, both hashes of canonical, name-free graph text plus versions:
///  - the index key: the graph as handed to compile + mode and passes. A hit
///    (in the process's memo, or an index entry on disk) gives the program
///    without rewriting the graph or generating code;
///  - the object key: the optimised graph. Equal math built differently
///    (other names, order, or equal subexpressions) optimises to one graph
///    and shares one object: a hit skips codegen's Clang compile.
#pragma once

#include <memory>

#include "compiler/pipeline/backend.hpp"

namespace hypatia {

/// A Program running JIT-compiled code for the request's graph, or null when
/// the JIT is unavailable (built without Clang) or the graph exceeds the
/// backend's limits.
std::unique_ptr<Program> build_cpu_program(const BackendRequest& request, CompileReport& report);

}  // namespace hypatia
