#include "compiler/graph/graph_key.hpp"

#include <unordered_map>

#include <fmt/format.h>

#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"

namespace hypatia {
namespace {

/// Exact text of a constant's elements (hexadecimal floats, so no rounding).
std::string value_text(const Array& a) {
  std::string s = fmt::format("{}{}[", dtype_name(a.dtype()), shape_str(a.shape()));
  for (std::int64_t i = 0; i < a.size(); ++i) {
    if (i) s += ",";
    if (is_float(a.dtype())) s += fmt::format("{:a}", a.get_flat_double(i));
    else s += fmt::format("{}", a.get_flat_int(i));
  }
  return s + "]";
}

}  // namespace

std::string canonical_graph_text(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  std::unordered_map<const VarNode*, std::size_t> number;
  std::string text;
  auto id = [&](const Var& v) -> std::size_t {
    auto it = number.find(v.node());
    if (it != number.end()) return it->second;
    const std::size_t n = number.size();
    number.emplace(v.node(), n);
    if (v.is_constant()) text += fmt::format("%{} = const {}\n", n, value_text(v.constant_value()));
    else text += fmt::format("%{} = leaf {}\n", n, v.type().str());  // unreachable for valid graphs
    return n;
  };
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    number.emplace(inputs[i].node(), i);
    text += fmt::format("%{} = input {}\n", i, inputs[i].type().str());
  }
  for (const auto& node : topological_order(outputs, inputs)) {
    std::string args;
    for (const Var& in : node->inputs()) args += fmt::format(" %{}", id(in));
    const std::size_t n = number.size();
    number.emplace(node->output().node(), n);
    text += fmt::format("%{} = {}{} : {}\n", n, node->op().key(), args, node->output().type().str());
  }
  for (std::size_t k = 0; k < outputs.size(); ++k) text += fmt::format("output {} = %{}\n", k, id(outputs[k]));
  return text;
}

}  // namespace hypatia
