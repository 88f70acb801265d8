/// Indexing with constant integers and slices: x[1:3, 2], and the functional
/// updates set_subtensor / inc_subtensor that return a new tensor.
#include <algorithm>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/graph/describe.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/subtensor.hpp"
#include "hypatia/ops.hpp"
#include "hypatia/print.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {
namespace {

std::string index_text(const std::vector<Index>& indices) {
  std::vector<std::string> parts;
  for (const Index& idx : indices) {
    if (const auto* i = std::get_if<std::int64_t>(&idx)) {
      parts.push_back(std::to_string(*i));
      continue;
    }
    const Slice& s = std::get<Slice>(idx);
    auto part = [](const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : ""; };
    std::string text = fmt::format("{}:{}", part(s.start), part(s.stop));
    if (s.step) text += fmt::format(":{}", *s.step);
    parts.push_back(text);
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

/// The type of x[indices]; TypeError for too many indices or a zero step.
TensorType indexed_type(const std::string& op_name, const Var& x, const std::vector<Index>& indices) {
  if (static_cast<int>(indices.size()) > x.ndim()) {
    throw TypeError(fmt::format("{}: {} indices for a tensor of rank {} ({})", op_name,
                                indices.size(), x.ndim(), x.type().str()));
  }
  std::vector<bool> bc;
  for (int axis = 0; axis < x.ndim(); ++axis) {
    if (axis >= static_cast<int>(indices.size())) {
      bc.push_back(x.broadcastable()[axis]);
      continue;
    }
    if (std::holds_alternative<std::int64_t>(indices[axis])) continue;
    const Slice& s = std::get<Slice>(indices[axis]);
    if (s.step && *s.step == 0) throw TypeError(fmt::format("{}: slice step cannot be zero", op_name));
    bc.push_back(x.broadcastable()[axis] && keeps_length_one(s));
  }
  return TensorType(x.dtype(), bc);
}

/// x[indices] as a view of x; ShapeError for an integer index out of bounds.
Array index_array(const Apply& node, Array x, const std::vector<Index>& indices) {
  int axis = 0;
  for (const Index& idx : indices) {
    if (const auto* i = std::get_if<std::int64_t>(&idx)) {
      const std::int64_t size = x.shape()[axis];
      if (*i < -size || *i >= size) {
        throw IndexError(fmt::format("{}: index {} is out of bounds for axis {} of {} with size {}",
                                     node_str(node), *i, axis, describe_var(node.inputs()[0]), size));
      }
      x = x.index(axis, *i);
      continue;
    }
    const Slice& s = std::get<Slice>(idx);
    const std::int64_t step = s.step.value_or(1);
    const std::int64_t big = std::numeric_limits<std::int64_t>::max();
    const std::int64_t start = s.start.value_or(step > 0 ? 0 : big);
    const std::int64_t stop = s.stop.value_or(step > 0 ? big : -big);
    x = x.slice(axis, start, stop, step);
    ++axis;
  }
  return x;
}

/// Emits `name` as the view x[indices] (x of dtype `dtype`), failing on an
/// integer index out of bounds.
void emit_index_view(CppEmitter& cg, const std::string& x, DType dtype, int x_ndim,
                     const std::vector<Index>& indices, const std::string& name) {
  cg.line("hp_tensor {};", name);
  cg.open("");
  cg.line("hp_i64 offset = 0;");
  int out_axis = 0;
  for (int axis = 0; axis < x_ndim; ++axis) {
    const std::string size = fmt::format("{}.shape[{}]", x, axis);
    const std::string stride = fmt::format("{}.strides[{}]", x, axis);
    if (axis >= static_cast<int>(indices.size())) {
      cg.line("{0}.shape[{1}] = {2}; {0}.strides[{1}] = {3};", name, out_axis++, size, stride);
      continue;
    }
    if (const auto* i = std::get_if<std::int64_t>(&indices[axis])) {
      cg.fail_if(fmt::format("{0} < -{1} || {0} >= {1}", i64_literal(*i), size));
      cg.line("offset += ({0} < 0 ? {0} + {1} : {0}) * {2};", i64_literal(*i), size, stride);
      continue;
    }
    const Slice& sl = std::get<Slice>(indices[axis]);
    // A step longer than any axis picks one element at most, so clamping it
    // to 2^62 (more elements than any array holds) changes nothing and keeps
    // hp_slice's arithmetic from overflowing.
    constexpr std::int64_t kMaxStep = std::int64_t{1} << 62;
    const std::int64_t step = std::clamp<std::int64_t>(sl.step.value_or(1), -kMaxStep, kMaxStep);
    cg.open("");
    cg.line("hp_i64 first, length;");
    cg.line("hp_slice({}, {}, {}, {}, {}, {}, &first, &length);", size, sl.start ? "true" : "false",
            i64_literal(sl.start.value_or(0)), sl.stop ? "true" : "false", i64_literal(sl.stop.value_or(0)), step);
    cg.line("offset += first * {};", stride);
    if (step == 1 || step == -1) {
      cg.line("{0}.shape[{1}] = length; {0}.strides[{1}] = {2} * {3};", name, out_axis++, stride, step);
    } else {
      // One element or none has no use for the stride: not multiplying it then cannot overflow.
      cg.line("{0}.shape[{1}] = length; {0}.strides[{1}] = length > 1 ? {2} * {3} : {2};", name, out_axis++,
              stride, step);
    }
    cg.close();
  }
  cg.line("{}.ndim = {};", name, out_axis);
  cg.line("{}.data = {};", name, CppEmitter::offset_data(x, "offset", dtype));
  cg.close();
}

class SubtensorOp : public Op {
 public:
  bool output_aliases_input() const override { return true; }
  explicit SubtensorOp(std::vector<Index> indices) : indices_(std::move(indices)) {}
  const std::vector<Index>& indices() const { return indices_; }

  std::string name() const override { return fmt::format("Subtensor{{{}}}", index_text(indices_)); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    return indexed_type(name(), inputs.at(0), indices_);
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    return index_array(node, inputs[0], indices_);
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("{}[{}]", args[0], index_text(indices_));
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const std::string name = fmt::format("v{}", cg.node_index());
    emit_index_view(cg, cg.tensor(x), x.dtype(), x.ndim(), indices_, name);
    cg.bind(node.output(), name);
    return true;
  }

  // The gradient lands in the selected region of a zero tensor shaped like x.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override;

 private:
  std::vector<Index> indices_;
};

class IncSubtensorOp : public Op {
 public:
  IncSubtensorOp(std::vector<Index> indices, bool set) : indices_(std::move(indices)), set_(set) {}

  std::string name() const override {
    return fmt::format("{}{{{}}}", set_ ? "SetSubtensor" : "IncSubtensor", index_text(indices_));
  }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& x = inputs.at(0);
    check_update_value(*this, inputs, indexed_type(name(), x, indices_).ndim(),
                       fmt::format("x[{}]", index_text(indices_)));
    return x.type();
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    Array out = inputs[0].copy();
    Array region = index_array(node, out, indices_);
    check_value_fits(node, inputs[1], region.shape());
    // The value is stored in x's dtype: a C++ number in float32 is rounded first.
    const Array y = inputs[1].astype(out.dtype()).broadcast_to(region.shape());
    const bool in_float = is_float(out.dtype());
    for (std::int64_t i = 0; i < region.size(); ++i) {
      if (in_float) {
        // set stores y itself: 0.0 + y would turn -0.0 into +0.0.
        const double value = y.get_flat_double(i);
        region.set_flat_double(i, set_ ? value : region.get_flat_double(i) + value);
      } else {
        const std::int64_t base = set_ ? 0 : region.get_flat_int(i);
        region.set_flat_int(i, static_cast<std::int64_t>(static_cast<std::uint64_t>(base) +
                                                         static_cast<std::uint64_t>(y.get_flat_int(i))));
      }
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("{}({}[{}], {})", set_ ? "set_subtensor" : "inc_subtensor", args[0],
                       index_text(indices_), args[1]);
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const Var& y = node.inputs()[1];
    const Var out = node.output();
    const std::string xt = cg.tensor(x);
    const std::string name = fmt::format("v{}", cg.node_index());
    std::vector<std::string> shape;
    for (int a = 0; a < x.ndim(); ++a) shape.push_back(fmt::format("{}.shape[{}]", xt, a));
    cg.allocate(out, name, shape);
    cg.line("hp_copy(&{}, {}, &{}, {});", xt, CppEmitter::dtype_code(x.dtype()), name, CppEmitter::dtype_code(x.dtype()));
    const std::string region = name + "_region";
    emit_index_view(cg, name, x.dtype(), x.ndim(), indices_, region);
    const int region_ndim = indexed_type(this->name(), x, indices_).ndim();
    const bool literal = y.is_constant() && y.ndim() == 0;
    const std::string yt = literal ? "" : cg.tensor(y);
    // As elementwise ops: only axes the value's type marks broadcastable stretch.
    const int pad = region_ndim - y.ndim();
    for (int i = 0; i < y.ndim(); ++i) {
      if (!literal && !y.type().broadcastable[i]) {
        cg.fail_if(fmt::format("{}.shape[{}] != {}.shape[{}]", yt, i, region, pad + i));
      }
    }
    const DType xd = x.dtype();
    const DType acc = is_float(xd) ? DType::Float64 : DType::Int64;
    std::vector<LoopOperand> operands{{region, xd, std::vector<bool>(region_ndim, false), ""},
                                      {yt, y.dtype(), y.type().broadcastable,
                                       literal ? CppEmitter::literal(y.constant_value()) : ""}};
    auto expr = [&](const std::vector<std::string>& loads) {
      if (set_) return CppEmitter::convert(loads[1], y.dtype(), xd);
      const std::string a = CppEmitter::convert(loads[0], xd, acc);
      // As the reference: the value is stored in x's dtype first (a C++ number rounded to float32).
      const std::string b = CppEmitter::convert(CppEmitter::convert(loads[1], y.dtype(), xd), xd, acc);
      const std::string sum = is_float(xd) ? fmt::format("({} + {})", a, b) : fmt::format("hp_add_i({}, {})", a, b);
      return CppEmitter::convert(sum, acc, xd);
    };
    cg.elementwise(region, xd, region_ndim, operands, expr, false, /*allow_flat=*/false);
    return true;
  }

  // x: g, with the region zeroed when it was overwritten (set); y: g's region.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    const Var& x = node.inputs()[0];
    const Var& y = node.inputs()[1];
    const Var gx = set_ ? make_apply(std::make_shared<IncSubtensorOp>(indices_, true), {g, Var(0)}) : g;
    const Var gy = make_apply(std::make_shared<SubtensorOp>(indices_), {g});
    return {fit_grad_to(x, gx), fit_grad_to(y, gy)};
  }

 private:
  std::vector<Index> indices_;
  bool set_;
};

std::vector<InputGrad> SubtensorOp::grad(const Apply& node, const Var& g) const {
  const Var& x = node.inputs()[0];
  const Var zeros = cast(zeros_like(x), g.dtype());
  return {fit_grad_to(x, make_apply(std::make_shared<IncSubtensorOp>(indices_, false), {zeros, g}))};
}

Var update_subtensor(const Var& sub, const Var& y, bool set) {
  const char* fn = set ? "set_subtensor" : "inc_subtensor";
  if (sub.is_null()) throw Error(fmt::format("{}: input 0 is a null hp::Var", fn));
  if (std::optional<Var> advanced = update_advanced_subtensor(sub, y, set)) return *advanced;
  const auto& owner = sub.owner();
  const auto* op = owner ? dynamic_cast<const SubtensorOp*>(&owner->op()) : nullptr;
  if (!op) {
    throw TypeError(fmt::format("{}: the first argument must be a subtensor x[...] of some x, got {}",
                                fn, sub.type().str()));
  }
  return make_apply(std::make_shared<IncSubtensorOp>(op->indices(), set), {owner->inputs()[0], y});
}

}  // namespace

bool keeps_length_one(const Slice& s) {
  if (s.step.value_or(1) > 0) return s.start.value_or(0) <= 0 && s.stop.value_or(1) >= 1;
  return s.start.value_or(0) >= -1 && s.stop.value_or(-2) <= -2;
}

std::string i64_literal(std::int64_t v) {
  if (v == std::numeric_limits<std::int64_t>::min()) return "(-9223372036854775807 - 1)";
  return std::to_string(v);
}

void check_update_value(const Op& op, const std::vector<Var>& inputs, int region_ndim, const std::string& region) {
  const Var& x = inputs.at(0);
  const Var& y = inputs.at(1);
  if (y.ndim() > region_ndim) {
    throw TypeError(fmt::format("{}: the value has rank {} but the region {} has rank {}",
                                describe_operands(op, inputs), y.ndim(), region, region_ndim));
  }
  // The value is cast to x's dtype, as Theano and PyTensor do (numpy's
  // x[i] = y); only a C++ integer that x's dtype cannot hold is refused,
  // as numpy 2 refuses it.
  if (!literal_fits(y, x.dtype())) {
    throw TypeError(fmt::format("{}: the number {} does not fit the tensor's dtype {}", describe_operands(op, inputs),
                                y.constant_value().get_flat_int(0), dtype_name(x.dtype())));
  }
}

void check_value_fits(const Apply& node, const Array& y, const Shape& region) {
  const Var& y_var = node.inputs()[1];
  const int pad = static_cast<int>(region.size()) - y_var.ndim();
  for (int i = 0; i < y_var.ndim(); ++i) {
    if (!y_var.broadcastable()[i] && y.shape()[i] != region[pad + i]) {
      throw ShapeError(fmt::format("{}: a value of shape {} does not fit the region's shape {} "
                                   "(axis {} differs and is not broadcastable)",
                                   node_str(node), shape_str(y.shape()), shape_str(region), i));
    }
  }
}

Var subtensor(const Var& x, const std::vector<Index>& indices) {
  return make_apply(std::make_shared<SubtensorOp>(indices), {x});
}

Var set_subtensor(const Var& sub, const Var& y) { return update_subtensor(sub, y, true); }
Var inc_subtensor(const Var& sub, const Var& y) { return update_subtensor(sub, y, false); }

const std::vector<Index>* subtensor_indices(const Op& op) {
  const auto* s = dynamic_cast<const SubtensorOp*>(&op);
  return s ? &s->indices() : nullptr;
}

bool is_subtensor_update(const Op& op) { return dynamic_cast<const IncSubtensorOp*>(&op) != nullptr; }

}  // namespace hypatia
