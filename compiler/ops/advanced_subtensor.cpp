/// numpy's advanced indexing, x[{rows, cols}] with integer tensors, and its
/// functional updates (set/inc, inc accumulating repeated indices as
/// np.add.at); x[mask] through flatnonzero; hp::index, which routes x[...]
/// to a basic Subtensor (a view) or to these.
///
/// An AdvancedSubtensor holds the static part of the index, one entry per
/// axis of x (a constant slice, an index tensor, or a new axis), and takes x
/// and the index tensors as inputs. The index tensors broadcast together to
/// a shape B; the result has B where the tensors' axes were when they are
/// adjacent, else B first, then the sliced axes and new axes (numpy's rule).
#include <algorithm>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "compiler/ops/advanced_subtensor.hpp"

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/emit/cuda_emitter.hpp"
#include "compiler/graph/describe.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/subtensor.hpp"
#include "hypatia/ops.hpp"
#include "hypatia/print.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {
namespace {

struct Entry {
  enum class Kind { Slice, Tensor, NewAxis };
  Kind kind = Kind::Slice;
  Slice slice;  ///< for Kind::Slice
};

std::string slice_text(const Slice& s) {
  auto part = [](const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : ""; };
  std::string text = fmt::format("{}:{}", part(s.start), part(s.stop));
  if (s.step) text += fmt::format(":{}", *s.step);
  return text;
}

/// "x[idx, 1:3, newaxis]" with the index tensors printed as `tensors`.
std::string entries_text(const std::vector<Entry>& entries, const std::vector<std::string>& tensors) {
  std::vector<std::string> parts;
  std::size_t k = 0;
  for (const Entry& e : entries) {
    if (e.kind == Entry::Kind::Slice) parts.push_back(slice_text(e.slice));
    else if (e.kind == Entry::Kind::NewAxis) parts.push_back("newaxis");
    else parts.push_back(k < tensors.size() ? tensors[k++] : "?");
  }
  // Trailing full slices are implied, as numpy prints nothing for them.
  while (!parts.empty() && parts.back() == ":" && entries.size() > 1) parts.pop_back();
  return fmt::format("{}", fmt::join(parts, ", "));
}

/// Where each result axis comes from.
struct ResultAxis {
  enum class Kind { Slice, Broadcast, NewAxis };
  Kind kind;
  int source;  ///< Slice: the axis of x; Broadcast: the axis of B
};

/// The result's axes: the broadcast index shape B (rank `b_rank`) in place
/// of adjacent index tensors, or first.
std::vector<ResultAxis> result_axes(const std::vector<Entry>& entries, int b_rank) {
  std::vector<int> tensor_positions;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].kind == Entry::Kind::Tensor) tensor_positions.push_back(static_cast<int>(i));
  }
  const bool adjacent = tensor_positions.empty() ||
                        tensor_positions.back() - tensor_positions.front() + 1 ==
                            static_cast<int>(tensor_positions.size());
  std::vector<ResultAxis> axes;
  auto add_b = [&] {
    for (int d = 0; d < b_rank; ++d) axes.push_back({ResultAxis::Kind::Broadcast, d});
  };
  if (!adjacent) add_b();
  int x_axis = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    switch (entries[i].kind) {
      case Entry::Kind::Slice: axes.push_back({ResultAxis::Kind::Slice, x_axis++}); break;
      case Entry::Kind::NewAxis: axes.push_back({ResultAxis::Kind::NewAxis, -1}); break;
      case Entry::Kind::Tensor:
        if (adjacent && static_cast<int>(i) == tensor_positions.front()) add_b();
        ++x_axis;
        break;
    }
  }
  return axes;
}

/// The type of x[entries] given the index tensors' types.
TensorType advanced_type(const std::string& op_name, const Var& x, const std::vector<Entry>& entries,
                         const std::vector<Var>& tensors) {
  int b_rank = 0;
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const Var& t = tensors[k];
    if (!is_integer(t.dtype())) {
      throw TypeError(fmt::format("{}: index {} has type {}; indices must be integers", op_name, k,
                                  t.type().str()));
    }
    b_rank = std::max(b_rank, t.ndim());
  }
  // An axis of B is broadcastable where every index tensor having it is.
  std::vector<bool> b_bc(static_cast<std::size_t>(b_rank), true);
  for (const Var& t : tensors) {
    for (int d = 0; d < t.ndim(); ++d) {
      if (!t.broadcastable()[d]) b_bc[static_cast<std::size_t>(b_rank - t.ndim() + d)] = false;
    }
  }
  std::vector<bool> bc;
  for (const ResultAxis& a : result_axes(entries, b_rank)) {
    switch (a.kind) {
      case ResultAxis::Kind::Broadcast: bc.push_back(b_bc[static_cast<std::size_t>(a.source)]); break;
      case ResultAxis::Kind::NewAxis: bc.push_back(true); break;
      case ResultAxis::Kind::Slice: {
        int seen = 0;
        const Slice* s = nullptr;
        for (const Entry& e : entries) {
          if (e.kind == Entry::Kind::NewAxis) continue;
          if (seen++ == a.source) s = &e.slice;
        }
        bc.push_back(x.broadcastable()[a.source] && keeps_length_one(*s));
        break;
      }
    }
  }
  return TensorType(x.dtype(), bc);
}

