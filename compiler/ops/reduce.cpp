/// Reductions: sum, mean, max, min, prod, argmax and argmin, over all axes or
/// some; and the reductions written with them: all, any, var, std,
/// logsumexp, norm, max_and_argmax.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/emit/cuda_emitter.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/reduce.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {

std::optional<ReductionInfo> reduction_of(const Op& op);

namespace {

enum class ReduceKind { Sum, Mean, Max, Min, Prod, Argmax, Argmin };

struct ReduceInfo {
  ReduceKind kind;
  const char* title;  // debugprint
  const char* lower;  // pp
};

constexpr ReduceInfo kReductions[] = {
    {ReduceKind::Sum, "Sum", "sum"},   {ReduceKind::Mean, "Mean", "mean"},
    {ReduceKind::Max, "Max", "max"},   {ReduceKind::Min, "Min", "min"},
    {ReduceKind::Prod, "Prod", "prod"}, {ReduceKind::Argmax, "Argmax", "argmax"},
    {ReduceKind::Argmin, "Argmin", "argmin"},
};

const ReduceInfo& info(ReduceKind kind) { return kReductions[static_cast<int>(kind)]; }

/// Neumaier's compensated sum: the reference must not lose digits on long sums.
class CompensatedSum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    if (std::fabs(sum_) >= std::fabs(x)) comp_ += (sum_ - t) + x;
    else comp_ += (x - t) + sum_;
    sum_ = t;
  }
  /// Once the running sum is ±inf or NaN it is the IEEE sum: overflow and
  /// infinities are sticky, and the compensation (inf - inf = NaN) is dropped.
  double value() const { return std::isfinite(sum_) ? sum_ + comp_ : sum_; }

 private:
  double sum_ = 0;
  double comp_ = 0;
};

class ReduceOp : public Op {
 public:
  /// `axes` sorted, unique, non-negative; `all` when every axis is reduced.
  /// `initial_neg_inf` (float max only): -inf over empty axes, not an error.
  ReduceOp(ReduceKind kind, std::vector<int> axes, bool all, bool keepdims, bool initial_neg_inf = false)
      : kind_(kind), axes_(std::move(axes)), all_(all), keepdims_(keepdims), initial_neg_inf_(initial_neg_inf) {}

