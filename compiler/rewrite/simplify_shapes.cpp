#include "compiler/rewrite/simplify_shapes.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "compiler/graph/graph_node.hpp"
#include "compiler/graph/rebuild.hpp"
#include "compiler/ops/dot.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "compiler/ops/reduce.hpp"
#include "compiler/ops/shape_ops.hpp"
#include "compiler/ops/softmax.hpp"
#include "compiler/ops/subtensor.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

/// Axis `axis` of `var`.
struct Axis {
  Var var;
  int axis = 0;
};

/// Where an axis's size comes from: a number known now, another axis, or
/// nowhere further (the axis is its own source).
using Step = std::variant<std::int64_t, Axis, std::monostate>;

/// The input axis that sets output axis `axis` of an elementwise node, or a
/// constant's size. An input with the output's own type sets every axis, and
/// is preferred, so that shape(a * b) becomes shape(a) rather than a mix.
Step elemwise_source(const std::vector<Var>& in, const TensorType& type, int axis) {
  for (const Var& u : in) {
    if (u.type().broadcastable == type.broadcastable && !u.is_constant()) return Axis{u, axis};
  }
  const int ndim = type.ndim();
  for (const Var& u : in) {
    const int a = axis - (ndim - u.ndim());
    if (a < 0 || u.type().broadcastable[a]) continue;
    if (u.is_constant()) return u.constant_value().shape()[a];
    return Axis{u, a};
  }
  return std::monostate{};
}

/// The input axis a reduction keeps as output axis `axis`.
Step reduction_source(const ReductionInfo& r, const Var& x, int axis) {
  std::vector<int> kept;
  for (int a = 0; a < x.ndim(); ++a) {
    const bool reduced = std::find(r.axes.begin(), r.axes.end(), a) != r.axes.end();
    if (r.keepdims || !reduced) kept.push_back(reduced ? -1 : a);
  }
  if (axis >= static_cast<int>(kept.size())) return std::monostate{};
  if (kept[axis] < 0) return std::int64_t{1};
  return Axis{x, kept[axis]};
}

/// The input axis x[indices] keeps as output axis `axis`, if a full slice (or no index) covers it.
Step subtensor_source(const std::vector<Index>& indices, const Var& x, int axis) {
  int out = 0;
  for (int a = 0; a < x.ndim(); ++a) {
    if (a < static_cast<int>(indices.size())) {
      if (std::holds_alternative<std::int64_t>(indices[a])) continue;
      const Slice& s = std::get<Slice>(indices[a]);
      const bool full = !s.start && !s.stop && (!s.step || *s.step == 1);
      if (out++ == axis) return full ? Step{Axis{x, a}} : Step{std::monostate{}};
    } else if (out++ == axis) {
      return Axis{x, a};
    }
  }
  return std::monostate{};
}

/// One step back from axis `axis` of v towards what sets its size (not
/// past a leaf: an input of the graph being rewritten).
Step step_back(const Var& v, int axis, bool leaf) {
  if (v.type().broadcastable[axis]) return std::int64_t{1};
  if (v.is_constant()) return v.constant_value().shape()[axis];
  if (leaf || !v.owner()) return std::monostate{};
  const Op& op = v.owner()->op();
  const std::vector<Var>& in = v.owner()->inputs();
  if (dynamic_cast<const ElemwiseOp*>(&op) || dynamic_cast<const FusedElemwiseOp*>(&op)) {
    return elemwise_source(in, v.type(), axis);
  }
  if (const auto pattern = dimshuffle_pattern(op)) {
    return (*pattern)[axis] == newaxis ? Step{std::int64_t{1}} : Step{Axis{in[0], (*pattern)[axis]}};
  }
  if (const auto target = reshape_target(op)) {
    return (*target)[axis] >= 0 ? Step{(*target)[axis]} : Step{std::monostate{}};
  }
  if (is_softmax(op) || is_subtensor_update(op)) return Axis{in[0], axis};
  if (is_reshape_like(op)) return Axis{in[1], axis};
  if (is_shape(op)) return std::int64_t{in[0].ndim()};
  if (const auto r = reduction_of(op)) return reduction_source(*r, in[0], axis);
  if (const auto* indices = subtensor_indices(op)) return subtensor_source(*indices, in[0], axis);
  if (const auto joined = concatenate_axis(op)) {
    return axis == *joined ? Step{std::monostate{}} : Step{Axis{in[0], axis}};
  }
  if (is_dot(op) || is_gemm(op)) {
    const Var& a = in[is_gemm(op) ? 2 : 0];
    const Var& b = in[is_gemm(op) ? 3 : 1];
    if (a.ndim() == 2 && axis == 0) return Axis{a, 0};
    return Axis{b, 1};
  }
  return std::monostate{};
}

/// Where each axis's size comes from, memoised: every variable's axes are
/// followed once, so the pass stays linear in the graph's size.
class ShapeSources {
 public:
  explicit ShapeSources(const std::vector<Var>& inputs) {
    for (const Var& v : inputs) leaves_.insert(v.node());
  }