// --- the reference ---------------------------------------------------------------------

/// Python's slice on an axis of `size`: the first element, how many, and the step.
struct PythonSlice {
  std::int64_t first = 0, count = 0, step = 1;
};

PythonSlice normalize_slice(const Slice& s, std::int64_t size) {
  constexpr std::int64_t kMaxStep = std::int64_t{1} << 62;  // longer steps pick one element as well
  const std::int64_t step = std::clamp<std::int64_t>(s.step.value_or(1), -kMaxStep, kMaxStep);
  auto bound = [&](std::optional<std::int64_t> v, std::int64_t fallback) {
    if (!v) return fallback;
    std::int64_t b = *v < 0 ? *v + size : *v;
    if (step > 0) return std::clamp<std::int64_t>(b, 0, size);
    return std::clamp<std::int64_t>(b, -1, size - 1);
  };
  PythonSlice out;
  out.step = step;
  out.first = bound(s.start, step > 0 ? 0 : size - 1);
  const std::int64_t stop = bound(s.stop, step > 0 ? size : -1);
  if (step > 0 && stop > out.first) out.count = (stop - out.first - 1) / step + 1;
  if (step < 0 && out.first > stop) out.count = (out.first - stop - 1) / -step + 1;
  if (out.count == 0) out.first = 0;
  return out;
}

/// Where x[entries]'s elements come from, from the shapes alone: the index
/// tensors' broadcast shape B, each axis of x a slice (first, count, step)
/// or an index tensor, and the result's shape.
struct Geometry {
  struct AxisPlan {
    bool tensor = false;
    std::size_t k = 0;
    std::int64_t first = 0, count = 0, step = 1;
  };
  Shape b;
  std::vector<AxisPlan> axes;
  std::vector<ResultAxis> layout;
  Shape shape;
};

Geometry geometry(const Apply& node, const std::vector<Entry>& entries, const Shape& x_shape,
                  const std::vector<Shape>& index_shapes) {
  Geometry g;
  int b_rank = 0;
  for (const Shape& s : index_shapes) b_rank = std::max(b_rank, static_cast<int>(s.size()));
  g.b.assign(static_cast<std::size_t>(b_rank), 1);
  for (std::size_t k = 0; k < index_shapes.size(); ++k) {
    const Shape& s = index_shapes[k];
    for (std::size_t d = 0; d < s.size(); ++d) {
      std::int64_t& bd = g.b[g.b.size() - s.size() + d];
      if (s[d] == 1 || s[d] == bd) continue;
      if (bd != 1) {
        throw IndexError(fmt::format("{}: the index arrays' shapes do not broadcast together: index {} has "
                                     "shape {} where an earlier one gives {}",
                                     node_str(node), k, shape_str(s), shape_str(g.b)));
      }
      bd = s[d];
    }
  }
  std::size_t k = 0;
  for (const Entry& e : entries) {
    if (e.kind == Entry::Kind::NewAxis) continue;
    const int axis = static_cast<int>(g.axes.size());
    Geometry::AxisPlan p;
    if (e.kind == Entry::Kind::Tensor) {
      p.tensor = true;
      p.k = k++;
    } else {
      const PythonSlice ps = normalize_slice(e.slice, x_shape[static_cast<std::size_t>(axis)]);
      p.first = ps.first;
      p.count = ps.count;
      p.step = ps.step;
    }
    g.axes.push_back(p);
  }
  g.layout = result_axes(entries, b_rank);
  for (const ResultAxis& a : g.layout) {
    if (a.kind == ResultAxis::Kind::Broadcast) g.shape.push_back(g.b[static_cast<std::size_t>(a.source)]);
    else if (a.kind == ResultAxis::Kind::NewAxis) g.shape.push_back(1);
    else g.shape.push_back(g.axes[static_cast<std::size_t>(a.source)].count);
  }
  return g;
}

/// x and the index tensors' values resolved into positions: for each result
/// element (C order), the flat offset into contiguous x.
struct Gather {
  Shape shape;                        ///< the result's shape
  std::vector<std::int64_t> offsets;  ///< per result element, into x.contiguous()
};

