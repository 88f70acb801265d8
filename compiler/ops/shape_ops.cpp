/// Shape manipulation: dimshuffle (transpose, new and dropped broadcastable
/// axes), reshape, flatten, concatenate and shape.
#include <algorithm>
#include <memory>
#include <numeric>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/shape_ops.hpp"
#include "hypatia/config.hpp"
#include "hypatia/ops.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {
namespace {

std::string pattern_text(const std::vector<int>& pattern) {
  std::vector<std::string> parts;
  for (int p : pattern) parts.push_back(p == newaxis ? "x" : std::to_string(p));
  return fmt::format("{}", fmt::join(parts, ","));
}

Var reshape_like(const Var& g, const Var& like);

/// Emits `name` as x with the given shape: a view when x is contiguous, else
/// a view of a contiguous copy. The caller has checked the sizes agree.
void emit_reshape(CppEmitter& cg, const Var& x, const std::string& name, const std::vector<std::string>& shape) {
  const std::string xt = cg.tensor(x);
  cg.line("hp_tensor {};", name);
  cg.open(fmt::format("if (hp_is_contiguous({}))", xt));
  cg.line("{}.data = {}.data;", name, xt);
  cg.close();
  cg.open("else");
  cg.contiguous_copy(name + "_c", xt, x.dtype(), x.dtype(), x.ndim());
  cg.line("{}.data = {}_c.data;", name, name);
  cg.close();
  cg.line("{}.ndim = {};", name, shape.size());
  for (std::size_t i = 0; i < shape.size(); ++i) cg.line("{}.shape[{}] = {};", name, i, shape[i]);
  cg.line("hp_set_contiguous_strides({});", name);
}

/// g reshaped to the shape of `like` (a gradient flowing back through a
/// reshape or flatten): same size, `like`'s broadcast pattern.
class ReshapeLikeOp : public Op {
 public:
  bool output_aliases_input() const override { return true; }
  std::string name() const override { return "ReshapeLike"; }
  TensorType infer_type(const std::vector<Var>& inputs) const override {
    return TensorType(inputs.at(0).dtype(), inputs.at(1).broadcastable());
  }
  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    if (inputs[0].size() != inputs[1].size()) {
      throw ShapeError(fmt::format("{}: cannot reshape shape {} like shape {}", node_str(node),
                                   shape_str(inputs[0].shape()), shape_str(inputs[1].shape())));
    }
    return inputs[0].reshape(inputs[1].shape());
  }
  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("reshape_like({}, {})", args[0], args[1]);
  }
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    return {fit_grad_to(node.inputs()[0], reshape_like(g, node.inputs()[0])), InputGrad::zero()};
  }
  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const std::string like = cg.tensor(node.inputs()[1]);
    cg.fail_if(fmt::format("hp_size({}) != hp_size({})", cg.tensor(node.inputs()[0]), like));
    std::vector<std::string> shape;
    for (int a = 0; a < node.inputs()[1].ndim(); ++a) shape.push_back(fmt::format("{}.shape[{}]", like, a));
    const std::string name = fmt::format("v{}", cg.node_index());
    emit_reshape(cg, node.inputs()[0], name, shape);
    cg.bind(node.output(), name);
    return true;
  }
};

/// x with another broadcast pattern (Theano's Rebroadcast): axes marked
/// broadcastable must have length 1 at run time (hp::ShapeError otherwise).
class RebroadcastOp : public Op {
 public:
  bool output_aliases_input() const override { return true; }
  explicit RebroadcastOp(std::vector<bool> pattern) : pattern_(std::move(pattern)) {}

