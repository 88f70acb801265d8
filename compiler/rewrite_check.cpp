#include "compiler/rewrite_check.hpp"

#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/debug_program.hpp"
#include "compiler/evaluate.hpp"
#include "compiler/op.hpp"
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

/// first_mismatch comparing only the elements `want` (the value before the
/// rewrite) has finite.
std::int64_t first_finite_mismatch(const Array& got, const Array& want) {
  if (got.shape() != want.shape() || got.dtype() != want.dtype()) return 0;
  if (!is_float(want.dtype())) return first_mismatch(got, want, tolerance_for(want.dtype()));
  const Tolerance tol = tolerance_for(want.dtype());
  for (std::int64_t i = 0; i < want.size(); ++i) {
    const double w = want.get_flat_double(i), g = got.get_flat_double(i);
    if (!std::isfinite(w) || g == w) continue;
    if (!(std::fabs(g - w) <= tol.atol + tol.rtol * std::fabs(w))) return i;
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
      const std::int64_t bad = first_finite_mismatch(got, want);
      if (bad < 0) continue;
      throw BadOptimizationError(fmt::format(
          "Debug mode: rewrite pass '{}' replaced the node {} ({}) by {}, which computes something else: {}",
          pass.name, pp_brief(old_var), old_var.owner() ? old_var.owner()->op().name() : "leaf",
          pp_brief(new_var), difference(got, want, bad)));
    }
    for (std::size_t k = 0; k < pass.result.size(); ++k) {
      const std::int64_t bad = first_finite_mismatch(after.outputs().at(k), before.outputs().at(k));
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