Gather plan_gather(const Apply& node, const std::vector<Entry>& entries, const Shape& x_shape,
                   const std::vector<Array>& tensors) {
  const Var& x = node.inputs()[0];
  std::vector<Shape> index_shapes;
  for (const Array& t : tensors) index_shapes.push_back(t.shape());
  const Geometry geo = geometry(node, entries, x_shape, index_shapes);
  const Shape& b = geo.b;
  const std::vector<Geometry::AxisPlan>& axes = geo.axes;
  const std::vector<ResultAxis>& layout = geo.layout;
  Gather g;
  g.shape = geo.shape;
  std::int64_t total = 1;
  for (std::int64_t d : g.shape) total *= d;
  g.offsets.resize(static_cast<std::size_t>(total));
  // Contiguous strides of x and of B.
  Shape x_strides(x_shape.size(), 1);
  for (int d = static_cast<int>(x_shape.size()) - 2; d >= 0; --d) x_strides[d] = x_strides[d + 1] * x_shape[d + 1];
  std::vector<Array> contiguous;
  for (const Array& t : tensors) contiguous.push_back(t.astype(DType::Int64).contiguous());
  std::vector<std::int64_t> coord(g.shape.size(), 0), b_coord(b.size(), 0);
  for (std::int64_t flat = 0; flat < total; ++flat) {
    for (std::size_t r = 0; r < layout.size(); ++r) {
      if (layout[r].kind == ResultAxis::Kind::Broadcast) b_coord[static_cast<std::size_t>(layout[r].source)] = coord[r];
    }
    std::int64_t offset = 0;
    for (std::size_t r = 0; r < layout.size(); ++r) {
      if (layout[r].kind != ResultAxis::Kind::Slice) continue;
      const Geometry::AxisPlan& p = axes[static_cast<std::size_t>(layout[r].source)];
      offset += (p.first + coord[r] * p.step) * x_strides[static_cast<std::size_t>(layout[r].source)];
    }
    for (std::size_t axis = 0; axis < axes.size(); ++axis) {
      const Geometry::AxisPlan& p = axes[axis];
      if (!p.tensor) continue;
      const Array& t = contiguous[p.k];
      std::int64_t at = 0;
      for (int d = 0; d < t.ndim(); ++d) {
        const std::int64_t c = t.shape()[d] == 1 ? 0 : b_coord[b.size() - t.ndim() + d];
        at = at * t.shape()[d] + c;
      }
      std::int64_t i = t.get_flat_int(at);
      const std::int64_t size = x_shape[axis];
      if (i < -size || i >= size) {
        throw IndexError(fmt::format("{}: index {} is out of bounds for axis {} of {} with size {} "
                                     "(index array {}, element {})",
                                     node_str(node), i, axis, describe_var(x), size, p.k, at));
      }
      if (i < 0) i += size;
      offset += i * x_strides[axis];
    }
    g.offsets[static_cast<std::size_t>(flat)] = offset;
    for (int r = static_cast<int>(coord.size()) - 1; r >= 0; --r) {
      if (++coord[r] < g.shape[r]) break;
      coord[r] = 0;
    }
  }
  return g;
}

void copy_element(const Array& from, std::int64_t i, Array& to, std::int64_t j) {
  if (is_float(from.dtype())) to.set_flat_double(j, from.get_flat_double(i));
  else to.set_flat_int(j, from.get_flat_int(i));
}

// --- generated C++ ------------------------------------------------------------------------