  std::string name() const override {
    return fmt::format("Rebroadcast{{{}}}", pattern_str(pattern_));
  }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& x = inputs.at(0);
    if (x.ndim() != static_cast<int>(pattern_.size())) {
      throw TypeError(fmt::format("{}: a pattern of {} axes for a tensor of rank {}", describe_operands(*this, inputs),
                                  pattern_.size(), x.ndim()));
    }
    return TensorType(x.dtype(), pattern_);
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    for (std::size_t a = 0; a < pattern_.size(); ++a) {
      if (pattern_[a] && inputs[0].shape()[a] != 1) {
        throw ShapeError(fmt::format("{}: axis {} is declared broadcastable but has length {} (shape {})",
                                     node_str(node), a, inputs[0].shape()[a], shape_str(inputs[0].shape())));
      }
    }
    return inputs[0];
  }

  std::string pretty(const std::vector<std::string>& args) const override { return args[0]; }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const std::string xt = cg.tensor(node.inputs()[0]);
    for (std::size_t a = 0; a < pattern_.size(); ++a) {
      if (pattern_[a]) cg.fail_if(fmt::format("{}.shape[{}] != 1", xt, a));
    }
    cg.bind(node.output(), xt);
    return true;
  }

  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    return {fit_grad_to(node.inputs()[0], g)};
  }

 private:
  std::vector<bool> pattern_;
};

Var reshape_like(const Var& g, const Var& like) {
  return make_apply(std::make_shared<ReshapeLikeOp>(), {g, like});
}

/// Part k of a concatenation's gradient: inputs are (g, x_0, ..., x_n-1), of
/// which only the shapes of the x's are read.
class JoinPartOp : public Op {
 public:
  bool output_aliases_input() const override { return true; }
  JoinPartOp(int axis, int k) : axis_(axis), k_(k) {}
  std::string name() const override { return fmt::format("JoinPart{{axis={}, part={}}}", axis_, k_); }
  std::string key() const override { return name(); }
  TensorType infer_type(const std::vector<Var>& inputs) const override {
    return TensorType(inputs.at(0).dtype(), inputs.at(1 + k_).broadcastable());
  }
  Array perform(const Apply&, const std::vector<Array>& inputs) const override {
    std::int64_t start = 0;
    for (int j = 0; j < k_; ++j) start += inputs[1 + j].shape()[axis_];
    return inputs[0].slice(axis_, start, start + inputs[1 + k_].shape()[axis_]);
  }
  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("join_part({}, axis={}, part={})", args[0], axis_, k_);
  }
  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const std::string g = cg.tensor(node.inputs()[0]);
    std::string start = "0";
    for (int j = 0; j < k_; ++j) start += fmt::format(" + {}.shape[{}]", cg.tensor(node.inputs()[1 + j]), axis_);
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.line("hp_tensor {} = {};", name, g);
    cg.line("{}.shape[{}] = {}.shape[{}];", name, axis_, cg.tensor(node.inputs()[1 + k_]), axis_);
    cg.line("{}.data = {};", name, CppEmitter::offset_data(g, fmt::format("({}) * {}.strides[{}]", start, g, axis_), node.inputs()[0].dtype()));
    cg.bind(node.output(), name);
    return true;
  }

  // Linear in g: the part's gradient placed in its stretch, zeros elsewhere.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    std::vector<Var> pieces;
    for (std::size_t j = 1; j < node.inputs().size(); ++j) {
      const Var& x = node.inputs()[j];
      pieces.push_back(static_cast<int>(j) == 1 + k_ ? g : cast(zeros_like(x), g.dtype()));
    }
    std::vector<InputGrad> grads(node.inputs().size(), InputGrad::zero());
    grads[0] = fit_grad_to(node.inputs()[0], concatenate(pieces, axis_));
    return grads;
  }

 private:
  int axis_;
  int k_;
};

class DimShuffleOp : public Op {
 public:
  bool output_aliases_input() const override { return true; }
  explicit DimShuffleOp(std::vector<int> pattern) : pattern_(std::move(pattern)) {}
  const std::vector<int>& pattern() const { return pattern_; }

  std::string name() const override { return fmt::format("DimShuffle{{{}}}", pattern_text(pattern_)); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& x = inputs.at(0);
    std::vector<bool> used(x.ndim(), false);
    std::vector<bool> bc;
    for (int p : pattern_) {
      if (p == newaxis) {
        bc.push_back(true);
        continue;
      }
      if (p < 0 || p >= x.ndim() || used[p]) {
        throw TypeError(fmt::format("{}: pattern entry {} is out of range or repeated for rank {}",
                                    describe_operands(*this, inputs), p, x.ndim()));
      }
      used[p] = true;
      bc.push_back(x.broadcastable()[p]);
    }
    for (int i = 0; i < x.ndim(); ++i) {
      if (!used[i] && !x.broadcastable()[i]) {
        throw TypeError(fmt::format("{}: axis {} is dropped but is not broadcastable",
                                    describe_operands(*this, inputs), i));
      }
    }
    return TensorType(x.dtype(), bc);
  }

