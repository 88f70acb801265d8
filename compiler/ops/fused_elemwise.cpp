#include "compiler/ops/fused_elemwise.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/graph/graph_key.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/reference/evaluate.hpp"
#include "hypatia/print.hpp"

namespace hypatia {
namespace {

/// Longest text kept for one subexpression of a fused op's printed form (as pp's).
constexpr std::size_t kMaxPrettyLength = 20000;

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
    : placeholders_(std::move(placeholders)), outputs_{std::move(output)},
      inplace_inputs_(std::move(inplace_inputs)), inner_(topological_order(outputs_, placeholders_)),
      key_("Fused{" + canonical_graph_text(placeholders_, outputs_) + "}") {
  if (!inplace_inputs_.empty()) key_ += fmt::format("[inplace={}]", fmt::join(inplace_inputs_, ","));
}

FusedElemwiseOp::FusedElemwiseOp(std::vector<Var> placeholders, std::vector<Var> outputs)
    : placeholders_(std::move(placeholders)), outputs_(std::move(outputs)),
      inner_(topological_order(outputs_, placeholders_)),
      key_("Fused{" + canonical_graph_text(placeholders_, outputs_) + "}") {
  if (outputs_.empty()) throw Error("internal: a fused elementwise op needs an output");
  for (const Var& o : outputs_) {
    if (o.broadcastable() != outputs_[0].broadcastable()) {
      throw Error("internal: the outputs of one fused loop must share a broadcast pattern");
    }
  }
}

std::string FusedElemwiseOp::name() const {
  std::vector<std::string> args;
  for (std::size_t i = 0; i < placeholders_.size(); ++i) args.push_back(fmt::format("i{}", i));
  std::string body = pretty(args);
  if (outputs_.size() > 1) {
    // "o0 = ..., o1 = ...": FusedOutputOp{o1} nodes take the others.
    std::vector<std::string> each;
    for (std::size_t k = 0; k < outputs_.size(); ++k) each.push_back(fmt::format("o{} = {}", k, pretty_output(k, args)));
    body = fmt::format("{}", fmt::join(each, ", "));
  }
  std::string name = fmt::format("Elemwise{{Composite{{{}}}}}", body);
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
  return outputs_[0].type();
}

Array FusedElemwiseOp::perform(const Apply&, const std::vector<Array>& inputs) const {
  return perform_output(0, inputs);
}

Array FusedElemwiseOp::perform_output(std::size_t k, const std::vector<Array>& inputs) const {
  return evaluate_inner(placeholders_, outputs_.at(k), inputs);
}

std::string FusedElemwiseOp::pretty(const std::vector<std::string>& args) const { return pretty_output(0, args); }

std::string FusedElemwiseOp::pretty_output(std::size_t k, const std::vector<std::string>& args) const {
  std::unordered_map<const VarNode*, std::string> text;
  for (std::size_t i = 0; i < placeholders_.size(); ++i) text[placeholders_[i].node()] = args[i];
  auto text_of = [&](const Var& v) {
    auto it = text.find(v.node());
    std::string s = it != text.end() ? it->second : hypatia::pp(v);  // a constant
    // Shortened as pp shortens: a value read twice at each level of a DAG would double the text.
    if (s.size() > kMaxPrettyLength) s = s.substr(0, kMaxPrettyLength) + "...";
    return s;
  };
  for (const auto& node : inner_) {
    std::vector<std::string> operands;
    for (const Var& in : node->inputs()) operands.push_back(text_of(in));
    text[node->output().node()] = node->op().pretty(operands);
  }
  return text_of(outputs_.at(k));
}

bool FusedElemwiseOp::may_fail() const {
  for (const auto& inner : inner_) {
    if (static_cast<const ElemwiseOp&>(inner->op()).may_fail(inner->inputs())) return true;
  }
  return false;
}

std::string FusedElemwiseOp::scalar_cpp(const std::vector<std::string>& loads) const {
  // Each inner node is one local of a GNU statement expression.
  const ElementBody body = element_body(loads);
  if (body.statements.empty()) return body.values[0];
  std::string block = "({ ";
  for (const std::string& statement : body.statements) block += statement + " ";
  return block + body.values[0] + "; })";
}

ElementBody FusedElemwiseOp::element_body(const std::vector<std::string>& loads) const {
  std::unordered_map<const VarNode*, std::string> value;
  for (std::size_t i = 0; i < placeholders_.size(); ++i) value[placeholders_[i].node()] = loads[i];
  auto operand = [&](const Var& in) {
    auto it = value.find(in.node());
    return it != value.end() ? it->second : CppEmitter::literal(in.constant_value());
  };
  ElementBody body;
  for (std::size_t k = 0; k < inner_.size(); ++k) {
    const Apply& n = *inner_[k];
    std::vector<std::string> operands;
    for (const Var& in : n.inputs()) operands.push_back(operand(in));
    const Var o = n.output();
    const std::string local = fmt::format("t{}", k);
    body.statements.push_back(fmt::format("const {} {} = {};", CppEmitter::c_type(o.dtype()), local,
                                          static_cast<const ElemwiseOp&>(n.op()).scalar_cpp(n.inputs(), o.dtype(), operands)));
    value[o.node()] = local;
  }
  for (const Var& o : outputs_) body.values.push_back(operand(o));
  return body;
}

bool FusedElemwiseOp::emit_cpp(CppEmitter& cg, const Apply& node) const {
  const Var out = node.output();
  const std::vector<Var>& inputs = node.inputs();
  const std::string name = fmt::format("v{}", cg.node_index());
  const std::vector<std::string> shape = emit_broadcast_shape(cg, inputs, out.ndim());
  std::vector<LoopOperand> operands = loop_operands(cg, inputs);
  if (outputs_.size() > 1) {
    // Every output in this loop; the FusedOutputOp nodes find theirs bound.
    std::vector<LoopOutput> outs;
    std::vector<std::string> unused;  // outputs no node reads: scratch, released after the loop
    for (std::size_t k = 0; k < outputs_.size(); ++k) {
      Var v = k == 0 ? out : cg.fused_output(node, k);
      const std::string tensor = k == 0 ? name : fmt::format("{}_o{}", name, k);
      if (v.is_null()) {
        v = hypatia::tensor(outputs_[k].type());
        unused.push_back(tensor);
      }
      cg.allocate(v, tensor, shape);
      outs.push_back({tensor, v.dtype()});
    }
    cg.elementwise_outputs(outs, operands, [&](const std::vector<std::string>& loads) { return element_body(loads); },
                           may_fail());
    for (const std::string& tensor : unused) cg.line("hp_temp_release(ctx, {}.data);", tensor);
    return true;
  }
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

// --- FusedOutputOp --------------------------------------------------------------------------

FusedOutputOp::FusedOutputOp(std::shared_ptr<const FusedElemwiseOp> fused, std::size_t k)
    : fused_(std::move(fused)), k_(k) {
  if (k_ == 0 || k_ >= fused_->inner_outputs().size()) throw Error("internal: FusedOutputOp of a missing output");
  key_ = fmt::format("FusedOutput{{{}}}{}", k_, fused_->key());
}

std::string FusedOutputOp::name() const { return fmt::format("FusedOutput{{o{}}}", k_); }

TensorType FusedOutputOp::infer_type(const std::vector<Var>& inputs) const {
  if (inputs.size() != fused_->placeholders().size() + 1) {
    throw TypeError(fmt::format("{} takes the fused node's value and its {} inputs, got {} inputs", name(),
                                fused_->placeholders().size(), inputs.size()));
  }
  return fused_->inner_outputs()[k_].type();
}

Array FusedOutputOp::perform(const Apply&, const std::vector<Array>& inputs) const {
  return fused_->perform_output(k_, std::vector<Array>(inputs.begin() + 1, inputs.end()));
}

std::string FusedOutputOp::pretty(const std::vector<std::string>& args) const {
  return fused_->pretty_output(k_, std::vector<std::string>(args.begin() + 1, args.end()));
}

bool FusedOutputOp::emit_cpp(CppEmitter& cg, const Apply& node) const {
  if (!cg.is_bound(node.output())) return false;
  cg.line("// {}: written by the loop that computed {}", cg.tensor(node.output()), cg.tensor(node.inputs()[0]));
  return true;
}

// --- FusedReduceOp --------------------------------------------------------------------------

FusedReduceOp::FusedReduceOp(std::shared_ptr<const FusedElemwiseOp> elementwise,
                             std::shared_ptr<const Op> reduction)
    : elementwise_(std::move(elementwise)), reduction_op_(std::move(reduction)) {
  auto info = reduction_of(*reduction_op_);
  if (!info || info->kind == "argmax" || info->kind == "argmin") throw Error("internal: FusedReduceOp needs a sum, mean, max, min or prod");
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
  ReductionLoop loop{info_.kind, info_.axes, value.dtype(), emit_broadcast_shape(cg, inputs, value.ndim()),
                     info_.initial_neg_inf};
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