/// Emits the loop nest over x[entries]'s elements into the current function:
/// declares `result_shape[]` (the result's shape; the function returns 1
/// where the index shapes do not broadcast), calls `allocate`, then, with
/// `loops`, runs `body` once per element with `x_offset` (elements, through
/// x's strides) and the result's coordinates `r0, r1, ...`, returning 1 at
/// an index out of range. `x`: the hp_tensor of x; `tensors`: the index
/// hp_tensors with their dtypes and ranks.
void emit_gather_loops(CppEmitter& cg, const std::vector<Entry>& entries, const std::string& x, int x_ndim,
                       const std::vector<std::pair<std::string, Var>>& tensors,
                       const std::function<void()>& allocate, const std::function<void()>& body, bool loops = true) {
  int b_rank = 0;
  for (const auto& [t, v] : tensors) b_rank = std::max(b_rank, v.ndim());
  for (int d = 0; d < b_rank; ++d) {
    cg.line("hp_i64 b{} = 1;", d);
    for (const auto& [t, v] : tensors) {
      const int td = d - (b_rank - v.ndim());
      if (td < 0) continue;
      cg.line("if ({0}.shape[{1}] != 1) {{ if (b{2} != 1 && b{2} != {0}.shape[{1}]) return 1; b{2} = {0}.shape[{1}]; }}",
              t, td, d);
    }
  }
  // Slices: first element and length per sliced axis of x.
  int axis = 0;
  std::vector<std::int64_t> steps(static_cast<std::size_t>(x_ndim), 1);
  for (const Entry& e : entries) {
    if (e.kind == Entry::Kind::NewAxis) continue;
    if (e.kind == Entry::Kind::Slice) {
      constexpr std::int64_t kMaxStep = std::int64_t{1} << 62;
      const std::int64_t step = std::clamp<std::int64_t>(e.slice.step.value_or(1), -kMaxStep, kMaxStep);
      steps[static_cast<std::size_t>(axis)] = step;
      cg.line("hp_i64 first{0}, length{0};", axis);
      cg.line("hp_slice({}.shape[{}], {}, {}, {}, {}, {}, &first{}, &length{});", x, axis,
              e.slice.start ? "true" : "false", i64_literal(e.slice.start.value_or(0)),
              e.slice.stop ? "true" : "false", i64_literal(e.slice.stop.value_or(0)), step, axis, axis);
    }
    ++axis;
  }
  const std::vector<ResultAxis> layout = result_axes(entries, b_rank);
  std::vector<std::string> shape;
  for (const ResultAxis& a : layout) {
    if (a.kind == ResultAxis::Kind::Broadcast) shape.push_back(fmt::format("b{}", a.source));
    else if (a.kind == ResultAxis::Kind::NewAxis) shape.push_back("1");
    else shape.push_back(fmt::format("length{}", a.source));
  }
  cg.line("const hp_i64 result_shape[{}] = {{{}}};", std::max<std::size_t>(1, shape.size()),
          shape.empty() ? "0" : fmt::format("{}", fmt::join(shape, ", ")));
  allocate();
  if (!loops) return;
  for (std::size_t r = 0; r < layout.size(); ++r) cg.open(fmt::format("for (hp_i64 r{0} = 0; r{0} < result_shape[{0}]; ++r{0})", r));
  cg.line("hp_i64 x_offset = 0;");
  std::vector<std::string> b_coord(static_cast<std::size_t>(b_rank), "0");
  for (std::size_t r = 0; r < layout.size(); ++r) {
    if (layout[r].kind == ResultAxis::Kind::Broadcast) b_coord[static_cast<std::size_t>(layout[r].source)] = fmt::format("r{}", r);
    if (layout[r].kind == ResultAxis::Kind::Slice) {
      const int a = layout[r].source;
      cg.line("x_offset += (first{0} + r{1} * {2}) * {3}.strides[{0}];", a, r, steps[static_cast<std::size_t>(a)], x);
    }
  }
  axis = 0;
  std::size_t k = 0;
  for (const Entry& e : entries) {
    if (e.kind == Entry::Kind::NewAxis) continue;
    if (e.kind == Entry::Kind::Tensor) {
      const auto& [t, v] = tensors[k++];
      std::string at = "0";
      for (int d = 0; d < v.ndim(); ++d) {
        at += fmt::format(" + ({0}.shape[{1}] == 1 ? 0 : {2} * {0}.strides[{1}])", t, d,
                          b_coord[static_cast<std::size_t>(b_rank - v.ndim() + d)]);
      }
      cg.open("");
      cg.line("hp_i64 i = (hp_i64)((const {}*){}.data)[{}];", CppEmitter::c_type(v.dtype()), t, at);
      cg.line("if (i < -{0}.shape[{1}] || i >= {0}.shape[{1}]) return 1;", x, axis);
      cg.line("x_offset += (i < 0 ? i + {0}.shape[{1}] : i) * {0}.strides[{1}];", x, axis);
      cg.close();
    }
    ++axis;
  }
  body();
  for (std::size_t r = 0; r < layout.size(); ++r) cg.close();
}

// --- the ops --------------------------------------------------------------------------------