  std::string name() const override {
    std::vector<std::string> props;
    if (!all_) props.push_back(fmt::format("axis=[{}]", fmt::join(axes_, ", ")));
    if (keepdims_) props.push_back("keepdims");
    if (initial_neg_inf_) props.push_back("initial=-inf");
    if (props.empty()) return info(kind_).title;
    return fmt::format("{}{{{}}}", info(kind_).title, fmt::join(props, ", "));
  }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& x = inputs.at(0);
    std::vector<bool> bc;
    for (int i = 0; i < x.ndim(); ++i) {
      if (!reduces(i)) bc.push_back(x.broadcastable()[i]);
      else if (keepdims_) bc.push_back(true);
    }
    return TensorType(output_dtype(x.dtype()), bc);
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array& x = inputs[0];
    // Kept axes first, reduced axes last: output position i reduces the
    // contiguous run [i * inner, (i + 1) * inner) of the permuted view.
    std::vector<int> perm;
    Shape out_shape;
    std::int64_t inner = 1;
    for (int i = 0; i < x.ndim(); ++i) {
      if (!reduces(i)) {
        perm.push_back(i);
        out_shape.push_back(x.shape()[i]);
      } else if (keepdims_) {
        out_shape.push_back(1);
      }
    }
    for (int i = 0; i < x.ndim(); ++i) {
      if (reduces(i)) {
        perm.push_back(i);
        inner *= x.shape()[i];
      }
    }
    const Array view = x.transpose(perm);
    Array out(out_shape, node.output().dtype());
    if (inner == 0 && initial_neg_inf_) {
      for (std::int64_t i = 0; i < out.size(); ++i) out.set_flat_double(i, -INFINITY);
      return out;
    }
    if (inner == 0 && (kind_ == ReduceKind::Max || kind_ == ReduceKind::Min || is_arg())) {
      if (out.size() > 0) {
        throw InvalidValueError(fmt::format(
            "{}: zero-size reduction (input shape {}) has no identity", node_str(node),
            shape_str(x.shape())));
      }
      return out;
    }
    const bool in_float = is_float(x.dtype()) || kind_ == ReduceKind::Mean;
    for (std::int64_t i = 0; i < out.size(); ++i) {
      if (in_float) out.set_flat_double(i, reduce_float(view, i * inner, inner));
      else out.set_flat_int(i, reduce_int(view, i * inner, inner));
    }
    return out;
  }

  // sum: every element gets the gradient of its output position.
  // mean: the same divided by the number of elements reduced.
  // max/min: the elements equal to the result get it (all of them at ties, as Theano).
  // prod: out / x where no element of the group is 0; where one is, that
  // element gets the product of the others and the rest get 0 (as Theano).
  // argmax, argmin: piecewise constant, no gradient.
  std::vector<InputGrad> grad(const Apply& node, const Var& output_grad) const override {
    const Var& x = node.inputs()[0];
    if (is_arg()) return {InputGrad::zero()};
    const Var g = restore_axes(output_grad);
    const Var spread = elemwise("second", {x, g});
    switch (kind_) {
      case ReduceKind::Sum: return {fit_grad_to(x, spread)};
      case ReduceKind::Mean: return {fit_grad_to(x, spread / cast(reduced_count(x), g.dtype()))};
      case ReduceKind::Max:
      case ReduceKind::Min: return {fit_grad_to(x, where(eq(x, restore_axes(node.output())), spread, 0))};
      case ReduceKind::Prod: return {fit_grad_to(x, spread * prod_grad(x, node.output()))};
      case ReduceKind::Argmax:
      case ReduceKind::Argmin: break;
    }
    return {InputGrad::zero()};
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const Var out = node.output();
    const std::string xt = cg.tensor(x);
    const std::string name = fmt::format("v{}", cg.node_index());
    std::vector<std::string> shape;
    std::vector<int> kept, reduced;
    for (int a = 0; a < x.ndim(); ++a) {
      if (!reduces(a)) {
        kept.push_back(a);
        shape.push_back(fmt::format("{}.shape[{}]", xt, a));
      } else {
        reduced.push_back(a);
        if (keepdims_) shape.push_back("1");
      }
    }
    std::string reduced_size = "1";
    for (int a : reduced) reduced_size += fmt::format(" * {}.shape[{}]", xt, a);
    cg.line("const hp_i64 hp_m{} = {};", cg.node_index(), reduced_size);
    const std::string m = fmt::format("hp_m{}", cg.node_index());
    cg.allocate(out, name, shape);
    const bool no_identity = !initial_neg_inf_ && (kind_ == ReduceKind::Max || kind_ == ReduceKind::Min || is_arg());
    if (no_identity) cg.fail_if(fmt::format("{} == 0 && hp_size({}) > 0", m, name));

    // The loops live in a function of their own, optimised for speed.
    cg.begin_function("hp_reduce", "const hp_tensor& source, const hp_tensor& result");
    const std::string outer_xt = xt, outer_name = name;
    {
    const std::string xt = "source", name = "result";
    const std::string m = "hp_m";
    cg.line("const hp_i64 hp_m = {};", reduced_size_in(xt));
    const DType in = x.dtype();
    const bool in_float = is_float(in) || kind_ == ReduceKind::Mean;
    const DType acc = in_float ? DType::Float64 : DType::Int64;
    const std::string T = CppEmitter::c_type(in);
    const std::string OT = CppEmitter::c_type(out.dtype());
    cg.open("");
    // The whole of a contiguous float tensor: a vectorised compensated sum.
    if ((kind_ == ReduceKind::Sum || kind_ == ReduceKind::Mean) && is_float(in) && kept.empty()) {
      cg.open(fmt::format("if (hp_is_contiguous({}))", xt));
      const std::string total = cg.compensated_sum(fmt::format("(const {}*){}.data", T, xt), m);
      const std::string value = kind_ == ReduceKind::Mean ? fmt::format("({} / (double){})", total, m) : total;
      cg.line("*({}*){}.data = {};", OT, name, CppEmitter::convert(value, DType::Float64, out.dtype()));
      cg.close();
      cg.open("else");
    }
    cg.line("const {0}* px = (const {0}*){1}.data;", T, xt);
    cg.line("{0}* po = ({0}*){1}.data;", OT, name);
    cg.line("hp_i64 o = 0;");
    for (int a : kept) cg.open(fmt::format("for (hp_i64 i{0} = 0; i{0} < {1}.shape[{0}]; ++i{0})", a, xt));
    std::string kept_offset = "0";
    for (int a : kept) kept_offset += fmt::format(" + i{} * {}.strides[{}]", a, xt, a);
    const std::string load = [&] {
      std::string offset = kept_offset;
      for (int a : reduced) offset += fmt::format(" + i{} * {}.strides[{}]", a, xt, a);
      return CppEmitter::convert(fmt::format("px[{}]", offset), in, acc);
    }();
    // The first element, or -inf for a max that has it as identity (there may be no first element).
    const std::string first = initial_neg_inf_ ? std::string("(-__builtin_inf())")
                                               : CppEmitter::convert(fmt::format("px[{}]", kept_offset), in, acc);
    const std::string A = CppEmitter::c_type(acc);
    switch (kind_) {
      case ReduceKind::Sum:
      case ReduceKind::Mean:
        if (in_float) cg.line("double s = 0, c = 0;  // Neumaier's compensated sum");
        else cg.line("hp_u64 s = 0;  // wraps as numpy's int64 sum");
        break;
      case ReduceKind::Prod: cg.line("{} s = 1;", in_float ? "double" : "hp_u64"); break;
      case ReduceKind::Max:
      case ReduceKind::Min:
      case ReduceKind::Argmax:
      case ReduceKind::Argmin: cg.line("{} best = {};", A, first); cg.line("hp_i64 best_j = 0, j = 0;"); break;
    }
    for (int a : reduced) cg.open(fmt::format("for (hp_i64 i{0} = 0; i{0} < {1}.shape[{0}]; ++i{0})", a, xt));
    cg.line("const {} x = {};", A, load);
    switch (kind_) {
      case ReduceKind::Sum:
      case ReduceKind::Mean:
        if (in_float) {
          cg.line("const double t = s + x;");
          cg.line("c += hp_fabs(s) >= hp_fabs(x) ? (s - t) + x : (x - t) + s;");
          cg.line("s = t;");
        } else {
          cg.line("s += (hp_u64)x;");
        }
        break;
      case ReduceKind::Prod: cg.line("{}", in_float ? "s *= x;" : "s *= (hp_u64)x;"); break;
      case ReduceKind::Max:
      case ReduceKind::Min:
      case ReduceKind::Argmax:
      case ReduceKind::Argmin: {
        // max/min propagate NaN; argmax/argmin give the first NaN or the first extreme, as numpy.
        const char* better = kind_ == ReduceKind::Min || kind_ == ReduceKind::Argmin ? "x < best" : "x > best";
        if (in_float) cg.line("if (best == best && (x != x || {})) {{ best = x; best_j = j; }}", better);
        else cg.line("if ({}) {{ best = x; best_j = j; }}", better);
        cg.line("++j;");
        break;
      }
    }
    for (std::size_t i = 0; i < reduced.size(); ++i) cg.close();
    std::string result;
    switch (kind_) {
      case ReduceKind::Sum: result = in_float ? CppEmitter::convert("hp_sum_total(s, c)", DType::Float64, out.dtype()) : "(hp_i64)s"; break;
      case ReduceKind::Mean: result = CppEmitter::convert(fmt::format("hp_sum_total(s, c) / (double){}", m), DType::Float64, out.dtype()); break;
      case ReduceKind::Prod: result = in_float ? CppEmitter::convert("s", DType::Float64, out.dtype()) : "(hp_i64)s"; break;
      case ReduceKind::Max:
      case ReduceKind::Min: result = CppEmitter::convert("best", acc, out.dtype()); break;
      case ReduceKind::Argmax:
      case ReduceKind::Argmin: result = "best_j"; break;
    }
    cg.line("po[o++] = {};", result);
    for (std::size_t i = 0; i < kept.size(); ++i) cg.close();
    if ((kind_ == ReduceKind::Sum || kind_ == ReduceKind::Mean) && is_float(in) && kept.empty()) cg.close();
    cg.close();
    }
    const std::string fn = cg.end_function();
    cg.fail_if(fmt::format("{}({}, {})", fn, outer_xt, outer_name));
    return true;
  }

  bool emit_cuda(CudaEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const CudaReduction reduction{info(kind_).lower, axes_, x.ndim(), x.dtype(), node.output().dtype(),
                                  initial_neg_inf_};
    auto body = [](const std::vector<std::string>& v) { return std::vector<std::string>{"return " + v[0] + ";"}; };
    cg.reduction(reduction, CudaEmitter::operands_of({x}), body, false);
    return true;
  }

  /// The number of elements one output position reduces, for tensor `t`.
  std::string reduced_size_in(const std::string& t) const {
    std::string size = "1";
    for (int a : axes_) size += fmt::format(" * {}.shape[{}]", t, a);
    return size;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    std::string s = fmt::format("{}({}", info(kind_).lower, args[0]);
    if (!all_) {
      s += axes_.size() == 1 ? fmt::format(", axis={}", axes_[0])
                             : fmt::format(", axis=[{}]", fmt::join(axes_, ", "));
    }
    if (keepdims_) s += ", keepdims=True";
    if (initial_neg_inf_) s += ", initial=-inf";
    return s + ")";
  }

 private:
  bool reduces(int axis) const { return std::binary_search(axes_.begin(), axes_.end(), axis); }
  bool is_arg() const { return kind_ == ReduceKind::Argmax || kind_ == ReduceKind::Argmin; }

  /// A reduced value with its reduced axes put back as broadcastable axes.
  Var restore_axes(const Var& reduced) const {
    if (keepdims_) return reduced;
    std::vector<int> pattern;
    int next = 0;
    const int ndim = reduced.ndim() + static_cast<int>(axes_.size());
    for (int i = 0; i < ndim; ++i) pattern.push_back(reduces(i) ? newaxis : next++);
    return dimshuffle(reduced, pattern);
  }

  /// d prod / dx without dividing by zero: out / x where x != 0 (which is 0
  /// when another element of the group is 0); where x == 0, the product of the
  /// other elements if x is the group's only zero, else 0.
  Var prod_grad(const Var& x, const Var& out) const {
    const Var zero = eq(x, 0);
    const Var x_safe = where(zero, 1, x);
    auto reduced = [&](ReduceKind kind, const Var& v) {
      return restore_axes(make_apply(std::make_shared<ReduceOp>(kind, axes_, all_, keepdims_), {v}));
    };
    const Var single_zero = eq(reduced(ReduceKind::Sum, zero), 1);
    const Var others = reduced(ReduceKind::Prod, x_safe);
    return where(zero, where(single_zero, others, 0), restore_axes(out) / x_safe);
  }

  /// The number of elements each output position reduces, as an int64 scalar.
  Var reduced_count(const Var& x) const {
    Var count = constant(Array(std::int64_t{1}));
    const Var dims = shape(x);
    for (int a : axes_) count = count * subtensor(dims, {std::int64_t{a}});
    return count;
  }

  DType output_dtype(DType in) const {
    switch (kind_) {
      case ReduceKind::Sum:
      case ReduceKind::Prod: return is_float(in) ? in : DType::Int64;
      case ReduceKind::Mean: return is_float(in) ? in : DType::Float64;
      case ReduceKind::Argmax:
      case ReduceKind::Argmin: return DType::Int64;
      case ReduceKind::Max:
      case ReduceKind::Min: return in;
    }
    return in;
  }

  double reduce_float(const Array& v, std::int64_t begin, std::int64_t n) const {
    switch (kind_) {
      case ReduceKind::Sum:
      case ReduceKind::Mean: {
        CompensatedSum s;
        for (std::int64_t j = 0; j < n; ++j) s.add(v.get_flat_double(begin + j));
        return kind_ == ReduceKind::Sum ? s.value() : s.value() / static_cast<double>(n);
      }
      case ReduceKind::Prod: {
        double p = 1;
        for (std::int64_t j = 0; j < n; ++j) p *= v.get_flat_double(begin + j);
        return p;
      }
      case ReduceKind::Max:
      case ReduceKind::Min:
      case ReduceKind::Argmax:
      case ReduceKind::Argmin: break;
    }
    // max/min propagate NaN; argmax/argmin return the first NaN or the first extreme, as numpy.
    const bool smaller = kind_ == ReduceKind::Min || kind_ == ReduceKind::Argmin;
    std::int64_t best = 0;
    double best_value = v.get_flat_double(begin);
    for (std::int64_t j = 1; j < n && best_value == best_value; ++j) {
      const double x = v.get_flat_double(begin + j);
      const bool better = x != x || (smaller ? x < best_value : x > best_value);
      if (better) {
        best = j;
        best_value = x;
      }
    }
    return is_arg() ? static_cast<double>(best) : best_value;
  }

  std::int64_t reduce_int(const Array& v, std::int64_t begin, std::int64_t n) const {
    using u64 = std::uint64_t;
    switch (kind_) {
      case ReduceKind::Sum: {
        u64 s = 0;  // wraps as numpy's int64 sum
        for (std::int64_t j = 0; j < n; ++j) s += static_cast<u64>(v.get_flat_int(begin + j));
        return static_cast<std::int64_t>(s);
      }
      case ReduceKind::Prod: {
        u64 p = 1;
        for (std::int64_t j = 0; j < n; ++j) p *= static_cast<u64>(v.get_flat_int(begin + j));
        return static_cast<std::int64_t>(p);
      }
      case ReduceKind::Mean: break;  // computed in floats
      case ReduceKind::Max:
      case ReduceKind::Min:
      case ReduceKind::Argmax:
      case ReduceKind::Argmin: {
        const bool smaller = kind_ == ReduceKind::Min || kind_ == ReduceKind::Argmin;
        std::int64_t best = 0;
        std::int64_t best_value = v.get_flat_int(begin);
        for (std::int64_t j = 1; j < n; ++j) {
          const std::int64_t x = v.get_flat_int(begin + j);
          if (smaller ? x < best_value : x > best_value) {
            best = j;
            best_value = x;
          }
        }
        return is_arg() ? best : best_value;
      }
    }
    return 0;
  }

  ReduceKind kind_;
  std::vector<int> axes_;
  bool all_;
  bool keepdims_;
  bool initial_neg_inf_;

  friend std::optional<ReductionInfo> hypatia::reduction_of(const Op& op);
};

