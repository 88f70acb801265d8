/// Jacobians and Hessians. Theano builds them with scan (one gradient per
/// element of y); here one op holds the vector-Jacobian product graph
/// vjp(e) = grad(sum(y * e), x) and evaluates it for each one-hot e, stacking
/// the rows. The graph is built once, whatever len(y) is at run time.
#include <memory>
#include <unordered_set>

#include <fmt/format.h>

#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/reference/evaluate.hpp"
#include "hypatia/config.hpp"
#include "hypatia/grad.hpp"
#include "hypatia/ops.hpp"
#include "hypatia/print.hpp"

namespace hypatia {
namespace {

class JacobianOp : public Op {
 public:
  /// `row` is the VJP graph in terms of the seed `e` and the free inputs
  /// `free` (which are the node's inputs after y); `wrt_index` is x's position in `free`.
  JacobianOp(Var e, Var row, std::vector<Var> free, int wrt_index)
      : e_(std::move(e)), row_(std::move(row)), free_(std::move(free)), wrt_index_(wrt_index) {}

  std::string name() const override { return "Jacobian"; }
  std::string key() const override { return fmt::format("Jacobian{{{}}}", row_.id()); }

  TensorType infer_type(const std::vector<Var>&) const override {
    std::vector<bool> bc{false};
    const auto row_bc = row_.broadcastable();
    bc.insert(bc.end(), row_bc.begin(), row_bc.end());
    return TensorType(row_.dtype(), bc);
  }

  Array perform(const Apply&, const std::vector<Array>& inputs) const override {
    const Array& y = inputs[0];
    const std::int64_t n = y.shape()[0];
    Shape shape{n};
    const Shape& x_shape = inputs[1 + wrt_index_].shape();
    shape.insert(shape.end(), x_shape.begin(), x_shape.end());
    Array out(shape, row_.dtype());
    std::vector<std::pair<Var, Array>> givens;
    for (std::size_t j = 0; j < free_.size(); ++j) givens.emplace_back(free_[j], inputs[1 + j]);
    givens.emplace_back(e_, Array());
    EvalOptions options;
    options.require_givens_used = false;
    for (std::int64_t i = 0; i < n; ++i) {
      Array seed = Array::zeros({n}, e_.dtype());
      seed.set_flat_double(i, 1.0);
      givens.back().second = seed;
      const Array row = evaluate({row_}, givens, options).front();
      Array target = out.index(0, i);
      for (std::int64_t k = 0; k < row.size(); ++k) target.set_flat_double(k, row.get_flat_double(k));
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("jacobian({}, wrt={})", args[0], args[1 + wrt_index_]);
  }

 private:
  Var e_;
  Var row_;
  std::vector<Var> free_;
  int wrt_index_;
};

/// The input variables (not constants or shared) the graph of `v` reads, besides `except`.
std::vector<Var> free_inputs(const Var& v, const Var& except) {
  std::vector<Var> found;
  std::unordered_set<const VarNode*> seen{except.node()};
  auto visit = [&](const Var& x) {
    if (x.is_input() && seen.insert(x.node()).second) found.push_back(x);
  };
  visit(v);
  for (const auto& node : topological_order({v})) {
    for (const Var& in : node->inputs()) visit(in);
  }
  return found;
}

}  // namespace

Var jacobian(const Var& y, const Var& x, DisconnectedInputs disconnected) {
  if (y.is_null() || x.is_null()) throw Error("jacobian: a null hp::Var");
  if (y.ndim() == 0) return grad(y, x, {.disconnected_inputs = disconnected});
  if (y.ndim() != 1) {
    throw TypeError(fmt::format("jacobian: y must be a vector (or a scalar), got {}", y.type().str()));
  }
  const Var e = vector("jacobian_seed", is_float(y.dtype()) ? y.dtype() : config().floatX);
  const Var row = grad(sum(y * e), x, {.disconnected_inputs = disconnected});
  std::vector<Var> free = free_inputs(row, e);
  int wrt_index = -1;
  for (std::size_t j = 0; j < free.size(); ++j) {
    if (free[j].is(x)) wrt_index = static_cast<int>(j);
  }
  if (wrt_index < 0) {
    free.push_back(x);
    wrt_index = static_cast<int>(free.size()) - 1;
  }
  std::vector<Var> inputs{y};
  inputs.insert(inputs.end(), free.begin(), free.end());
  return make_apply(std::make_shared<JacobianOp>(e, row, free, wrt_index), inputs);
}

Var hessian(const Var& cost, const Var& x, DisconnectedInputs disconnected) {
  if (x.is_null()) throw Error("hessian: a null hp::Var");
  if (x.ndim() != 1) {
    throw TypeError(fmt::format("hessian: wrt must be a vector, got {}", x.type().str()));
  }
  return jacobian(grad(cost, x, {.disconnected_inputs = disconnected}), x, disconnected);
}

}  // namespace hypatia