std::string entries_key(const std::vector<Entry>& entries) {
  std::vector<std::string> parts;
  for (const Entry& e : entries) {
    if (e.kind == Entry::Kind::Slice) parts.push_back(slice_text(e.slice));
    else parts.push_back(e.kind == Entry::Kind::NewAxis ? "newaxis" : "idx");
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::vector<Var> index_inputs(const std::vector<Var>& inputs, std::size_t first) {
  return std::vector<Var>(inputs.begin() + static_cast<long>(first), inputs.end());
}

class AdvancedSubtensorOp : public Op {
 public:
  explicit AdvancedSubtensorOp(std::vector<Entry> entries) : entries_(std::move(entries)) {}
  const std::vector<Entry>& entries() const { return entries_; }

  std::string name() const override { return fmt::format("AdvancedSubtensor{{{}}}", entries_key(entries_)); }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    return advanced_type(name(), inputs.at(0), entries_, index_inputs(inputs, 1));
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array x = inputs[0].contiguous();
    const Gather g = plan_gather(node, entries_, x.shape(),
                                 std::vector<Array>(inputs.begin() + 1, inputs.end()));
    Array out(g.shape, node.output().dtype());
    for (std::size_t i = 0; i < g.offsets.size(); ++i) copy_element(x, g.offsets[i], out, static_cast<std::int64_t>(i));
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("{}[{}]", args[0], entries_text(entries_, {args.begin() + 1, args.end()}));
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    const Var out = node.output();
    const std::string outer_x = cg.tensor(x);
    std::vector<std::string> outer_args{outer_x};
    std::vector<std::pair<std::string, Var>> tensors;
    std::string params = "const hp_tensor& x";
    for (std::size_t k = 1; k < node.inputs().size(); ++k) {
      outer_args.push_back(cg.tensor(node.inputs()[k]));
      params += fmt::format(", const hp_tensor& i{}", k - 1);
      tensors.emplace_back(fmt::format("i{}", k - 1), node.inputs()[k]);
    }
    // The result's shape depends on the indices: the helper reports it, then fills.
    const std::string name = fmt::format("v{}", cg.node_index());
    const std::string shape_fn_args = fmt::format("{}", fmt::join(outer_args, ", "));
    const std::string T = CppEmitter::c_type(x.dtype());
    // Pass 1: the shape; pass 2: the gather (and the indices' checks).
    cg.begin_function("hp_gather_shape", params + ", hp_i64* shape");
    emit_gather_loops(cg, entries_, "x", x.ndim(), tensors,
                      [&] { cg.line("for (int d = 0; d < {}; ++d) shape[d] = result_shape[d];", out.ndim()); },
                      [] {}, /*loops=*/false);
    cg.line("return 0;");
    const std::string shape_fn = cg.end_function();
    cg.line("hp_i64 {}_shape[{}];", name, std::max(1, out.ndim()));
    cg.fail_if(fmt::format("{}({}, {}_shape)", shape_fn, shape_fn_args, name));
    std::vector<std::string> shape;
    for (int d = 0; d < out.ndim(); ++d) shape.push_back(fmt::format("{}_shape[{}]", name, d));
    cg.allocate(out, name, shape);
    cg.begin_function("hp_gather", params + ", const hp_tensor& out");
    cg.line("const {0}* px = (const {0}*)x.data;", T);
    cg.line("{0}* po = ({0}*)out.data;", T);
    cg.line("hp_i64 flat = 0;");
    emit_gather_loops(cg, entries_, "x", x.ndim(), tensors, [] {}, [&] { cg.line("po[flat++] = px[x_offset];"); });
    cg.line("return 0;");
    const std::string fn = cg.end_function();
    cg.fail_if(fmt::format("{}({}, {})", fn, shape_fn_args, name));
    return true;
  }

  bool emit_cuda(CudaEmitter& cg, const Apply& node) const override {
    const Var& x = node.inputs()[0];
    CudaGather plan;
    plan.dtype = x.dtype();
    plan.out_ndim = node.output().ndim();
    for (std::size_t k = 1; k < node.inputs().size(); ++k) {
      const Var& t = node.inputs()[k];
      const bool literal = t.is_constant() && t.ndim() == 0;
      plan.indices.push_back({t.dtype(), t.ndim(), literal ? CudaEmitter::literal(t.constant_value()) : ""});
      plan.b_rank = std::max(plan.b_rank, t.ndim());
    }
    const std::vector<ResultAxis> layout = result_axes(entries_, plan.b_rank);
    for (std::size_t r = 0; r < layout.size(); ++r) {
      if (layout[r].kind == ResultAxis::Kind::Broadcast && layout[r].source == 0) plan.b_first = static_cast<int>(r);
    }
    int k = 0;
    for (const Entry& e : entries_) {
      if (e.kind == Entry::Kind::NewAxis) continue;
      CudaGather::Axis axis;
      if (e.kind == Entry::Kind::Tensor) {
        axis.tensor = true;
        axis.index = k++;
      } else {
        const int x_axis = static_cast<int>(plan.x_axes.size());
        for (std::size_t r = 0; r < layout.size(); ++r) {
          if (layout[r].kind == ResultAxis::Kind::Slice && layout[r].source == x_axis) axis.out_axis = static_cast<int>(r);
        }
        constexpr std::int64_t kMaxStep = std::int64_t{1} << 62;
        axis.step = std::clamp<std::int64_t>(e.slice.step.value_or(1), -kMaxStep, kMaxStep);
      }
      plan.x_axes.push_back(axis);
    }
    cg.gather(plan);
    return true;
  }

  // x: the gradient added at the gathered positions of zeros (repeats accumulate).
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override;

 private:
  std::vector<Entry> entries_;
};

class AdvancedIncSubtensorOp : public Op {
 public:
  AdvancedIncSubtensorOp(std::vector<Entry> entries, bool set) : entries_(std::move(entries)), set_(set) {}

  std::string name() const override {
    return fmt::format("{}{{{}}}", set_ ? "AdvancedSetSubtensor" : "AdvancedIncSubtensor", entries_key(entries_));
  }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    const Var& x = inputs.at(0);
    const TensorType region = advanced_type(name(), x, entries_, index_inputs(inputs, 2));
    check_update_value(*this, inputs, region.ndim(), "x[...]");
    return x.type();
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    Array out = inputs[0].contiguous().copy();
    const Gather g = plan_gather(node, entries_, out.shape(),
                                 std::vector<Array>(inputs.begin() + 2, inputs.end()));
    check_value_fits(node, inputs[1], g.shape);
    const Array y = inputs[1].astype(out.dtype()).broadcast_to(g.shape).contiguous();
    const bool in_float = is_float(out.dtype());
    for (std::size_t i = 0; i < g.offsets.size(); ++i) {
      const std::int64_t at = g.offsets[i], from = static_cast<std::int64_t>(i);
      if (in_float) {
        const double value = y.get_flat_double(from);
        out.set_flat_double(at, set_ ? value : out.get_flat_double(at) + value);
      } else {
        const std::int64_t base = set_ ? 0 : out.get_flat_int(at);
        out.set_flat_int(at, static_cast<std::int64_t>(static_cast<std::uint64_t>(base) +
                                                       static_cast<std::uint64_t>(y.get_flat_int(from))));
      }
    }
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("{}({}[{}], {})", set_ ? "set_subtensor" : "inc_subtensor", args[0],
                       entries_text(entries_, {args.begin() + 2, args.end()}), args[1]);
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
    cg.line("hp_copy(&{}, {}, &{}, {});", xt, CppEmitter::dtype_code(x.dtype()), name,
            CppEmitter::dtype_code(x.dtype()));
    const bool literal = y.is_constant() && y.ndim() == 0;
    std::vector<std::string> outer_args{name};
    std::string params = "const hp_tensor& x";
    if (!literal) {
      outer_args.push_back(cg.tensor(y));
      params += ", const hp_tensor& y";
    }
    std::vector<std::pair<std::string, Var>> tensors;
    for (std::size_t k = 2; k < node.inputs().size(); ++k) {
      outer_args.push_back(cg.tensor(node.inputs()[k]));
      params += fmt::format(", const hp_tensor& i{}", k - 2);
      tensors.emplace_back(fmt::format("i{}", k - 2), node.inputs()[k]);
    }
    const DType xd = x.dtype();
    const std::string T = CppEmitter::c_type(xd);
    int b_rank = 0;
    for (const auto& [t, v] : tensors) b_rank = std::max(b_rank, v.ndim());
    const int rank = static_cast<int>(result_axes(entries_, b_rank).size());
    const int pad = rank - y.ndim();
    cg.begin_function(set_ ? "hp_scatter_set" : "hp_scatter_add", params);
    cg.line("{0}* px = ({0}*)x.data;", T);
    emit_gather_loops(
        cg, entries_, "x", x.ndim(), tensors,
        [&] {
          if (literal) return;
          // As elementwise ops: only axes the value's type marks broadcastable stretch.
          for (int i = 0; i < y.ndim(); ++i) {
            if (!y.type().broadcastable[i]) cg.line("if (y.shape[{}] != result_shape[{}]) return 1;", i, pad + i);
          }
        },
        [&] {
          std::string value;
          if (literal) {
            value = CppEmitter::literal(y.constant_value());
          } else {
            std::string at = "0";
            for (int i = 0; i < y.ndim(); ++i) at += fmt::format(" + (y.shape[{0}] == 1 ? 0 : r{1} * y.strides[{0}])", i, pad + i);
            value = fmt::format("((const {}*)y.data)[{}]", CppEmitter::c_type(y.dtype()), at);
          }
          const std::string v = CppEmitter::convert(value, y.dtype(), xd);
          if (set_) {
            cg.line("px[x_offset] = {};", v);
          } else if (is_float(xd)) {
            cg.line("px[x_offset] = ({})((double)px[x_offset] + (double){});", T, v);
          } else {
            cg.line("px[x_offset] = ({})hp_add_i((hp_i64)px[x_offset], (hp_i64){});", T, v);
          }
        });
    cg.line("return 0;");
    const std::string fn = cg.end_function();
    cg.fail_if(fmt::format("{}({})", fn, fmt::join(outer_args, ", ")));
    return true;
  }

  // x: g, with the region zeroed when it was overwritten (set); y: g at the region.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    const Var& x = node.inputs()[0];
    const Var& y = node.inputs()[1];
    std::vector<Var> idx = index_inputs(node.inputs(), 2);
    std::vector<Var> set_inputs{g, Var(0)};
    set_inputs.insert(set_inputs.end(), idx.begin(), idx.end());
    const Var gx = set_ ? make_apply(std::make_shared<AdvancedIncSubtensorOp>(entries_, true), set_inputs) : g;
    std::vector<Var> get_inputs{g};
    get_inputs.insert(get_inputs.end(), idx.begin(), idx.end());
    const Var gy = make_apply(std::make_shared<AdvancedSubtensorOp>(entries_), get_inputs);
    std::vector<InputGrad> grads{fit_grad_to(x, gx), fit_grad_to(y, gy)};
    for (std::size_t k = 0; k < idx.size(); ++k) grads.push_back(InputGrad::zero());
    return grads;
  }

 private:
  std::vector<Entry> entries_;
  bool set_;
};

