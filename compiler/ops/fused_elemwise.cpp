#include "compiler/ops/fused_elemwise.hpp"

#include <unordered_map>

#include <fmt/format.h>

#include "compiler/codegen/cpp_emitter.hpp"
#include "compiler/evaluate.hpp"
#include "compiler/graph_key.hpp"
#include "compiler/ops/elemwise.hpp"
#include "hypatia/print.hpp"

namespace hypatia {

FusedElemwiseOp::FusedElemwiseOp(std::vector<Var> placeholders, Var output)
    : placeholders_(std::move(placeholders)), output_(std::move(output)),
      inner_(topological_order({output_}, placeholders_)),
      key_("Fused{" + canonical_graph_text(placeholders_, {output_}) + "}") {}

std::string FusedElemwiseOp::name() const {
  std::vector<std::string> args;
  for (std::size_t i = 0; i < placeholders_.size(); ++i) args.push_back(fmt::format("i{}", i));
  return fmt::format("Elemwise{{Composite{{{}}}}}", pretty(args));
}

TensorType FusedElemwiseOp::infer_type(const std::vector<Var>& inputs) const {
  if (inputs.size() != placeholders_.size()) {
    throw TypeError(fmt::format("fused elementwise op takes {} inputs, got {}", placeholders_.size(),
                                inputs.size()));
  }
  return output_.type();
}

Array FusedElemwiseOp::perform(const Apply&, const std::vector<Array>& inputs) const {
  std::vector<std::pair<Var, Array>> givens;
  for (std::size_t i = 0; i < inputs.size(); ++i) givens.emplace_back(placeholders_[i], inputs[i]);
  EvalOptions options;
  options.require_givens_used = false;
  return evaluate({output_}, givens, options).front();
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

bool FusedElemwiseOp::emit_cpp(CppEmitter& cg, const Apply& node) const {
  const Var out = node.output();
  const std::vector<Var>& inputs = node.inputs();
  const std::string name = fmt::format("v{}", cg.node_index());
  cg.allocate(out, name, emit_broadcast_shape(cg, inputs, out.ndim()));
  bool may_fail = false;
  for (const auto& inner : inner_) {
    may_fail = may_fail || static_cast<const ElemwiseOp&>(inner->op()).may_fail(inner->inputs());
  }
  // Per element, each inner node is one local of a GNU statement expression.
  auto expr = [&](const std::vector<std::string>& loads) {
    std::unordered_map<const VarNode*, std::string> value;
    for (std::size_t i = 0; i < placeholders_.size(); ++i) value[placeholders_[i].node()] = loads[i];
    std::string block = "({ ";
    for (std::size_t k = 0; k < inner_.size(); ++k) {
      const Apply& n = *inner_[k];
      std::vector<std::string> operands;
      for (const Var& in : n.inputs()) {
        auto it = value.find(in.node());
        operands.push_back(it != value.end() ? it->second : CppEmitter::literal(in.constant_value()));
      }
      const Var o = n.output();
      const std::string local = fmt::format("t{}", k);
      block += fmt::format("const {} {} = {}; ", CppEmitter::c_type(o.dtype()), local,
                           static_cast<const ElemwiseOp&>(n.op()).scalar_cpp(n.inputs(), o.dtype(), operands));
      value[o.node()] = local;
    }
    return block + value.at(output_.node()) + "; })";
  };
  cg.elementwise(name, out.dtype(), out.ndim(), loop_operands(cg, inputs), expr, may_fail);
  return true;
}

}  // namespace hypatia
