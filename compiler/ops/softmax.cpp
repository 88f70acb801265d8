/// Softmax along the last axis, computed stably (the maximum is subtracted first).
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/emit/cuda_emitter.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/softmax.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

class SoftmaxOp : public Op {
 public:
  std::string name() const override { return "Softmax"; }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& x = inputs.at(0);
    if (x.ndim() < 1) {
      throw TypeError(fmt::format("{}: softmax needs a tensor of rank >= 1 (it normalises the last axis)",
                                  describe_operands(*this, inputs)));
    }
    return TensorType(upgrade_to_float(x.dtype()), x.broadcastable());
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array x = inputs[0];
    Array out(x.shape(), node.output().dtype());
    const std::int64_t n = x.shape().back();
    const std::int64_t rows = n == 0 ? 0 : x.size() / n;
    std::vector<double> e(static_cast<std::size_t>(n));
    for (std::int64_t r = 0; r < rows; ++r) {
      double m = -INFINITY;
      for (std::int64_t j = 0; j < n; ++j) m = std::fmax(m, x.get_flat_double(r * n + j));
      double total = 0;
      for (std::int64_t j = 0; j < n; ++j) {
        e[j] = std::exp(x.get_flat_double(r * n + j) - m);
        total += e[j];
      }
      for (std::int64_t j = 0; j < n; ++j) out.set_flat_double(r * n + j, e[j] / total);
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("softmax({})", args[0]);
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const Var out = node.output();
    const std::string xt = cg.tensor(x);
    const int nd = x.ndim();
    const int last = nd - 1;
    std::vector<std::string> shape;
    for (int a = 0; a < nd; ++a) shape.push_back(fmt::format("{}.shape[{}]", xt, a));
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.allocate(out, name, shape);
    // The loops live in a function of their own, optimised for speed.
    cg.begin_function("hp_softmax", "const hp_tensor& source, const hp_tensor& result");
    const std::string outer_xt = xt, outer_name = name;
    {
    const std::string xt = "source", name = "result";
    const DType ft = out.dtype();
    const std::string F = CppEmitter::c_type(ft);
    cg.open("");
    cg.line("const {0}* px = (const {0}*){1}.data;", CppEmitter::c_type(x.dtype()), xt);
    cg.line("{0}* po = ({0}*){1}.data;", F, name);
    cg.line("const hp_i64 n = {}.shape[{}];", xt, last);
    cg.line("hp_i64 row = 0;");
    std::string row_offset = "0";
    for (int a = 0; a < last; ++a) {
      cg.open(fmt::format("for (hp_i64 i{0} = 0; i{0} < {1}.shape[{0}]; ++i{0})", a, xt));
      row_offset += fmt::format(" + i{} * {}.strides[{}]", a, xt, a);
    }
    const std::string load = CppEmitter::convert(fmt::format("px[{} + j * {}.strides[{}]]", row_offset, xt, last), x.dtype(), ft);
    cg.line("{} * __restrict y = po + row * n;", F);
    cg.line("{} m = -__builtin_inf();", F);
    cg.line("for (hp_i64 j = 0; j < n; ++j) m = __builtin_fmax(m, {});  // NaN is skipped, as std::fmax", load);
    cg.line("{} total = 0;", F);
    cg.line("for (hp_i64 j = 0; j < n; ++j) {{ y[j] = hp_exp({} - m); total += y[j]; }}", load);
    cg.line("for (hp_i64 j = 0; j < n; ++j) y[j] /= total;");
    cg.line("++row;");
    for (int a = 0; a < last; ++a) cg.close();
    cg.close();
    }
    const std::string fn = cg.end_function();
    cg.fail_if(fmt::format("{}({}, {})", fn, outer_xt, outer_name));
    return true;
  }

  bool emit_cuda(CudaEmitter& cg, const Apply& node) const override {
    cg.softmax(node.inputs()[0].dtype(), node.output().dtype(), node.output().ndim());
    return true;
  }

  // dx = (g - sum(g * sm, last axis)) * sm
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    const Var sm = node.output();
    const int last = sm.ndim() - 1;
    return {fit_grad_to(node.inputs()[0], (g - sum(g * sm, last, /*keepdims=*/true)) * sm)};
  }
};

}  // namespace

Var softmax(const Var& x) { return make_apply(std::make_shared<SoftmaxOp>(), {x}); }

bool is_softmax(const Op& op) { return dynamic_cast<const SoftmaxOp*>(&op) != nullptr; }

}  // namespace hypatia