std::vector<InputGrad> AdvancedSubtensorOp::grad(const Apply& node, const Var& g) const {
  const Var& x = node.inputs()[0];
  std::vector<Var> inputs{cast(zeros_like(x), g.dtype()), g};
  for (std::size_t k = 1; k < node.inputs().size(); ++k) inputs.push_back(node.inputs()[k]);
  std::vector<InputGrad> grads{fit_grad_to(x, make_apply(std::make_shared<AdvancedIncSubtensorOp>(entries_, false), inputs))};
  for (std::size_t k = 1; k < node.inputs().size(); ++k) grads.push_back(InputGrad::zero());
  return grads;
}

/// The int64 flat indices (C order) of the nonzero elements of input 0.
/// With a second input x, the mask indexes x's first `mask_rank` axes: its
/// shape must be theirs (hp::IndexError otherwise, as numpy's).
class FlatNonzeroOp : public Op {
 public:
  std::string name() const override { return "FlatNonzero"; }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    (void)inputs.at(0);
    return TensorType(DType::Int64, {false});
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const Array& mask = inputs[0];
    if (inputs.size() > 1) {
      const Shape& xs = inputs[1].shape();
      for (int a = 0; a < mask.ndim(); ++a) {
        if (mask.shape()[a] == xs[a]) continue;
        throw IndexError(fmt::format("{}: the boolean mask of shape {} does not match {} of shape {} "
                                     "along axis {} (mask {}, tensor {})",
                                     node_str(node), shape_str(mask.shape()), describe_var(node.inputs()[1]),
                                     shape_str(xs), a, mask.shape()[a], xs[a]));
      }
    }
    std::vector<std::int64_t> found;
    for (std::int64_t i = 0; i < mask.size(); ++i) {
      const bool nonzero = is_float(mask.dtype()) ? mask.get_flat_double(i) != 0 : mask.get_flat_int(i) != 0;
      if (nonzero) found.push_back(i);
    }
    return array_from_ints(found, {static_cast<std::int64_t>(found.size())}, DType::Int64);
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("flatnonzero({})", args[0]);
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var& mask = node.inputs()[0];
    const std::string mt = cg.tensor(mask);
    const std::string name = fmt::format("v{}", cg.node_index());
    const int nd = mask.ndim();
    if (node.inputs().size() > 1) {
      const std::string xt = cg.tensor(node.inputs()[1]);
      for (int a = 0; a < nd; ++a) cg.fail_if(fmt::format("{}.shape[{}] != {}.shape[{}]", mt, a, xt, a));
    }
    // The loops over the mask in C order, the flat index counting along.
    auto loops = [&](const std::string& inner) {
      cg.line("hp_i64 flat = 0;");
      std::string offset = "0";
      for (int a = 0; a < nd; ++a) {
        cg.open(fmt::format("for (hp_i64 i{0} = 0; i{0} < x.shape[{0}]; ++i{0})", a));
        offset += fmt::format(" + i{0} * x.strides[{0}]", a);
      }
      cg.line("if (((const {}*)x.data)[{}] != 0) {{ {} }}", CppEmitter::c_type(mask.dtype()), offset, inner);
      cg.line("++flat;");
      for (int a = 0; a < nd; ++a) cg.close();
    };
    cg.begin_function("hp_count_nonzero", "const hp_tensor& x, hp_i64* count");
    cg.line("hp_i64 n = 0;");
    loops("++n;");
    cg.line("(void)flat;");
    cg.line("*count = n;");
    cg.line("return 0;");
    const std::string count_fn = cg.end_function();
    cg.line("hp_i64 {}_count = 0;", name);
    cg.fail_if(fmt::format("{}({}, &{}_count)", count_fn, mt, name));
    cg.allocate(node.output(), name, {name + "_count"});
    cg.begin_function("hp_flatnonzero", "const hp_tensor& x, const hp_tensor& out");
    cg.line("hp_i64* po = (hp_i64*)out.data;");
    cg.line("hp_i64 n = 0;");
    loops("po[n++] = flat;");
    cg.line("return 0;");
    const std::string fn = cg.end_function();
    cg.fail_if(fmt::format("{}({}, {})", fn, mt, name));
    return true;
  }

  std::vector<InputGrad> grad(const Apply& node, const Var&) const override {
    return std::vector<InputGrad>(node.inputs().size(), InputGrad::zero());
  }
};

