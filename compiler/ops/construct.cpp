/// Construction and rearrangement written with other ops (numpy's and
/// Theano's names): eye, identity_like, tril, triu, outer, diagonal, diag,
/// trace, stack, hstack, vstack, expand_dims, shape_padleft/right/axis,
/// squeeze, flip, roll, tile, repeat, split, swapaxes, moveaxis,
/// addbroadcast. Each is a composition of dimshuffle, subtensors, advanced
/// indexing, arange, alloc and elementwise ops, so its gradient, fusion and
/// CUDA code are theirs.
#include <algorithm>
#include <cstdlib>
#include <numeric>

#include <fmt/format.h>

#include "compiler/graph/op.hpp"
#include "compiler/ops/shape_ops.hpp"
#include "hypatia/config.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

void check_not_null(const char* op, const Var& x, int position = 0) {
  if (x.is_null()) throw Error(fmt::format("{}: input {} is a null hp::Var", op, position));
}

void check_rank_at_least(const char* op, const Var& x, int rank) {
  check_not_null(op, x);
  if (x.ndim() < rank) {
    throw TypeError(fmt::format("{}: needs a tensor of rank {} or more, got {}", op, rank, x.type().str()));
  }
}

void check_integer_scalar(const char* op, const char* what, const Var& v) {
  if (v.is_null()) throw Error(fmt::format("{}: {} is a null hp::Var", op, what));
  if (v.ndim() != 0 || !is_integer(v.dtype())) {
    throw TypeError(fmt::format("{}: {} must be an integer scalar, got {}", op, what, v.type().str()));
  }
}

Var zero_of(DType dtype) { return constant(Array(0.0).astype(dtype)); }

/// The length of axis `a` of x, an int64 scalar.
Var length(const Var& x, int a) { return shape(x)[a]; }

/// arange(n) as a column (n, 1) and arange(m) as a row (1, m).
Var column_positions(const Var& n) { return dimshuffle(arange(n), {0, newaxis}); }
Var row_positions(const Var& m) { return dimshuffle(arange(m), {newaxis, 0}); }

/// x with every axis from 0 to ndim-1 in `pattern` order, axis `from` moved to `to`.
std::vector<int> moved(int ndim, int from, int to) {
  std::vector<int> order;
  for (int a = 0; a < ndim; ++a) {
    if (a != from) order.push_back(a);
  }
  order.insert(order.begin() + to, from);
  return order;
}

/// x along `axis` at the positions `idx` (an integer vector): x[:, ..., idx].
Var take_along(const Var& x, const Var& idx, int axis) {
  std::vector<IndexEntry> entries(static_cast<std::size_t>(axis), IndexEntry(slice()));
  entries.emplace_back(idx);
  return index(x, entries);
}

/// The lower triangle mask of the last two axes of x: row + k >= col (or <= for the upper).
Var triangle_mask(const Var& x, const Var& k, bool lower) {
  const Var rows = column_positions(length(x, x.ndim() - 2)) + k;
  const Var cols = row_positions(length(x, x.ndim() - 1));
  return lower ? rows >= cols : rows <= cols;
}

Var at_least_1d(const Var& x) { return x.ndim() == 0 ? dimshuffle(x, {newaxis}) : x; }
Var at_least_2d(const Var& x) {
  if (x.ndim() == 0) return dimshuffle(x, {newaxis, newaxis});
  if (x.ndim() == 1) return dimshuffle(x, {newaxis, 0});
  return x;
}

void check_list(const char* op, const std::vector<Var>& xs) {
  if (xs.empty()) throw TypeError(fmt::format("{}: needs at least one tensor", op));
  for (std::size_t i = 0; i < xs.size(); ++i) check_not_null(op, xs[i], static_cast<int>(i));
}

}  // namespace

Var eye(const Var& n, const Var& m, const Var& k, std::optional<DType> dtype) {
  check_integer_scalar("eye", "n", n);
  const Var cols = m.is_null() ? n : m;
  check_integer_scalar("eye", "m", cols);
  check_integer_scalar("eye", "k", k);
  return cast(eq(column_positions(n) + k, row_positions(cols)), dtype.value_or(config().floatX));
}