  Array perform(const Apply&, const std::vector<Array>& inputs) const override {
    Array x = inputs[0];
    std::vector<int> kept;
    for (int p : pattern_) {
      if (p != newaxis) kept.push_back(p);
    }
    // Drop the (size-1) axes the pattern leaves out, highest first so indices stay valid.
    std::vector<int> remaining(x.ndim());
    std::iota(remaining.begin(), remaining.end(), 0);
    for (int i = x.ndim() - 1; i >= 0; --i) {
      if (std::find(kept.begin(), kept.end(), i) == kept.end()) {
        x = x.index(i, 0);
        remaining.erase(remaining.begin() + i);
      }
    }
    std::vector<int> perm;
    for (int p : kept) perm.push_back(static_cast<int>(std::find(remaining.begin(), remaining.end(), p) - remaining.begin()));
    x = x.transpose(perm);
    Shape shape;
    int next = 0;
    for (int p : pattern_) shape.push_back(p == newaxis ? 1 : x.shape()[next++]);
    return x.reshape(shape);
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("{}.dimshuffle({})", args[0], pattern_text(pattern_));
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const std::string xt = cg.tensor(node.inputs()[0]);
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.line("hp_tensor {};", name);
    cg.line("{}.data = {}.data;", name, xt);
    cg.line("{}.ndim = {};", name, pattern_.size());
    for (std::size_t i = 0; i < pattern_.size(); ++i) {
      if (pattern_[i] == newaxis) {
        cg.line("{0}.shape[{1}] = 1; {0}.strides[{1}] = 0;", name, i);
      } else {
        cg.line("{0}.shape[{1}] = {2}.shape[{3}]; {0}.strides[{1}] = {2}.strides[{3}];", name, i, xt, pattern_[i]);
      }
    }
    cg.bind(node.output(), name);
    return true;
  }

  // The inverse shuffle: new axes summed away (they have size 1), kept axes
  // put back in input order, dropped (broadcastable) axes restored.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    const Var& x = node.inputs()[0];
    std::vector<int> new_axes, kept;
    for (int i = 0; i < static_cast<int>(pattern_.size()); ++i) {
      if (pattern_[i] == newaxis) new_axes.push_back(i);
      else kept.push_back(pattern_[i]);
    }
    Var r = new_axes.empty() ? g : sum(g, new_axes);
    std::vector<int> back;
    for (int a = 0; a < x.ndim(); ++a) {
      auto it = std::find(kept.begin(), kept.end(), a);
      back.push_back(it == kept.end() ? newaxis : static_cast<int>(it - kept.begin()));
    }
    return {fit_grad_to(x, dimshuffle(r, back))};
  }

 private:
  std::vector<int> pattern_;
};

class ReshapeOp : public Op {
 public:
  bool output_aliases_input() const override { return true; }
  explicit ReshapeOp(Shape shape) : shape_(std::move(shape)) {}
  const Shape& target() const { return shape_; }

