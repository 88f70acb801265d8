/// Dot: matrix and vector products of ranks 1 and 2, as numpy.dot; Gemm:
/// beta * C + alpha * dot(A, B), which the specialize_gemm pass makes of them.
#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/dot.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/shape_ops.hpp"
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

/// BLAS multiplies operands of one dtype: emits contiguous copies of a and b
/// in `dtype` where theirs differs, and points `at`/`bt` at them.
void convert_operands(CppEmitter& cg, const std::string& name, const Var& a, const Var& b, DType dtype,
                      std::string& at, std::string& bt) {
  if (a.dtype() != dtype) {
    cg.contiguous_copy(name + "_a", at, a.dtype(), dtype, a.ndim());
    at = name + "_a";
  }
  if (b.dtype() != dtype) {
    cg.contiguous_copy(name + "_b", bt, b.dtype(), dtype, b.ndim());
    bt = name + "_b";
  }
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
    convert_operands(cg, name, a, b, out.dtype(), at, bt);
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

/// Batched matrix products with numpy's matmul broadcasting: a (..., n, k)
/// times b (..., k, m) is (..., n, m); the batch axes (all but the last two)
/// align on the right and broadcast along the axes the types mark
/// broadcastable. Generated code makes one BLAS product (hp_dot: gemm, or
/// an integer loop) per batch element, on views of the operands.
class MatMulOp : public Op {
 public:
  std::string name() const override { return "MatMul"; }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& a = inputs.at(0);
    const Var& b = inputs.at(1);
    if (a.ndim() < 2 || b.ndim() < 2) {
      throw TypeError(fmt::format("{}: operands of rank 2 or more are batched products (got ranks {} and {})",
                                  describe_operands(*this, inputs), a.ndim(), b.ndim()));
    }
    const int batch = std::max(a.ndim(), b.ndim()) - 2;
    std::vector<bool> bc(static_cast<std::size_t>(batch), true);
    for (const Var* x : {&a, &b}) {
      const int pad = batch - (x->ndim() - 2);
      for (int j = 0; j < x->ndim() - 2; ++j) {
        if (!x->broadcastable()[j]) bc[pad + j] = false;
      }
    }
    bc.push_back(a.broadcastable()[a.ndim() - 2]);
    bc.push_back(b.broadcastable()[b.ndim() - 1]);
    return TensorType(upcast(a.dtype(), b.dtype()), bc);
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array& a = inputs[0];
    const Array& b = inputs[1];
    const int batch = node.output().ndim() - 2;
    // The batch shape, each axis from an operand that does not broadcast along it.
    Shape batch_shape(static_cast<std::size_t>(batch), 1);
    std::vector<int> owner(static_cast<std::size_t>(batch), -1);
    for (int k = 0; k < 2; ++k) {
      const Var& in = node.inputs()[k];
      const int pad = batch - (in.ndim() - 2);
      for (int j = 0; j < in.ndim() - 2; ++j) {
        if (in.broadcastable()[j]) continue;
        const std::int64_t size = inputs[k].shape()[j];
        if (owner[pad + j] < 0) {
          batch_shape[pad + j] = size;
          owner[pad + j] = k;
        } else if (batch_shape[pad + j] != size) {
          throw ShapeError(fmt::format("{}: batch axes differ: shapes {} and {} (axis {} of the result: {} != {})",
                                       node_str(node), shape_str(a.shape()), shape_str(b.shape()), pad + j,
                                       batch_shape[pad + j], size));
        }
      }
    }
    const std::int64_t n = a.shape()[a.ndim() - 2], m = b.shape()[b.ndim() - 1];
    Shape out_shape = batch_shape;
    out_shape.push_back(n);
    out_shape.push_back(m);
    Array out(out_shape, node.output().dtype());
    std::int64_t count = 1;
    for (auto d : batch_shape) count *= d;
    // Each operand's matrix for batch position t: its own index along each of its batch axes.
    auto matrix_of = [&](const Array& x, const Var& in, std::int64_t t) {
      const int pad = batch - (in.ndim() - 2);
      std::int64_t rest = t;
      std::vector<std::int64_t> position(static_cast<std::size_t>(batch));
      for (int j = batch - 1; j >= 0; --j) {
        position[j] = rest % batch_shape[j];
        rest /= batch_shape[j];
      }
      Array view = x;
      for (int j = 0; j < in.ndim() - 2; ++j) view = view.index(0, in.broadcastable()[j] ? 0 : position[pad + j]);
      return view;
    };
    const std::int64_t block = n * m;
    for (std::int64_t t = 0; t < count; ++t) {
      const Array product_t = product(node, matrix_of(a, node.inputs()[0], t), matrix_of(b, node.inputs()[1], t));
      for (std::int64_t i = 0; i < block; ++i) {
        if (is_float(out.dtype())) out.set_flat_double(t * block + i, product_t.get_flat_double(i));
        else out.set_flat_int(t * block + i, product_t.get_flat_int(i));
      }
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("({} @ {})", args[0], args[1]);
  }

  // z = a @ b: da = g @ b^T and db = a^T @ g (last two axes swapped), summed
  // over the batch axes each operand was broadcast along.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    const Var& a = node.inputs()[0];
    const Var& b = node.inputs()[1];
    auto swap_last = [](const Var& x) { return swapaxes(x, -1, -2); };
    return {fit_grad_to(a, matmul(g, swap_last(b))), fit_grad_to(b, matmul(swap_last(a), g))};
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& a = node.inputs()[0];
    const Var& b = node.inputs()[1];
    const Var out = node.output();
    const int batch = out.ndim() - 2;
    std::string at = cg.tensor(a), bt = cg.tensor(b);
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.fail_if(fmt::format("{}.shape[{}] != {}.shape[{}]", at, a.ndim() - 1, bt, b.ndim() - 2));
    std::vector<std::string> shape(static_cast<std::size_t>(batch), "1");
    for (int j = 0; j < batch; ++j) {
      std::string first;
      for (const auto& [x, xt] : {std::pair{&a, at}, std::pair{&b, bt}}) {
        const int axis = j - (batch - (x->ndim() - 2));
        if (axis < 0 || x->broadcastable()[axis]) continue;
        const std::string size = fmt::format("{}.shape[{}]", xt, axis);
        if (first.empty()) first = size;
        else cg.fail_if(size + " != " + first);
      }
      if (!first.empty()) shape[j] = first;
    }
    shape.push_back(fmt::format("{}.shape[{}]", at, a.ndim() - 2));
    shape.push_back(fmt::format("{}.shape[{}]", bt, b.ndim() - 1));
    cg.allocate(out, name, shape);
    convert_operands(cg, name, a, b, out.dtype(), at, bt);
    std::string count = "1";
    for (int j = 0; j < batch; ++j) count += fmt::format(" * {}.shape[{}]", name, j);
    cg.open(fmt::format("for (hp_i64 t = 0; t < {}; ++t)", count));
    cg.line("hp_i64 rest = t, oa = 0, ob = 0, oo = 0;");
    for (int j = batch - 1; j >= 0; --j) {
      cg.line("{{ const hp_i64 c = rest % {0}.shape[{1}]; rest /= {0}.shape[{1}]; oo += c * {0}.strides[{1}];", name, j);
      for (const auto& [x, xt, offset] : {std::tuple{&a, at, "oa"}, std::tuple{&b, bt, "ob"}}) {
        const int axis = j - (batch - (x->ndim() - 2));
        if (axis >= 0 && !x->broadcastable()[axis]) cg.line("  {} += c * {}.strides[{}];", offset, xt, axis);
      }
      cg.line("}}");
    }
    // 2-d views of this batch element's matrices.
    for (const auto& [x, xt, view, offset] :
         {std::tuple{&a, at, "am", "oa"}, std::tuple{&b, bt, "bm", "ob"}, std::tuple{&out, name, "om", "oo"}}) {
      const int r = x->ndim();
      cg.line("hp_tensor {0}; {0}.data = {1}; {0}.ndim = 2;", view, CppEmitter::offset_data(xt, offset, out.dtype()));
      cg.line("{0}.shape[0] = {1}.shape[{2}]; {0}.shape[1] = {1}.shape[{3}]; {0}.strides[0] = {1}.strides[{2}]; "
              "{0}.strides[1] = {1}.strides[{3}];", view, xt, r - 2, r - 1);
    }
    cg.fail_if(fmt::format("hp_dot(ctx, {}, &am, &bm, &om)", CppEmitter::dtype_code(out.dtype())));
    cg.close();
    return true;
  }
};

}  // namespace

