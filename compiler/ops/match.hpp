/// \file What local rewrites ask of a variable's producer when they match
/// patterns such as log(1 - sigmoid(x)): which scalar op computes it, and its
/// operands.
#pragma once

#include <string_view>

#include "compiler/ops/elemwise.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

/// The scalar op of the elementwise node computing v (not a cast), or null.
inline const ScalarOp* scalar_op_of(const Var& v) {
  if (!v.owner()) return nullptr;
  const auto* op = dynamic_cast<const ElemwiseOp*>(&v.owner()->op());
  return op && !op->cast_to() ? &op->scalar() : nullptr;
}

/// Whether v is computed by the elementwise op `name` ("add", "sigmoid", ...).
inline bool computed_by(const Var& v, std::string_view name) {
  const ScalarOp* s = scalar_op_of(v);
  return s && s->name == name;
}

/// Operand i of the node computing v (v must have an owner).
inline const Var& operand(const Var& v, int i) { return v.owner()->inputs()[i]; }

}  // namespace hypatia
