/// Cumulative sum and product along one axis (Theano's extra_ops.cumsum and
/// cumprod, numpy's cumsum and cumprod). Without an axis the input is
/// flattened first, as numpy and Theano do.
///
/// Dtypes as numpy: bool and integers accumulate in int64 (wrapping), floats
/// keep their dtype and accumulate in it, in order from the first element
/// (the reference, the C++ and the CUDA code add in the same order, so they
/// agree to the bit).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/emit/cuda_emitter.hpp"
#include "compiler/graph/op.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

enum class CumKind { Sum, Prod };

/// The whole tensor with `axis` last: line r is the run [r * n, (r + 1) * n) of the view's flat order.
std::vector<int> axis_last(int axis, int ndim) {
  std::vector<int> perm;
  for (int a = 0; a < ndim; ++a) {
    if (a != axis) perm.push_back(a);
  }
  perm.push_back(axis);
  return perm;
}

class CumOp : public Op {
 public:
  CumOp(CumKind kind, int axis) : kind_(kind), axis_(axis) {}

  std::string name() const override { return fmt::format("{}{{axis={}}}", title(), axis_); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& x = inputs.at(0);
    return TensorType(output_dtype(x.dtype()), x.broadcastable());
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array& x = inputs[0];
    const DType dtype = node.output().dtype();
    Array out(x.shape(), dtype);
    const std::vector<int> perm = axis_last(axis_, x.ndim());
    const Array xs = x.transpose(perm);
    Array ys = out.transpose(perm);  // a view: writes reach `out`
    const std::int64_t n = x.shape()[axis_];
    const std::int64_t lines = n == 0 ? 0 : x.size() / n;
    for (std::int64_t r = 0; r < lines; ++r) {
      if (dtype == DType::Float32) accumulate_line<float>(xs, ys, r * n, n);
      else if (dtype == DType::Float64) accumulate_line<double>(xs, ys, r * n, n);
      else accumulate_int_line(xs, ys, r * n, n);
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("{}({}, axis={})", lower(), args[0], axis_);
  }

  // Theano's CumOp.grad. cumsum: each x[i] reaches every out[j], j >= i, so
  // dx is the cumulative sum of g taken from the end of the axis.
  // cumprod: dx = reversed_cumsum(g * out) / x. This divides by x: where x is
  // 0 the gradient is NaN or ±inf (0/0 or g*out/0), as in Theano, not the
  // product of the other factors that prod's gradient gives.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    const Var& x = node.inputs()[0];
    if (kind_ == CumKind::Sum) return {fit_grad_to(x, reversed_cumsum(g))};
    return {fit_grad_to(x, reversed_cumsum(g * node.output()) / x)};
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const Var out = node.output();
    const std::string xt = cg.tensor(x);
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.allocate(out, name, CppEmitter::shape_of(xt, x.ndim()));
    // The loops live in a function of their own, optimised for speed.
    cg.begin_function("hp_cumulative", "const hp_tensor& source, const hp_tensor& result");
    cg.open("");
    cg.line("const {0}* px = (const {0}*)source.data;", CppEmitter::c_type(x.dtype()));
    cg.line("{0}* po = ({0}*)result.data;", CppEmitter::c_type(out.dtype()));
    cg.line("const hp_i64 n = source.shape[{}];", axis_);
    cg.line("const hp_i64 sx = source.strides[{0}], so = result.strides[{0}];", axis_);
    std::string x_offset = "0", o_offset = "0";
    for (int a = 0; a < x.ndim(); ++a) {
      if (a == axis_) continue;
      cg.open(fmt::format("for (hp_i64 i{0} = 0; i{0} < source.shape[{0}]; ++i{0})", a));
      x_offset += fmt::format(" + i{0} * source.strides[{0}]", a);
      o_offset += fmt::format(" + i{0} * result.strides[{0}]", a);
    }
    cg.line("const {0}* __restrict x = px + ({1});", CppEmitter::c_type(x.dtype()), x_offset);
    cg.line("{0}* __restrict y = po + ({1});", CppEmitter::c_type(out.dtype()), o_offset);
    for (const std::string& statement : line_body(x.dtype(), out.dtype())) cg.line("{}", statement);
    for (int a = 0; a < x.ndim(); ++a) {
      if (a != axis_) cg.close();
    }
    cg.close();
    const std::string fn = cg.end_function();
    cg.fail_if(fmt::format("{}({}, {})", fn, xt, name));
    return true;
  }