Var identity_like(const Var& x) {
  check_not_null("identity_like", x);
  if (x.ndim() != 2) throw TypeError(fmt::format("identity_like: needs a matrix, got {}", x.type().str()));
  return eye(length(x, 0), length(x, 1), 0, x.dtype());
}

Var tril(const Var& x, const Var& k) {
  check_rank_at_least("tril", x, 2);
  check_integer_scalar("tril", "k", k);
  return where(triangle_mask(x, k, true), x, zero_of(x.dtype()));
}

Var triu(const Var& x, const Var& k) {
  check_rank_at_least("triu", x, 2);
  check_integer_scalar("triu", "k", k);
  return where(triangle_mask(x, k, false), x, zero_of(x.dtype()));
}

Var outer(const Var& a, const Var& b) {
  check_not_null("outer", a, 0);
  check_not_null("outer", b, 1);
  const Var af = a.ndim() == 1 ? a : flatten(at_least_1d(a), 1);
  const Var bf = b.ndim() == 1 ? b : flatten(at_least_1d(b), 1);
  return dimshuffle(af, {0, newaxis}) * dimshuffle(bf, {newaxis, 0});
}

Var diagonal(const Var& x, std::int64_t offset, int axis1, int axis2) {
  check_rank_at_least("diagonal", x, 2);
  const int a1 = normalize_axis("diagonal", axis1, x.ndim());
  const int a2 = normalize_axis("diagonal", axis2, x.ndim());
  if (a1 == a2) throw TypeError(fmt::format("diagonal: axis1 and axis2 are the same axis ({})", a1));
  // The two axes first, then the others in order.
  std::vector<int> perm = {a1, a2};
  for (int a = 0; a < x.ndim(); ++a) {
    if (a != a1 && a != a2) perm.push_back(a);
  }
  const Var xt = transpose(x, perm);
  const Var n = length(xt, 0), m = length(xt, 1);
  const Var count = offset >= 0 ? maximum(minimum(n, m - offset), 0) : maximum(minimum(n + offset, m), 0);
  const Var i = arange(count);
  const Var rows = offset >= 0 ? i : i - offset;
  const Var cols = offset >= 0 ? i + offset : i;
  const Var d = index(xt, {rows, cols});  // (count, other axes...)
  std::vector<int> last(d.ndim());
  std::iota(last.begin(), last.end() - 1, 1);
  last.back() = 0;
  return dimshuffle(d, last);
}

Var diag(const Var& v, std::int64_t k) {
  check_not_null("diag", v);
  if (v.ndim() == 2) return diagonal(v, k, 0, 1);
  if (v.ndim() != 1) throw TypeError(fmt::format("diag: needs a vector or a matrix, got {}", v.type().str()));
  const Var count = length(v, 0);
  const Var n = count + std::llabs(k);
  const Var i = arange(count);
  const Var rows = k >= 0 ? i : i - k;
  const Var cols = k >= 0 ? i + k : i;
  return set_subtensor(index(zeros({n, n}, v.dtype()), {rows, cols}), v);
}

Var trace(const Var& x, std::int64_t offset) {
  check_rank_at_least("trace", x, 2);
  const Var d = diagonal(x, offset, 0, 1);
  return sum(d, d.ndim() - 1);
}

Var expand_dims(const Var& x, int axis) {
  check_not_null("expand_dims", x);
  const int a = normalize_axis("expand_dims", axis, x.ndim() + 1);
  std::vector<int> pattern(static_cast<std::size_t>(x.ndim()));
  std::iota(pattern.begin(), pattern.end(), 0);
  pattern.insert(pattern.begin() + a, newaxis);
  return dimshuffle(x, pattern);
}

Var shape_padleft(const Var& x, int n) {
  check_not_null("shape_padleft", x);
  if (n < 0) throw TypeError(fmt::format("shape_padleft: n must be >= 0, got {}", n));
  std::vector<int> pattern(static_cast<std::size_t>(n), newaxis);
  for (int a = 0; a < x.ndim(); ++a) pattern.push_back(a);
  return dimshuffle(x, pattern);
}

