/// \file The differential fuzzer's oracle: compiled code against the reference evaluator,
/// the minimiser, regression records.
#include "tools/fuzz/fuzz_compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <iostream>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/reduce.hpp"
#include "compiler/reference/debug_program.hpp"
#include "compiler/reference/evaluate.hpp"
#include "compiler/rewrite/optimize.hpp"

namespace hypatia::fuzz {
namespace {

/// What running a graph gave: its outputs, or the error it threw.
struct Outcome {
  std::vector<Array> values;
  std::string error_class;  ///< empty when it ran
  std::string error;
  bool ok() const { return error_class.empty(); }
};

std::string error_class_of(const std::exception& e) {
  if (dynamic_cast<const CompileError*>(&e)) return "CompileError";
  if (dynamic_cast<const BadOptimizationError*>(&e)) return "BadOptimizationError";
  if (dynamic_cast<const DisconnectedInputError*>(&e)) return "DisconnectedInputError";
  if (dynamic_cast<const InvalidValueError*>(&e)) return "InvalidValueError";
  if (dynamic_cast<const ShapeError*>(&e)) return "ShapeError";
  if (dynamic_cast<const TypeError*>(&e)) return "TypeError";
  if (dynamic_cast<const Error*>(&e)) return "Error";
  return "std::exception (not an hp::Error)";
}

template <class F>
Outcome run_guarded(F&& f) {
  Outcome o;
  try {
    o.values = f();
  } catch (const std::exception& e) {
    o.error_class = error_class_of(e);
    o.error = e.what();
    if (o.error.size() > 2000) o.error = o.error.substr(0, 2000) + "...";
  }
  return o;
}

std::vector<std::pair<Var, Array>> givens_of(const Built& b) {
  std::vector<std::pair<Var, Array>> g;
  for (std::size_t i = 0; i < b.inputs.size(); ++i) g.emplace_back(b.inputs[i], b.args[i]);
  return g;
}

Outcome run_reference(const Built& b) {
  return run_guarded([&] {
    EvalOptions options;
    options.require_givens_used = false;
    return evaluate(b.outputs, givens_of(b), options);
  });
}

CompileOptions compile_options(Mode mode) {
  CompileOptions o;
  o.mode = mode;
  o.on_unused_input = OnUnusedInput::Ignore;
  return o;
}

Outcome run_compiled(const std::vector<const Built*>& graphs, Mode mode, Stats& stats) {
  return run_guarded([&] {
    std::vector<In> inputs;
    std::vector<Var> outputs;
    std::vector<Array> args;
    for (const Built* b : graphs) {
      inputs.insert(inputs.end(), b->inputs.begin(), b->inputs.end());
      outputs.insert(outputs.end(), b->outputs.begin(), b->outputs.end());
      args.insert(args.end(), b->args.begin(), b->args.end());
    }
    ++stats.functions;
    const Function f = compile(inputs, outputs, compile_options(mode));
    for (const auto& [phase, ms] : f.compile_report().compile_phases) {
      auto it = std::find_if(stats.compile_ms.begin(), stats.compile_ms.end(),
                             [&](const auto& p) { return p.first == phase; });
      if (it == stats.compile_ms.end()) stats.compile_ms.emplace_back(phase, ms);
      else it->second += ms;
    }
    return f.call(args);
  });
}

bool element_differs(const Array& got, const Array& want, std::int64_t i, Tolerance tol) {
  if (!is_float(want.dtype())) return got.get_flat_int(i) != want.get_flat_int(i);
  const double g = got.get_flat_double(i), w = want.get_flat_double(i);
  if (std::isnan(g) || std::isnan(w)) return std::isnan(g) != std::isnan(w);
  if (g == w) return false;  // equal infinities too
  return !(std::fabs(g - w) <= tol.atol + tol.rtol * std::fabs(w));
}

/// Elements of `got` that differ from `want` beyond the dtype's tolerance (NaN
/// must meet NaN), at most `limit`; {-1} when the shapes or dtypes differ.
std::vector<std::int64_t> mismatches(const Array& got, const Array& want, std::size_t limit = 64) {
  if (got.shape() != want.shape() || got.dtype() != want.dtype()) return {-1};
  std::vector<std::int64_t> bad;
  const Tolerance tol = tolerance_for(want.dtype());
  for (std::int64_t i = 0; i < want.size() && bad.size() < limit; ++i) {
    if (element_differs(got, want, i, tol)) bad.push_back(i);
  }
  return bad;
}

std::string value_text(const Array& a, std::int64_t i) {
  if (is_float(a.dtype())) return fmt::format("{}", a.get_flat_double(i));
  return fmt::format("{}", a.get_flat_int(i));
}

// --- the reference's sensitivity to rounding --------------------------------------------

/// Ops whose compiled result may round differently from the reference's
/// (approximated functions, products an FMA may absorb, sums in another order).
bool inexact(const Op& op) {
  static const std::vector<std::string> prefixes = {
      "Sum",          "Mean",          "Prod",           "Dot",           "Softmax",       "MatMul",
      "Elemwise{mul}", "Elemwise{sqr}", "Elemwise{exp}",  "Elemwise{log}", "Elemwise{log1p}",
      "Elemwise{tanh}", "Elemwise{sigmoid}", "Elemwise{softplus}", "Elemwise{pow}", "Elemwise{int_div}",
      "Elemwise{mod}", "Elemwise{true_div}", "Elemwise{deg2rad}", "Elemwise{rad2deg}",
      "Elemwise{sin}", "Elemwise{cos}",   "Elemwise{tan}",     "Elemwise{arcsin}",  "Elemwise{arccos}",
      "Elemwise{arctan}", "Elemwise{sinh}", "Elemwise{cosh}",  "Elemwise{arcsinh}", "Elemwise{arccosh}",
      "Elemwise{arctanh}", "Elemwise{exp2}", "Elemwise{expm1}", "Elemwise{log2}",   "Elemwise{log10}",
      "Elemwise{erf}",  "Elemwise{erfc}",  "Elemwise{erfinv}", "Elemwise{erfcinv}", "Elemwise{gammaln}",
      "Elemwise{psi}",  "Elemwise{hypot}", "Elemwise{logaddexp}"};
  const std::string name = op.name();
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return name.rfind(p, 0) == 0; });
}