Var reduce(ReduceKind kind, const Var& x, std::optional<std::vector<int>> axes, bool keepdims) {
  const std::string op_name = info(kind).title;
  if (x.is_null()) throw Error(fmt::format("{}: input 0 is a null hp::Var", op_name));
  std::vector<int> normalized;
  const bool all = !axes.has_value();
  if (all) {
    normalized.resize(x.ndim());
    std::iota(normalized.begin(), normalized.end(), 0);
  } else {
    for (int a : *axes) normalized.push_back(normalize_axis(op_name, a, x.ndim()));
    std::sort(normalized.begin(), normalized.end());
    if (std::adjacent_find(normalized.begin(), normalized.end()) != normalized.end()) {
      throw TypeError(fmt::format("{}: axis [{}] repeats an axis", op_name,
                                  fmt::join(*axes, ", ")));
    }
  }
  if ((kind == ReduceKind::Argmax || kind == ReduceKind::Argmin) && !all && normalized.size() != 1) {
    throw TypeError(fmt::format("{}: reduces over all axes or over exactly one axis", op_name));
  }
  return make_apply(std::make_shared<ReduceOp>(kind, normalized, all, keepdims), {x});
}

}  // namespace

std::optional<ReductionInfo> reduction_of(const Op& op) {
  const auto* r = dynamic_cast<const ReduceOp*>(&op);
  if (!r) return std::nullopt;
  return ReductionInfo{info(r->kind_).lower, r->axes_, r->all_, r->keepdims_, r->initial_neg_inf_};
}