  /// A known size, or the axis (possibly `v`'s own) that sets it.
  std::variant<std::int64_t, Axis> source(const Var& v, int axis) {
    std::vector<std::pair<const VarNode*, int>> path;
    Axis at{v, axis};
    std::variant<std::int64_t, Axis> result = at;
    while (true) {
      auto it = memo_.find(key(at));
      if (it != memo_.end()) {
        result = it->second;
        break;
      }
      path.emplace_back(at.var.node(), at.axis);
      const Step next = step_back(at.var, at.axis, leaves_.count(at.var.node()) > 0);
      if (const auto* size = std::get_if<std::int64_t>(&next)) {
        result = *size;
        break;
      }
      if (std::holds_alternative<std::monostate>(next)) {
        result = at;
        break;
      }
      at = std::get<Axis>(next);
    }
    for (const auto& [node, a] : path) memo_.emplace(Key{node, a}, result);
    return result;
  }

  /// shape(u), one node per u for the whole pass.
  Var shape_of(const Var& u) {
    auto [it, fresh] = shapes_.try_emplace(u.node());
    if (fresh) it->second = shape(u);
    return it->second;
  }

  /// shape(u)[j], one node per axis for the whole pass.
  Var size_of(const Axis& a) {
    auto [it, fresh] = sizes_.try_emplace(key(a));
    if (fresh) it->second = subtensor(shape_of(a.var), {std::int64_t{a.axis}});
    return it->second;
  }

 private:
  struct Key {
    const VarNode* node;
    int axis;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      return std::hash<const VarNode*>{}(k.node) * 31 + static_cast<std::size_t>(k.axis);
    }
  };
  static Key key(const Axis& a) { return {a.var.node(), a.axis}; }

  std::unordered_set<const VarNode*> leaves_;
  std::unordered_map<Key, std::variant<std::int64_t, Axis>, KeyHash> memo_;
  std::unordered_map<const VarNode*, Var> shapes_;
  std::unordered_map<Key, Var, KeyHash> sizes_;
};

/// shape(x)[i] from its source, or nullopt when x's own axis is the source.
std::optional<Var> simplify_size(ShapeSources& sources, const Var& x, std::int64_t i,
                                 const TensorType& type) {
  if (i < 0) i += x.ndim();
  if (i < 0 || i >= x.ndim()) return std::nullopt;  // the index error belongs to run time
  const auto source = sources.source(x, static_cast<int>(i));
  if (const auto* size = std::get_if<std::int64_t>(&source)) {
    return constant_of_type(Array(*size).astype(DType::Int64), type);
  }
  const Axis& a = std::get<Axis>(source);
  if (a.var.is(x) && a.axis == i) return std::nullopt;
  return sources.size_of(a);
}

/// shape(x) from its sources, or nullopt when nothing simpler is known.
std::optional<Var> simplify_shape(ShapeSources& sources, const Var& x, const TensorType& type) {
  std::vector<std::variant<std::int64_t, Axis>> from;
  std::vector<std::int64_t> known;
  Var common;
  for (int axis = 0; axis < x.ndim(); ++axis) {
    from.push_back(sources.source(x, axis));
    if (const auto* size = std::get_if<std::int64_t>(&from.back()))
      known.push_back(*size);
    else if (common.is_null())
      common = std::get<Axis>(from.back()).var;
  }
  if (static_cast<int>(known.size()) == x.ndim()) return constant_of_type(array(known, DType::Int64), type);
  // shape(common) when common's axes set x's in order (a known size being one of its size-1 axes).
  if (common.is(x) || common.ndim() != x.ndim()) return std::nullopt;
  for (int axis = 0; axis < x.ndim(); ++axis) {
    if (const auto* size = std::get_if<std::int64_t>(&from[axis])) {
      if (*size != 1 || !common.type().broadcastable[axis]) return std::nullopt;
    } else if (const Axis& a = std::get<Axis>(from[axis]); !a.var.is(common) || a.axis != axis) {
      return std::nullopt;
    }
  }
  return sources.shape_of(common);
}

/// The single integer index of x[i], or nullopt.
std::optional<std::int64_t> single_index(const Op& op) {
  const auto* indices = subtensor_indices(op);
  if (!indices || indices->size() != 1) return std::nullopt;
  const auto* i = std::get_if<std::int64_t>(&indices->front());
  return i ? std::optional<std::int64_t>(*i) : std::nullopt;
}

}  // namespace

std::vector<Var> simplify_shapes(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  ShapeSources sources(inputs);
  return rebuild(inputs, outputs,
                 [&](const Apply& node, const std::vector<Var>& operands) -> std::optional<Var> {
                   const TensorType& type = node.output().type();
                   std::optional<Var> result;
                   if (is_shape(node.op())) {
                     result = simplify_shape(sources, operands[0], type);
                   } else if (const auto i = single_index(node.op())) {
                     const Var& v = operands[0];
                     if (v.owner() && is_shape(v.owner()->op()))
                       result = simplify_size(sources, v.owner()->inputs()[0], *i, type);
                   }
                   if (!result || result->type() != type) return std::nullopt;
                   return result;
                 });
}

}  // namespace hypatia