double max_abs_finite(const Array& a) {
  double m = 0;
  for (std::int64_t i = 0; i < a.size(); ++i) {
    const double v = std::fabs(a.get_flat_double(i));
    if (std::isfinite(v)) m = std::max(m, v);
  }
  return m;
}

/// The matrices of a MatMul node's operands for each batch element, as
/// contiguous 2-d arrays (a batch axis of length 1 broadcasts), with `visit(a, b, t)`.
template <class Visit>
void for_each_matmul_block(const Array& a, const Array& b, const Array& out, Visit visit) {
  const int batch = out.ndim() - 2;
  std::int64_t count = 1;
  for (int j = 0; j < batch; ++j) count *= out.shape()[j];
  for (std::int64_t t = 0; t < count; ++t) {
    std::vector<std::int64_t> position(static_cast<std::size_t>(batch));
    std::int64_t rest = t;
    for (int j = batch - 1; j >= 0; --j) {
      position[j] = rest % out.shape()[j];
      rest /= out.shape()[j];
    }
    auto matrix = [&](const Array& x) {
      Array view = x;
      const int pad = batch - (x.ndim() - 2);
      for (int j = 0; j < x.ndim() - 2; ++j) view = view.index(0, x.shape()[j] == 1 ? 0 : position[pad + j]);
      return view.copy();
    };
    visit(matrix(a), matrix(b), t);
  }
}

/// A float sum, mean, product or dot product accumulated in long double
/// (wider range and precision): where an intermediate overflow or the order
/// decides the reference's value, this differs from it. Null for other nodes.
std::optional<Array> accumulate_wide(const Apply& node, const std::vector<Array>& args, const Array& out) {
  const Op& op = node.op();
  if (!is_float(out.dtype())) return std::nullopt;
  Array wide = out.copy();
  if (op.name() == "MatMul") {
    const std::int64_t n = out.shape()[out.ndim() - 2], m = out.shape()[out.ndim() - 1];
    for_each_matmul_block(args[0], args[1], out, [&](const Array& a, const Array& b, std::int64_t t) {
      const std::int64_t k = a.shape()[1];
      for (std::int64_t i = 0; i < n; ++i) {
        for (std::int64_t j = 0; j < m; ++j) {
          long double acc = 0;
          for (std::int64_t p = 0; p < k; ++p) acc += static_cast<long double>(a.get_flat_double(i * k + p)) * b.get_flat_double(p * m + j);
          wide.set_flat_double(t * n * m + i * m + j, static_cast<double>(acc));
        }
      }
    });
    return wide;
  }
  if (op.name() == "Dot") {
    const Array& a = args[0];
    const Array& b = args[1];
    const bool a_vec = a.ndim() == 1, b_vec = b.ndim() == 1;
    const std::int64_t m = a_vec ? 1 : a.shape()[0], k = a.shape().back(), n = b_vec ? 1 : b.shape()[1];
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        long double acc = 0;
        for (std::int64_t p = 0; p < k; ++p) {
          acc += static_cast<long double>(a.get_flat_double(i * k + p)) * b.get_flat_double(p * n + j);
        }
        wide.set_flat_double(i * n + j, static_cast<double>(acc));
      }
    }
    return wide;
  }
  const auto info = reduction_of(op);
  if (!info || (info->kind != "sum" && info->kind != "mean" && info->kind != "prod")) return std::nullopt;
  const Array& x = args[0];
  std::vector<int> perm;
  std::int64_t inner = 1;
  auto reduced = [&](int i) {
    return info->all_axes || std::find(info->axes.begin(), info->axes.end(), i) != info->axes.end();
  };
  for (int i = 0; i < x.ndim(); ++i) {
    if (!reduced(i)) perm.push_back(i);
  }
  for (int i = 0; i < x.ndim(); ++i) {
    if (reduced(i)) perm.push_back(i), inner *= x.shape()[i];
  }
  const Array view = x.transpose(perm).copy();
  for (std::int64_t o = 0; o < wide.size(); ++o) {
    long double acc = info->kind == "prod" ? 1 : 0;
    for (std::int64_t p = 0; p < inner; ++p) {
      const long double v = view.get_flat_double(o * inner + p);
      acc = info->kind == "prod" ? acc * v : acc + v;
    }
    if (info->kind == "mean") acc /= static_cast<long double>(inner);
    wide.set_flat_double(o, static_cast<double>(acc));
  }
  return wide;
}