Var dot(const Var& a, const Var& b) {
  // numpy.dot with a scalar operand is multiplication.
  // (make_apply names a null operand.)
  if (!a.is_null() && !b.is_null() && (a.ndim() == 0 || b.ndim() == 0)) return mul(a, b);
  // Higher ranks, as numpy.dot (and Theano): a's last axis with b's second-to-last.
  if (!a.is_null() && !b.is_null() && (a.ndim() > 2 || b.ndim() > 2)) {
    return tensordot(a, b, {a.ndim() - 1}, {b.ndim() >= 2 ? b.ndim() - 2 : 0});
  }
  return make_apply(std::make_shared<DotOp>(), {a, b});
}

Var matmul(const Var& a, const Var& b) {
  if (a.is_null() || b.is_null()) throw Error(fmt::format("matmul: input {} is a null hp::Var", a.is_null() ? 0 : 1));
  if (a.ndim() == 0 || b.ndim() == 0) {
    throw TypeError(fmt::format("matmul: scalar operands are not allowed (got {} and {}); use *",
                                a.type().str(), b.type().str()));
  }
  if (a.ndim() <= 2 && b.ndim() <= 2) return make_apply(std::make_shared<DotOp>(), {a, b});
  // A vector is a matrix with one row (a) or one column (b), dropped from the result.
  const Var a2 = a.ndim() == 1 ? dimshuffle(a, {newaxis, 0}) : a;
  const Var b2 = b.ndim() == 1 ? dimshuffle(b, {0, newaxis}) : b;
  const Var product = make_apply(std::make_shared<MatMulOp>(), {a2, b2});
  std::vector<int> keep;
  for (int j = 0; j < product.ndim(); ++j) {
    const bool dropped = (a.ndim() == 1 && j == product.ndim() - 2) || (b.ndim() == 1 && j == product.ndim() - 1);
    if (!dropped) keep.push_back(j);
  }
  return static_cast<int>(keep.size()) == product.ndim() ? product : dimshuffle(product, keep);
}

