#include "compiler/rewrite/rewrite_check.hpp"

#include <cmath>
#include <functional>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/graph/op.hpp"
#include "compiler/graph/rebuild.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/reference/debug_program.hpp"
#include "compiler/reference/evaluate.hpp"
#include "hypatia/ops.hpp"
#include "hypatia/print.hpp"

namespace hypatia {
namespace {

/// Every value a graph computes on the arguments, by variable.
class GraphValues {
 public:
  GraphValues(const std::vector<Var>& inputs, const std::vector<Var>& outputs, const std::vector<Array>& args) {
    for (std::size_t i = 0; i < inputs.size(); ++i) givens_.emplace_back(inputs[i], args.at(i));
    EvalOptions options;
    options.require_givens_used = false;
    options.observer = [this](const Apply& node, const Array& value) {
      values_.emplace(node.output().node(), value);
    };
    outputs_ = evaluate(outputs, givens_, options);
  }

  const std::vector<Array>& outputs() const { return outputs_; }

  /// The value of `v`: computed by the graph, else evaluated on its own.
  Array of(const Var& v) const {
    auto it = values_.find(v.node());
    if (it != values_.end()) return it->second;
    for (const auto& [given, value] : givens_) {
      if (given.is(v)) return value;
    }
    EvalOptions options;
    options.require_givens_used = false;
    return evaluate({v}, givens_, options).at(0);
  }

 private:
  std::vector<std::pair<Var, Array>> givens_;
  std::unordered_map<const VarNode*, Array> values_;
  std::vector<Array> outputs_;
};

/// How far the original graph's own value of a variable is from the
/// exact one: its value in float64 where it is float32 (the graph rebuilt
/// on float64 inputs), and its values with every float result nudged by a
/// few ulp (where roundings that small move the value far, the original is
/// ill-conditioned there and a rewrite may well be closer).
class Accuracy {
 public:
  Accuracy(const std::vector<Var>& inputs, const Var& original, const std::vector<Array>& args) {
    try {
      if (original.dtype() == DType::Float32) precise_ = in_float64(inputs, original, args);
    } catch (const Error&) {
      // An op without a float64 form: the nudges alone judge.
    }
    for (int run = 0; run < kNudgedRuns; ++run) {
      try {
        nudged_.push_back(nudged(inputs, original, args, run));
      } catch (const Error&) {
        ill_conditioned_everywhere_ = true;  // a nudge made it raise
      }
    }
  }

  /// Whether `got` (the rewritten value) is no further from the exact value
  /// than `want` (the original's) at element i.
  bool no_worse(double got, double want, std::int64_t i, Tolerance tol) const {
    if (ill_conditioned_everywhere_) return true;
    if (precise_) {
      const double p = precise_->get_flat_double(i);
      if (std::isfinite(p)) {
        if (std::fabs(got - p) <= std::fabs(want - p)) return true;
        if (std::fabs(got - p) <= tol.atol + tol.rtol * std::fabs(p)) return true;
      }
    }
    double lo = want, hi = want;
    for (const Array& n : nudged_) {
      const double v = n.get_flat_double(i);
      if (std::isnan(v)) return true;  // one rounding away from NaN: any value is as good
      lo = std::fmin(lo, v);
      hi = std::fmax(hi, v);
    }
    const double slack = tol.atol + tol.rtol * std::fmax(std::fabs(lo), std::fabs(hi));
    return got >= lo - slack && got <= hi + slack;
  }

 private:
  static Array in_float64(const std::vector<Var>& inputs, const Var& v, const std::vector<Array>& args) {
    std::vector<std::pair<Var, Var>> wider;
    std::vector<std::pair<Var, Array>> givens;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      givens.emplace_back(inputs[i], args.at(i));
      if (inputs[i].dtype() == DType::Float32) wider.emplace_back(inputs[i], cast(inputs[i], DType::Float64));
    }
    const Var wide = rebuild(inputs, {v}, [](const Apply&, const std::vector<Var>&) { return std::nullopt; }, wider)
                         .front();
    EvalOptions options;
    options.require_givens_used = false;
    return evaluate({wide}, givens, options).at(0);
  }