  std::string name() const override { return fmt::format("Reshape{{{}}}", fmt::join(shape_, ",")); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& x = inputs.at(0);
    if (std::count(shape_.begin(), shape_.end(), -1) > 1 ||
        std::any_of(shape_.begin(), shape_.end(), [](std::int64_t d) { return d < -1; })) {
      throw TypeError(fmt::format("{}: bad target shape {} (sizes must be >= 0, with at most one -1)",
                                  describe_operands(*this, inputs), shape_str(shape_)));
    }
    std::vector<bool> bc;
    for (auto d : shape_) bc.push_back(d == 1);
    return TensorType(x.dtype(), bc);
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    try {
      return inputs[0].reshape(shape_);
    } catch (const ShapeError&) {
      throw ShapeError(fmt::format("{}: cannot reshape an array of shape {} (size {}) into shape {}",
                                   node_str(node), shape_str(inputs[0].shape()), inputs[0].size(),
                                   shape_str(shape_)));
    }
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("reshape({}, {})", args[0], shape_str(shape_));
  }

  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    return {fit_grad_to(node.inputs()[0], reshape_like(g, node.inputs()[0]))};
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const std::string xt = cg.tensor(node.inputs()[0]);
    std::int64_t known = 1;
    int unknown = -1;
    for (std::size_t i = 0; i < shape_.size(); ++i) {
      if (shape_[i] == -1) unknown = static_cast<int>(i);
      else known *= shape_[i];
    }
    std::vector<std::string> shape;
    for (auto d : shape_) shape.push_back(fmt::format("{}", d));
    if (unknown >= 0) {
      cg.fail_if(fmt::format("{0} == 0 || hp_size({1}) % {0} != 0", known, xt));
      shape[unknown] = fmt::format("hp_size({}) / {}", xt, known);
    } else {
      cg.fail_if(fmt::format("hp_size({}) != {}", xt, known));
    }
    const std::string name = fmt::format("v{}", cg.node_index());
    emit_reshape(cg, node.inputs()[0], name, shape);
    cg.bind(node.output(), name);
    return true;
  }

 private:
  Shape shape_;
};

/// x reshaped to sizes given by integer scalars (symbolic or constant), the
/// same number of elements: a view where x is contiguous.
class ReshapeToOp : public Op {
 public:
  /// `bc`: the sizes that were the constant 1 when the node was made (kept,
  /// so that a rewrite finding a symbolic size to be 1 keeps the type).
  explicit ReshapeToOp(std::vector<bool> bc) : bc_(std::move(bc)) {}
  bool output_aliases_input() const override { return true; }
  std::string name() const override { return "ReshapeTo"; }
  std::string key() const override {
    std::string k = "ReshapeTo[";
    for (std::size_t i = 0; i < bc_.size(); ++i) k += (i ? ", " : "") + std::string(bc_[i] ? "1" : "0");
    return k + "]";
  }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    std::vector<bool> bc;
    for (std::size_t i = 1; i < inputs.size(); ++i) {
      const Var& d = inputs[i];
      if (d.ndim() != 0 || !is_integer(d.dtype())) {
        throw TypeError(fmt::format("{}: size {} must be an integer scalar, got {}", describe_operands(*this, inputs),
                                    i - 1, d.type().str()));
      }
    }
    if (bc_.size() + 1 != inputs.size()) throw Error("internal: ReshapeTo's pattern and sizes differ");
    return TensorType(inputs.at(0).dtype(), bc_);
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    Shape shape;
    for (std::size_t i = 1; i < inputs.size(); ++i) shape.push_back(inputs[i].get_flat_int(0));
    std::int64_t size = 1;
    for (auto d : shape) size = d < 0 ? -1 : size * d;
    if (size != inputs[0].size()) {
      throw ShapeError(fmt::format("{}: cannot reshape an array of shape {} (size {}) into shape {}", node_str(node),
                                   shape_str(inputs[0].shape()), inputs[0].size(), shape_str(shape)));
    }
    return inputs[0].reshape(shape);
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("reshape({}, ({}))", args[0],
                       fmt::join(std::vector<std::string>(args.begin() + 1, args.end()), ", "));
  }

  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    std::vector<InputGrad> grads(node.inputs().size(), InputGrad::zero());
    grads[0] = fit_grad_to(node.inputs()[0], reshape_like(g, node.inputs()[0]));
    return grads;
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const std::string xt = cg.tensor(node.inputs()[0]);
    const std::string name = fmt::format("v{}", cg.node_index());
    std::vector<std::string> shape;
    std::string product = "1";
    for (std::size_t i = 1; i < node.inputs().size(); ++i) {
      const Var& d = node.inputs()[i];
      const std::string load = d.is_constant() ? CppEmitter::literal(d.constant_value())
                                               : fmt::format("((const {}*){}.data)[0]", CppEmitter::c_type(d.dtype()),
                                                             cg.tensor(d));
      const std::string size = fmt::format("{}_d{}", name, i - 1);
      cg.line("const hp_i64 {} = {};", size, CppEmitter::convert(load, d.dtype(), DType::Int64));
      cg.fail_if(size + " < 0");
      shape.push_back(size);
      product += " * " + size;
    }
    cg.fail_if(fmt::format("hp_size({}) != {}", xt, product));
    emit_reshape(cg, node.inputs()[0], name, shape);
    cg.bind(node.output(), name);
    return true;
  }

 private:
  std::vector<bool> bc_;
};

