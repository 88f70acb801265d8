#include "compiler/op.hpp"

#include <fmt/format.h>

#include "hypatia/print.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {

std::string Op::pretty(const std::vector<std::string>& args) const {
  return fmt::format("{}({})", name(), fmt::join(args, ", "));
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
    return fmt::format("{} in node {}", node.op().name(), pp(node.output()));
  } catch (const Error&) {
    return node.op().name();
  }
}

}  // namespace hypatia
