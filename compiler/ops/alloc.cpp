/// Shapes given by scalars: Alloc (a value broadcast to a shape whose sizes
/// are symbolic or C++ numbers: zeros, ones, full, alloc, broadcast_to) and
/// SpecifyShape (x itself, checked to have the given sizes when it runs).
#include <memory>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/elemwise.hpp"
#include "hypatia/config.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

/// The sizes inputs[first...] must be integer scalars.
void check_sizes(const Op& op, const std::vector<Var>& inputs, std::size_t first) {
  for (std::size_t i = first; i < inputs.size(); ++i) {
    const Var& d = inputs[i];
    if (d.ndim() != 0 || !is_integer(d.dtype())) {
      throw TypeError(fmt::format("{}: size {} (input {}) must be an integer scalar, got {}",
                                  describe_operands(op, inputs), i - first, i, d.type().str()));
    }
  }
}

/// A constant size, or nullopt for a symbolic one.
std::optional<std::int64_t> constant_size(const Var& d) {
  if (!d.is_constant()) return std::nullopt;
  return d.constant_value().get_flat_int(0);
}

/// The C++ expression of scalar input `d` as an hp_i64.
std::string size_load(CppEmitter& cg, const Var& d) {
  const std::string load = d.is_constant() ? CppEmitter::literal(d.constant_value())
                                           : fmt::format("((const {}*){}.data)[0]", CppEmitter::c_type(d.dtype()),
                                                         cg.tensor(d));
  return CppEmitter::convert(load, d.dtype(), DType::Int64);
}

/// "[1, 0]": a broadcast pattern in an op's key.
std::string pattern_key(const std::vector<bool>& bc) {
  std::string text = "[";
  for (std::size_t i = 0; i < bc.size(); ++i) text += (i ? ", " : "") + std::string(bc[i] ? "1" : "0");
  return text + "]";
}

/// The broadcast pattern sizes give when the node is made: a constant 1 is
/// broadcastable. Kept by the op, so that a rewrite that later finds a
/// symbolic size to be 1 does not change the node's type.
std::vector<bool> pattern_of_sizes(const std::vector<Var>& sizes) {
  std::vector<bool> bc;
  for (const Var& d : sizes) bc.push_back(!d.is_null() && d.ndim() == 0 && constant_size(d) == std::optional<std::int64_t>{1});
  return bc;
}

class AllocOp : public Op {
 public:
  explicit AllocOp(std::vector<bool> bc) : bc_(std::move(bc)) {}
  std::string name() const override { return "Alloc"; }
  std::string key() const override { return "Alloc" + pattern_key(bc_); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    check_sizes(*this, inputs, 1);
    const Var& value = inputs.at(0);
    const int ndim = static_cast<int>(inputs.size()) - 1;
    if (value.ndim() > ndim) {
      throw TypeError(fmt::format("{}: the value has rank {}, more than the {} sizes given",
                                  describe_operands(*this, inputs), value.ndim(), ndim));
    }
    if (static_cast<int>(bc_.size()) != ndim) throw Error("internal: Alloc's pattern and sizes differ");
    return TensorType(value.dtype(), bc_);
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array& value = inputs[0];
    const int ndim = static_cast<int>(inputs.size()) - 1;
    const int pad = ndim - value.ndim();
    Shape shape;
    for (int a = 0; a < ndim; ++a) {
      const std::int64_t n = inputs[a + 1].get_flat_int(0);
      if (n < 0) throw ShapeError(fmt::format("{}: size {} on axis {} is negative", node_str(node), n, a));
      shape.push_back(n);
    }
    for (int j = 0; j < value.ndim(); ++j) {
      const bool stretches = node.inputs()[0].broadcastable()[j];
      if (!stretches && value.shape()[j] != shape[pad + j]) {
        throw ShapeError(fmt::format(
            "{}: the value has shape {}, whose axis {} ({}) differs from size {} on axis {} (only axes "
            "the value's type marks broadcastable stretch)",
            node_str(node), shape_str(value.shape()), j, value.shape()[j], shape[pad + j], pad + j));
      }
    }
    Array out(shape, node.output().dtype());
    if (out.size() == 0) return out;
    // Axes of length 1 stretch; the checks above keep every other axis equal.
    Shape value_shape(pad, 1);
    for (int j = 0; j < value.ndim(); ++j) value_shape.push_back(value.shape()[j]);
    const Array source = value.reshape(value_shape).broadcast_to(shape);
    for (std::int64_t i = 0; i < out.size(); ++i) {
      if (is_float(out.dtype())) out.set_flat_double(i, source.get_flat_double(i));
      else out.set_flat_int(i, source.get_flat_int(i));
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("alloc({})", fmt::join(args, ", "));
  }

  // The value's gradient sums over the axes it was stretched along; sizes get none.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    std::vector<InputGrad> grads(node.inputs().size(), InputGrad::zero());
    grads[0] = fit_grad_to(node.inputs()[0], g);
    return grads;
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var out = node.output();
    const Var& value = node.inputs()[0];
    const int ndim = out.ndim();
    const int pad = ndim - value.ndim();
    const std::string name = fmt::format("v{}", cg.node_index());
    std::vector<std::string> shape;
    for (int a = 0; a < ndim; ++a) {
      const std::string size = fmt::format("{}_d{}", name, a);
      cg.line("const hp_i64 {} = {};", size, size_load(cg, node.inputs()[a + 1]));
      cg.fail_if(size + " < 0");
      shape.push_back(size);
    }
    const bool literal = value.is_constant() && value.ndim() == 0;
    if (!literal) {
      for (int j = 0; j < value.ndim(); ++j) {
        if (!value.broadcastable()[j]) cg.fail_if(fmt::format("{}.shape[{}] != {}", cg.tensor(value), j, shape[pad + j]));
      }
    }
    cg.allocate(out, name, shape);
    const DType from = value.dtype(), to = out.dtype();
    auto expr = [&](const std::vector<std::string>& loads) { return CppEmitter::convert(loads[0], from, to); };
    cg.elementwise(name, to, ndim, loop_operands(cg, {value}), expr, false);
    return true;
  }

