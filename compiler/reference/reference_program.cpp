#include "compiler/reference/reference_program.hpp"

#include <cmath>
#include <mutex>

#include <fmt/format.h>

#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/reference/evaluate.hpp"
#include "hypatia/print.hpp"
#include "runtime/text.hpp"

namespace hypatia {
namespace {

class ReferenceProgram : public Program {
 public:
  ReferenceProgram(std::vector<Var> inputs, std::vector<Var> outputs, bool debug_checks)
      : inputs_(std::move(inputs)), outputs_(std::move(outputs)), debug_checks_(debug_checks) {}

  std::vector<Array> run(const std::vector<Array>& inputs,
                         std::vector<NodeProfile>* nodes) const override {
    std::vector<std::pair<Var, Array>> givens;
    for (std::size_t i = 0; i < inputs_.size(); ++i) givens.emplace_back(inputs_[i], inputs[i]);
    EvalOptions options;
    options.require_givens_used = false;  // on_unused_input was settled at compile time
    if (debug_checks_) options.observer = check_finite;
    std::vector<double> seconds;
    if (nodes) options.node_seconds = &seconds;
    std::vector<Array> results = evaluate(outputs_, givens, options);
    if (nodes) {
      if (nodes->empty()) *nodes = node_list();
      for (std::size_t k = 0; k < seconds.size() && k < nodes->size(); ++k) {
        (*nodes)[k].seconds += seconds[k];
        (*nodes)[k].calls += 1;
      }
    }
    return results;
  }

  /// Labelled on first use only: every compiled function keeps a reference
  /// program (to raise the right errors) that is seldom profiled.
  std::vector<NodeProfile> node_list() const override {
    std::call_once(labelled_, [&] {
      for (const auto& node : topological_order(outputs_, inputs_)) {
        nodes_.push_back({node->op().name(), pp_brief(node->output()), 0.0, 0});
      }
    });
    return nodes_;
  }

 private:
  std::vector<Var> inputs_;
  std::vector<Var> outputs_;
  bool debug_checks_;
  mutable std::once_flag labelled_;
  mutable std::vector<NodeProfile> nodes_;
};

/// As numpy prints a number: NaN has no sign ("nan", not "-nan").
std::string number_text(double x) { return std::isnan(x) ? "nan" : fmt::format("{}", x); }

}  // namespace

void check_finite(const Apply& node, const Array& value) {
  if (!is_float(value.dtype())) return;
  std::int64_t first_bad = -1;
  double lo = INFINITY, hi = -INFINITY;
  bool any_nan = false;
  for (std::int64_t i = 0; i < value.size(); ++i) {
    const double x = value.get_flat_double(i);
    if (std::isfinite(x)) {
      lo = std::fmin(lo, x);
      hi = std::fmax(hi, x);
      continue;
    }
    if (first_bad < 0) first_bad = i;
    if (std::isnan(x)) any_nan = true;
    else if (x > 0) hi = x;
    else lo = x;
  }
  if (first_bad < 0) return;
  if (any_nan) lo = hi = NAN;
  const Var out = node.output();
  throw InvalidValueError(fmt::format(
      "InvalidValueError: non-finite value computed by {}\n"
      "  variable      = {}  (output 0 of the node)\n"
      "  node          = {}\n"
      "  type          = {}\n"
      "  shape         = {}\n"
      "  value         = {} (first non-finite element, at flat index {})\n"
      "  min / max     = {} / {}\n"
      "  hint          = perform output: non-finite elements not allowed in Debug mode",
      node.op().name(), out.name().empty() ? node.op().name() + ".0" : quoted_name(out.name()),
      printable(pp_brief(out, 6)),
      out.type().str(), shape_str(value.shape()),
      number_text(value.get_flat_double(first_bad)), first_bad, number_text(lo), number_text(hi)));
}

std::unique_ptr<Program> make_reference_program(std::vector<Var> inputs, std::vector<Var> outputs,
                                                bool debug_checks) {
  return std::make_unique<ReferenceProgram>(std::move(inputs), std::move(outputs), debug_checks);
}

}  // namespace hypatia