/// A dot product with its elements `fill` where the sum of |a_ip * b_pj| passes
/// the dtype's largest finite value: there a partial sum may overflow, and
/// whether the result is inf, NaN or finite depends on the order and the
/// width BLAS accumulates in (float32 sgemm overflows where the reference,
/// in double, does not). Null for other nodes.
std::optional<Array> overflow_regime(const Apply& node, const std::vector<Array>& args, const Array& out,
                                     double fill) {
  if (!is_float(out.dtype()) || (node.op().name() != "Dot" && node.op().name() != "MatMul")) return std::nullopt;
  const long double largest = out.dtype() == DType::Float32 ? std::numeric_limits<float>::max()
                                                             : std::numeric_limits<double>::max();
  if (node.op().name() == "MatMul") {
    Array marked = out.copy();
    const std::int64_t n = out.shape()[out.ndim() - 2], m = out.shape()[out.ndim() - 1];
    for_each_matmul_block(args[0], args[1], out, [&](const Array& a, const Array& b, std::int64_t t) {
      const std::int64_t k = a.shape()[1];
      for (std::int64_t i = 0; i < n; ++i) {
        for (std::int64_t j = 0; j < m; ++j) {
          long double magnitude = 0;
          for (std::int64_t p = 0; p < k; ++p) {
            magnitude += std::fabs(static_cast<long double>(a.get_flat_double(i * k + p)) * b.get_flat_double(p * m + j));
          }
          if (!(magnitude <= largest)) marked.set_flat_double(t * n * m + i * m + j, fill);
        }
      }
    });
    return marked;
  }
  const Array& a = args[0];
  const Array& b = args[1];
  const std::int64_t m = a.ndim() == 1 ? 1 : a.shape()[0], k = a.shape().back(), n = b.ndim() == 1 ? 1 : b.shape()[1];
  Array marked = out.copy();
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      long double magnitude = 0;
      for (std::int64_t p = 0; p < k; ++p) {
        magnitude += std::fabs(static_cast<long double>(a.get_flat_double(i * k + p)) * b.get_flat_double(p * n + j));
      }
      if (!(magnitude <= largest)) marked.set_flat_double(i * n + j, fill);
    }
  }
  return marked;
}

/// The graph's outputs from the reference's perform, node by node, where
/// `visit(node, args, out)` sees (and may change) each node's value before
/// later nodes read it.
template <class Visit>
std::vector<Array> walk_reference(const Built& b, Visit visit) {
  std::unordered_map<const VarNode*, Array> values;
  for (std::size_t i = 0; i < b.inputs.size(); ++i) values.emplace(b.inputs[i].node(), b.args[i]);
  auto value_of = [&](const Var& v) -> Array {
    if (auto it = values.find(v.node()); it != values.end()) return it->second;
    if (v.is_constant()) return v.constant_value();
    throw Error("fuzz: reference walk met an unknown leaf");
  };
  for (const auto& node : topological_order(b.outputs, b.inputs)) {
    std::vector<Array> args;
    for (const Var& in : node->inputs()) args.push_back(value_of(in));
    Array out = node->op().perform(*node, args);
    visit(*node, args, out);
    values.emplace(node->output().node(), out);
  }
  std::vector<Array> outs;
  for (const Var& o : b.outputs) outs.push_back(value_of(o));
  return outs;
}