 private:
  std::vector<bool> bc_;
};

/// x, checked when it runs to have the given sizes (PyTensor's specify_shape):
/// a size that is a constant 1 also makes the axis broadcastable.
class SpecifyShapeOp : public Op {
 public:
  explicit SpecifyShapeOp(std::vector<bool> bc) : bc_(std::move(bc)) {}
  bool output_aliases_input() const override { return true; }
  std::string name() const override { return "SpecifyShape"; }
  std::string key() const override { return "SpecifyShape" + pattern_key(bc_); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    check_sizes(*this, inputs, 1);
    const Var& x = inputs.at(0);
    if (static_cast<int>(inputs.size()) - 1 != x.ndim()) {
      throw TypeError(fmt::format("{}: {} sizes given for a tensor of rank {}", describe_operands(*this, inputs),
                                  inputs.size() - 1, x.ndim()));
    }
    std::vector<bool> bc = x.broadcastable();
    for (int a = 0; a < x.ndim() && a < static_cast<int>(bc_.size()); ++a) bc[a] = bc[a] || bc_[a];
    return TensorType(x.dtype(), bc);
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array& x = inputs[0];
    for (int a = 0; a < x.ndim(); ++a) {
      const std::int64_t n = inputs[a + 1].get_flat_int(0);
      if (x.shape()[a] != n) {
        throw ShapeError(fmt::format("{}: {} has shape {}, but axis {} must have length {}", node_str(node),
                                     node_text(node.inputs()[0], 1), shape_str(x.shape()), a, n));
      }
    }
    return x;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("specify_shape({})", fmt::join(args, ", "));
  }

  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    std::vector<InputGrad> grads(node.inputs().size(), InputGrad::zero());
    grads[0] = fit_grad_to(node.inputs()[0], g);
    return grads;
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const std::string xt = cg.tensor(x);
    for (int a = 0; a < x.ndim(); ++a) {
      cg.fail_if(fmt::format("{}.shape[{}] != {}", xt, a, size_load(cg, node.inputs()[a + 1])));
    }
    cg.bind(node.output(), xt);
    return true;
  }

 private:
  std::vector<bool> bc_;
};

std::vector<Var> with_sizes(const Var& first, const std::vector<Var>& sizes, const char* op) {
  if (first.is_null()) throw Error(fmt::format("{}: input 0 is a null hp::Var", op));
  std::vector<Var> inputs = {first};
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i].is_null()) throw Error(fmt::format("{}: size {} is a null hp::Var", op, i));
    inputs.push_back(sizes[i]);
  }
  return inputs;
}

/// The value in `dtype`; without one, a C++ float in floatX and a C++ integer
/// in int64 (numpy's full(shape, 7) is int64).
Var fill_value(const Var& value, std::optional<DType> dtype) {
  DType target = value.dtype();
  if (dtype) target = *dtype;
  else if (value.is_weak_literal() && is_float(value.dtype())) target = config().floatX;
  else if (value.is_weak_literal() && is_integer(value.dtype())) target = DType::Int64;
  return value.dtype() == target && !value.is_weak_literal() ? value : cast(value, target);
}

}  // namespace

Var alloc(const Var& value, const std::vector<Var>& shape) {
  std::vector<Var> inputs = with_sizes(value, shape, "alloc");
  return make_apply(std::make_shared<AllocOp>(pattern_of_sizes(shape)), inputs);
}

Var specify_shape(const Var& x, const std::vector<Var>& shape) {
  std::vector<Var> inputs = with_sizes(x, shape, "specify_shape");
  return make_apply(std::make_shared<SpecifyShapeOp>(pattern_of_sizes(shape)), inputs);
}

Var full(const std::vector<Var>& shape, const Var& value, std::optional<DType> dtype) {
  if (value.is_null()) throw Error("full: the value is a null hp::Var");
  if (value.ndim() != 0) throw TypeError(fmt::format("full: the value must be a scalar, got {}", value.type().str()));
  return alloc(fill_value(value, dtype), shape);
}

Var zeros(const std::vector<Var>& shape, std::optional<DType> dtype) {
  return alloc(constant(Array(0.0).astype(dtype.value_or(config().floatX))), shape);
}

Var ones(const std::vector<Var>& shape, std::optional<DType> dtype) {
  return alloc(constant(Array(1.0).astype(dtype.value_or(config().floatX))), shape);
}

Var broadcast_to(const Var& x, const std::vector<Var>& shape) { return alloc(x, shape); }

Var fill(const Var& model, const Var& value) { return elemwise("second", {model, value}); }

}  // namespace hypatia