class FlattenOp : public Op {
 public:
  bool output_aliases_input() const override { return true; }
  explicit FlattenOp(int ndim) : ndim_(ndim) {}

  std::string name() const override { return fmt::format("Flatten{{{}}}", ndim_); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& x = inputs.at(0);
    if (ndim_ < 1 || ndim_ > std::max(x.ndim(), 1)) {
      throw TypeError(fmt::format("{}: ndim must be between 1 and the input's rank {}",
                                  describe_operands(*this, inputs), x.ndim()));
    }
    // Var::broadcastable() returns a copy: iterate one vector, not two temporaries.
    const std::vector<bool>& in_bc = x.type().broadcastable;
    std::vector<bool> bc(in_bc.begin(), in_bc.begin() + (ndim_ - 1));
    bool last = true;
    for (int i = ndim_ - 1; i < x.ndim(); ++i) last = last && in_bc[i];
    bc.push_back(last);
    return TensorType(x.dtype(), bc);
  }

  Array perform(const Apply&, const std::vector<Array>& inputs) const override {
    const Array& x = inputs[0];
    Shape shape(x.shape().begin(), x.shape().begin() + std::min<int>(ndim_ - 1, x.ndim()));
    shape.push_back(-1);
    if (x.size() == 0) {  // -1 is ambiguous for empty arrays: compute the last size
      std::int64_t rest = 1;
      for (int i = ndim_ - 1; i < x.ndim(); ++i) rest *= x.shape()[i];
      shape.back() = rest;
    }
    return x.reshape(shape);
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return ndim_ == 1 ? fmt::format("flatten({})", args[0])
                      : fmt::format("flatten({}, {})", args[0], ndim_);
  }

  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    return {fit_grad_to(node.inputs()[0], reshape_like(g, node.inputs()[0]))};
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const std::string xt = cg.tensor(x);
    std::vector<std::string> shape;
    for (int a = 0; a < ndim_ - 1 && a < x.ndim(); ++a) shape.push_back(fmt::format("{}.shape[{}]", xt, a));
    std::string rest = "1";
    for (int a = ndim_ - 1; a < x.ndim(); ++a) rest += fmt::format(" * {}.shape[{}]", xt, a);
    shape.push_back(rest);
    const std::string name = fmt::format("v{}", cg.node_index());
    emit_reshape(cg, x, name, shape);
    cg.bind(node.output(), name);
    return true;
  }

 private:
  int ndim_;
};

class ConcatenateOp : public Op {
 public:
  /// floatX is read here, when the node is made (README: "floatX").
  explicit ConcatenateOp(int axis) : axis_(axis), weak_float_dtype_(config().floatX) {}
  int axis() const { return axis_; }