/// x[mask] (mask of rank k): x with its first k axes flattened into one,
/// gathered at the mask's nonzero positions.
Var mask_index(const Var& x, const Var& mask) {
  const int k = mask.ndim(), n = x.ndim();
  if (k == 0 || k > n) {
    throw IndexError(fmt::format("index: a boolean mask of rank {} for {} of rank {} (it needs rank 1 to {})",
                                 k, describe_var(x), n, n));
  }
  Var flat = x;
  if (k > 1) {
    // Trailing axes first, the mask's axes flattened into the last one, then that one first.
    std::vector<int> to_back, back{n - k};
    for (int a = k; a < n; ++a) to_back.push_back(a);
    for (int a = 0; a < k; ++a) to_back.push_back(a);
    for (int a = 0; a < n - k; ++a) back.push_back(a);
    flat = transpose(flatten(transpose(x, to_back), n - k + 1), back);
  }
  const Var positions = make_apply(std::make_shared<FlatNonzeroOp>(), {mask, x});
  return index(flat, {IndexEntry(positions)});
}

}  // namespace

Var index(const Var& x, const std::vector<IndexEntry>& entries) {
  if (x.is_null()) throw Error("index: the indexed hp::Var is null");
  bool any_tensor = false, any_newaxis = false;
  int consumed = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& v = entries[i].value;
    if (const Var* t = std::get_if<Var>(&v)) {
      if (t->is_null()) throw Error(fmt::format("index: entry {} is a null hp::Var", i));
      if (t->dtype() == DType::Bool) {
        if (entries.size() != 1) {
          throw IndexError(fmt::format("index: a boolean mask must be the only entry of the index of {} "
                                       "(entry {} of {})",
                                       describe_var(x), i, entries.size()));
        }
        return mask_index(x, *t);
      }
      if (!is_integer(t->dtype())) {
        throw TypeError(fmt::format("index: entry {} has type {}; indices must be integers (or a boolean mask)",
                                    i, t->type().str()));
      }
      any_tensor = true;
    }
    if (std::holds_alternative<NewAxis>(v)) any_newaxis = true;
    else ++consumed;
  }
  if (consumed > x.ndim()) {
    throw IndexError(fmt::format("index: {} indices for {} of rank {}", consumed, describe_var(x), x.ndim()));
  }
  if (!any_tensor) {
    // Basic indexing: a view, then the new axes.
    std::vector<Index> basic;
    std::vector<int> pattern;
    int next = 0;
    for (const IndexEntry& e : entries) {
      if (const auto* i = std::get_if<std::int64_t>(&e.value)) {
        basic.push_back(*i);
      } else if (const auto* s = std::get_if<Slice>(&e.value)) {
        basic.push_back(*s);
        pattern.push_back(next++);
      } else {
        pattern.push_back(newaxis);
      }
    }
    const Var sub = subtensor(x, basic);
    if (!any_newaxis) return sub;
    while (next < sub.ndim()) pattern.push_back(next++);
    return dimshuffle(sub, pattern);
  }
  // Advanced: integers become 0-d index tensors, as numpy counts them among the arrays.
  std::vector<Entry> static_entries;
  std::vector<Var> inputs{x};
  for (const IndexEntry& e : entries) {
    if (const auto* i = std::get_if<std::int64_t>(&e.value)) {
      static_entries.push_back({Entry::Kind::Tensor, {}});
      inputs.push_back(constant(Array(*i)));
    } else if (const auto* s = std::get_if<Slice>(&e.value)) {
      if (s->step && *s->step == 0) throw TypeError("index: slice step cannot be zero");
      static_entries.push_back({Entry::Kind::Slice, *s});
    } else if (std::holds_alternative<NewAxis>(e.value)) {
      static_entries.push_back({Entry::Kind::NewAxis, {}});
    } else {
      static_entries.push_back({Entry::Kind::Tensor, {}});
      inputs.push_back(std::get<Var>(e.value));
    }
  }
  for (int a = consumed; a < x.ndim(); ++a) static_entries.push_back({Entry::Kind::Slice, {}});
  return make_apply(std::make_shared<AdvancedSubtensorOp>(std::move(static_entries)), std::move(inputs));
}