Var tensordot(const Var& a, const Var& b, const std::vector<int>& axes_a, const std::vector<int>& axes_b) {
  if (a.is_null() || b.is_null()) {
    throw Error(fmt::format("tensordot: input {} is a null hp::Var", a.is_null() ? 0 : 1));
  }
  if (axes_a.size() != axes_b.size()) {
    throw TypeError(fmt::format("tensordot: {} axes of the first operand but {} of the second", axes_a.size(),
                                axes_b.size()));
  }
  auto normalized = [](const Var& x, const std::vector<int>& axes, int position) {
    std::vector<int> out;
    std::vector<bool> seen(static_cast<std::size_t>(x.ndim()), false);
    for (int axis : axes) {
      const int n = normalize_axis("tensordot", axis, x.ndim());
      if (seen[n]) throw TypeError(fmt::format("tensordot: axis {} of input {} is given twice", axis, position));
      seen[n] = true;
      out.push_back(n);
    }
    std::vector<int> free;
    for (int d = 0; d < x.ndim(); ++d) {
      if (!seen[d]) free.push_back(d);
    }
    return std::pair{out, free};
  };
  const auto [sa, fa] = normalized(a, axes_a, 0);
  const auto [sb, fb] = normalized(b, axes_b, 1);
  const Var shape_a = shape(a), shape_b = shape(b);
  auto product_of = [](const Var& dims, const std::vector<int>& axes) {
    Var p = constant(Array(std::int64_t{1}));
    for (int d : axes) p = p * dims[d];
    return p;
  };
  // a as (free, summed) and b as (summed, free) matrices: one BLAS product.
  std::vector<int> perm_a = fa, perm_b = sb;
  perm_a.insert(perm_a.end(), sa.begin(), sa.end());
  perm_b.insert(perm_b.end(), fb.begin(), fb.end());
  // b's summed axes must match a's one by one (not only in their product).
  std::vector<Var> b_sizes;
  for (int d : sa) b_sizes.push_back(shape_a[d]);
  for (int d : fb) b_sizes.push_back(shape_b[d]);
  const Var bt = specify_shape(transpose(b, perm_b), b_sizes);
  const Var summed = product_of(shape_a, sa);
  const Var a2 = reshape_to(transpose(a, perm_a), {product_of(shape_a, fa), summed});
  const Var b2 = reshape_to(bt, {summed, product_of(shape_b, fb)});
  std::vector<Var> out_sizes;
  for (int d : fa) out_sizes.push_back(shape_a[d]);
  for (int d : fb) out_sizes.push_back(shape_b[d]);
  return reshape_to(make_apply(std::make_shared<DotOp>(), {a2, b2}), out_sizes);
}