  std::string name() const override { return fmt::format("Join{{axis={}}}", axis_); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    if (inputs.empty()) throw TypeError("Join: concatenate needs at least one tensor");
    const int ndim = inputs[0].ndim();
    // As Theano's Join: off the joined axis, one broadcastable operand makes
    // the result broadcastable there, since every operand must then have
    // length 1 on it (run time checks that the lengths agree).
    std::vector<bool> bc(ndim, false);
    for (const Var& x : inputs) {
      if (x.ndim() != ndim || ndim == 0) {
        throw TypeError(fmt::format("{}: all operands must have the same rank >= 1",
                                    describe_operands(*this, inputs)));
      }
      for (int i = 0; i < ndim; ++i) bc[i] = bc[i] || x.broadcastable()[i];
    }
    if (axis_ >= ndim) {
      throw TypeError(fmt::format("{}: axis {} is out of range for rank {}",
                                  describe_operands(*this, inputs), axis_, ndim));
    }
    if (inputs.size() > 1) bc[axis_] = false;
    return TensorType(promote_operands(inputs, weak_float_dtype_), bc);
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    Shape shape = inputs[0].shape();
    shape[axis_] = 0;
    for (const Array& x : inputs) {
      for (int i = 0; i < x.ndim(); ++i) {
        if (i != axis_ && x.shape()[i] != inputs[0].shape()[i]) {
          throw ShapeError(fmt::format("{}: shapes {} and {} differ on axis {} (joining on axis {})",
                                       node_str(node), shape_str(inputs[0].shape()),
                                       shape_str(x.shape()), i, axis_));
        }
      }
      if (__builtin_add_overflow(shape[axis_], x.shape()[axis_], &shape[axis_])) {
        throw ShapeError(fmt::format("{}: the joined length on axis {} overflows int64 (adding an input of shape {})",
                                     node_str(node), axis_, shape_str(x.shape())));
      }
    }
    Array out(shape, node.output().dtype());
    std::int64_t start = 0;
    const bool in_float = is_float(out.dtype());
    for (const Array& x : inputs) {
      const std::int64_t len = x.shape()[axis_];
      Array region = out.slice(axis_, start, start + len);
      for (std::int64_t i = 0; i < region.size(); ++i) {
        if (in_float) region.set_flat_double(i, x.get_flat_double(i));
        else region.set_flat_int(i, x.get_flat_int(i));
      }
      start += len;
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("concatenate([{}], axis={})", fmt::join(args, ", "), axis_);
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const auto& xs = node.inputs();
    const Var out = node.output();
    const std::string first = cg.tensor(xs[0]);
    const std::string length = fmt::format("joined{}", cg.node_index());
    cg.line("hp_i64 {} = 0;", length);
    for (const Var& x : xs) {
      const std::string t = cg.tensor(x);
      for (int a = 0; a < x.ndim(); ++a) {
        if (a != axis_) cg.fail_if(fmt::format("{}.shape[{}] != {}.shape[{}]", t, a, first, a));
      }
      cg.fail_if(fmt::format("__builtin_add_overflow({0}, {1}.shape[{2}], &{0})", length, t, axis_));
    }
    std::vector<std::string> shape;
    for (int a = 0; a < xs[0].ndim(); ++a) shape.push_back(a == axis_ ? length : fmt::format("{}.shape[{}]", first, a));
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.allocate(out, name, shape);
    cg.open("");
    cg.line("hp_i64 start = 0;");
    for (const Var& x : xs) {
      const std::string t = cg.tensor(x);
      cg.open("");
      cg.line("hp_tensor part = {};", name);
      cg.line("part.shape[{}] = {}.shape[{}];", axis_, t, axis_);
      cg.line("part.data = {};", CppEmitter::offset_data(name, fmt::format("start * {}.strides[{}]", name, axis_), out.dtype()));
      cg.line("hp_copy(&{}, {}, &part, {});", t, CppEmitter::dtype_code(x.dtype()), CppEmitter::dtype_code(out.dtype()));
      cg.line("start += part.shape[{}];", axis_);
      cg.close();
    }
    cg.close();
    return true;
  }

  // Each input gets its own stretch of the gradient along the axis.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    std::vector<Var> parts_inputs{g};
    parts_inputs.insert(parts_inputs.end(), node.inputs().begin(), node.inputs().end());
    std::vector<InputGrad> grads;
    for (std::size_t k = 0; k < node.inputs().size(); ++k) {
      const Var part = make_apply(std::make_shared<JoinPartOp>(axis_, static_cast<int>(k)), parts_inputs);
      grads.push_back(fit_grad_to(node.inputs()[k], part));
    }
    return grads;
  }

 private:
  int axis_;
  DType weak_float_dtype_;
};

class ShapeOp : public Op {
 public:
  std::string name() const override { return "Shape"; }
  TensorType infer_type(const std::vector<Var>&) const override {
    return TensorType(DType::Int64, {false});
  }
  Array perform(const Apply&, const std::vector<Array>& inputs) const override {
    return array(inputs[0].shape(), DType::Int64);
  }
  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("shape({})", args[0]);
  }
  std::vector<InputGrad> grad(const Apply&, const Var&) const override { return {InputGrad::zero()}; }
  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const std::string name = fmt::format("v{}", cg.node_index());
    cg.allocate(node.output(), name, {fmt::format("{}", x.ndim())});
    for (int a = 0; a < x.ndim(); ++a) cg.line("((hp_i64*){}.data)[{}] = {}.shape[{}];", name, a, cg.tensor(x), a);
    return true;
  }
};

}  // namespace

