/// CUDA code of the fused ops (compiler/ops/fused_elemwise.hpp): each inner
/// node becomes one local of the element function, written with the op
/// table's scalar expression, as the C++ side does.
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/emit/cuda_emitter.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/fused_elemwise.hpp"

namespace hypatia {
namespace {

/// The statements computing `output`, an inner output of `op`, from `args`,
/// the values of its placeholders: one `const T tK = ...;` per inner node.
std::vector<std::string> fused_statements(const FusedElemwiseOp& op, const Var& output,
                                          const std::vector<std::string>& args) {
  const std::vector<Var>& placeholders = op.placeholders();
  std::unordered_map<const VarNode*, std::string> value;
  for (std::size_t i = 0; i < placeholders.size(); ++i) value[placeholders[i].node()] = args[i];
  auto operand = [&](const Var& in) {
    auto it = value.find(in.node());
    return it != value.end() ? it->second : CudaEmitter::literal(in.constant_value());
  };
  std::vector<std::string> statements;
  const auto inner = topological_order({output}, placeholders);
  for (std::size_t k = 0; k < inner.size(); ++k) {
    const Apply& n = *inner[k];
    std::vector<std::string> operands;
    for (const Var& in : n.inputs()) operands.push_back(operand(in));
    const Var o = n.output();
    const std::string local = fmt::format("t{}", k);
    const auto& scalar = static_cast<const ElemwiseOp&>(n.op());
    statements.push_back(fmt::format("const {} {} = {};", CudaEmitter::c_type(o.dtype()), local,
                                     scalar.scalar_cpp(n.inputs(), o.dtype(), operands)));
    value[o.node()] = local;
  }
  statements.push_back("return " + operand(output) + ";");
  return statements;
}

}  // namespace

bool FusedElemwiseOp::emit_cuda(CudaEmitter& cg, const Apply& node) const {
  const Var out = node.output();
  auto body = [&](const std::vector<std::string>& args) { return fused_statements(*this, inner_output(), args); };
  cg.elementwise(out.dtype(), out.ndim(), CudaEmitter::operands_of(node.inputs()), body, may_fail());
  return true;
}

bool FusedReduceOp::emit_cuda(CudaEmitter& cg, const Apply& node) const {
  const FusedElemwiseOp& value = elementwise();
  const Var& v = value.inner_output();
  const CudaReduction r{reduction().kind, reduction().axes, v.ndim(), v.dtype(), node.output().dtype(),
                        reduction().initial_neg_inf};
  auto body = [&](const std::vector<std::string>& args) { return fused_statements(value, v, args); };
  cg.reduction(r, CudaEmitter::operands_of(node.inputs()), body, value.may_fail());
  return true;
}

}  // namespace hypatia

namespace hypatia {

// Input 0 only orders the node after the fused loop; the operands follow it.
bool FusedOutputOp::emit_cuda(CudaEmitter& cg, const Apply& node) const {
  const Var out = node.output();
  const std::vector<Var> inputs(node.inputs().begin() + 1, node.inputs().end());
  const Var& inner = fused().inner_outputs().at(output_index());
  auto body = [&](const std::vector<std::string>& args) { return fused_statements(fused(), inner, args); };
  cg.elementwise(out.dtype(), out.ndim(), CudaEmitter::operands_of(inputs), body, fused().may_fail());
  cg.set_first_input(1);
  return true;
}

}  // namespace hypatia