Var shape_padright(const Var& x, int n) {
  check_not_null("shape_padright", x);
  if (n < 0) throw TypeError(fmt::format("shape_padright: n must be >= 0, got {}", n));
  std::vector<int> pattern(static_cast<std::size_t>(x.ndim()));
  std::iota(pattern.begin(), pattern.end(), 0);
  pattern.insert(pattern.end(), static_cast<std::size_t>(n), newaxis);
  return dimshuffle(x, pattern);
}

Var shape_padaxis(const Var& x, int axis) { return expand_dims(x, axis); }

Var squeeze(const Var& x) {
  check_not_null("squeeze", x);
  std::vector<int> pattern;
  for (int a = 0; a < x.ndim(); ++a) {
    if (!x.broadcastable()[a]) pattern.push_back(a);
  }
  return dimshuffle(x, pattern);
}

Var squeeze(const Var& x, const std::vector<int>& axes) {
  check_not_null("squeeze", x);
  std::vector<bool> drop(static_cast<std::size_t>(x.ndim()), false);
  for (int axis : axes) {
    const int a = normalize_axis("squeeze", axis, x.ndim());
    if (drop[a]) throw TypeError(fmt::format("squeeze: axis {} is given twice", axis));
    drop[a] = true;
  }
  // An axis not known to have length 1 is checked when the function runs.
  std::vector<bool> pattern = x.broadcastable();
  for (int a = 0; a < x.ndim(); ++a) pattern[a] = pattern[a] || drop[a];
  const Var checked = patternbroadcast(x, pattern);
  std::vector<int> kept;
  for (int a = 0; a < x.ndim(); ++a) {
    if (!drop[a]) kept.push_back(a);
  }
  return dimshuffle(checked, kept);
}

Var stack(const std::vector<Var>& xs, int axis) {
  check_list("stack", xs);
  for (std::size_t i = 1; i < xs.size(); ++i) {
    if (xs[i].ndim() != xs[0].ndim()) {
      throw TypeError(fmt::format("stack: input {} has rank {} but input 0 has rank {}; stacked tensors must "
                                  "have one shape",
                                  i, xs[i].ndim(), xs[0].ndim()));
    }
  }
  const int a = normalize_axis("stack", axis, xs[0].ndim() + 1);
  std::vector<Var> expanded;
  for (const Var& x : xs) expanded.push_back(expand_dims(x, a));
  return concatenate(expanded, a);
}

Var hstack(const std::vector<Var>& xs) {
  check_list("hstack", xs);
  std::vector<Var> parts;
  for (const Var& x : xs) parts.push_back(at_least_1d(x));
  return concatenate(parts, parts[0].ndim() == 1 ? 0 : 1);
}

Var vstack(const std::vector<Var>& xs) {
  check_list("vstack", xs);
  std::vector<Var> parts;
  for (const Var& x : xs) parts.push_back(at_least_2d(x));
  return concatenate(parts, 0);
}

Var flip(const Var& x) {
  check_not_null("flip", x);
  std::vector<int> axes(static_cast<std::size_t>(x.ndim()));
  std::iota(axes.begin(), axes.end(), 0);
  return flip(x, axes);
}

Var flip(const Var& x, const std::vector<int>& axes) {
  check_not_null("flip", x);
  std::vector<Index> indices(static_cast<std::size_t>(x.ndim()), Index(slice()));
  std::vector<bool> seen(static_cast<std::size_t>(x.ndim()), false);
  for (int axis : axes) {
    const int a = normalize_axis("flip", axis, x.ndim());
    if (seen[a]) throw TypeError(fmt::format("flip: axis {} is given twice", axis));
    seen[a] = true;
    indices[a] = slice(std::nullopt, std::nullopt, -1);
  }
  return subtensor(x, indices);
}

Var roll(const Var& x, const Var& shift, int axis) {
  check_not_null("roll", x);
  check_integer_scalar("roll", "shift", shift);
  const int a = normalize_axis("roll", axis, x.ndim());
  const Var n = length(x, a);
  // Element i of the result is element (i - shift) mod n (Python's mod: never negative).
  return take_along(x, (arange(n) - cast(shift, DType::Int64)) % n, a);
}

