#include "compiler/rewrite/merge.hpp"

#include <unordered_map>

#include <fmt/format.h>

#include "compiler/graph/op.hpp"
#include "compiler/graph/rebuild.hpp"

namespace hypatia {
namespace {

/// Constants up to this many elements are merged by value.
constexpr std::int64_t kMaxMergedConstant = 4096;

std::string constant_key(const Var& c) {
  const Array& a = c.constant_value();
  std::string key = fmt::format("{}{}{}", c.type().str(), c.is_weak_literal() ? "weak" : "", shape_str(a.shape()));
  for (std::int64_t i = 0; i < a.size(); ++i) {
    key += is_float(a.dtype()) ? fmt::format(",{:a}", a.get_flat_double(i)) : fmt::format(",{}", a.get_flat_int(i));
  }
  return key;
}

}  // namespace

std::vector<Var> merge(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  std::unordered_map<std::string, Var> constants;
  std::unordered_map<std::string, Var> nodes;
  auto canonical_constant = [&](const Var& v) {
    if (!v.is_constant() || v.constant_value().size() > kMaxMergedConstant) return v;
    return constants.emplace(constant_key(v), v).first->second;
  };
  return rebuild(inputs, outputs, [&](const Apply& node, const std::vector<Var>& operands) -> std::optional<Var> {
    std::vector<Var> merged;
    std::string key = node.op().key() + "(";
    for (const Var& in : operands) {
      merged.push_back(canonical_constant(in));
      key += fmt::format("{},", static_cast<const void*>(merged.back().node()));
    }
    auto it = nodes.find(key);
    if (it != nodes.end()) return it->second;
    bool changed = false;
    for (std::size_t i = 0; i < merged.size(); ++i) changed = changed || !merged[i].is(node.inputs()[i]);
    Var out = changed ? make_apply(node.op_ptr(), merged) : node.output();
    nodes.emplace(key, out);
    return out;
  });
}

}  // namespace hypatia
