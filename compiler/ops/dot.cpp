/// Dot: matrix and vector products of ranks 1 and 2, as numpy.dot; Gemm:
/// beta * C + alpha * dot(A, B), which the specialize_gemm pass makes of them.
#include <memory>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/dot.hpp"
#include "compiler/ops/elemwise.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

/// The reference dot(a, b) of vectors and matrices, in their common dtype;
/// ShapeError naming `node` when they do not align.
Array product(const Apply& node, const Array& a_in, const Array& b_in) {
  // View both operands as matrices: (m, k) . (k, n).
  const Array a = a_in.ndim() == 2 ? a_in : a_in.reshape({1, a_in.shape()[0]});
  const Array b = b_in.ndim() == 2 ? b_in : b_in.reshape({b_in.shape()[0], 1});
  const std::int64_t m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
  if (b.shape()[0] != k) {
    throw ShapeError(fmt::format("{}: shapes {} and {} not aligned: {} (last axis of the first) != {} "
                                 "(first axis of the second)",
                                 node_str(node), shape_str(a_in.shape()),
                                 shape_str(b_in.shape()), k, b.shape()[0]));
  }
  const DType out_dtype = upcast(a_in.dtype(), b_in.dtype());
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
  if (a_in.ndim() == 2) out_shape.push_back(m);
  if (b_in.ndim() == 2) out_shape.push_back(n);
  return out2.reshape(out_shape);
}

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
    return product(node, inputs[0], inputs[1]);
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

/// A 0-d tensor's value as a C++ double expression.
std::string scalar_value(CppEmitter& cg, const Var& v) {
  if (v.is_constant()) return fmt::format("(double){}", CppEmitter::literal(v.constant_value()));
  return fmt::format("(double)*(const {}*){}.data", CppEmitter::c_type(v.dtype()), cg.tensor(v));
}

/// beta * C + alpha * dot(A, B), inputs (C, alpha, A, B, beta) as Theano's
/// Gemm. Generated code writes beta * C into the output (broadcasting C),
/// then one BLAS call (cblas_?gemm, or cblas_?gemv when A or B is a vector)
/// adds alpha * A.B to it. C itself is never written, so the node is correct
/// wherever C is read again; working in C's buffer would be the in-place
/// pass's decision, not this op's. It appears only after rewriting (after
/// gradients are taken), but has a gradient so that grad of an optimised
/// graph still works.
class GemmOp : public Op {
 public:
  explicit GemmOp(bool vector) : vector_(vector) {}