Var max_or_neg_inf(const Var& x, const std::vector<int>& axes, bool keepdims) {
  if (x.is_null() || !is_float(x.dtype())) throw Error("internal: max_or_neg_inf needs a float operand");
  std::vector<int> normalized;
  for (int a : axes) normalized.push_back(normalize_axis("Max", a, x.ndim()));
  std::sort(normalized.begin(), normalized.end());
  normalized.erase(std::unique(normalized.begin(), normalized.end()), normalized.end());
  const bool all = static_cast<int>(normalized.size()) == x.ndim();
  return make_apply(std::make_shared<ReduceOp>(ReduceKind::Max, normalized, all, keepdims, true), {x});
}

Var sum(const Var& x) { return reduce(ReduceKind::Sum, x, std::nullopt, false); }
Var sum(const Var& x, int axis, bool keepdims) { return reduce(ReduceKind::Sum, x, std::vector{axis}, keepdims); }
Var sum(const Var& x, const std::vector<int>& axes, bool keepdims) { return reduce(ReduceKind::Sum, x, axes, keepdims); }
Var mean(const Var& x) { return reduce(ReduceKind::Mean, x, std::nullopt, false); }
Var mean(const Var& x, int axis, bool keepdims) { return reduce(ReduceKind::Mean, x, std::vector{axis}, keepdims); }
Var mean(const Var& x, const std::vector<int>& axes, bool keepdims) { return reduce(ReduceKind::Mean, x, axes, keepdims); }
Var max(const Var& x) { return reduce(ReduceKind::Max, x, std::nullopt, false); }
Var max(const Var& x, int axis, bool keepdims) { return reduce(ReduceKind::Max, x, std::vector{axis}, keepdims); }
Var max(const Var& x, const std::vector<int>& axes, bool keepdims) { return reduce(ReduceKind::Max, x, axes, keepdims); }
Var min(const Var& x) { return reduce(ReduceKind::Min, x, std::nullopt, false); }
Var min(const Var& x, int axis, bool keepdims) { return reduce(ReduceKind::Min, x, std::vector{axis}, keepdims); }
Var min(const Var& x, const std::vector<int>& axes, bool keepdims) { return reduce(ReduceKind::Min, x, axes, keepdims); }
Var prod(const Var& x) { return reduce(ReduceKind::Prod, x, std::nullopt, false); }
Var prod(const Var& x, int axis, bool keepdims) { return reduce(ReduceKind::Prod, x, std::vector{axis}, keepdims); }
Var prod(const Var& x, const std::vector<int>& axes, bool keepdims) { return reduce(ReduceKind::Prod, x, axes, keepdims); }
Var argmax(const Var& x) { return reduce(ReduceKind::Argmax, x, std::nullopt, false); }
Var argmax(const Var& x, int axis, bool keepdims) { return reduce(ReduceKind::Argmax, x, std::vector{axis}, keepdims); }
Var argmin(const Var& x) { return reduce(ReduceKind::Argmin, x, std::nullopt, false); }
Var argmin(const Var& x, int axis, bool keepdims) { return reduce(ReduceKind::Argmin, x, std::vector{axis}, keepdims); }

