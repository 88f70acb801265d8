#include "compiler/rewrite/specialize_gemm.hpp"

#include <unordered_map>

#include "compiler/graph/graph_node.hpp"
#include "compiler/graph/rebuild.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/dot.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/match.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

using UseCounts = std::unordered_map<const VarNode*, int>;

/// How many times each variable of the original graph is read (outputs count).
UseCounts count_uses(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  UseCounts uses;
  for (const auto& node : topological_order(outputs, inputs)) {
    for (const Var& in : node->inputs()) ++uses[in.node()];
  }
  for (const Var& v : outputs) ++uses[v.node()];
  return uses;
}

Var scalar_constant(double value, DType dtype) {
  return constant_of_type(Array(value).astype(dtype), TensorType(dtype, {}));
}

/// -s, folded when s is a constant.
Var negated(const Var& s) {
  if (s.is_constant()) return scalar_constant(-s.constant_value().item<double>(), s.dtype());
  return -s;
}

/// A variable read as factor * base, with the factor a 0-d variable.
struct Scaled {
  Var factor;
  Var base;
  Var original_base;  ///< base in the original graph, whose uses are counted
};

/// v (rebuilt) and `original` (the same node before the walk) as a factor
/// times a base of v's type: s * u, u * s, -u, or v itself times one.
Scaled split_factor(const Var& v, const Var& original) {
  const bool same_structure =
      original.owner() && v.owner() && v.owner()->op_ptr() == original.owner()->op_ptr();
  if (same_structure && computed_by(v, "mul")) {
    for (int side : {0, 1}) {
      const Var& s = v.owner()->inputs()[side];
      const Var& u = v.owner()->inputs()[1 - side];
      if (s.ndim() == 0 && !is_bool(s.dtype()) && u.type() == v.type()) {
        return {s, u, original.owner()->inputs()[1 - side]};
      }
    }
  }
  if (same_structure && computed_by(v, "neg")) {
    return {scalar_constant(-1, v.dtype()), v.owner()->inputs()[0], original.owner()->inputs()[0]};
  }
  return {scalar_constant(1, v.dtype()), v, original};
}

/// A product BLAS can take: float32/float64 operands of one dtype, not both vectors.
bool is_blas_product(const Var& v) {
  if (!v.owner() || !is_dot(v.owner()->op())) return false;
  const Var& a = v.owner()->inputs()[0];
  const Var& b = v.owner()->inputs()[1];
  return is_float(v.dtype()) && a.dtype() == v.dtype() && b.dtype() == v.dtype() && v.ndim() > 0;
}

/// C's type broadcasts into `type` without widening it.
bool fits_into(const Var& c, const TensorType& type) {
  const int pad = type.ndim() - c.ndim();
  if (pad < 0 || c.dtype() != type.dtype) return false;
  for (int i = 0; i < c.ndim(); ++i) {
    if (!c.broadcastable()[i] && type.broadcastable[pad + i]) return false;
  }
  return true;
}

/// (-)term + (-)other as a gemm, where term is a (scaled) product used only here.
std::optional<Var> as_gemm(const Var& term, const Var& term_original, bool negate_term, const Var& other,
                           const Var& other_original, bool negate_other, const TensorType& type,
                           const UseCounts& uses) {
  const Scaled product = split_factor(term, term_original);
  if (!is_blas_product(product.base) || product.base.type() != type) return std::nullopt;
  if (uses.at(term_original.node()) != 1 || uses.at(product.original_base.node()) != 1) return std::nullopt;
  const Scaled c = split_factor(other, other_original);
  if (!fits_into(c.base, type)) return std::nullopt;
  const Var alpha = negate_term ? negated(product.factor) : product.factor;
  const Var beta = negate_other ? negated(c.factor) : c.factor;
  const std::vector<Var>& ab = product.base.owner()->inputs();
  return gemm(c.base, alpha, ab[0], ab[1], beta);
}

}  // namespace

std::vector<Var> specialize_gemm(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  const UseCounts uses = count_uses(inputs, outputs);
  return rebuild(inputs, outputs,
                 [&](const Apply& node, const std::vector<Var>& operands) -> std::optional<Var> {
                   const Var out = node.output();
                   const bool add = computed_by(out, "add");
                   if (!add && !computed_by(out, "sub")) return std::nullopt;
                   const std::vector<Var>& original = node.inputs();
                   const TensorType& type = out.type();
                   const Var& a = operands[0];
                   const Var& b = operands[1];
                   std::optional<Var> result;
                   if (add) {
                     result = as_gemm(a, original[0], false, b, original[1], false, type, uses);  // dot + c
                     if (!result)
                       result = as_gemm(b, original[1], false, a, original[0], false, type, uses);  // c + dot
                   } else {
                     result = as_gemm(b, original[1], true, a, original[0], false, type, uses);  // c - dot
                     if (!result)
                       result = as_gemm(a, original[0], false, b, original[1], true, type, uses);  // dot - c
                   }
                   if (!result || result->type() != out.type()) return std::nullopt;
                   return result;
                 });
}

}  // namespace hypatia
