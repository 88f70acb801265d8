#include "compiler/graph/op.hpp"

#include <fmt/format.h>

#include "hypatia/ops.hpp"
#include "hypatia/print.hpp"
#include "runtime/text.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {

std::string Op::pretty(const std::vector<std::string>& args) const {
  return fmt::format("{}({})", name(), fmt::join(args, ", "));
}

std::vector<InputGrad> Op::grad(const Apply& node, const Var&) const {
  return std::vector<InputGrad>(
      node.inputs().size(),
      InputGrad::undefined(fmt::format("{} has no gradient", name())));
}

InputGrad fit_grad_to(const Var& input, const Var& g) {
  if (!is_float(input.dtype())) return InputGrad::zero();
  const int pad = g.ndim() - input.ndim();
  if (pad < 0) {
    throw Error(fmt::format("internal: gradient of rank {} for an input of rank {}", g.ndim(),
                            input.ndim()));
  }
  std::vector<int> axes;
  for (int i = 0; i < pad; ++i) axes.push_back(i);
  for (int i = 0; i < input.ndim(); ++i) {
    if (input.broadcastable()[i] && !g.broadcastable()[pad + i]) axes.push_back(pad + i);
  }
  Var r = g;
  if (!axes.empty()) r = sum(r, axes, /*keepdims=*/true);
  if (pad > 0) {
    std::vector<int> pattern;
    for (int i = pad; i < g.ndim(); ++i) pattern.push_back(i);
    r = dimshuffle(r, pattern);
  }
  if (r.dtype() != input.dtype()) r = cast(r, input.dtype());
  return InputGrad::of(r);
}

std::string describe_operands(const Op& op, const std::vector<Var>& inputs) {
  std::vector<std::string> types;
  for (const Var& v : inputs) types.push_back(v.type().str());
  return fmt::format("{}({})", op.name(), fmt::join(types, ", "));
}

std::string shape_str(const Shape& shape) { return shape_text(shape); }

int normalize_axis(const std::string& op_name, int axis, int ndim) {
  if (axis < -ndim || axis >= ndim) {
    throw TypeError(fmt::format("{}: axis {} is out of range for a tensor of rank {}", op_name,
                                axis, ndim));
  }
  return axis < 0 ? axis + ndim : axis;
}

std::string node_str(const Apply& node) {
  try {
    return fmt::format("{} in node {}", node.op().name(), node_text(node.output(), 4));
  } catch (const Error&) {
    return node.op().name();
  }
}

std::string node_text(const Var& out, int depth) {
  const std::string expression = printable(pp_brief(out, depth));
  return out.name().empty() ? expression : fmt::format("{} = {}", quoted_name(out.name()), expression);
}

}  // namespace hypatia