/// Where the reference's own float sums and means break IEEE addition: each
/// such node's value, against the same sum accumulated in long double
/// (accumulate_wide), must be NaN exactly where that is NaN and ±inf exactly
/// where that is ±inf. The compiled code is compared with the reference, so
/// a mistake both share (a compensated sum computing inf - inf = NaN from
/// sum([1, 2, inf])) passes that comparison; this check is independent of
/// the summation code both share. Elements where the sum of |terms| passes
/// the largest finite value are skipped: there the order decides whether a
/// partial sum overflows. Empty when every sum agrees.
std::string ieee_sum_disagreements(const Built& b) {
  const auto nodes = topological_order(b.outputs, b.inputs);
  const bool has_sum = std::any_of(nodes.begin(), nodes.end(), [](const auto& node) {
    const auto info = reduction_of(node->op());
    return info && (info->kind == "sum" || info->kind == "mean") && is_float(node->output().dtype());
  });
  if (!has_sum) return "";
  std::string first;
  auto check = [&](const Apply& node, const std::vector<Array>& args, const Array& out) {
    const auto info = reduction_of(node.op());
    if (!first.empty() || !info || (info->kind != "sum" && info->kind != "mean") || !is_float(out.dtype())) return;
    const Array wide = *accumulate_wide(node, args, out);
    // The same reduction of |x|: past the largest finite value, the order decides overflow.
    // Infinities and NaN count 0 there: an inf term decides the sum whatever the order.
    Array magnitudes = args[0].astype(DType::Float64).copy();
    for (std::int64_t i = 0; i < magnitudes.size(); ++i) {
      const double v = magnitudes.get_flat_double(i);
      magnitudes.set_flat_double(i, std::isfinite(v) ? std::fabs(v) : 0.0);
    }
    const Array bound = *accumulate_wide(node, {magnitudes}, wide.astype(DType::Float64));
    const double largest = out.dtype() == DType::Float32 ? std::numeric_limits<float>::max()
                                                         : std::numeric_limits<double>::max();
    // A mean's bound is the mean of |x|: its sum is that times the count.
    const double count = static_cast<double>(args[0].size()) / std::max<double>(1, static_cast<double>(out.size()));
    const double scale = info->kind == "mean" ? count : 1.0;
    for (std::int64_t i = 0; i < out.size(); ++i) {
      if (!(bound.get_flat_double(i) * scale <= largest)) continue;
      const double got = out.get_flat_double(i), want = wide.get_flat_double(i);
      const bool same = std::isnan(want) ? std::isnan(got) : std::isinf(want) ? got == want : std::isfinite(got);
      if (same) continue;
      first = fmt::format("the reference's {} gives {} at element {} where IEEE addition gives {}\n",
                          node.op().name(), value_text(out, i), i, value_text(wide, i));
      return;
    }
  };
  try {
    walk_reference(b, check);
  } catch (const Error&) {
    return "";  // the reference's error is judged elsewhere
  }
  return first;
}

/// How perturbed_outputs changes the reference's inexact nodes.
enum class Perturbation { Nudge, Wide, Overflow };

/// The graph's outputs with each inexact node's float result changed.
/// Nudge: by `ulps` units relative, and for sums and dot products also by the
/// rounding error bound of an accumulation in another order (n * eps * max |term|).
/// `sign` +1 or -1 nudges every element up or down by the whole amount (so a
/// value on a rounding boundary, 1.0 before a cast to int, surely crosses it),
/// 0 by a random fraction of it.
/// Wide: sums and products accumulated in long double. Overflow: dot products
/// NaN, or +inf or -inf by `sign`, where a partial sum may overflow (overflow_regime):
/// each, since a later op may map one of them to what the reference gives
/// (log(-inf) and log(NaN) are both NaN, where BLAS's order gave +inf).
std::vector<Array> perturbed_outputs(const Built& b, std::mt19937_64& rng, double ulps, int sign, Perturbation how) {
  std::uniform_real_distribution<double> uniform(-1, 1);
  auto unit = [&](std::mt19937_64& r) { return sign != 0 ? static_cast<double>(sign) : uniform(r); };
  return walk_reference(b, [&](const Apply& node, const std::vector<Array>& args, Array& out) {
    if (how == Perturbation::Wide) {
      if (auto w = accumulate_wide(node, args, out)) out = *w;
    } else if (how == Perturbation::Overflow) {
      const double fill = sign > 0 ? INFINITY : sign < 0 ? -INFINITY : NAN;
      if (auto w = overflow_regime(node, args, out, fill)) out = *w;
    } else if (is_float(out.dtype()) && inexact(node.op())) {
      out = out.copy();
      const double eps = out.dtype() == DType::Float32 ? 0x1p-23 : 0x1p-52;
      double absolute = 0;
      const std::string name = node.op().name();
      const double n_in = std::max<double>(1, static_cast<double>(args[0].size()) /
                                                  std::max<double>(1, static_cast<double>(out.size())));
      if (name.rfind("Sum", 0) == 0 || name.rfind("Mean", 0) == 0) absolute = 4 * n_in * eps * max_abs_finite(args[0]);
      if (name.rfind("Mean", 0) == 0) absolute /= n_in;
      if (name == "Dot" || name == "MatMul") {
        const double k = static_cast<double>(args[0].shape().empty() ? 1 : args[0].shape().back());
        absolute = 4 * k * eps * max_abs_finite(args[0]) * max_abs_finite(args[1]);
      }
      const double relative = ulps * eps * (name.rfind("Prod", 0) == 0 ? n_in : 1.0);
      // A subnormal result is only as precise as the smallest subnormal.
      const double tiny = out.dtype() == DType::Float32 ? std::numeric_limits<float>::denorm_min()
                                                        : std::numeric_limits<double>::denorm_min();
      absolute = std::max(absolute, ulps * tiny);
      for (std::int64_t i = 0; i < out.size(); ++i) {
        const double v = out.get_flat_double(i);
        if (!std::isfinite(v)) continue;
        out.set_flat_double(i, v * (1 + relative * unit(rng)) + absolute * unit(rng));
      }
    }
  });
}