Var tensordot(const Var& a, const Var& b, int n) {
  if (a.is_null() || b.is_null()) {
    throw Error(fmt::format("tensordot: input {} is a null hp::Var", a.is_null() ? 0 : 1));
  }
  if (n < 0 || n > a.ndim() || n > b.ndim()) {
    throw TypeError(fmt::format("tensordot: cannot sum over {} axes of operands of ranks {} and {}", n, a.ndim(),
                                b.ndim()));
  }
  std::vector<int> axes_a, axes_b;
  for (int i = 0; i < n; ++i) {
    axes_a.push_back(a.ndim() - n + i);
    axes_b.push_back(i);
  }
  return tensordot(a, b, axes_a, axes_b);
}

Var batched_dot(const Var& a, const Var& b) {
  if (a.is_null() || b.is_null()) {
    throw Error(fmt::format("batched_dot: input {} is a null hp::Var", a.is_null() ? 0 : 1));
  }
  if (a.ndim() < 2 || b.ndim() < 2) {
    throw TypeError(fmt::format("batched_dot: both operands need a batch axis and at least one more (got {} and {})",
                                a.type().str(), b.type().str()));
  }
  // Theano's batched_dot: a[i] . b[i] for each i of the first axis.
  if (a.ndim() == 2 && b.ndim() == 2) return sum(a * b, 1);  // batched vector . vector
  if (a.ndim() == 2) return matmul(dimshuffle(a, {0, newaxis, 1}), b).operator[]({slice(), 0});
  if (b.ndim() == 2) return matmul(a, dimshuffle(b, {0, 1, newaxis})).operator[]({slice(), slice(), 0});
  if (a.ndim() > 3 || b.ndim() > 3) {
    throw TypeError(fmt::format("batched_dot: operands of rank 2 or 3 (got {} and {}); use matmul for more batch axes",
                                a.type().str(), b.type().str()));
  }
  return matmul(a, b);
}

bool is_dot(const Op& op) { return dynamic_cast<const DotOp*>(&op) != nullptr; }
bool is_gemm(const Op& op) { return dynamic_cast<const GemmOp*>(&op) != nullptr; }

Var gemm(const Var& C, const Var& alpha, const Var& A, const Var& B, const Var& beta) {
  const bool vector = A.ndim() == 1 || B.ndim() == 1;
  return make_apply(std::make_shared<GemmOp>(vector), {C, alpha, A, B, beta});
}

}  // namespace hypatia