  std::string name() const override { return vector_ ? "Gemv" : "Gemm"; }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 5) {
      throw TypeError(fmt::format("{} takes (C, alpha, A, B, beta), got {} operands", name(), inputs.size()));
    }
    const Var& C = inputs[0];
    const Var& A = inputs[2];
    const Var& B = inputs[3];
    const TensorType type = DotOp().infer_type({A, B});
    if (!is_float(type.dtype) || A.dtype() != B.dtype() || type.ndim() == 0) {
      throw TypeError(fmt::format("{}: A and B must be float32 or float64 of one dtype, not both vectors",
                                  describe_operands(*this, inputs)));
    }
    for (int k : {1, 4}) {
      if (inputs[k].ndim() != 0 || is_bool(inputs[k].dtype())) {
        throw TypeError(
            fmt::format("{}: alpha and beta must be 0-d numbers", describe_operands(*this, inputs)));
      }
    }
    const int pad = type.ndim() - C.ndim();
    bool fits = pad >= 0 && C.dtype() == type.dtype;
    for (int i = 0; fits && i < C.ndim(); ++i) fits = C.broadcastable()[i] || !type.broadcastable[pad + i];
    if (!fits) {
      throw TypeError(fmt::format("{}: C must have the product's dtype and broadcast into its type {}",
                                  describe_operands(*this, inputs), type.str()));
    }
    return type;
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array d = product(node, inputs[2], inputs[3]);
    const Array& c = inputs[0];
    const Var& C = node.inputs()[0];
    const int pad = d.ndim() - c.ndim();
    for (int i = 0; i < c.ndim(); ++i) {
      if (!C.broadcastable()[i] && c.shape()[i] != d.shape()[pad + i]) {
        throw ShapeError(fmt::format("{}: C has shape {} and the product has shape {}", node_str(node),
                                     shape_str(c.shape()), shape_str(d.shape())));
      }
    }
    const Array cb = c.broadcast_to(d.shape());
    const double alpha = inputs[1].get_flat_double(0);
    const double beta = inputs[4].get_flat_double(0);
    Array out(d.shape(), d.dtype());
    for (std::int64_t i = 0; i < out.size(); ++i) {
      out.set_flat_double(i, beta * cb.get_flat_double(i) + alpha * d.get_flat_double(i));
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("{}({})", vector_ ? "gemv" : "gemm", fmt::join(args, ", "));
  }

  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    const Var& C = node.inputs()[0];
    const Var& alpha = node.inputs()[1];
    const Var& beta = node.inputs()[4];
    const Var d = dot(node.inputs()[2], node.inputs()[3]);
    const std::vector<InputGrad> through_dot = d.owner()->op().grad(*d.owner(), g * alpha);
    return {fit_grad_to(C, g * beta), fit_grad_to(alpha, g * d), through_dot[0], through_dot[1],
            fit_grad_to(beta, g * C)};
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& C = node.inputs()[0];
    const Var& alpha = node.inputs()[1];
    const Var& A = node.inputs()[2];
    const Var& B = node.inputs()[3];
    const Var& beta = node.inputs()[4];
    const Var out = node.output();
    const DType dtype = out.dtype();
    const std::string at = cg.tensor(A), bt = cg.tensor(B);
    cg.fail_if(fmt::format("{}.shape[{}] != {}.shape[0]", at, A.ndim() - 1, bt));
    std::vector<std::string> shape;
    if (A.ndim() == 2) shape.push_back(at + ".shape[0]");
    if (B.ndim() == 2) shape.push_back(bt + ".shape[1]");
    const int pad = out.ndim() - C.ndim();
    for (int i = 0; i < C.ndim(); ++i) {
      if (C.broadcastable()[i]) continue;
      cg.fail_if(fmt::format("{}.shape[{}] != {}", cg.tensor(C), i, shape[pad + i]));
    }
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.allocate(out, name, shape);
    auto scaled_c = [&](const std::vector<std::string>& loads) {
      return fmt::format("({} * {})", CppEmitter::convert(loads[1], beta.dtype(), dtype),
                         CppEmitter::convert(loads[0], C.dtype(), dtype));
    };
    cg.elementwise(name, dtype, out.ndim(), loop_operands(cg, {C, beta}), scaled_c, false);
    cg.fail_if(fmt::format("hp_gemm(ctx, {}, {}, &{}, &{}, &{})", CppEmitter::dtype_code(dtype),
                           scalar_value(cg, alpha), at, bt, name));
    return true;
  }

 private:
  bool vector_;
};

}  // namespace

Var dot(const Var& a, const Var& b) {
  // numpy.dot with a scalar operand is multiplication.
  // (make_apply names a null operand.)
  if (!a.is_null() && !b.is_null() && (a.ndim() == 0 || b.ndim() == 0)) return mul(a, b);
  return make_apply(std::make_shared<DotOp>(), {a, b});
}

bool is_dot(const Op& op) { return dynamic_cast<const DotOp*>(&op) != nullptr; }
bool is_gemm(const Op& op) { return dynamic_cast<const GemmOp*>(&op) != nullptr; }

Var gemm(const Var& C, const Var& alpha, const Var& A, const Var& B, const Var& beta) {
  const bool vector = A.ndim() == 1 || B.ndim() == 1;
  return make_apply(std::make_shared<GemmOp>(vector), {C, alpha, A, B, beta});
}

}  // namespace hypatia