std::pair<Var, Var> max_and_argmax(const Var& x) { return {max(x), argmax(x)}; }
std::pair<Var, Var> max_and_argmax(const Var& x, int axis, bool keepdims) {
  return {max(x, axis, keepdims), argmax(x, axis, keepdims)};
}

// --- reductions written with the ones above (each fuses with its producers) ---------------

namespace {

void check_input(const char* op, const Var& x) {
  if (x.is_null()) throw Error(fmt::format("{}: input 0 is a null hp::Var", op));
}

/// The axes a composite reduces, normalised (every axis when `axes` is empty
/// and `all` is set), checked as sum checks them.
std::vector<int> reduced_axes(const char* op, const Var& x, const std::optional<std::vector<int>>& axes) {
  check_input(op, x);
  std::vector<int> out;
  if (!axes) {
    for (int a = 0; a < x.ndim(); ++a) out.push_back(a);
    return out;
  }
  for (int a : *axes) out.push_back(normalize_axis(op, a, x.ndim()));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    throw TypeError(fmt::format("{}: axis [{}] repeats an axis", op, fmt::join(*axes, ", ")));
  }
  return out;
}

/// x with the (broadcastable) axes `axes` of a keepdims result dropped.
Var drop_kept_axes(const Var& x, const std::vector<int>& axes) {
  std::vector<int> pattern;
  for (int a = 0; a < x.ndim(); ++a) {
    if (!std::binary_search(axes.begin(), axes.end(), a)) pattern.push_back(a);
  }
  return dimshuffle(x, pattern);
}