Var roll(const Var& x, const Var& shift) {
  check_not_null("roll", x);
  if (x.ndim() == 0) return x;
  return reshape_as(roll(flatten(x, 1), shift, 0), x);
}

Var tile(const Var& x, const std::vector<std::int64_t>& reps) {
  check_not_null("tile", x);
  for (std::size_t i = 0; i < reps.size(); ++i) {
    if (reps[i] < 0) throw TypeError(fmt::format("tile: reps[{}] is {}; repetitions must be >= 0", i, reps[i]));
  }
  const int ndim = std::max<int>(x.ndim(), static_cast<int>(reps.size()));
  Var y = shape_padleft(x, ndim - x.ndim());
  std::vector<std::int64_t> r(static_cast<std::size_t>(ndim - static_cast<int>(reps.size())), 1);
  r.insert(r.end(), reps.begin(), reps.end());
  for (int a = 0; a < ndim; ++a) {
    if (r[a] == 1) continue;
    if (r[a] == 0) {
      std::vector<Index> none(static_cast<std::size_t>(a), Index(slice()));
      none.push_back(slice(0, 0));
      y = subtensor(unbroadcast(y, {a}), none);
      continue;
    }
    y = concatenate(std::vector<Var>(static_cast<std::size_t>(r[a]), y), a);
  }
  return y;
}

Var repeat(const Var& x, const Var& repeats, int axis) {
  check_not_null("repeat", x);
  check_integer_scalar("repeat", "repeats", repeats);
  if (repeats.is_constant() && repeats.constant_value().get_flat_int(0) < 0) {
    throw TypeError(fmt::format("repeat: repeats is {}; it must be >= 0",
                                repeats.constant_value().get_flat_int(0)));
  }
  const int a = normalize_axis("repeat", axis, x.ndim());
  const Var r = cast(repeats, DType::Int64);
  // Element j of the result is element j // repeats along the axis.
  return take_along(x, int_div(arange(length(x, a) * r), r), a);
}

Var repeat(const Var& x, const Var& repeats) {
  check_not_null("repeat", x);
  return repeat(x.ndim() == 1 ? x : flatten(at_least_1d(x), 1), repeats, 0);
}

std::vector<Var> split(const Var& x, const std::vector<std::int64_t>& sizes, int axis) {
  check_not_null("split", x);
  const int a = normalize_axis("split", axis, x.ndim());
  std::int64_t total = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] < 0) throw TypeError(fmt::format("split: size {} is {}; sizes must be >= 0", i, sizes[i]));
    total += sizes[i];
  }
  // The sizes must add up to the axis's length: checked when the function runs.
  std::vector<Var> dims;
  for (int d = 0; d < x.ndim(); ++d) dims.push_back(d == a ? Var(total) : length(x, d));
  const Var checked = specify_shape(x, dims);
  std::vector<Var> parts;
  std::int64_t start = 0;
  for (std::int64_t size : sizes) {
    std::vector<Index> indices(static_cast<std::size_t>(a), Index(slice()));
    indices.push_back(slice(start, start + size));
    parts.push_back(subtensor(checked, indices));
    start += size;
  }
  return parts;
}

Var swapaxes(const Var& x, int axis1, int axis2) {
  check_not_null("swapaxes", x);
  const int a1 = normalize_axis("swapaxes", axis1, x.ndim());
  const int a2 = normalize_axis("swapaxes", axis2, x.ndim());
  std::vector<int> perm(static_cast<std::size_t>(x.ndim()));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[a1], perm[a2]);
  return transpose(x, perm);
}

Var moveaxis(const Var& x, int source, int destination) {
  check_not_null("moveaxis", x);
  const int from = normalize_axis("moveaxis", source, x.ndim());
  const int to = normalize_axis("moveaxis", destination, x.ndim());
  return transpose(x, moved(x.ndim(), from, to));
}

Var addbroadcast(const Var& x, const std::vector<int>& axes) {
  check_not_null("addbroadcast", x);
  std::vector<bool> pattern = x.broadcastable();
  for (int axis : axes) pattern[static_cast<std::size_t>(normalize_axis("addbroadcast", axis, x.ndim()))] = true;
  return patternbroadcast(x, pattern);
}

}  // namespace hypatia
