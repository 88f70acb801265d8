#include "compiler/ops/fused_elemwise.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/codegen/cpp_emitter.hpp"
#include "compiler/evaluate.hpp"
#include "compiler/graph_key.hpp"
#include "compiler/ops/elemwise.hpp"
#include "hypatia/print.hpp"

namespace hypatia {
namespace {

/// The reference: the inner graph evaluated op by op on the node's inputs.
Array evaluate_inner(const std::vector<Var>& placeholders, const Var& output, const std::vector<Array>& inputs) {
  std::vector<std::pair<Var, Array>> givens;
  for (std::size_t i = 0; i < inputs.size(); ++i) givens.emplace_back(placeholders[i], inputs[i]);
  EvalOptions options;
  options.require_givens_used = false;
  return evaluate({output}, givens, options).front();
}

}  // namespace

FusedElemwiseOp::FusedElemwiseOp(std::vector<Var> placeholders, Var output, std::vector<int> inplace_inputs)
    : placeholders_(std::move(placeholders)), output_(std::move(output)),
      inplace_inputs_(std::move(inplace_inputs)), inner_(topological_order({output_}, placeholders_)),
      key_("Fused{" + canonical_graph_text(placeholders_, {output_}) + "}") {
  if (!inplace_inputs_.empty()) key_ += fmt::format("[inplace={}]", fmt::join(inplace_inputs_, ","));
}

std::string FusedElemwiseOp::name() const {
  std::vector<std::string> args;
  for (std::size_t i = 0; i < placeholders_.size(); ++i) args.push_back(fmt::format("i{}", i));
  std::string name = fmt::format("Elemwise{{Composite{{{}}}}}", pretty(args));
  if (inplace_inputs_.empty()) return name;
  std::vector<std::string> destroyed;
  for (int i : inplace_inputs_) destroyed.push_back(fmt::format("i{}", i));
  return name + fmt::format("[inplace {}]", fmt::join(destroyed, ", "));
}

TensorType FusedElemwiseOp::infer_type(const std::vector<Var>& inputs) const {
  if (inputs.size() != placeholders_.size()) {
    throw TypeError(fmt::format("fused elementwise op takes {} inputs, got {}", placeholders_.size(),
                                inputs.size()));
  }
  return output_.type();
}

Array FusedElemwiseOp::perform(const Apply&, const std::vector<Array>& inputs) const {
  return evaluate_inner(placeholders_, output_, inputs);
}

std::string FusedElemwiseOp::pretty(const std::vector<std::string>& args) const {
  std::unordered_map<const VarNode*, std::string> text;
  for (std::size_t i = 0; i < placeholders_.size(); ++i) text[placeholders_[i].node()] = args[i];
  auto text_of = [&](const Var& v) {
    auto it = text.find(v.node());
    return it != text.end() ? it->second : hypatia::pp(v);  // a constant
  };
  for (const auto& node : inner_) {
    std::vector<std::string> operands;
    for (const Var& in : node->inputs()) operands.push_back(text_of(in));
    text[node->output().node()] = node->op().pretty(operands);
  }
  return text_of(output_);
}

bool FusedElemwiseOp::may_fail() const {
  for (const auto& inner : inner_) {
    if (static_cast<const ElemwiseOp&>(inner->op()).may_fail(inner->inputs())) return true;
  }
  return false;
}

std::string FusedElemwiseOp::scalar_cpp(const std::vector<std::string>& loads) const {
  // Each inner node is one local of a GNU statement expression.
  std::unordered_map<const VarNode*, std::string> value;
  for (std::size_t i = 0; i < placeholders_.size(); ++i) value[placeholders_[i].node()] = loads[i];
  auto operand = [&](const Var& in) {
    auto it = value.find(in.node());
    return it != value.end() ? it->second : CppEmitter::literal(in.constant_value());
  };
  if (inner_.empty()) return operand(output_);
  std::string block = "({ ";
  for (std::size_t k = 0; k < inner_.size(); ++k) {
    const Apply& n = *inner_[k];
    std::vector<std::string> operands;
    for (const Var& in : n.inputs()) operands.push_back(operand(in));
    const Var o = n.output();
    const std::string local = fmt::format("t{}", k);
    block += fmt::format("const {} {} = {}; ", CppEmitter::c_type(o.dtype()), local,
                         static_cast<const ElemwiseOp&>(n.op()).scalar_cpp(n.inputs(), o.dtype(), operands));
    value[o.node()] = local;
  }
  return block + value.at(output_.node()) + "; })";
}

bool FusedElemwiseOp::emit_cpp(CppEmitter& cg, const Apply& node) const {
  const Var out = node.output();
  const std::vector<Var>& inputs = node.inputs();
  const std::string name = fmt::format("v{}", cg.node_index());
  const std::vector<std::string> shape = emit_broadcast_shape(cg, inputs, out.ndim());
  std::vector<LoopOperand> operands = loop_operands(cg, inputs);
  bool in_place = false;
  for (int i : inplace_inputs_) {
    if (in_place || !cg.reuse_input(out, name, inputs[i])) continue;
    in_place = true;
    for (std::size_t j = 0; j < inputs.size(); ++j) operands[j].in_output = inputs[j].is(inputs[i]);
  }
  if (!in_place) cg.allocate(out, name, shape);
  cg.elementwise(name, out.dtype(), out.ndim(), operands,
                 [&](const std::vector<std::string>& loads) { return scalar_cpp(loads); }, may_fail());
  return true;
}

// --- FusedReduceOp --------------------------------------------------------------------------

FusedReduceOp::FusedReduceOp(std::shared_ptr<const FusedElemwiseOp> elementwise,
                             std::shared_ptr<const Op> reduction)
    : elementwise_(std::move(elementwise)), reduction_op_(std::move(reduction)) {
  auto info = reduction_of(*reduction_op_);
  if (!info || info->kind == "argmax") throw Error("internal: FusedReduceOp needs a sum, mean, max, min or prod");
  info_ = *info;
  output_ = make_apply(reduction_op_, {elementwise_->inner_output()});
  key_ = "FusedReduce{" + canonical_graph_text(elementwise_->placeholders(), {output_}) + "}";
}

std::string FusedReduceOp::name() const {
  std::vector<std::string> args;
  for (std::size_t i = 0; i < elementwise_->placeholders().size(); ++i) args.push_back(fmt::format("i{}", i));
  return fmt::format("{}{{Composite{{{}}}}}", reduction_op_->name(), elementwise_->pretty(args));
}

TensorType FusedReduceOp::infer_type(const std::vector<Var>& inputs) const {
  elementwise_->infer_type(inputs);
  return output_.type();
}

Array FusedReduceOp::perform(const Apply&, const std::vector<Array>& inputs) const {
  return evaluate_inner(elementwise_->placeholders(), output_, inputs);
}

std::string FusedReduceOp::pretty(const std::vector<std::string>& args) const {
  return reduction_op_->pretty({elementwise_->pretty(args)});
}

bool FusedReduceOp::emit_cpp(CppEmitter& cg, const Apply& node) const {
  const Var out = node.output();
  const Var& value = elementwise_->inner_output();
  const std::vector<Var>& inputs = node.inputs();
  ReductionLoop loop{info_.kind, info_.axes, value.dtype(), emit_broadcast_shape(cg, inputs, value.ndim())};
  std::vector<std::string> shape;
  for (int a = 0; a < value.ndim(); ++a) {
    const bool reduced = std::binary_search(info_.axes.begin(), info_.axes.end(), a);
    if (!reduced) shape.push_back(loop.shape[a]);
    else if (info_.keepdims) shape.push_back("1");
  }
  const std::string name = fmt::format("v{}", cg.node_index());
  cg.allocate(out, name, shape);
  cg.reduction(name, out.dtype(), loop, loop_operands(cg, inputs),
               [&](const std::vector<std::string>& loads) { return elementwise_->scalar_cpp(loads); },
               elementwise_->may_fail());
  return true;
}

}  // namespace hypatia