Var as_float(const Var& x) { return is_float(x.dtype()) ? x : cast(x, upgrade_to_float(x.dtype())); }

/// all: no element is zero (a count, so empty axes give true, as numpy).
Var all_over(const Var& x, const std::optional<std::vector<int>>& axes, bool keepdims) {
  const std::vector<int> ax = reduced_axes("all", x, axes);
  return eq(sum(eq(x, 0), ax, keepdims), 0);
}

/// any: some element is nonzero (NaN is nonzero, as numpy).
Var any_over(const Var& x, const std::optional<std::vector<int>>& axes, bool keepdims) {
  const std::vector<int> ax = reduced_axes("any", x, axes);
  return gt(sum(neq(x, 0), ax, keepdims), 0);
}

/// The number of elements reduced over `axes`, as an int64 scalar.
Var count_over(const Var& x, const std::vector<int>& axes) {
  Var n = constant(Array(std::int64_t{1}));
  const Var dims = shape(x);
  for (int a : axes) n = n * subtensor(dims, {std::int64_t{a}});
  return n;
}

/// mean((x - mean(x))^2) * n / (n - ddof), numpy's var (integers in float64).
Var var_over(const char* op, const Var& x, const std::optional<std::vector<int>>& axes, bool keepdims, int ddof) {
  const std::vector<int> ax = reduced_axes(op, x, axes);
  if (ddof < 0) throw TypeError(fmt::format("{}: ddof must be >= 0, got {}", op, ddof));
  const Var centred = x - mean(x, ax, true);
  if (ddof == 0) return mean(sqr(centred), ax, keepdims);
  const Var squares = sum(sqr(centred), ax, keepdims);
  return squares / cast(count_over(x, ax) - ddof, squares.dtype());
}

