/// \file inplace: lets elementwise results take over a dead operand's memory.
///
/// Identity: an elementwise node f(..., x, ...) whose operand x has the
/// output's type, is computed by the function (not one of its inputs, a
/// constant or a shared variable) and is read by nothing else (no other
/// node, no view, not a function output), and whose own result is not a
/// function output (that one is written straight into the caller's result)
/// -> the same node marked "may write
/// into x" (FusedElemwiseOp::inplace_inputs; a lone Elemwise becomes a
/// one-op Composite). Saves the allocation and, for large arrays, the page
/// faults and cache misses of fresh memory.
///
/// The mark is a permission, not an order: code generation, which knows the
/// schedule and where every buffer came from, takes x's memory only when x
/// is scratch memory of this call whose last reader is this node
/// (CppEmitter::reuse_input); otherwise it allocates as usual. Unsafe (and
/// never done) for caller arrays, constants and shared variables, whose
/// memory outlives the call, and for a value something else still reads.
/// Runs after fusion, in FastRun only.
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

std::vector<Var> inplace(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