  bool emit_cuda(CudaEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    cg.lines(x.dtype(), node.output().dtype(), x.ndim(), axis_, line_body(x.dtype(), node.output().dtype()));
    return true;
  }

 private:
  const char* title() const { return kind_ == CumKind::Sum ? "CumSum" : "CumProd"; }
  const char* lower() const { return kind_ == CumKind::Sum ? "cumsum" : "cumprod"; }

  static DType output_dtype(DType in) { return is_float(in) ? in : DType::Int64; }

  /// One line's statements, for C++ and CUDA alike: `x` and `y` point at the
  /// line's first elements, `n` is its length, `sx` and `so` its strides.
  /// Floats start from -0.0 (sum) or 1 (product), which leave the first
  /// element exactly as it is (-0.0 included), as numpy's accumulate does.
  std::vector<std::string> line_body(DType in, DType out) const {
    const bool sum = kind_ == CumKind::Sum;
    const std::string load = "x[j * sx]";
    if (is_float(out)) {
      const std::string T = CppEmitter::c_type(out);
      return {fmt::format("{} acc = {};", T, sum ? fmt::format("-({})0", T) : fmt::format("({})1", T)),
              fmt::format("for (hp_i64 j = 0; j < n; ++j) {{ acc {}= {}; y[j * so] = acc; }}", sum ? "+" : "*",
                          CppEmitter::convert(load, in, out))};
    }
    return {fmt::format("hp_u64 acc = {};  // wraps as numpy's int64 {}", sum ? 0 : 1, lower()),
            fmt::format("for (hp_i64 j = 0; j < n; ++j) {{ acc {}= (hp_u64){}; y[j * so] = (hp_i64)acc; }}",
                        sum ? "+" : "*", CppEmitter::convert(load, in, DType::Int64))};
  }

  template <class T>
  void accumulate_line(const Array& xs, Array& ys, std::int64_t begin, std::int64_t n) const {
    T acc = kind_ == CumKind::Sum ? T(-0.0) : T(1);
    for (std::int64_t j = 0; j < n; ++j) {
      const T v = static_cast<T>(xs.get_flat_double(begin + j));
      acc = kind_ == CumKind::Sum ? acc + v : acc * v;
      ys.set_flat_double(begin + j, acc);
    }
  }

  void accumulate_int_line(const Array& xs, Array& ys, std::int64_t begin, std::int64_t n) const {
    std::uint64_t acc = kind_ == CumKind::Sum ? 0 : 1;  // wraps as numpy's int64
    for (std::int64_t j = 0; j < n; ++j) {
      const auto v = static_cast<std::uint64_t>(xs.get_flat_int(begin + j));
      acc = kind_ == CumKind::Sum ? acc + v : acc * v;
      ys.set_flat_int(begin + j, static_cast<std::int64_t>(acc));
    }
  }

  /// The cumulative sum of g along the axis, taken from its end.
  Var reversed_cumsum(const Var& g) const {
    std::vector<Index> reverse(static_cast<std::size_t>(axis_), Index{slice()});
    reverse.push_back(slice(std::nullopt, std::nullopt, -1));
    const Var summed = make_apply(std::make_shared<CumOp>(CumKind::Sum, axis_), {subtensor(g, reverse)});
    return subtensor(summed, reverse);
  }

  CumKind kind_;
  int axis_;
};

Var cumulative(CumKind kind, const Var& x, std::optional<int> axis) {
  const std::string op_name = kind == CumKind::Sum ? "CumSum" : "CumProd";
  if (x.is_null()) throw Error(fmt::format("{}: input 0 is a null hp::Var", op_name));
  if (!axis) return make_apply(std::make_shared<CumOp>(kind, 0), {flatten(x)});
  if (x.ndim() == 0) {
    throw TypeError(fmt::format("{}: axis {} is out of range for a tensor of rank 0 (omit the axis to "
                                "accumulate over the flattened tensor)", op_name, *axis));
  }
  return make_apply(std::make_shared<CumOp>(kind, normalize_axis(op_name, *axis, x.ndim())), {x});
}

}  // namespace

Var cumsum(const Var& x) { return cumulative(CumKind::Sum, x, std::nullopt); }
Var cumsum(const Var& x, int axis) { return cumulative(CumKind::Sum, x, axis); }
Var cumprod(const Var& x) { return cumulative(CumKind::Prod, x, std::nullopt); }
Var cumprod(const Var& x, int axis) { return cumulative(CumKind::Prod, x, axis); }

}  // namespace hypatia
