#include "compiler/evaluate.hpp"

#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "compiler/graph_node.hpp"
#include "compiler/op.hpp"

namespace hypatia {
namespace {

/// True when converting the single element of `value` to `dtype` and back gives it exactly.
bool converts_exactly(const Array& value, DType dtype) {
  const Array there = value.astype(dtype);
  const Array back = there.astype(value.dtype());
  if (is_float(value.dtype())) {
    const double a = value.item<double>(), b = back.item<double>();
    return a == b || (std::isnan(a) && std::isnan(b) && is_float(dtype));
  }
  return value.item<std::int64_t>() == back.item<std::int64_t>();
}

}  // namespace

std::string describe_var(const Var& v) {
  if (!v.name().empty()) return fmt::format("'{}' ({})", v.name(), v.type().str());
  return fmt::format("an unnamed {}", v.type().str());
}

std::vector<std::shared_ptr<Apply>> topological_order(const std::vector<Var>& outputs,
                                                      const std::vector<Var>& leaves) {
  std::unordered_set<const VarNode*> stop;
  for (const Var& v : leaves) stop.insert(v.node());
  std::unordered_set<const Apply*> done;
  std::vector<std::shared_ptr<Apply>> order;
  // Iterative post-order DFS: deep graphs (long chains) must not overflow the stack.
  struct Frame {
    std::shared_ptr<Apply> node;
    std::size_t next_input;
  };
  std::vector<Frame> stack;
  auto push = [&](const Var& v) {
    if (stop.count(v.node()) || !v.owner() || done.count(v.owner().get())) return;
    done.insert(v.owner().get());
    stack.push_back({v.owner(), 0});
  };
  for (const Var& out : outputs) {
    push(out);
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next_input < top.node->inputs().size()) {
        const Var input = top.node->inputs()[top.next_input++];
        push(input);
        continue;
      }
      order.push_back(top.node);
      stack.pop_back();
    }
  }
  return order;
}

Array fit_value_to_type(const TensorType& type, const Array& value, const std::string& what) {
  if (value.ndim() != type.ndim()) {
    throw TypeError(fmt::format("{} expects {} (rank {}), got a value of rank {} with shape {}",
                                what, type.str(), type.ndim(), value.ndim(),
                                shape_str(value.shape())));
  }
  for (int i = 0; i < type.ndim(); ++i) {
    if (type.broadcastable[i] && value.shape()[i] != 1) {
      throw ShapeError(fmt::format(
          "{} expects {}, whose axis {} is broadcastable (size 1), got shape {}", what, type.str(),
          i, shape_str(value.shape())));
    }
  }
  if (value.dtype() == type.dtype) return value;
  if (upcast(type.dtype, value.dtype()) == type.dtype) return value.astype(type.dtype);
  // A single number converts when nothing is lost, or float to float (as
  // Theano lets a Python float into a floatX scalar).
  const bool float_to_float = is_float(value.dtype()) && is_float(type.dtype);
  if (value.ndim() == 0 && (float_to_float || converts_exactly(value, type.dtype))) {
    return value.astype(type.dtype);
  }
  throw TypeError(fmt::format(
      "{} expects dtype {} ({}), got a {} value: converting would lose precision; "
      "convert the value first (Array::astype)",
      what, dtype_name(type.dtype), type.str(), dtype_name(value.dtype())));
}

std::vector<Array> evaluate(const std::vector<Var>& outputs,
                            const std::vector<std::pair<Var, Array>>& givens,
                            const NodeObserver& observer) {
  std::unordered_map<const VarNode*, Array> values;
  std::vector<Var> leaves;
  for (std::size_t i = 0; i < givens.size(); ++i) {
    const Var& v = givens[i].first;
    if (v.is_null()) throw Error(fmt::format("eval: given {} is a null hp::Var", i));
    if (v.is_constant()) {
      throw Error(fmt::format("eval: given {} is a constant, which cannot take a value", i));
    }
    const std::string what = fmt::format("eval: given {} for {}", i, describe_var(v));
    if (!values.emplace(v.node(), fit_value_to_type(v.type(), givens[i].second, what)).second) {
      throw Error(fmt::format("eval: {} is given twice", describe_var(v)));
    }
    leaves.push_back(v);
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
    throw Error(fmt::format("missing input: {} has no value; give it one (eval({{{{var, value}}}}))",
                           describe_var(v)));
  };

  for (const auto& node : topological_order(outputs, leaves)) {
    std::vector<Array> args;
    for (const Var& in : node->inputs()) args.push_back(value_of(in));
    Array result = node->op().perform(*node, args);
    const Var out = node->output();
    if (result.dtype() != out.dtype() || result.ndim() != out.ndim()) {
      throw Error(fmt::format("internal: {} produced a {} array of rank {} for type {}",
                              node->op().name(), dtype_name(result.dtype()), result.ndim(),
                              out.type().str()));
    }
    if (observer) observer(*node, result);
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
    if (!used.count(v.node())) {
      throw Error(fmt::format("eval: {} is given a value but the expression does not use it",
                              describe_var(v)));
    }
  }
  return results;
}

Array Var::eval(const std::vector<std::pair<Var, Array>>& givens) const {
  return evaluate({*this}, givens).front();
}

}  // namespace hypatia
