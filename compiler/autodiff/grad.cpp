/// Reverse-mode differentiation over the graph, as theano.grad: one pass
/// backwards in topological order, each node asked once for the gradients of
/// its inputs, contributions to a variable summed. Linear in the graph's size,
/// and shared subexpressions stay shared.
///
/// The cost is differentiated in its stable form (the stabilize pass's
/// rewrites, e.g. log(sigmoid(z)) -> -softplus(-z)): the chain rule through
/// the naive form multiplies inf by 0 where the value itself is finite, and
/// no rewrite of the gradient graph recovers every such product.
#include "hypatia/grad.hpp"

#include <algorithm>
#include <iostream>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "compiler/graph/describe.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/rewrite/stabilize.hpp"
#include "hypatia/config.hpp"
#include "hypatia/ops.hpp"
#include "hypatia/print.hpp"

namespace hypatia {
namespace {

using VarSet = std::unordered_set<const VarNode*>;

/// Variables whose value depends on some wrt variable, not counting paths
/// through `constants`.
VarSet dependents(const std::vector<std::shared_ptr<Apply>>& order, const std::vector<Var>& wrt,
                  const VarSet& constants) {
  VarSet depends;
  for (const Var& w : wrt) {
    if (!constants.count(w.node())) depends.insert(w.node());
  }
  for (const auto& node : order) {
    for (const Var& in : node->inputs()) {
      if (depends.count(in.node()) && !constants.count(in.node())) {
        depends.insert(node->output().node());
        break;
      }
    }
  }
  return depends;
}

class GradAccumulator {
 public:
  void add(const Var& v, const Var& g) {
    if (!known_.count(v.node())) terms_[v.node()].push_back(g);
  }
  /// A known gradient replaces the derived one, as Theano's known_grads: the
  /// contributions flowing into v from the cost are not added to it.
  void set_known(const Var& v, const Var& g) {
    terms_[v.node()] = {g};
    known_.insert(v.node());
  }
  bool has(const Var& v) const { return terms_.count(v.node()) > 0; }
  bool is_known(const Var& v) const { return known_.count(v.node()) > 0; }
  /// The sum of the contributions to v's gradient (computed once).
  Var total(const Var& v) {
    auto& terms = terms_.at(v.node());
    Var sum = terms.front();
    for (std::size_t i = 1; i < terms.size(); ++i) sum = sum + terms[i];
    terms = {sum};
    return sum;
  }

 private:
  std::unordered_map<const VarNode*, std::vector<Var>> terms_;
  VarSet known_;
};

/// A gradient of exactly `v`'s type (dtype and broadcast pattern).
Var of_type(const Var& v, Var g) {
  if (g.ndim() != v.ndim()) {
    throw Error(fmt::format("internal: gradient of rank {} for {}", g.ndim(), describe_var(v)));
  }
  std::vector<int> axes;
  for (int i = 0; i < v.ndim(); ++i) {
    if (v.broadcastable()[i] && !g.broadcastable()[i]) axes.push_back(i);
  }
  if (!axes.empty()) g = sum(g, axes, /*keepdims=*/true);
  if (g.dtype() != v.dtype()) g = cast(g, v.dtype());
  return g;
}

}  // namespace

std::vector<Var> grad(const Var& cost, const std::vector<Var>& wrt, const GradOptions& options) {
  if (cost.is_null()) throw Error("grad: the cost is a null hp::Var");
  if (cost.ndim() != 0) {
    throw TypeError(fmt::format("grad: the cost must be a scalar, got {} ({})", cost.type().str(),
                                pp(cost)));
  }
  for (std::size_t i = 0; i < wrt.size(); ++i) {
    if (wrt[i].is_null()) throw Error(fmt::format("grad: wrt {} is a null hp::Var", i));
  }
  VarSet constants;
  for (const Var& c : options.consider_constant) constants.insert(c.node());
  std::vector<Var> stops = wrt;
  stops.insert(stops.end(), options.consider_constant.begin(), options.consider_constant.end());
  for (const auto& [v, g] : options.known_grads) {
    if (!v.is_null()) stops.push_back(v);
  }

  GradAccumulator grads;
  const Var stable = stable_cost(cost, stops);
  std::vector<Var> roots{stable};
  for (const auto& [v, g] : options.known_grads) {
    if (v.is_null() || g.is_null()) throw Error("grad: a known_grads entry is a null hp::Var");
    if (g.ndim() != v.ndim()) {
      throw TypeError(fmt::format("grad: known gradient of {} has type {}", describe_var(v),
                                  g.type().str()));
    }
    grads.set_known(v, g);
    roots.push_back(v);
  }
  const auto order = topological_order(roots);
  const VarSet depends = dependents(order, wrt, constants);

  const DType seed_dtype = is_float(cost.dtype()) ? cost.dtype() : config().floatX;
  grads.add(stable, constant(Array::ones({}, seed_dtype)));

  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Apply& node = **it;
    const Var out = node.output();
    if (!grads.has(out) || !depends.count(out.node())) continue;
    const std::vector<InputGrad> input_grads = node.op().grad(node, of_type(out, grads.total(out)));
    for (std::size_t i = 0; i < node.inputs().size(); ++i) {
      const Var& in = node.inputs()[i];
      if (!depends.count(in.node()) || constants.count(in.node()) || grads.is_known(in)) continue;
      const InputGrad& g = input_grads.at(i);
      if (g.kind == InputGrad::Kind::Undefined) {
        throw Error(fmt::format("grad: the gradient with respect to {} goes through {} (input {} "
                                "of {}), whose derivative is undefined: {}",
                                describe_var(in), node.op().name(), i, pp(out), g.reason));
      }
      if (g.kind == InputGrad::Kind::Value) grads.add(in, g.value);
    }
  }

  std::vector<Var> result;
  for (std::size_t i = 0; i < wrt.size(); ++i) {
    const Var& w = wrt[i];
    if (grads.has(w) && depends.count(w.node())) {
      result.push_back(of_type(w, grads.total(w)));
      continue;
    }
    const bool connected = depends.count(stable.node()) > 0 && depends.count(w.node()) > 0 &&
                           std::any_of(order.begin(), order.end(), [&](const auto& n) {
                             for (const Var& in : n->inputs()) {
                               if (in.is(w)) return true;
                             }
                             return false;
                           });
    if (!connected && !stable.is(w)) {
      const std::string msg = fmt::format(
          "grad: the cost {} does not depend on wrt {} {} (pass disconnected_inputs = Warn or "
          "Ignore to get zeros)",
          pp(cost), i, describe_var(w));
      if (options.disconnected_inputs == DisconnectedInputs::Raise) throw DisconnectedInputError(msg);
      if (options.disconnected_inputs == DisconnectedInputs::Warn) std::cerr << "hypatia warning: " << msg << "\n";
    }
    result.push_back(zeros_like(w));
  }
  return result;
}

Var grad(const Var& cost, const Var& wrt, const GradOptions& options) {
  return grad(cost, std::vector<Var>{wrt}, options).front();
}

}  // namespace hypatia