/// m + log(sum(exp(x - m))), m the maximum where it is finite (else 0), so
/// that it neither overflows nor turns an all -inf group into NaN.
Var logsumexp_over(const Var& x, const std::optional<std::vector<int>>& axes, bool keepdims) {
  const std::vector<int> ax = reduced_axes("logsumexp", x, axes);
  const Var xf = as_float(x);
  const Var m = max_or_neg_inf(xf, ax, true);
  const Var shift = where(abs(m) < INFINITY, m, 0);
  return log(sum(exp(xf - shift), ax, keepdims)) + (keepdims ? shift : drop_kept_axes(shift, ax));
}

/// numpy.linalg.vector_norm: (sum |x|^ord)^(1/ord) over the axes, with
/// ord = inf (max |x|), -inf (min |x|) and 0 (the count of nonzeros).
Var norm_over(const Var& x, double ord, const std::optional<std::vector<int>>& axes, bool keepdims) {
  const std::vector<int> ax = reduced_axes("norm", x, axes);
  if (std::isnan(ord)) throw TypeError("norm: ord is NaN");
  const Var xf = as_float(x);
  if (ord == INFINITY) return max(abs(xf), ax, keepdims);
  if (ord == -INFINITY) return min(abs(xf), ax, keepdims);
  if (ord == 0) return cast(sum(neq(xf, 0), ax, keepdims), xf.dtype());
  if (ord == 1) return sum(abs(xf), ax, keepdims);
  if (ord == 2) return sqrt(sum(sqr(xf), ax, keepdims));
  return pow(sum(pow(abs(xf), ord), ax, keepdims), 1.0 / ord);
}

}  // namespace

Var all(const Var& x) { return all_over(x, std::nullopt, false); }
Var all(const Var& x, int axis, bool keepdims) { return all_over(x, std::vector{axis}, keepdims); }
Var all(const Var& x, const std::vector<int>& axes, bool keepdims) { return all_over(x, axes, keepdims); }
Var any(const Var& x) { return any_over(x, std::nullopt, false); }
Var any(const Var& x, int axis, bool keepdims) { return any_over(x, std::vector{axis}, keepdims); }
Var any(const Var& x, const std::vector<int>& axes, bool keepdims) { return any_over(x, axes, keepdims); }
Var var(const Var& x) { return var_over("var", x, std::nullopt, false, 0); }
Var var(const Var& x, int axis, bool keepdims, int ddof) { return var_over("var", x, std::vector{axis}, keepdims, ddof); }
Var var(const Var& x, const std::vector<int>& axes, bool keepdims, int ddof) {
  return var_over("var", x, axes, keepdims, ddof);
}
Var std(const Var& x) { return sqrt(var_over("std", x, std::nullopt, false, 0)); }
Var std(const Var& x, int axis, bool keepdims, int ddof) {
  return sqrt(var_over("std", x, std::vector{axis}, keepdims, ddof));
}
Var std(const Var& x, const std::vector<int>& axes, bool keepdims, int ddof) {
  return sqrt(var_over("std", x, axes, keepdims, ddof));
}
Var logsumexp(const Var& x) { return logsumexp_over(x, std::nullopt, false); }
Var logsumexp(const Var& x, int axis, bool keepdims) { return logsumexp_over(x, std::vector{axis}, keepdims); }
Var logsumexp(const Var& x, const std::vector<int>& axes, bool keepdims) { return logsumexp_over(x, axes, keepdims); }
Var norm(const Var& x, double ord) { return norm_over(x, ord, std::nullopt, false); }
Var norm(const Var& x, double ord, int axis, bool keepdims) { return norm_over(x, ord, std::vector{axis}, keepdims); }
Var norm(const Var& x, double ord, const std::vector<int>& axes, bool keepdims) {
  return norm_over(x, ord, axes, keepdims);
}

}  // namespace hypatia
