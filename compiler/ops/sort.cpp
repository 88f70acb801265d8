/// Sorting and searching: sort and argsort along one axis (Theano's SortOp and
/// ArgSortOp, numpy's sort and argsort with kind="stable"), and searchsorted
/// of values in a sorted vector (Theano's extra_ops.searchsorted).
///
/// The order is numpy's: stable, -0.0 equal to +0.0, NaN after everything
/// (NaNs keep their input order). The reference sorts with std::stable_sort;
/// the generated C++ calls the runtime's radix sort (runtime/cpu/sort_lines.cpp,
/// hp_sort and hp_searchsorted); the CUDA code sorts each line by insertion in
/// one thread. searchsorted has no kernel: on CUDA it runs on the host.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/emit/cuda_emitter.hpp"
#include "compiler/graph/op.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

/// numpy's sort order on doubles: NaN last.
bool nan_last_less(double a, double b) { return a < b || (std::isnan(b) && !std::isnan(a)); }

/// The positions of one line of `view` (elements [begin, begin + n) of its
/// flat order) in sorted order, stable.
std::vector<std::int64_t> sorted_positions(const Array& view, std::int64_t begin, std::int64_t n) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  if (is_float(view.dtype())) {
    std::stable_sort(order.begin(), order.end(), [&](std::int64_t i, std::int64_t j) {
      return nan_last_less(view.get_flat_double(begin + i), view.get_flat_double(begin + j));
    });
  } else {
    std::stable_sort(order.begin(), order.end(), [&](std::int64_t i, std::int64_t j) {
      return view.get_flat_int(begin + i) < view.get_flat_int(begin + j);
    });
  }
  return order;
}

class SortOp : public Op {
 public:
  SortOp(int axis, bool argsort) : axis_(axis), argsort_(argsort) {}

  std::string name() const override { return fmt::format("{}{{axis={}}}", argsort_ ? "ArgSort" : "Sort", axis_); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& x = inputs.at(0);
    return TensorType(argsort_ ? DType::Int64 : x.dtype(), x.broadcastable());
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array& x = inputs[0];
    Array out(x.shape(), node.output().dtype());
    std::vector<int> perm;
    for (int a = 0; a < x.ndim(); ++a) {
      if (a != axis_) perm.push_back(a);
    }
    perm.push_back(axis_);
    const Array xs = x.transpose(perm);
    Array ys = out.transpose(perm);  // a view: writes reach `out`
    const std::int64_t n = x.shape()[axis_];
    const std::int64_t lines = n == 0 ? 0 : x.size() / n;
    for (std::int64_t r = 0; r < lines; ++r) {
      const std::vector<std::int64_t> order = sorted_positions(xs, r * n, n);
      for (std::int64_t j = 0; j < n; ++j) {
        const std::int64_t from = r * n + order[static_cast<std::size_t>(j)];
        if (argsort_) ys.set_flat_int(r * n + j, order[static_cast<std::size_t>(j)]);
        else if (is_float(x.dtype())) ys.set_flat_double(r * n + j, xs.get_flat_double(from));
        else ys.set_flat_int(r * n + j, xs.get_flat_int(from));
      }
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("{}({}, axis={})", argsort_ ? "argsort" : "sort", args[0], axis_);
  }

  // sort (Theano's SortOp.grad): each element's gradient is the output
  // gradient at the position it was sorted to: dx = g[inverse permutation]
  // along the axis, the inverse being argsort(argsort(x)).
  // argsort: piecewise constant, no gradient (Theano's zeros).
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    if (argsort_) return {InputGrad::zero()};
    const Var& x = node.inputs()[0];
    const Var order = make_apply(std::make_shared<SortOp>(axis_, true), {x});
    const Var inverse = make_apply(std::make_shared<SortOp>(axis_, true), {order});
    std::vector<IndexEntry> entries;
    const int nd = x.ndim();
    for (int a = 0; a < nd; ++a) {
      if (a == axis_) {
        entries.emplace_back(inverse);
        continue;
      }
      std::vector<int> pattern(static_cast<std::size_t>(nd), newaxis);
      pattern[static_cast<std::size_t>(a)] = 0;
      entries.emplace_back(dimshuffle(arange(shape(g)[a]), pattern));
    }
    return {fit_grad_to(x, index(g, entries))};
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const Var out = node.output();
    const std::string xt = cg.tensor(x);
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.allocate(out, name, CppEmitter::shape_of(xt, x.ndim()));
    cg.fail_if(fmt::format("hp_sort(ctx, {}, &{}, {}, &{}, {})", CppEmitter::dtype_code(x.dtype()), xt, axis_, name,
                           argsort_ ? 1 : 0));
    return true;
  }

