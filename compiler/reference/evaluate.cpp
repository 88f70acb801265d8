#include "compiler/reference/evaluate.hpp"

#include "compiler/graph/walk.hpp"

#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "compiler/graph/describe.hpp"
#include "compiler/graph/graph_node.hpp"
#include "compiler/graph/op.hpp"

namespace hypatia {

std::vector<Array> fit_givens(const std::vector<std::pair<Var, Array>>& givens) {
  std::unordered_set<const VarNode*> seen;
  std::vector<Array> values;
  for (std::size_t i = 0; i < givens.size(); ++i) {
    const Var& v = givens[i].first;
    if (v.is_null()) throw Error(fmt::format("eval: given {} is a null hp::Var", i));
    if (v.is_constant()) {
      throw Error(fmt::format("eval: given {} is a constant, which cannot take a value", i));
    }
    const std::string what = fmt::format("eval: given {} for {}", i, describe_var(v));
    values.push_back(fit_value_to_type(v.type(), givens[i].second, what));
    if (!seen.insert(v.node()).second) throw Error(fmt::format("eval: {} is given twice", describe_var(v)));
  }
  return values;
}

Error missing_input_error(const Var& v) {
  return Error(fmt::format("missing input: {} has no value; give it one (eval({{{{var, value}}}}))",
                           describe_var(v)));
}

Error unused_given_error(const Var& v) {
  return Error(fmt::format("eval: {} is given a value but the expression does not use it", describe_var(v)));
}

std::vector<Array> evaluate(const std::vector<Var>& outputs,
                            const std::vector<std::pair<Var, Array>>& givens,
                            const EvalOptions& options) {
  std::vector<Array> fitted = fit_givens(givens);
  std::unordered_map<const VarNode*, Array> values;
  std::vector<Var> leaves;
  for (std::size_t i = 0; i < givens.size(); ++i) {
    values.emplace(givens[i].first.node(), std::move(fitted[i]));
    leaves.push_back(givens[i].first);
  }

  std::unordered_set<const VarNode*> used;
  auto value_of = [&](const Var& v) -> Array {
    if (auto it = values.find(v.node()); it != values.end()) {
      used.insert(v.node());
      return it->second;
    }
    if (v.is_constant()) return v.constant_value();
    if (v.is_shared()) return Shared(v.node_ptr()).get_value(/*borrow=*/true);
    if (v.owner()) throw Error(fmt::format("internal: {} used before it was computed", describe_var(v)));
    throw missing_input_error(v);
  };

  const auto order = topological_order(outputs, leaves);
  if (options.node_seconds) options.node_seconds->assign(order.size(), 0.0);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto& node = order[k];
    std::vector<Array> args;
    for (const Var& in : node->inputs()) args.push_back(value_of(in));
    const auto start = std::chrono::steady_clock::now();
    Array result = node->op().perform(*node, args);
    if (options.node_seconds) {
      (*options.node_seconds)[k] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    const Var out = node->output();
    if (result.dtype() != out.dtype() || result.ndim() != out.ndim()) {
      throw Error(fmt::format("internal: {} produced a {} array of rank {} for type {}",
                              node->op().name(), dtype_name(result.dtype()), result.ndim(),
                              out.type().str()));
    }
    if (options.observer) options.observer(*node, result);
    values.emplace(out.node(), std::move(result));
  }

  std::vector<Array> results;
  for (const Var& out : outputs) {
    if (out.is_null()) throw Error("eval: an output is a null hp::Var");
    auto it = values.find(out.node());
    if (it != values.end()) used.insert(out.node());
    results.push_back((it != values.end() ? it->second : value_of(out)).copy());
  }
  for (const auto& [v, value] : givens) {
    if (options.require_givens_used && !used.count(v.node())) throw unused_given_error(v);
  }
  return results;
}

}  // namespace hypatia
