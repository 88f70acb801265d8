#include "compiler/rewrite/constant_fold.hpp"

#include "compiler/graph/graph_node.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/graph/rebuild.hpp"

namespace hypatia {
namespace {

constexpr std::int64_t kMaxFoldedSize = 1 << 16;

}  // namespace

std::vector<Var> constant_fold(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  return rebuild(inputs, outputs, [](const Apply& node, const std::vector<Var>& operands) -> std::optional<Var> {
    std::vector<Array> values;
    for (const Var& in : operands) {
      if (!in.is_constant()) return std::nullopt;
      values.push_back(in.constant_value());
    }
    const Var out = node.output();
    Array result;
    try {
      result = node.op().perform(node, values);
    } catch (const Error&) {
      return std::nullopt;
    }
    if (result.size() > kMaxFoldedSize || result.dtype() != out.dtype() || result.ndim() != out.ndim()) {
      return std::nullopt;
    }
    // The constant keeps the node's type: its broadcast pattern, not the one its shape suggests.
    return constant_of_type(result, out.type());
  });
}

}  // namespace hypatia