Var dimshuffle(const Var& x, const std::vector<int>& pattern) {
  return make_apply(std::make_shared<DimShuffleOp>(pattern), {x});
}

Var transpose(const Var& x) {
  if (x.is_null()) throw Error("transpose: input 0 is a null hp::Var");
  std::vector<int> perm(x.ndim());
  std::iota(perm.rbegin(), perm.rend(), 0);
  return dimshuffle(x, perm);
}

Var transpose(const Var& x, const std::vector<int>& perm) {
  if (x.is_null()) throw Error("transpose: input 0 is a null hp::Var");
  if (static_cast<int>(perm.size()) != x.ndim()) {
    throw TypeError(fmt::format("transpose: permutation of length {} for a tensor of rank {} ({})",
                                perm.size(), x.ndim(), x.type().str()));
  }
  std::vector<int> normalized;
  for (int p : perm) normalized.push_back(normalize_axis("transpose", p, x.ndim()));
  return dimshuffle(x, normalized);
}

Var reshape(const Var& x, const Shape& shape) {
  return make_apply(std::make_shared<ReshapeOp>(shape), {x});
}

Var flatten(const Var& x, int ndim) { return make_apply(std::make_shared<FlattenOp>(ndim), {x}); }

Var concatenate(const std::vector<Var>& xs, int axis) {
  if (xs.empty()) throw TypeError("concatenate: needs at least one tensor");
  if (xs[0].is_null()) throw Error("Join: input 0 is a null hp::Var");
  const int ndim = std::max(xs[0].ndim(), 1);
  return make_apply(std::make_shared<ConcatenateOp>(normalize_axis("Join", axis, ndim)), xs);
}

Var shape(const Var& x) { return make_apply(std::make_shared<ShapeOp>(), {x}); }

Var patternbroadcast(const Var& x, const std::vector<bool>& pattern) {
  if (x.is_null()) throw Error("patternbroadcast: input 0 is a null hp::Var");
  if (pattern == x.broadcastable()) return x;
  return make_apply(std::make_shared<RebroadcastOp>(pattern), {x});
}

Var unbroadcast(const Var& x, const std::vector<int>& axes) {
  if (x.is_null()) throw Error("unbroadcast: input 0 is a null hp::Var");
  std::vector<bool> pattern = x.broadcastable();
  for (int axis : axes) pattern[static_cast<std::size_t>(normalize_axis("unbroadcast", axis, x.ndim()))] = false;
  return patternbroadcast(x, pattern);
}

std::optional<std::vector<int>> dimshuffle_pattern(const Op& op) {
  const auto* d = dynamic_cast<const DimShuffleOp*>(&op);
  if (!d) return std::nullopt;
  return d->pattern();
}

std::optional<Shape> reshape_target(const Op& op) {
  const auto* r = dynamic_cast<const ReshapeOp*>(&op);
  if (!r) return std::nullopt;
  return r->target();
}

bool is_flatten(const Op& op) { return dynamic_cast<const FlattenOp*>(&op) != nullptr; }
bool is_shape(const Op& op) { return dynamic_cast<const ShapeOp*>(&op) != nullptr; }
bool is_reshape_like(const Op& op) { return dynamic_cast<const ReshapeLikeOp*>(&op) != nullptr; }

std::optional<int> concatenate_axis(const Op& op) {
  const auto* c = dynamic_cast<const ConcatenateOp*>(&op);
  if (!c) return std::nullopt;
  return c->axis();
}

Var reshape_as(const Var& x, const Var& like) { return reshape_like(x, like); }

Var reshape_to(const Var& x, const std::vector<Var>& sizes) {
  if (x.is_null()) throw Error("reshape: input 0 is a null hp::Var");
  std::vector<Var> inputs = {x};
  inputs.insert(inputs.end(), sizes.begin(), sizes.end());
  std::vector<bool> bc;
  for (const Var& d : sizes) {
    bc.push_back(!d.is_null() && d.is_constant() && d.ndim() == 0 && d.constant_value().get_flat_int(0) == 1);
  }
  return make_apply(std::make_shared<ReshapeToOp>(bc), inputs);
}

}  // namespace hypatia