/// Elements (of output k) where the reference itself moves past the tolerance
/// when inexact results are nudged, accumulated in long double, or may overflow.
std::vector<bool> unstable_elements(const Built& b, std::size_t k, const Array& want) {
  std::vector<bool> unstable(static_cast<std::size_t>(want.size()), false);
  std::mt19937_64 rng(12345);
  for (int run = 0; run < 10; ++run) {
    std::vector<Array> p;
    // Runs 6: long double sums; 7-9: overflowing dot products NaN, +inf, -inf.
    const Perturbation how = run == 6 ? Perturbation::Wide : run >= 7 ? Perturbation::Overflow : Perturbation::Nudge;
    try {
      // Runs 0-2 nudge by 4 ulps (up, down, random), 3-5 by 16.
      p = perturbed_outputs(b, rng, run < 3 ? 4.0 : 16.0, run % 3 == 0 ? 1 : run % 3 == 1 ? -1 : 0, how);
    } catch (const Error&) {
      std::fill(unstable.begin(), unstable.end(), true);  // a nudge made it throw
      return unstable;
    }
    for (std::int64_t i : mismatches(p[k], want, static_cast<std::size_t>(want.size()))) {
      if (i < 0) return std::vector<bool>(unstable.size(), true);
      unstable[i] = true;
    }
  }
  return unstable;
}

/// Whether every replacement the rewrites of Debug mode's oracle (stabilize
/// among them) made keeps its node's value wherever that value was finite.
/// Unlike Debug mode's own check, outputs that a legitimately stabilised
/// value reaches (through a cast to an integer, say) are not compared.
bool rewrites_keep_finite_values(const Built& b) {
  std::vector<PassRun> trace;
  optimize(b.inputs, b.outputs, Mode::Debug, {}, &trace);
  EvalOptions lenient;
  lenient.require_givens_used = false;
  const auto givens = givens_of(b);
  for (const PassRun& pass : trace) {
    for (const auto& [old_var, new_var] : pass.replacements) {
      const Array want = evaluate({old_var}, givens, lenient).at(0);
      const Array got = evaluate({new_var}, givens, lenient).at(0);
      if (got.shape() != want.shape()) return false;
      const Tolerance tol = tolerance_for(want.dtype());
      const Array got_same = got.astype(want.dtype());
      std::vector<bool> unstable;  // where the naive value is at the mercy of rounding (1 - sigmoid(15) in float32)
      for (std::int64_t i = 0; i < want.size(); ++i) {
        if (is_float(want.dtype()) && !std::isfinite(want.get_flat_double(i))) continue;
        if (!element_differs(got_same, want, i, tol)) continue;
        if (unstable.empty()) {
          Built naive = b;
          naive.outputs = {old_var};
          unstable = unstable_elements(naive, 0, want);
        }
        if (!unstable[i]) return false;
      }
    }
  }
  return true;
}

/// The real differences of one graph's outputs, described; empty when none.
/// `recheck` runs the graph alone without the stabilize rewrites.
std::string real_differences(const Built& b, const std::vector<Array>& got, const std::vector<Array>& want,
                             Stats& stats) {
  std::string detail;
  std::optional<Outcome> rewritten;  // the reference on Debug mode's rewritten graph, when needed
  auto stabilised = [&](const std::vector<std::int64_t>& elements, std::size_t k) {
    try {
      if (!rewritten) {
        Built simpler = b;
        simpler.outputs = optimize(b.inputs, b.outputs, Mode::Debug);
        rewritten = rewrites_keep_finite_values(b) ? run_reference(simpler) : Outcome{{}, "BadOptimization", ""};
      }
    } catch (const Error& e) {
      if (stats.verbose) std::cerr << "rewritten graph: " << e.what() << "\n";
      rewritten = Outcome{{}, "Error", ""};
    }
    if (!rewritten->ok()) return false;
    const Array& r = rewritten->values.at(k);
    if (stats.verbose) {
      for (std::int64_t i : elements) {
        std::cerr << fmt::format("rewritten graph's reference at output {} element {}: {} (compiled {})\n", k, i,
                                 value_text(r, i), value_text(got[k], i));
      }
    }
    if (r.shape() != got[k].shape() || r.dtype() != got[k].dtype()) return false;
    return std::none_of(elements.begin(), elements.end(), [&](std::int64_t i) {
      return element_differs(got[k], r, i, tolerance_for(r.dtype()));
    });
  };
  for (std::size_t k = 0; k < want.size(); ++k) {
    const std::vector<std::int64_t> bad = mismatches(got[k], want[k]);
    if (bad.empty()) continue;
    if (bad[0] < 0) {
      detail += fmt::format("output {}: {} {} where the reference gives {} {}\n", k, dtype_name(got[k].dtype()),
                            shape_str(got[k].shape()), dtype_name(want[k].dtype()), shape_str(want[k].shape()));
      continue;
    }
    const std::vector<bool> unstable = unstable_elements(b, k, want[k]);
    std::vector<std::int64_t> real;
    for (std::int64_t i : bad) {
      if (!unstable[i]) {
        real.push_back(i);
        continue;
      }
      ++stats.unstable_elements;
      if (stats.verbose) {
        std::cerr << fmt::format("rounding explains output {} element {}: {} vs reference {} in\n{}", k, i,
                                 value_text(got[k], i), value_text(want[k], i), debugprint(b.outputs[k]));
      }
    }
    if (real.empty()) continue;
    // The stabilize rewrites exist to turn the naive form's inf/nan into
    // finite values (which may then travel on, through a cast, say): the
    // difference is theirs when the rewritten graph's reference agrees with
    // the compiled code, and no rewrite changed a finite value.
    if (stabilised(real, k)) {
      stats.stabilised += static_cast<long>(real.size());
      continue;
    }
    const std::int64_t i = real[0];
    detail += fmt::format("output {} ({} {}): element {} is {} where the reference gives {} ({} element(s) differ)\n",
                          k, dtype_name(want[k].dtype()), shape_str(want[k].shape()), i, value_text(got[k], i),
                          value_text(want[k], i), real.size());
  }
  return detail;
}

