/// Dot: matrix and vector products of ranks 1 and 2, as numpy.dot.
#include <memory>

#include <fmt/format.h>

#include "compiler/codegen/cpp_emitter.hpp"
#include "compiler/op.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

class DotOp : public Op {
 public:
  std::string name() const override { return "Dot"; }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& a = inputs.at(0);
    const Var& b = inputs.at(1);
    if (a.ndim() < 1 || a.ndim() > 2 || b.ndim() < 1 || b.ndim() > 2) {
      throw TypeError(fmt::format("{}: dot supports operands of rank 1 and 2 (got ranks {} and {})",
                                  describe_operands(*this, inputs), a.ndim(), b.ndim()));
    }
    std::vector<bool> bc;
    if (a.ndim() == 2) bc.push_back(a.broadcastable()[0]);
    if (b.ndim() == 2) bc.push_back(b.broadcastable()[1]);
    return TensorType(upcast(a.dtype(), b.dtype()), bc);
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    // View both operands as matrices: (m, k) . (k, n).
    const Array a = inputs[0].ndim() == 2 ? inputs[0] : inputs[0].reshape({1, inputs[0].shape()[0]});
    const Array b = inputs[1].ndim() == 2 ? inputs[1] : inputs[1].reshape({inputs[1].shape()[0], 1});
    const std::int64_t m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
    if (b.shape()[0] != k) {
      throw ShapeError(fmt::format("{}: shapes {} and {} not aligned: {} (last axis of the first) != {} "
                                   "(first axis of the second)",
                                   node_str(node), shape_str(inputs[0].shape()),
                                   shape_str(inputs[1].shape()), k, b.shape()[0]));
    }
    const DType out_dtype = node.output().dtype();
    Array out2({m, n}, out_dtype);
    const bool in_float = is_float(out_dtype);
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        if (in_float) {
          double acc = 0;
          for (std::int64_t p = 0; p < k; ++p) {
            acc += a.get_flat_double(i * k + p) * b.get_flat_double(p * n + j);
          }
          out2.set_flat_double(i * n + j, acc);
        } else {
          std::uint64_t acc = 0;  // wraps as numpy's integer dot
          for (std::int64_t p = 0; p < k; ++p) {
            acc += static_cast<std::uint64_t>(a.get_flat_int(i * k + p)) *
                   static_cast<std::uint64_t>(b.get_flat_int(p * n + j));
          }
          out2.set_flat_int(i * n + j, static_cast<std::int64_t>(acc));
        }
      }
    }
    Shape out_shape;
    if (inputs[0].ndim() == 2) out_shape.push_back(m);
    if (inputs[1].ndim() == 2) out_shape.push_back(n);
    return out2.reshape(out_shape);
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("({} \\dot {})", args[0], args[1]);
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& a = node.inputs()[0];
    const Var& b = node.inputs()[1];
    const Var out = node.output();
    std::string at = cg.tensor(a), bt = cg.tensor(b);
    cg.fail_if(fmt::format("{}.shape[{}] != {}.shape[0]", at, a.ndim() - 1, bt));
    std::vector<std::string> shape;
    if (a.ndim() == 2) shape.push_back(at + ".shape[0]");
    if (b.ndim() == 2) shape.push_back(bt + ".shape[1]");
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.allocate(out, name, shape);
    // BLAS multiplies operands of one dtype: convert the others first.
    if (a.dtype() != out.dtype()) {
      cg.contiguous_copy(name + "_a", at, a.dtype(), out.dtype(), a.ndim());
      at = name + "_a";
    }
    if (b.dtype() != out.dtype()) {
      cg.contiguous_copy(name + "_b", bt, b.dtype(), out.dtype(), b.ndim());
      bt = name + "_b";
    }
    cg.fail_if(fmt::format("hp_dot(ctx, {}, &{}, &{}, &{})", CppEmitter::dtype_code(out.dtype()), at, bt, name));
    return true;
  }

  // For z = a . b: da = g . b^T and db = a^T . g, with vectors treated as a
  // row (a) or a column (b); an outer product where both are vectors.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    const Var& a = node.inputs()[0];
    const Var& b = node.inputs()[1];
    Var ga, gb;
    if (a.ndim() == 1 && b.ndim() == 1) {  // g is a scalar
      ga = g * b;
      gb = g * a;
    } else if (a.ndim() == 2 && b.ndim() == 1) {  // g: (m,)
      ga = dot(dimshuffle(g, {0, newaxis}), dimshuffle(b, {newaxis, 0}));
      gb = dot(transpose(a), g);
    } else if (a.ndim() == 1 && b.ndim() == 2) {  // g: (n,)
      ga = dot(b, g);
      gb = dot(dimshuffle(a, {0, newaxis}), dimshuffle(g, {newaxis, 0}));
    } else {
      ga = dot(g, transpose(b));
      gb = dot(transpose(a), g);
    }
    return {fit_grad_to(a, ga), fit_grad_to(b, gb)};
  }
};

}  // namespace

Var dot(const Var& a, const Var& b) {
  // numpy.dot with a scalar operand is multiplication.
  if (a.ndim() == 0 || b.ndim() == 0) return mul(a, b);
  return make_apply(std::make_shared<DotOp>(), {a, b});
}

}  // namespace hypatia