Var flatnonzero(const Var& x) {
  if (x.is_null()) throw Error("flatnonzero: input 0 is a null hp::Var");
  return make_apply(std::make_shared<FlatNonzeroOp>(), {x});
}

std::optional<GatherShape> gather_shape(const Apply& node, const Shape& x, const std::vector<Shape>& indices) {
  const auto* op = dynamic_cast<const AdvancedSubtensorOp*>(&node.op());
  if (!op) return std::nullopt;
  const Geometry g = geometry(node, op->entries(), x, indices);
  GatherShape out{g.shape, {}};
  for (const Geometry::AxisPlan& p : g.axes) out.first.push_back(p.first);
  return out;
}

/// set_subtensor / inc_subtensor of an advanced subtensor, or nullopt for other ops.
std::optional<Var> update_advanced_subtensor(const Var& sub, const Var& y, bool set) {
  const auto& owner = sub.owner();
  const auto* op = owner ? dynamic_cast<const AdvancedSubtensorOp*>(&owner->op()) : nullptr;
  if (!op) return std::nullopt;
  std::vector<Var> inputs{owner->inputs()[0], y};
  for (std::size_t k = 1; k < owner->inputs().size(); ++k) inputs.push_back(owner->inputs()[k]);
  return make_apply(std::make_shared<AdvancedIncSubtensorOp>(op->entries(), set), std::move(inputs));
}

}  // namespace hypatia