/// Whether the reference's error comes from a value the outputs do not need:
/// every output is empty, or (shape(x // 0) is known without dividing) the graph after the cheap,
/// safe rewrites that Debug mode's oracle also runs computes, and gives what
/// the compiled function gave.
bool error_optimised_away(const Built& b, const Outcome& got, const Outcome& reference, Stats& stats) {
  // A value error (integer division by zero) in a value that only empty
  // outputs read: a fused loop over no elements never computes it.
  const bool all_empty = std::all_of(got.values.begin(), got.values.end(), [](const Array& v) { return v.size() == 0; });
  if (reference.error_class == "InvalidValueError" && all_empty) {
    ++stats.errors_optimised_away;
    return true;
  }
  Built simpler = b;
  try {
    simpler.outputs = optimize(b.inputs, b.outputs, Mode::Debug);
  } catch (const Error&) {
    return false;
  }
  const Outcome ref = run_reference(simpler);
  if (!ref.ok() || ref.values.size() != got.values.size()) return false;
  for (std::size_t k = 0; k < ref.values.size(); ++k) {
    if (!mismatches(got.values[k], ref.values[k]).empty()) return false;
  }
  ++stats.errors_optimised_away;
  return true;
}

/// Compares one graph's compiled outcome with its reference outcome.
std::optional<Failure> judge(const Recipe& recipe, const Built& b, const Outcome& ref, const Outcome& got,
                             Mode mode, Stats& stats) {
  Failure f;
  f.mode = mode;
  f.recipe = recipe;
  if (!ref.ok()) {
    if (got.ok() && error_optimised_away(b, got, ref, stats)) return std::nullopt;
    if (got.ok()) {
      f.kind = FailureKind::MissingError;
      f.detail = fmt::format("the reference throws {} ({}) but the compiled function returns", ref.error_class,
                             ref.error);
      return f;
    }
    if (got.error_class != ref.error_class) {
      f.kind = FailureKind::WrongError;
      f.detail = fmt::format("the reference throws {} ({}) but the compiled function throws {} ({})",
                             ref.error_class, ref.error, got.error_class, got.error);
      return f;
    }
    return std::nullopt;
  }
  if (!got.ok()) {
    f.kind = FailureKind::UnexpectedError;
    f.detail = fmt::format("the compiled function throws {} where the reference computes: {}", got.error_class,
                           got.error);
    return f;
  }
  std::string detail = ieee_sum_disagreements(b);
  if (detail.empty()) detail = real_differences(b, got.values, ref.values, stats);
  if (detail.empty()) return std::nullopt;
  f.kind = FailureKind::Mismatch;
  f.detail = detail;
  return f;
}

}  // namespace

std::string kind_name(FailureKind kind) {
  switch (kind) {
    case FailureKind::Mismatch: return "value mismatch";
    case FailureKind::WrongError: return "wrong error class";
    case FailureKind::MissingError: return "missing error";
    case FailureKind::UnexpectedError: return "unexpected error";
    case FailureKind::Gradient: return "gradient mismatch";
  }
  return "?";
}

std::optional<Failure> check_one(const Recipe& recipe, Mode mode, Stats& stats) {
  Built b;
  try {
    b = build(recipe);
  } catch (const std::exception& e) {
    Failure f{FailureKind::UnexpectedError, mode, std::string("building the graph throws: ") + e.what(), recipe};
    return f;
  }
  const Outcome ref = run_reference(b);
  const Outcome got = run_compiled({&b}, mode, stats);
  return judge(recipe, b, ref, got, mode, stats);
}