  /// v's value with every float result moved by a few ulp: in run r, node
  /// k's by 4 to 16 ulp, up or down, both drawn from (r, k). Equal moves of
  /// every node would cancel through a quotient (a / b with a and b both up).
  static Array nudged(const std::vector<Var>& inputs, const Var& v, const std::vector<Array>& args, int run) {
    std::unordered_map<const VarNode*, Array> values;
    for (std::size_t i = 0; i < inputs.size(); ++i) values.emplace(inputs[i].node(), args.at(i));
    auto value_of = [&](const Var& x) -> Array {
      if (auto it = values.find(x.node()); it != values.end()) return it->second;
      if (x.is_constant()) return x.constant_value();
      throw Error("Debug mode: the rewrite check met an unknown leaf");
    };
    std::uint64_t k = 0;
    for (const auto& node : topological_order({v}, inputs)) {
      std::vector<Array> operands;
      for (const Var& in : node->inputs()) operands.push_back(value_of(in));
      Array out = node->op().perform(*node, operands);
      // SplitMix64 of (run, k): independent draws for every node of every run.
      std::uint64_t state = (static_cast<std::uint64_t>(run) << 32) + k++ + 0x9e3779b97f4a7c15ULL;
      state = (state ^ (state >> 30)) * 0xbf58476d1ce4e5b9ULL;
      state = (state ^ (state >> 27)) * 0x94d049bb133111ebULL;
      state ^= state >> 31;
      const double ulps = static_cast<double>(4 << ((state >> 40) % 3)) * (((state >> 50) & 1) ? 1.0 : -1.0);
      if (is_float(out.dtype())) {
        out = out.copy();
        const double ulp = out.dtype() == DType::Float32 ? 0x1p-23 : 0x1p-52;
        for (std::int64_t i = 0; i < out.size(); ++i) out.set_flat_double(i, out.get_flat_double(i) * (1 + ulps * ulp));
      }
      values.emplace(node->output().node(), out);
    }
    return value_of(v);
  }

  static constexpr int kNudgedRuns = 4;
  std::optional<Array> precise_;
  std::vector<Array> nudged_;
  bool ill_conditioned_everywhere_ = false;
};

/// The first element where `got` (after a rewrite) differs from `want` (the
/// value before it) past the dtype's tolerance and is further from the
/// exact value than `want` is, or -1. Elements where `want` is not finite
/// are not compared: stabilising rewrites exist to make them finite.
std::int64_t first_worse_mismatch(const Array& got, const Array& want, const std::function<const Accuracy&()>& accuracy) {
  if (got.shape() != want.shape() || got.dtype() != want.dtype()) return 0;
  const Tolerance tol = tolerance_for(want.dtype());
  if (!is_float(want.dtype())) return first_mismatch(got, want, tol);
  for (std::int64_t i = 0; i < want.size(); ++i) {
    const double w = want.get_flat_double(i), g = got.get_flat_double(i);
    if (!std::isfinite(w) || g == w) continue;
    if (std::fabs(g - w) <= tol.atol + tol.rtol * std::fabs(w)) continue;
    if (!accuracy().no_worse(g, w, i, tol)) return i;
  }
  return -1;
}

std::string difference(const Array& got, const Array& want, std::int64_t at) {
  if (got.shape() != want.shape() || got.dtype() != want.dtype()) {
    return fmt::format("a {} {} where the original is a {} {}", dtype_name(got.dtype()),
                       shape_str(got.shape()), dtype_name(want.dtype()), shape_str(want.shape()));
  }
  return fmt::format("element {} is {} where the original gives {}", at, got.get_flat_double(at),
                     want.get_flat_double(at));
}

}  // namespace

RewriteCheck::RewriteCheck(std::vector<Var> inputs, std::vector<Var> outputs, std::vector<PassRun> trace)
    : inputs_(std::move(inputs)), outputs_(std::move(outputs)), trace_(std::move(trace)) {}

void RewriteCheck::check(const std::vector<Array>& args) const {
  GraphValues before(inputs_, outputs_, args);
  const std::vector<Var>* previous = &outputs_;
  for (const PassRun& pass : trace_) {
    if (!pass.changed()) continue;
    GraphValues after(inputs_, pass.result, args);
    for (const auto& [old_var, new_var] : pass.replacements) {
      const Array want = before.of(old_var), got = after.of(new_var);
      std::optional<Accuracy> judge;
      const std::int64_t bad = first_worse_mismatch(got, want, [&]() -> const Accuracy& {
        if (!judge) judge.emplace(inputs_, old_var, args);
        return *judge;
      });
      if (bad < 0) continue;
      throw BadOptimizationError(fmt::format(
          "Debug mode: rewrite pass '{}' replaced the node {} ({}) by {}, which computes something else: {}",
          pass.name, pp_brief(old_var), old_var.owner() ? old_var.owner()->op().name() : "leaf",
          pp_brief(new_var), difference(got, want, bad)));
    }
    for (std::size_t k = 0; k < pass.result.size(); ++k) {
      std::optional<Accuracy> judge;
      const std::int64_t bad = first_worse_mismatch(after.outputs().at(k), before.outputs().at(k), [&]() -> const Accuracy& {
        if (!judge) judge.emplace(inputs_, previous->at(k), args);
        return *judge;
      });
      if (bad < 0) continue;
      throw BadOptimizationError(fmt::format(
          "Debug mode: rewrite pass '{}' changed output {} from {} to {}, which computes something else: {}",
          pass.name, k, pp_brief(previous->at(k)), pp_brief(pass.result[k]),
          difference(after.outputs()[k], before.outputs()[k], bad)));
    }
    before = std::move(after);
    previous = &pass.result;
  }
}

}  // namespace hypatia