  // One thread per line: a copy (values, or positions for argsort), then a
  // stable insertion sort over it. Quadratic, but correct for any length.
  bool emit_cuda(CudaEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const std::string T = CudaEmitter::c_type(x.dtype());
    const std::string OT = CudaEmitter::c_type(node.output().dtype());
    // a sorts before b: numpy's order, NaN last.
    const std::string less = is_float(x.dtype()) ? "(a < b || (b != b && a == a))" : "(a < b)";
    // The value an element of y stands for: itself, or for argsort the element of x at that position.
    auto value_of = [&](const std::string& e) { return argsort_ ? fmt::format("x[{} * sx]", e) : e; };
    const std::vector<std::string> body = {
        fmt::format("for (hp_i64 j = 0; j < n; ++j) y[j * so] = {};", argsort_ ? "j" : "x[j * sx]"),
        "for (hp_i64 j = 1; j < n; ++j) {",
        fmt::format("  const {} moving = y[j * so];", OT),
        fmt::format("  const {} a = {};", T, value_of("moving")),
        "  hp_i64 k = j;",
        "  for (; k > 0; --k) {",
        fmt::format("    const {} b = {};", T, value_of("y[(k - 1) * so]")),
        fmt::format("    if (!{}) break;", less),
        "    y[k * so] = y[(k - 1) * so];",
        "  }",
        "  y[k * so] = moving;",
        "}"};
    cg.lines(x.dtype(), node.output().dtype(), x.ndim(), axis_, body);
    return true;
  }

 private:
  int axis_;
  bool argsort_;
};

class SearchSortedOp : public Op {
 public:
  explicit SearchSortedOp(bool right) : right_(right) {}

  std::string name() const override { return fmt::format("SearchSorted{{side={}}}", right_ ? "right" : "left"); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& a = inputs.at(0);
    const Var& v = inputs.at(1);
    if (a.ndim() != 1) {
      throw TypeError(fmt::format("{}: input 0 (the sorted array) must be a vector, got {}",
                                  describe_operands(*this, inputs), a.type().str()));
    }
    return TensorType(DType::Int64, v.broadcastable());
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array& a = inputs[0];
    const Array& v = inputs[1];
    Array out(v.shape(), node.output().dtype());
    const bool floats = is_float(a.dtype()) || is_float(v.dtype());
    // a[i] sorts before value (left), or value sorts before a[i] (right).
    auto goes_right = [&](std::int64_t i, std::int64_t value_at) {
      if (floats) {
        const double ai = a.get_flat_double(i), value = v.get_flat_double(value_at);
        return right_ ? !nan_last_less(value, ai) : nan_last_less(ai, value);
      }
      const std::int64_t ai = a.get_flat_int(i), value = v.get_flat_int(value_at);
      return right_ ? !(value < ai) : ai < value;
    };
    for (std::int64_t k = 0; k < v.size(); ++k) {
      std::int64_t lo = 0, hi = a.size();
      while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (goes_right(mid, k)) lo = mid + 1;
        else hi = mid;
      }
      out.set_flat_int(k, lo);
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("searchsorted({}, {}, side='{}')", args[0], args[1], right_ ? "right" : "left");
  }

  // Piecewise constant in both inputs: no gradient (Theano's zeros).
  std::vector<InputGrad> grad(const Apply& /*node*/, const Var& /*g*/) const override {
    return {InputGrad::zero(), InputGrad::zero()};
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& a = node.inputs()[0];
    const Var& v = node.inputs()[1];
    const std::string at = cg.tensor(a), vt = cg.tensor(v);
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.allocate(node.output(), name, CppEmitter::shape_of(vt, v.ndim()));
    cg.fail_if(fmt::format("hp_searchsorted(ctx, {}, &{}, {}, &{}, &{}, {})", CppEmitter::dtype_code(a.dtype()), at,
                           CppEmitter::dtype_code(v.dtype()), vt, name, right_ ? 1 : 0));
    return true;
  }

 private:
  bool right_;
};

Var make_sort(const Var& x, int axis, bool argsort) {
  const std::string op_name = argsort ? "ArgSort" : "Sort";
  if (x.is_null()) throw Error(fmt::format("{}: input 0 is a null hp::Var", op_name));
  if (x.ndim() == 0) {
    throw TypeError(fmt::format("{}: cannot sort a scalar ({}): it has no axis {}", op_name, x.type().str(), axis));
  }
  return make_apply(std::make_shared<SortOp>(normalize_axis(op_name, axis, x.ndim()), argsort), {x});
}

}  // namespace

Var sort(const Var& x, int axis) { return make_sort(x, axis, false); }
Var argsort(const Var& x, int axis) { return make_sort(x, axis, true); }

Var searchsorted(const Var& a, const Var& v, const std::string& side) {
  if (side != "left" && side != "right") {
    throw TypeError(fmt::format("SearchSorted: side must be \"left\" or \"right\", got \"{}\"", side));
  }
  return make_apply(std::make_shared<SearchSortedOp>(side == "right"), {a, v});
}

}  // namespace hypatia