std::optional<Failure> judge_values(const Recipe& recipe, const std::vector<Array>& got, Mode mode, Stats& stats) {
  const Built b = build(recipe);
  Outcome mine;
  mine.values = got;
  return judge(recipe, b, run_reference(b), mine, mode, stats);
}

std::vector<Failure> check_batch(const std::vector<Recipe>& recipes, Mode mode, Stats& stats) {
  std::vector<Failure> failures;
  std::vector<Built> built(recipes.size());
  std::vector<Outcome> refs(recipes.size());
  std::vector<std::size_t> batch;
  for (std::size_t i = 0; i < recipes.size(); ++i) {
    built[i] = build(recipes[i]);
    refs[i] = run_reference(built[i]);
    if (refs[i].ok()) {
      batch.push_back(i);
      continue;
    }
    ++stats.error_graphs;
    const Outcome got = run_compiled({&built[i]}, mode, stats);
    if (auto f = judge(recipes[i], built[i], refs[i], got, mode, stats)) failures.push_back(*f);
  }
  if (batch.empty()) return failures;
  std::vector<const Built*> graphs;
  for (std::size_t i : batch) graphs.push_back(&built[i]);
  const Outcome got = run_compiled(graphs, mode, stats);
  if (!got.ok()) {
    // Find the graph at fault: each alone.
    for (std::size_t i : batch) {
      if (auto f = check_one(recipes[i], mode, stats)) failures.push_back(*f);
    }
    if (failures.empty()) {
      // No graph fails alone: the whole batch is the case (the minimiser cuts it down).
      std::vector<Recipe> rs;
      for (std::size_t i : batch) rs.push_back(recipes[i]);
      Failure f{FailureKind::UnexpectedError, mode,
                fmt::format("the batch throws {} ({}) but no graph does alone", got.error_class, got.error),
                concat(rs)};
      failures.push_back(f);
    }
    return failures;
  }
  std::size_t pos = 0;
  for (std::size_t i : batch) {
    const std::size_t n = built[i].outputs.size();
    Outcome mine;
    mine.values.assign(got.values.begin() + static_cast<std::ptrdiff_t>(pos),
                       got.values.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
    if (auto f = judge(recipes[i], built[i], refs[i], mine, mode, stats)) {
      // Alone is simpler to read; a difference that needs the other graphs
      // beside it is reported with the whole batch as its case.
      if (auto alone = check_one(recipes[i], mode, stats)) {
        failures.push_back(*alone);
        continue;
      }
      std::vector<Recipe> rs;
      for (std::size_t j : batch) rs.push_back(recipes[j]);
      f->recipe = concat(rs);
      f->detail = fmt::format("graph {} of the batch, only beside the others: {}", i, f->detail);
      failures.push_back(*f);
    }
  }
  return failures;
}

std::optional<Failure> check_grad(const Recipe& recipe, Stats& stats) {
  ++stats.gradient_checks;
  std::vector<Array> points;
  for (const Step& s : recipe.steps) {
    if (s.kind != Step::Kind::Input) continue;
    Step contiguous = s;
    contiguous.layout = Layout::Contiguous;
    points.push_back(make_value(contiguous));
  }
  auto fn = [&](const std::vector<Var>& inputs) {
    std::vector<Var> vars;
    std::size_t next = 0;
    for (std::size_t i = 0; i < recipe.steps.size(); ++i) {
      if (recipe.steps[i].kind == Step::Kind::Input) vars.push_back(inputs.at(next++));
      else vars.push_back(apply_step(recipe.steps[i], vars, static_cast<int>(i)));
    }
    return vars.at(recipe.outputs.at(0));
  };
  try {
    // Where the function itself is not finite (a mean over an empty slice is
    // nan) there is no gradient to check, and verify_grad refuses it.
    std::vector<Var> vars;
    std::vector<std::pair<Var, Array>> at;
    for (const Array& p : points) {
      vars.push_back(tensor("", p.dtype(), std::vector<bool>(p.ndim(), false)));
      at.emplace_back(vars.back(), p);
    }
    EvalOptions lenient;
    lenient.require_givens_used = false;
    const Array value = evaluate({fn(vars)}, at, lenient).front();
    for (std::int64_t k = 0; k < value.size(); ++k) {
      if (!std::isfinite(value.get_flat_double(k))) {
        ++stats.gradients_not_finite;
        return std::nullopt;
      }
    }
    verify_grad(fn, points);
  } catch (const std::exception& e) {
    return Failure{FailureKind::Gradient, Mode::Debug, fmt::format("verify_grad: {}: {}", error_class_of(e), e.what()),
                   recipe};
  }
  return std::nullopt;
}

// --- minimising ----------------------------------------------------------------------------

namespace {

bool still_fails(const Recipe& r, const Failure& like, Stats& stats) {
  std::optional<Failure> f;
  try {
    f = like.kind == FailureKind::Gradient ? check_grad(r, stats) : check_one(r, like.mode, stats);
  } catch (const std::exception&) {
    return false;
  }
  return f && f->kind == like.kind;
}

/// An Input step holding `value` (of variable `v`).
Step input_holding(const Var& v, const Array& value) {
  Step s;
  s.kind = Step::Kind::Input;
  s.dtype = value.dtype();
  s.shape = value.shape();
  s.broadcastable = v.broadcastable();
  for (std::int64_t i = 0; i < value.size(); ++i) {
    if (is_float(s.dtype)) s.values.push_back(value.get_flat_double(i));
    else s.int_values.push_back(value.get_flat_int(i));
  }
  return s;
}

Recipe replace_uses(Recipe r, int from, int to) {
  for (Step& s : r.steps) {
    for (int& a : s.args) {
      if (a == from) a = to;
    }
  }
  for (int& o : r.outputs) {
    if (o == from) o = to;
  }
  return prune(r);
}

}  // namespace

Recipe minimise(const Failure& failure, Stats& stats) {
  Recipe best = failure.recipe;
  // One output is enough.
  if (best.outputs.size() > 1) {
    for (int o : best.outputs) {
      Recipe one = best;
      one.outputs = {o};
      one = prune(one);
      if (still_fails(one, failure, stats)) {
        best = one;
        break;
      }
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<Array> values;
    Built b;
    try {
      b = build(best);
      std::vector<Var> all;
      for (const Var& v : b.step_vars) all.push_back(v);
      EvalOptions options;
      options.require_givens_used = false;
      values = evaluate(all, givens_of(b), options);
    } catch (const std::exception&) {
      values.clear();
    }
    for (int i = static_cast<int>(best.steps.size()) - 1; i >= 0 && !changed; --i) {
      const Step s = best.steps[i];  // a copy: `best` is replaced below while s.args is walked
      if (s.kind == Step::Kind::Input && s.layout != Layout::Contiguous) {
        Recipe plain = best;
        plain.steps[i].layout = Layout::Contiguous;
        if (still_fails(plain, failure, stats)) best = plain, changed = true;
        continue;
      }
      if (s.kind != Step::Kind::Op) continue;
      // Short-circuit: an operand of the same type and shape stands in for the step.
      for (int a : s.args) {
        if (changed || !b.step_vars.size()) break;
        if (!(b.step_vars[a].type() == b.step_vars[i].type()) || best.steps[a].shape != s.shape) continue;
        Recipe cut = replace_uses(best, i, a);
        if (still_fails(cut, failure, stats)) best = cut, changed = true;
      }
      // Delete: an input holding the step's reference value stands in for it.
      if (!changed && !values.empty() && std::find(best.outputs.begin(), best.outputs.end(), i) == best.outputs.end()) {
        Recipe cut = best;
        cut.steps[i] = input_holding(b.step_vars[i], values[i]);
        cut = prune(cut);
        if (still_fails(cut, failure, stats)) best = cut, changed = true;
      }
    }
  }
  return best;
}

// --- regression records --------------------------------------------------------------------------

std::string format_regression(const Failure& failure, const std::string& origin) {
  std::string out = "# hypatia-fuzz regression case (tests/fuzz/regressions/; replayed by the fuzz_fuzz suite)\n";
  out += fmt::format("# found by: {}\n", origin);
  out += fmt::format("# failure: {} in {}\n", kind_name(failure.kind),
                     failure.kind == FailureKind::Gradient ? "verify_grad" : mode_name(failure.mode));
  std::istringstream detail(failure.detail);
  for (std::string line; std::getline(detail, line);) out += "#   " + line + "\n";
  try {
    const Built b = build(failure.recipe);
    out += "# graph:\n";
    std::istringstream text(debugprint(b.outputs));
    for (std::string line; std::getline(text, line);) out += "#   " + line + "\n";
  } catch (const std::exception&) {
  }
  out += failure.kind == FailureKind::Gradient ? std::string("check gradient\n")
                                               : fmt::format("check {}\n", mode_name(failure.mode));
  out += format_recipe(failure.recipe);
  return out;
}

Regression parse_regression(const std::string& text) {
  Regression r;
  std::istringstream in(text);
  std::string rest;
  bool seen = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("check ", 0) == 0) {
      const std::string what = line.substr(6);
      seen = true;
      if (what == "gradient") r.gradient = true;
      else if (what == "FastRun") r.mode = Mode::FastRun;
      else if (what == "FastCompile") r.mode = Mode::FastCompile;
      else if (what == "Debug") r.mode = Mode::Debug;
      else throw Error("fuzz record: unknown check '" + what + "'");
      continue;
    }
    rest += line + "\n";
  }
  if (!seen) throw Error("fuzz record: no 'check <mode>' line");
  r.recipe = parse_recipe(rest);
  return r;
}

std::optional<Failure> replay(const Regression& regression, Stats& stats) {
  if (regression.gradient) return check_grad(regression.recipe, stats);
  return check_one(regression.recipe, regression.mode, stats);
}

}  // namespace hypatia::fuzz
