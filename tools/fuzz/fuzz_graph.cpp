/// \file The differential fuzzer's generator: random recipes, their text form, and build().
#include "tools/fuzz/fuzz_graph.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <sstream>

#include <fmt/format.h>

namespace hypatia::fuzz {
namespace {

constexpr std::int64_t kBig = std::numeric_limits<std::int64_t>::max();

/// Thrown by the generator when an op choice does not fit; it tries another.
struct Skip {};

// --- building ------------------------------------------------------------------------

Array layout_base(const Step& step, Shape shape) {
  // Gaps of a strided layout hold a sentinel, so that code reading them shows.
  Array base(shape, step.dtype);
  const double sentinel = is_float(step.dtype) ? std::numeric_limits<double>::quiet_NaN() : 77.0;
  for (std::int64_t i = 0; i < base.size(); ++i) base.set_flat_double(i, sentinel);
  return base;
}

void fill(Array& view, const Step& step) {
  for (std::int64_t i = 0; i < view.size(); ++i) {
    if (is_float(step.dtype)) view.set_flat_double(i, step.values.at(i));
    else view.set_flat_int(i, step.int_values.at(i));
  }
}

Var binary(const std::string& op, const Var& a, const Var& b) {
  if (op == "add") return a + b;
  if (op == "sub") return a - b;
  if (op == "mul") return a * b;
  if (op == "true_div") return a / b;
  if (op == "int_div") return int_div(a, b);
  if (op == "mod") return a % b;
  if (op == "pow") return pow(a, b);
  if (op == "maximum") return maximum(a, b);
  if (op == "minimum") return minimum(a, b);
  if (op == "eq") return eq(a, b);
  if (op == "neq") return neq(a, b);
  if (op == "lt") return a < b;
  if (op == "gt") return a > b;
  if (op == "le") return a <= b;
  if (op == "ge") return a >= b;
  if (op == "bitwise_and") return a & b;
  if (op == "bitwise_or") return a | b;
  if (op == "bitwise_xor") return a ^ b;
  if (op == "left_shift") return left_shift(a, b);
  if (op == "right_shift") return right_shift(a, b);
  if (op == "arctan2") return arctan2(a, b);
  if (op == "hypot") return hypot(a, b);
  if (op == "logaddexp") return logaddexp(a, b);
  if (op == "dot") return dot(a, b);
  return Var();
}

Var unary(const std::string& op, const Var& x) {
  if (op == "neg") return -x;
  if (op == "exp") return exp(x);
  if (op == "log") return log(x);
  if (op == "log1p") return log1p(x);
  if (op == "sqrt") return sqrt(x);
  if (op == "sqr") return sqr(x);
  if (op == "abs") return abs(x);
  if (op == "tanh") return tanh(x);
  if (op == "sigmoid") return sigmoid(x);
  if (op == "softplus") return softplus(x);
  if (op == "relu") return relu(x);
  if (op == "floor") return floor(x);
  if (op == "ceil") return ceil(x);
  if (op == "trunc") return trunc(x);
  if (op == "round") return round(x);
  if (op == "sign") return sign(x);
  if (op == "reciprocal") return reciprocal(x);
  if (op == "sin") return sin(x);
  if (op == "cos") return cos(x);
  if (op == "tan") return tan(x);
  if (op == "arcsin") return arcsin(x);
  if (op == "arccos") return arccos(x);
  if (op == "arctan") return arctan(x);
  if (op == "sinh") return sinh(x);
  if (op == "cosh") return cosh(x);
  if (op == "arcsinh") return arcsinh(x);
  if (op == "arccosh") return arccosh(x);
  if (op == "arctanh") return arctanh(x);
  if (op == "exp2") return exp2(x);
  if (op == "expm1") return expm1(x);
  if (op == "log2") return log2(x);
  if (op == "log10") return log10(x);
  if (op == "erf") return erf(x);
  if (op == "erfc") return erfc(x);
  if (op == "erfinv") return erfinv(x);
  if (op == "erfcinv") return erfcinv(x);
  if (op == "gammaln") return gammaln(x);
  if (op == "psi") return psi(x);
  if (op == "deg2rad") return deg2rad(x);
  if (op == "rad2deg") return rad2deg(x);
  if (op == "isnan") return isnan(x);
  if (op == "isinf") return isinf(x);
  if (op == "isfinite") return isfinite(x);
  if (op == "invert") return ~x;
  if (op == "logical_not") return logical_not(x);
  if (op == "zeros_like") return zeros_like(x);
  if (op == "ones_like") return ones_like(x);
  if (op == "softmax") return softmax(x);
  if (op == "shape") return shape(x);
  return Var();
}

std::vector<int> as_ints(const std::vector<std::int64_t>& v) { return std::vector<int>(v.begin(), v.end()); }

Var reduction(const Step& s, const Var& x) {
  const std::vector<int> axes = as_ints(s.params);
  if (s.op == "sum") return s.all_axes ? sum(x) : sum(x, axes, s.keepdims);
  if (s.op == "mean") return s.all_axes ? mean(x) : mean(x, axes, s.keepdims);
  if (s.op == "max") return s.all_axes ? max(x) : max(x, axes, s.keepdims);
  if (s.op == "min") return s.all_axes ? min(x) : min(x, axes, s.keepdims);
  if (s.op == "prod") return s.all_axes ? prod(x) : prod(x, axes, s.keepdims);
  if (s.op == "argmax") return s.all_axes ? argmax(x) : argmax(x, axes.at(0), s.keepdims);
  if (s.op == "argmin") return s.all_axes ? argmin(x) : argmin(x, axes.at(0), s.keepdims);
  if (s.op == "all") return s.all_axes ? all(x) : all(x, axes, s.keepdims);
  if (s.op == "any") return s.all_axes ? any(x) : any(x, axes, s.keepdims);
  if (s.op == "var") return s.all_axes ? var(x) : var(x, axes, s.keepdims);
  if (s.op == "std") return s.all_axes ? std(x) : std(x, axes, s.keepdims, 1);
  if (s.op == "logsumexp") return s.all_axes ? logsumexp(x) : logsumexp(x, axes, s.keepdims);
  if (s.op == "norm") return s.all_axes ? norm(x) : norm(x, 1, axes, s.keepdims);
  return Var();
}

}  // namespace

Array make_value(const Step& step) {
  const Shape& shape = step.shape;
  const int nd = static_cast<int>(shape.size());
  const int axis = nd == 0 ? 0 : std::clamp(step.layout_axis, 0, nd - 1);
  Array view;
  switch (nd == 0 ? Layout::Contiguous : step.layout) {
    case Layout::Contiguous: view = Array(shape, step.dtype); break;
    case Layout::Strided: {
      Shape wide = shape;
      wide[axis] = 2 * shape[axis] + 1;
      view = layout_base(step, wide).slice(axis, 1, kBig, 2);
      break;
    }
    case Layout::Transposed: {
      Shape reversed(shape.rbegin(), shape.rend());
      view = layout_base(step, reversed).transpose();
      break;
    }
    case Layout::Reversed: view = layout_base(step, shape).slice(axis, kBig, -kBig, -1); break;
    case Layout::Broadcast: {
      // Every slice along `axis` holds the values of the first one (stride 0).
      Shape one = shape;
      one[axis] = 1;
      Array small(one, step.dtype);
      Step first = step;
      first.values.clear();
      first.int_values.clear();
      for (std::int64_t i = 0; i < small.size(); ++i) {
        // C-order position i of `small` is the element with axis index 0 in `shape`.
        std::int64_t inner = 1;
        for (int k = axis + 1; k < nd; ++k) inner *= shape[k];
        const std::int64_t flat = (i / inner) * inner * shape[axis] + i % inner;
        if (is_float(step.dtype)) first.values.push_back(step.values.at(flat));
        else first.int_values.push_back(step.int_values.at(flat));
      }
      fill(small, first);
      return small.broadcast_to(shape);
    }
  }
  fill(view, step);
  return view;
}

Var apply_step(const Step& s, const std::vector<Var>& vars, int index) {
  auto arg = [&](std::size_t k) -> const Var& { return vars.at(s.args.at(k)); };
  switch (s.kind) {
    case Step::Kind::Input: return tensor(fmt::format("x{}", index), s.dtype, s.broadcastable);
    case Step::Kind::Constant: return constant(make_value(s));
    case Step::Kind::Literal:
      if (is_float(s.dtype)) return Var(s.values.at(0));
      if (is_bool(s.dtype)) return Var(s.int_values.at(0) != 0);
      return Var(static_cast<std::int64_t>(s.int_values.at(0)));
    case Step::Kind::Op: break;
  }
  const std::string& op = s.op;
  if (s.args.size() == 2) {
    if (Var v = binary(op, arg(0), arg(1)); !v.is_null()) return v;
  }
  if (s.args.size() == 1) {
    if (Var v = unary(op, arg(0)); !v.is_null()) return v;
    if (Var v = reduction(s, arg(0)); !v.is_null()) return v;
  }
  if (op == "clip") return clip(arg(0), arg(1), arg(2));
  if (op == "where") return where(arg(0), arg(1), arg(2));
  if (op == "cast") return cast(arg(0), static_cast<DType>(s.params.at(0)));
  if (op == "transpose") return s.params.empty() ? transpose(arg(0)) : transpose(arg(0), as_ints(s.params));
  if (op == "dimshuffle") return dimshuffle(arg(0), as_ints(s.params));
  if (op == "reshape") return reshape(arg(0), s.params);
  if (op == "flatten") return flatten(arg(0), static_cast<int>(s.params.at(0)));
  if (op == "subtensor") return subtensor(arg(0), s.indices);
  if (op == "set_subtensor") return set_subtensor(subtensor(arg(0), s.indices), arg(1));
  if (op == "inc_subtensor") return inc_subtensor(subtensor(arg(0), s.indices), arg(1));
  if (op == "advanced_subtensor" || op == "advanced_set_subtensor" || op == "advanced_inc_subtensor") {
    // params: one per entry, 0 a slice (the next of `indices`), 1 an index tensor (the next arg).
    std::vector<IndexEntry> entries;
    std::size_t next_slice = 0, next_arg = 1;
    for (std::int64_t kind : s.params) {
      if (kind == 0) entries.emplace_back(std::get<Slice>(s.indices.at(next_slice++)));
      else entries.emplace_back(arg(next_arg++));
    }
    const Var sub = hypatia::index(arg(0), entries);
    if (op == "advanced_subtensor") return sub;
    const Var& y = arg(next_arg);
    return op == "advanced_set_subtensor" ? set_subtensor(sub, y) : inc_subtensor(sub, y);
  }
  // Construction and rearrangement (compiler/ops/construct.cpp, alloc.cpp).
  const auto& q = s.params;
  if (op == "tril") return tril(arg(0), q.at(0));
  if (op == "triu") return triu(arg(0), q.at(0));
  if (op == "flip") return flip(arg(0), as_ints(q));
  if (op == "roll") return q.size() == 1 ? roll(arg(0), q[0]) : roll(arg(0), q.at(0), static_cast<int>(q.at(1)));
  if (op == "stack") return stack({arg(0), arg(1)}, static_cast<int>(q.at(0)));
  if (op == "expand_dims") return expand_dims(arg(0), static_cast<int>(q.at(0)));
  if (op == "swapaxes") return swapaxes(arg(0), static_cast<int>(q.at(0)), static_cast<int>(q.at(1)));
  if (op == "repeat") return repeat(arg(0), q.at(0), static_cast<int>(q.at(1)));
  if (op == "tile") return tile(arg(0), q);
  if (op == "diagonal") return diagonal(arg(0), q.at(0), static_cast<int>(q.at(1)), static_cast<int>(q.at(2)));
  if (op == "trace") return trace(arg(0), q.at(0));
  if (op == "outer") return outer(arg(0), arg(1));
  if (op == "matmul") return matmul(arg(0), arg(1));
  if (op == "tensordot") return tensordot(arg(0), arg(1), 1);
  if (op == "broadcast_to") return broadcast_to(arg(0), std::vector<Var>(q.begin(), q.end()));
  if (op == "cumsum" || op == "cumprod") {
    // params: the axis, or none for the flattened tensor.
    const bool sum = op == "cumsum";
    if (s.params.empty()) return sum ? cumsum(arg(0)) : cumprod(arg(0));
    const int axis = static_cast<int>(s.params.at(0));
    return sum ? cumsum(arg(0), axis) : cumprod(arg(0), axis);
  }
  if (op == "sort") return sort(arg(0), static_cast<int>(s.params.at(0)));
  if (op == "argsort") return argsort(arg(0), static_cast<int>(s.params.at(0)));
  if (op == "searchsorted") return searchsorted(arg(0), arg(1), s.params.at(0) != 0 ? "right" : "left");
  if (op == "concatenate") {
    std::vector<Var> xs;
    for (std::size_t k = 0; k < s.args.size(); ++k) xs.push_back(arg(k));
    return concatenate(xs, static_cast<int>(s.params.at(0)));
  }
  throw Error(fmt::format("fuzz recipe: unknown op '{}' with {} operand(s)", op, s.args.size()));
}

Built build(const Recipe& recipe) {
  Built b;
  for (std::size_t i = 0; i < recipe.steps.size(); ++i) {
    const Step& s = recipe.steps[i];
    b.step_vars.push_back(apply_step(s, b.step_vars, static_cast<int>(i)));
    if (s.kind == Step::Kind::Input) {
      b.inputs.push_back(b.step_vars.back());
      b.args.push_back(make_value(s));
    }
  }
  for (int o : recipe.outputs) b.outputs.push_back(b.step_vars.at(o));
  return b;
}

// --- text form -------------------------------------------------------------------------

namespace {

std::string kind_name(Step::Kind k) {
  switch (k) {
    case Step::Kind::Input: return "input";
    case Step::Kind::Constant: return "constant";
    case Step::Kind::Literal: return "literal";
    case Step::Kind::Op: return "op";
  }
  return "?";
}

const char* layout_name(Layout l) {
  switch (l) {
    case Layout::Contiguous: return "contiguous";
    case Layout::Strided: return "strided";
    case Layout::Transposed: return "transposed";
    case Layout::Reversed: return "reversed";
    case Layout::Broadcast: return "broadcast";
  }
  return "?";
}

std::string join_ints(const std::vector<std::int64_t>& v) { return fmt::format("{}", fmt::join(v, ",")); }

std::string format_double(double v) {
  if (std::isnan(v)) return std::signbit(v) ? "-nan" : "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  return fmt::format("{:a}", v);
}

std::string format_index(const std::vector<Index>& indices) {
  std::vector<std::string> parts;
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string(); };
  for (const Index& idx : indices) {
    if (const auto* i = std::get_if<std::int64_t>(&idx)) {
      parts.push_back(std::to_string(*i));
    } else {
      const Slice& sl = std::get<Slice>(idx);
      parts.push_back(opt(sl.start) + ":" + opt(sl.stop) + ":" + opt(sl.step));
    }
  }
  return fmt::format("{}", fmt::join(parts, "|"));
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::string cur;
  for (char c : text) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::int64_t parse_int(const std::string& t) {
  std::size_t used = 0;
  const long long v = std::stoll(t, &used);
  if (used != t.size()) throw Error("bad integer '" + t + "'");
  return v;
}

std::vector<std::int64_t> parse_ints(const std::string& t) {
  std::vector<std::int64_t> out;
  for (const std::string& p : split(t, ',')) out.push_back(parse_int(p));
  return out;
}

std::vector<Index> parse_index(const std::string& t) {
  std::vector<Index> out;
  for (const std::string& part : split(t, '|')) {
    const auto fields = split(part, ':');
    if (fields.size() == 1) {
      out.emplace_back(parse_int(fields[0]));
      continue;
    }
    if (fields.size() != 3) throw Error("bad index '" + part + "'");
    auto opt = [](const std::string& f) -> std::optional<std::int64_t> {
      if (f.empty()) return std::nullopt;
      return parse_int(f);
    };
    out.emplace_back(Slice{opt(fields[0]), opt(fields[1]), opt(fields[2])});
  }
  return out;
}

}  // namespace

std::string format_recipe(const Recipe& recipe) {
  std::string out;
  for (std::size_t i = 0; i < recipe.steps.size(); ++i) {
    const Step& s = recipe.steps[i];
    out += fmt::format("{} {}", i, kind_name(s.kind));
    if (s.kind == Step::Kind::Op) {
      out += fmt::format(" {} args={}", s.op, fmt::join(s.args, ","));
      if (!s.params.empty()) out += " params=" + join_ints(s.params);
      if (s.all_axes) out += " all_axes=1";
      if (s.keepdims) out += " keepdims=1";
      if (!s.indices.empty()) out += " index=" + format_index(s.indices);
    } else {
      out += fmt::format(" dtype={} shape={}", dtype_name(s.dtype), join_ints(s.shape));
      if (s.kind == Step::Kind::Input) {
        std::vector<std::int64_t> bc(s.broadcastable.begin(), s.broadcastable.end());
        out += " broadcastable=" + join_ints(bc);
        if (s.layout != Layout::Contiguous) out += fmt::format(" layout={}:{}", layout_name(s.layout), s.layout_axis);
      }
      std::vector<std::string> vals;
      if (is_float(s.dtype)) {
        for (double v : s.values) vals.push_back(format_double(v));
      } else {
        for (std::int64_t v : s.int_values) vals.push_back(std::to_string(v));
      }
      out += fmt::format(" values={}", fmt::join(vals, ","));
    }
    out += "\n";
  }
  out += fmt::format("outputs {}\n", fmt::join(recipe.outputs, ","));
  return out;
}

Recipe parse_recipe(const std::string& text) {
  Recipe r;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    try {
      std::istringstream words(line);
      std::string first, kind;
      words >> first;
      if (first == "outputs") {
        std::string list;
        words >> list;
        for (std::int64_t o : parse_ints(list)) r.outputs.push_back(static_cast<int>(o));
        continue;
      }
      if (parse_int(first) != static_cast<std::int64_t>(r.steps.size())) throw Error("steps out of order");
      words >> kind;
      Step s;
      if (kind == "input") s.kind = Step::Kind::Input;
      else if (kind == "constant") s.kind = Step::Kind::Constant;
      else if (kind == "literal") s.kind = Step::Kind::Literal;
      else if (kind == "op") s.kind = Step::Kind::Op;
      else throw Error("unknown step kind '" + kind + "'");
      if (s.kind == Step::Kind::Op) words >> s.op;
      std::string word;
      std::vector<std::string> raw_values;
      while (words >> word) {
        const auto eq = word.find('=');
        if (eq == std::string::npos) throw Error("expected key=value, got '" + word + "'");
        const std::string key = word.substr(0, eq), value = word.substr(eq + 1);
        if (key == "args") {
          for (std::int64_t a : parse_ints(value)) s.args.push_back(static_cast<int>(a));
        } else if (key == "params") {
          s.params = parse_ints(value);
        } else if (key == "all_axes") {
          s.all_axes = value == "1";
        } else if (key == "keepdims") {
          s.keepdims = value == "1";
        } else if (key == "index") {
          s.indices = parse_index(value);
        } else if (key == "dtype") {
          s.dtype = dtype_from_name(value);
        } else if (key == "shape") {
          s.shape = parse_ints(value);
        } else if (key == "broadcastable") {
          for (std::int64_t b : parse_ints(value)) s.broadcastable.push_back(b != 0);
        } else if (key == "layout") {
          const auto parts = split(value, ':');
          const std::string names[] = {"contiguous", "strided", "transposed", "reversed", "broadcast"};
          const auto it = std::find(std::begin(names), std::end(names), parts.at(0));
          if (it == std::end(names)) throw Error("unknown layout '" + value + "'");
          s.layout = static_cast<Layout>(it - std::begin(names));
          s.layout_axis = static_cast<int>(parse_int(parts.at(1)));
        } else if (key == "values") {
          raw_values = split(value, ',');
        } else {
          throw Error("unknown key '" + key + "'");
        }
      }
      for (const std::string& v : raw_values) {
        if (is_float(s.dtype)) s.values.push_back(std::strtod(v.c_str(), nullptr));
        else s.int_values.push_back(parse_int(v));
      }
      r.steps.push_back(std::move(s));
    } catch (const std::exception& e) {
      throw Error(fmt::format("fuzz record, line {}: {} ('{}')", line_no, e.what(), line));
    }
  }
  return r;
}

// --- generation -------------------------------------------------------------------------

namespace {

std::int64_t size_of(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

/// The elements of `s` with each size-0 axis counted as 1: what the memory of
/// an input's strided or transposed layout holds (make_value widens a size-0
/// axis to 1), and the size the other axes reach.
std::int64_t footprint(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= std::max<std::int64_t>(d, 1);
  return n;
}

/// Python's slice length for an axis of `len`.
std::int64_t slice_length(std::int64_t len, const Slice& s) {
  const std::int64_t step = s.step.value_or(1);
  auto clampb = [&](std::optional<std::int64_t> v, std::int64_t dflt) {
    if (!v) return dflt;
    std::int64_t x = *v;
    if (x < 0) x += len;
    if (step > 0) return std::clamp<std::int64_t>(x, 0, len);
    return std::clamp<std::int64_t>(x, -1, len - 1);
  };
  const std::int64_t start = clampb(s.start, step > 0 ? 0 : len - 1);
  const std::int64_t stop = clampb(s.stop, step > 0 ? len : -1);
  if (step > 0) return stop > start ? (stop - start - 1) / step + 1 : 0;
  return start > stop ? (start - stop - 1) / -step + 1 : 0;
}

struct TypeShape {
  Shape shape;
  std::vector<bool> bc;
};

bool compatible(const TypeShape& a, const TypeShape& b) {
  const int na = static_cast<int>(a.shape.size()), nb = static_cast<int>(b.shape.size());
  for (int k = 1; k <= std::min(na, nb); ++k) {
    const int i = na - k, j = nb - k;
    if (!a.bc[i] && !b.bc[j] && a.shape[i] != b.shape[j]) return false;
  }
  return true;
}

TypeShape broadcast(const TypeShape& a, const TypeShape& b) {
  const int n = static_cast<int>(std::max(a.shape.size(), b.shape.size()));
  TypeShape r{Shape(n, 1), std::vector<bool>(n, true)};
  for (const TypeShape* t : {&a, &b}) {
    const int pad = n - static_cast<int>(t->shape.size());
    for (int i = 0; i < static_cast<int>(t->shape.size()); ++i) {
      if (t->bc[i]) continue;
      r.shape[pad + i] = t->shape[i];
      r.bc[pad + i] = false;
    }
  }
  return r;
}

const std::vector<std::string> kBinary = {"add", "sub", "mul", "true_div", "int_div", "mod", "pow", "maximum",
                                          "minimum", "eq", "neq", "lt", "gt", "le", "ge", "bitwise_and", "bitwise_or",
                                          "bitwise_xor", "left_shift", "right_shift", "arctan2", "hypot",
                                          "logaddexp"};
const std::vector<std::string> kUnary = {"neg",      "exp",   "log",        "log1p",     "sqrt",
                                         "sqr",      "abs",   "tanh",       "sigmoid",   "softplus",
                                         "relu",     "cast",  "zeros_like", "ones_like", "floor",
                                         "ceil",     "trunc", "round",      "sign",      "reciprocal",
                                         "deg2rad",  "rad2deg", "isnan",    "isinf",     "isfinite",
                                         "invert",   "logical_not",
                                         "sin",      "cos",     "tan",      "arcsin",    "arccos",
                                         "arctan",   "sinh",    "cosh",     "arcsinh",   "arccosh",
                                         "arctanh",  "exp2",    "expm1",    "log2",      "log10",
                                         "erf",      "erfc",    "erfinv",   "erfcinv",   "gammaln",
                                         "psi"};
const std::vector<std::string> kReductions = {"sum", "mean", "max", "min", "prod", "argmax", "argmin",
                                              "all", "any", "var", "std", "logsumexp", "norm"};
const std::vector<std::string> kStructural = {"dot",     "transpose", "dimshuffle", "reshape",
                                              "flatten", "concatenate", "subtensor",  "set_subtensor",
                                              "inc_subtensor", "softmax", "shape", "clip", "where",
                                              "advanced_subtensor", "advanced_set_subtensor", "advanced_inc_subtensor",
                                              "tril", "triu", "flip", "roll", "stack", "expand_dims", "swapaxes",
                                              "repeat", "tile", "diagonal", "trace", "outer", "broadcast_to",
                                              "matmul", "tensordot",
                                              "cumsum", "cumprod", "sort", "argsort", "searchsorted"};

const std::vector<DType> kDTypes = {DType::Float64, DType::Float32, DType::Int8,  DType::Int16,
                                    DType::Int32,   DType::Int64,   DType::UInt8, DType::Bool};

}  // namespace

const std::vector<std::string>& op_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all = kBinary;
    for (const auto* list : {&kUnary, &kReductions, &kStructural}) all.insert(all.end(), list->begin(), list->end());
    return all;
  }();
  return names;
}

/// The state of one graph being generated.
struct Generator::Pool {
  std::mt19937_64& rng;
  const GenOptions& opt;
  Recipe recipe;
  std::vector<Var> vars;
  std::vector<TypeShape> ts;
  std::vector<int> uses;

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v.at(static_cast<std::size_t>(uniform(0, static_cast<int>(v.size()) - 1)));
  }

  bool big = false;  ///< this graph's arrays may be large

  bool diff() const { return opt.differentiable_only; }
  std::int64_t max_elements() const { return big ? std::int64_t{1} << 16 : opt.max_elements; }

  /// Appends a step (its variable built now, so the op checks the types); returns its index.
  int push(Step s) {
    Var v = apply_step(s, vars, static_cast<int>(recipe.steps.size()));
    TypeShape t{s.shape, v.broadcastable()};
    if (t.bc.size() != t.shape.size()) throw Error("fuzz generator: rank mismatch for op " + s.op);
    for (std::size_t i = 0; i < t.bc.size(); ++i) {
      if (t.bc[i] && t.shape[i] != 1) throw Error("fuzz generator: broadcastable axis of size != 1 after " + s.op);
    }
    for (int a : s.args) uses[a]++;
    recipe.steps.push_back(std::move(s));
    vars.push_back(v);
    ts.push_back(std::move(t));
    uses.push_back(0);
    return static_cast<int>(recipe.steps.size()) - 1;
  }

  DType random_dtype() {
    if (diff()) return DType::Float64;
    // Floats are half the draws: most ops are about them.
    if (chance(0.5)) return chance(0.5) ? DType::Float64 : DType::Float32;
    return pick(kDTypes);
  }

  std::int64_t random_size() {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    if (u < 0.05 && !diff()) return 0;
    if (u < 0.25) return 1;
    static const std::vector<std::int64_t> sizes = {2, 3, 4, 5, 7};
    static const std::vector<std::int64_t> big_sizes = {2, 3, 17, 64, 257, 1031, 40000};
    return pick(big ? big_sizes : sizes);
  }

  double random_float(DType dtype, int profile) {
    const bool f32 = dtype == DType::Float32;
    if (diff()) return std::uniform_real_distribution<double>(-2, 2)(rng);
    double v;
    if (profile == 1 && chance(0.3)) {
      const double max = f32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
      const double tiny = f32 ? std::numeric_limits<float>::denorm_min() : std::numeric_limits<double>::denorm_min();
      const double normal_min = f32 ? std::numeric_limits<float>::min() : std::numeric_limits<double>::min();
      const std::vector<double> specials = {0.0,   -0.0, INFINITY, -INFINITY, NAN,        tiny,  -tiny * 3,
                                            max,   -max, normal_min, 1e-300,   -1e300,    88.5,  -745.5,
                                            710.0, 1.0,  -1.0};
      v = pick(specials);
    } else if (profile == 2) {
      const double e = f32 ? std::uniform_real_distribution<double>(-44, 38)(rng)
                           : std::uniform_real_distribution<double>(-310, 308)(rng);
      v = (chance(0.5) ? -1 : 1) * std::pow(10.0, e);
    } else if (chance(0.2)) {
      v = uniform(-4, 4);
    } else {
      static const std::vector<double> scales = {1, 1, 1, 3, 0.1, 30};
      v = std::normal_distribution<double>(0, 1)(rng) * pick(scales);
    }
    return f32 ? static_cast<double>(static_cast<float>(v)) : v;
  }

  std::int64_t random_int(DType dtype, int profile) {
    if (is_bool(dtype)) return uniform(0, 1);
    const auto [lo, hi] = visit_dtype(dtype, [](auto tag) {
      using L = std::numeric_limits<decltype(tag)>;
      return std::pair<std::int64_t, std::int64_t>{L::lowest(), L::max()};
    });
    if (profile == 2 || (profile == 1 && chance(0.2))) {
      if (chance(0.4)) return chance(0.5) ? lo : hi;
      return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    }
    return std::clamp<std::int64_t>(uniform(-5, 5), lo, hi);
  }

  void fill_values(Step& s) {
    const int profile = chance(0.6) ? 0 : chance(0.6) ? 1 : 2;
    const std::int64_t n = size_of(s.shape);
    for (std::int64_t i = 0; i < n; ++i) {
      if (is_float(s.dtype)) s.values.push_back(random_float(s.dtype, profile));
      else s.int_values.push_back(random_int(s.dtype, profile));
    }
  }

  /// A new input (or constant) of this dtype, shape and pattern, with random values and layout.
  int leaf(DType dtype, const TypeShape& t) {
    Step s;
    s.kind = !diff() && chance(0.12) ? Step::Kind::Constant : Step::Kind::Input;
    s.dtype = dtype;
    s.shape = t.shape;
    s.broadcastable = t.bc;
    // verify_grad declares its inputs without broadcastable axes.
    if (diff()) s.broadcastable.assign(t.bc.size(), false);
    if (s.kind == Step::Kind::Constant) {
      // A constant's pattern comes from its shape.
      s.broadcastable.clear();
    }
    fill_values(s);
    if (s.kind == Step::Kind::Input && !diff() && !s.shape.empty() && chance(0.4)) {
      s.layout = static_cast<Layout>(uniform(1, 4));
      s.layout_axis = uniform(0, static_cast<int>(s.shape.size()) - 1);
      // Broadcast views repeat one slice: only along an axis that is not broadcastable.
      if (s.layout == Layout::Broadcast && (t.bc[s.layout_axis] || s.shape[s.layout_axis] == 0)) s.layout = Layout::Strided;
    }
    return push(std::move(s));
  }

  TypeShape random_typeshape() {
    const int rank = uniform(0, 4);
    TypeShape t;
    for (int i = 0; i < rank; ++i) {
      const std::int64_t n = random_size();
      t.shape.push_back(n);
      t.bc.push_back(n == 1 && chance(0.5) && !diff());
    }
    shrink(t);
    return t;
  }

  /// Keeps arrays small: halves the largest axes until the size fits (a
  /// size-0 axis leaves the others to be bounded all the same).
  void shrink(TypeShape& t) {
    while (footprint(t.shape) > max_elements()) {
      auto it = std::max_element(t.shape.begin(), t.shape.end());
      *it = std::max<std::int64_t>(1, *it / 2);
      if (*it == 1) t.bc[it - t.shape.begin()] = false;
    }
  }

  int new_leaf() { return leaf(random_dtype(), random_typeshape()); }

  /// A weak C++ number.
  int literal(bool want_float) {
    Step s;
    s.kind = Step::Kind::Literal;
    if (want_float || diff()) {
      s.dtype = DType::Float64;
      static const std::vector<double> floats = {0.0, 1.0, -1.0, 2.0, 0.5, -0.5, 3.0, 1e-3,
                                                 1e3, 1e30, -0.0, 1e-310, INFINITY, -INFINITY, NAN, 0.1};
      s.values = {diff() ? pick(std::vector<double>{1.0, -1.0, 2.0, 0.5, 3.0, 0.25}) : pick(floats)};
    } else {
      s.dtype = DType::Int64;
      static const std::vector<std::int64_t> ints = {0, 1, -1, 2, 3, 7, -128, 127, 100, 255, -3};
      s.int_values = {pick(ints)};
    }
    return push(std::move(s));
  }

  int int_literal(std::int64_t value) {
    Step s;
    s.kind = Step::Kind::Literal;
    s.dtype = DType::Int64;
    s.int_values = {value};
    return push(std::move(s));
  }

  /// A pool node (op results preferred, unused ones first).
  int existing(const std::function<bool(int)>& ok = nullptr) {
    std::vector<int> fresh, any;
    for (int i = 0; i < static_cast<int>(recipe.steps.size()); ++i) {
      if (recipe.steps[i].kind == Step::Kind::Literal) continue;
      if (ok && !ok(i)) continue;
      any.push_back(i);
      if (uses[i] == 0) fresh.push_back(i);
    }
    if (!fresh.empty() && chance(0.7)) return pick(fresh);
    if (!any.empty()) return pick(any);
    return -1;
  }

  int operand() {
    // Gradients need floats: in differentiable graphs the integer index
    // tensors of advanced indexing are never operands of other ops.
    const int e = diff() ? existing([&](int i) { return is_float(vars[i].dtype()); }) : existing();
    return e >= 0 && chance(0.85) ? e : new_leaf();
  }

  /// A type/shape that broadcasts with `a`.
  TypeShape compatible_with(const TypeShape& a) {
    const int na = static_cast<int>(a.shape.size());
    int nb = na;
    if (chance(0.3)) nb = uniform(0, std::min(na + 1, 4));
    TypeShape t;
    for (int j = 0; j < nb; ++j) {
      const int i = na - nb + j;  // a's aligned axis
      std::int64_t n;
      bool bc;
      if (i < 0) {
        n = random_size();
        bc = n == 1 && chance(0.5) && !diff();
      } else if (a.bc[i]) {
        bc = chance(0.5) && !diff();
        n = bc ? 1 : random_size();
      } else {
        bc = chance(0.25) && !diff();
        n = bc ? 1 : a.shape[i];
      }
      t.shape.push_back(n);
      t.bc.push_back(bc);
    }
    // t itself must fit too: against a size-0 axis of a, t's other axes are
    // free to be large (the broadcast is empty, t's memory need not be).
    if (size_of(broadcast(a, t).shape) > max_elements() || footprint(t.shape) > max_elements()) {
      return TypeShape{{}, {}};  // a scalar always fits
    }
    return t;
  }

  /// An operand that broadcasts with `a`: a number, a pool node or a new leaf.
  int partner(const TypeShape a, DType hint) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    if (u < 0.25) return literal(is_float(hint) ? chance(0.8) : chance(0.2));
    if (u < 0.6) {
      const int e = existing([&](int i) { return compatible(a, ts[i]) && size_of(broadcast(a, ts[i]).shape) <= max_elements(); });
      if (e >= 0) return e;
    }
    return leaf(chance(0.6) ? hint : random_dtype(), compatible_with(a));
  }

  Step op_step(const std::string& name, std::vector<int> args, Shape shape) {
    Step s;
    s.op = name;
    s.args = std::move(args);
    s.shape = std::move(shape);
    return s;
  }

  int elementwise(const std::string& name, std::vector<int> args) {
    TypeShape r = ts[args[0]];
    for (std::size_t k = 1; k < args.size(); ++k) {
      if (!compatible(r, ts[args[k]])) throw Skip{};
      r = broadcast(r, ts[args[k]]);
    }
    return push(op_step(name, std::move(args), r.shape));
  }

  /// Bits are defined on integers and booleans only: a float operand is cast to an integer dtype first.
  static bool is_bitwise(const std::string& name) {
    return name == "bitwise_and" || name == "bitwise_or" || name == "bitwise_xor" || name == "left_shift" ||
           name == "right_shift" || name == "invert";
  }
  int integer_operand(int x) {
    if (!is_float(vars[x].dtype())) return x;
    Step s = op_step("cast", {x}, ts[x].shape);
    s.params = {static_cast<std::int64_t>(pick(std::vector<DType>{DType::Int8, DType::Int32, DType::Int64, DType::UInt8}))};
    return push(std::move(s));
  }

  int gen_binary(const std::string& name) {
    if (diff() && is_bitwise(name)) throw Skip{};  // integer results: nothing to differentiate
    int a = operand();
    int b = partner(ts[a], recipe.steps[a].dtype);
    if (is_bitwise(name)) {
      a = integer_operand(a);
      b = integer_operand(b);
    }
    std::vector<int> args = chance(0.5) ? std::vector<int>{a, b} : std::vector<int>{b, a};
    if (!diff() && (name == "int_div" || name == "mod" || name == "pow") && chance(0.85)) {
      // Integer division by zero and negative integer powers raise: keep most
      // divisors non-zero and exponents non-negative so the graph computes.
      const int d = args[1];
      const bool ints = !is_float(vars[args[0]].dtype()) && !is_float(vars[d].dtype()) &&
                        recipe.steps[d].kind != Step::Kind::Literal;
      if (ints && name == "pow") args[1] = elementwise("maximum", {d, int_literal(0)});
      if (ints && name != "pow") args[1] = elementwise("where", {elementwise("neq", {d, int_literal(0)}), d, int_literal(1)});
    }
    // Differentiable graphs keep arctan2 off its branch cut: b = b*b + 1 > 0.
    if (diff() && name == "arctan2") args[1] = square_plus(args[1], 1.0);
    return elementwise(name, args);
  }

  int gen_unary(const std::string& name) {
    if (diff() && (is_bitwise(name) || name == "logical_not")) throw Skip{};  // integer and bool results
    int x = operand();
    if (is_bitwise(name)) x = integer_operand(x);
    if (name == "cast") {
      Step s = op_step(name, {x}, ts[x].shape);
      s.params = {static_cast<std::int64_t>(pick(kDTypes))};
      if (static_cast<DType>(s.params[0]) == vars[x].dtype()) throw Skip{};
      return push(std::move(s));
    }
    if (diff()) {
      // Keep the function smooth and finite: log, sqrt and pow of x*x + 1, exp of tanh;
      // functions defined on (-1, 1) of 0.9 tanh(x), erfcinv of 1 + 0.9 tanh(x).
      static const std::vector<std::string> of_square_plus_one = {"log", "sqrt", "log2", "log10", "gammaln"};
      static const std::vector<std::string> of_tanh = {"exp", "exp2", "expm1", "sinh", "cosh", "tan"};
      static const std::vector<std::string> of_unit = {"arcsin", "arccos", "arctanh", "erfinv"};
      const auto in = [&](const std::vector<std::string>& names) {
        return std::find(names.begin(), names.end(), name) != names.end();
      };
      if (in(of_square_plus_one)) return push(op_step(name, {square_plus(x, 1.0)}, ts[x].shape));
      if (name == "arccosh") return push(op_step(name, {square_plus(x, 2.0)}, ts[x].shape));
      const int t = push(op_step("tanh", {x}, ts[x].shape));
      if (in(of_tanh)) return push(op_step(name, {t}, ts[x].shape));
      const int unit = elementwise("mul", {t, float_literal(0.9)});
      if (in(of_unit)) return push(op_step(name, {unit}, ts[x].shape));
      if (name == "erfcinv") return push(op_step(name, {elementwise("add", {unit, float_literal(1.0)})}, ts[x].shape));
    }
    return push(op_step(name, {x}, ts[x].shape));
  }

  /// x * x + c, for arguments that must stay positive and away from 0.
  int square_plus(int x, double c) {
    return elementwise("add", {push(op_step("sqr", {x}, ts[x].shape)), float_literal(c)});
  }

  int gen_reduction(const std::string& name) {
    const int x = operand();
    const TypeShape& t = ts[x];
    const int nd = static_cast<int>(t.shape.size());
    Step s = op_step(name, {x}, {});
    std::vector<bool> reduced(nd, false);
    if (nd == 0 || chance(0.25)) {
      s.all_axes = true;
      reduced.assign(nd, true);
    } else if (name == "argmax" || name == "argmin") {
      const int a = uniform(0, nd - 1);
      reduced[a] = true;
      s.params = {chance(0.3) ? a - nd : a};
      s.keepdims = chance(0.3);
    } else {
      for (int a = 0; a < nd; ++a) {
        if (!chance(0.5)) continue;
        reduced[a] = true;
        s.params.push_back(chance(0.3) ? a - nd : a);
      }
      std::shuffle(s.params.begin(), s.params.end(), rng);
      s.keepdims = chance(0.3);
    }
    std::int64_t count = 1;
    for (int a = 0; a < nd; ++a) {
      if (reduced[a]) count *= t.shape[a];
      if (!reduced[a]) s.shape.push_back(t.shape[a]);
      else if (s.keepdims) s.shape.push_back(1);
    }
    const bool no_identity = name == "max" || name == "min" || name == "argmax" || name == "argmin";
    if (no_identity && count == 0 && size_of(s.shape) > 0 && chance(0.8)) throw Skip{};
    return push(std::move(s));
  }

  /// matmul of a rank-3 (or 2) x with b whose batch axis may broadcast, or
  /// tensordot of x's last axis with b's first.
  int gen_product(const std::string& name) {
    const int x = existing([&](int i) { return ts[i].shape.size() == 2 || ts[i].shape.size() == 3; });
    if (x < 0) throw Skip{};
    const TypeShape tx = ts[x];
    const int nd = static_cast<int>(tx.shape.size());
    TypeShape tb;
    Shape out;
    if (name == "matmul") {
      if (nd == 3 && chance(0.7)) {
        const bool bc = chance(0.3) && !diff();
        tb.shape.push_back(bc ? 1 : tx.shape[0]);
        tb.bc.push_back(bc);
        out.push_back(tx.shape[0]);
      } else if (nd == 2 && chance(0.5)) {
        tb.shape.push_back(random_size());
        tb.bc.push_back(false);
        out.push_back(tb.shape[0]);
      } else if (nd == 3) {
        out.push_back(tx.shape[0]);
      }
      tb.shape.push_back(tx.shape[nd - 1]);
      tb.bc.push_back(tx.bc[nd - 1]);
      tb.shape.push_back(random_size());
      tb.bc.push_back(false);
      out.push_back(tx.shape[nd - 2]);
      out.push_back(tb.shape.back());
    } else {  // tensordot over x's last axis and b's first
      tb.shape = {tx.shape[nd - 1], random_size()};
      tb.bc = {tx.bc[nd - 1], false};
      out.assign(tx.shape.begin(), tx.shape.end() - 1);
      out.push_back(tb.shape[1]);
    }
    const int b = leaf(chance(0.7) ? recipe.steps[x].dtype : random_dtype(), tb);
    if (size_of(out) > max_elements() || size_of(out) * tx.shape[nd - 1] > 8 * max_elements()) throw Skip{};
    return push(op_step(name, {x, b}, out));
  }

  int gen_dot() {
    const int a = existing([&](int i) { return ts[i].shape.size() == 1 || ts[i].shape.size() == 2; });
    int ia = a;
    if (ia < 0 || chance(0.3)) {
      TypeShape t;
      const int rank = uniform(1, 2);
      for (int i = 0; i < rank; ++i) t.shape.push_back(random_size()), t.bc.push_back(false);
      ia = leaf(random_dtype(), t);
    }
    const TypeShape ta = ts[ia];
    const std::int64_t k = ta.shape.back();
    TypeShape tb;
    tb.shape.push_back(k);
    tb.bc.push_back(ta.bc.back());
    if (chance(0.6)) tb.shape.push_back(random_size()), tb.bc.push_back(false);
    const int ib = existing([&](int i) {
      return ts[i].shape == tb.shape && (ts[i].bc[0] || !ta.bc.back()) && (!ts[i].bc[0] || ta.bc.back() || k == 1);
    });
    const int b = ib >= 0 && chance(0.4) ? ib : leaf(chance(0.7) ? recipe.steps[ia].dtype : random_dtype(), tb);
    Shape out;
    if (ta.shape.size() == 2) out.push_back(ta.shape[0]);
    if (ts[b].shape.size() == 2) out.push_back(ts[b].shape[1]);
    if (size_of(out) > max_elements() || size_of(out) * k > 8 * max_elements()) throw Skip{};
    return push(op_step("dot", {ia, b}, out));
  }

  int gen_clip() {
    const int x = operand();
    const int lo = partner(ts[x], recipe.steps[x].dtype);
    const TypeShape t = broadcast(ts[x], ts[lo]);
    const int hi = partner(t, recipe.steps[x].dtype);
    return elementwise("clip", {x, lo, hi});
  }

  int gen_where() {
    const int c = operand();
    const int a = partner(ts[c], random_dtype());
    const int b = partner(broadcast(ts[c], ts[a]), recipe.steps[a].dtype);
    return elementwise("where", {c, a, b});
  }

  int gen_transpose(int x) {
    const TypeShape t = ts[x];
    const int nd = static_cast<int>(t.shape.size());
    Step s = op_step("transpose", {x}, Shape(t.shape.rbegin(), t.shape.rend()));
    if (chance(0.6)) {
      std::vector<std::int64_t> perm(nd);
      std::iota(perm.begin(), perm.end(), 0);
      std::shuffle(perm.begin(), perm.end(), rng);
      s.params = perm;
      s.shape.clear();
      for (auto p : perm) s.shape.push_back(t.shape[p]);
    }
    return push(std::move(s));
  }

  int gen_dimshuffle(int x) {
    const TypeShape t = ts[x];
    const int nd = static_cast<int>(t.shape.size());
    std::vector<std::int64_t> kept;
    for (int i = 0; i < nd; ++i) {
      if (!(t.bc[i] && chance(0.5))) kept.push_back(i);
    }
    std::shuffle(kept.begin(), kept.end(), rng);
    std::vector<std::int64_t> pattern;
    for (auto k : kept) {
      while (chance(0.25) && pattern.size() + kept.size() < 4) pattern.push_back(newaxis);
      pattern.push_back(k);
    }
    if (pattern.size() < 4 && chance(0.4)) pattern.push_back(newaxis);
    Step s = op_step("dimshuffle", {x}, {});
    for (auto p : pattern) s.shape.push_back(p == newaxis ? 1 : t.shape[p]);
    s.params = pattern;
    return push(std::move(s));
  }

  int gen_reshape(int x) {
    const TypeShape t = ts[x];
    const std::int64_t n = size_of(t.shape);
    const int rank = n == 1 ? uniform(0, 4) : uniform(1, 4);
    Shape shape;
    std::int64_t rest = n;
    for (int i = 0; i + 1 < rank; ++i) {
      std::vector<std::int64_t> divisors;
      for (std::int64_t d = 1; d <= std::max<std::int64_t>(rest, 1); ++d) {
        if (rest == 0 ? d <= 3 : rest % d == 0) divisors.push_back(d);
      }
      const std::int64_t d = pick(divisors);
      shape.push_back(d);
      if (rest != 0) rest /= d;
    }
    if (rank > 0) shape.push_back(rest);
    if (size_of(shape) != n) throw Skip{};
    Step s = op_step("reshape", {x}, shape);
    s.params = shape;
    if (rank > 0 && n > 0 && chance(0.4)) s.params[uniform(0, rank - 1)] = -1;
    return push(std::move(s));
  }

  int gen_flatten(int x) {
    const TypeShape t = ts[x];
    const int nd = static_cast<int>(t.shape.size());
    if (nd == 0) throw Skip{};
    const int keep = uniform(1, nd);
    Shape shape(t.shape.begin(), t.shape.begin() + keep - 1);
    std::int64_t last = 1;
    for (int i = keep - 1; i < nd; ++i) last *= t.shape[i];
    shape.push_back(last);
    Step s = op_step("flatten", {x}, shape);
    s.params = {keep};
    return push(std::move(s));
  }

  int gen_concatenate(int x) {
    const TypeShape t = ts[x];
    const int nd = static_cast<int>(t.shape.size());
    if (nd == 0) throw Skip{};
    const int axis = uniform(0, nd - 1);
    std::vector<int> args = {x};
    Shape out = t.shape;
    const int extra = uniform(1, 2);
    for (int k = 0; k < extra; ++k) {
      TypeShape o = t;
      o.shape[axis] = diff() ? uniform(1, 3) : uniform(0, 3);
      o.bc[axis] = false;
      const int e = existing([&](int i) { return ts[i].shape == o.shape && i != x; });
      const int arg = e >= 0 && chance(0.4) ? e : leaf(chance(0.7) ? recipe.steps[x].dtype : random_dtype(), o);
      args.push_back(arg);
      out[axis] += ts[arg].shape[axis];
    }
    std::shuffle(args.begin(), args.end(), rng);
    Step s = op_step("concatenate", args, out);
    s.params = {chance(0.3) ? axis - nd : axis};
    return push(std::move(s));
  }

  /// The value of set/inc_subtensor of x over `region`: a number, or a
  /// tensor whose non-broadcastable axes match the region's.
  int update_value(int x, const Shape& region) {
    if (chance(0.25)) return literal(is_float(vars[x].dtype()));
    const int ry = uniform(0, static_cast<int>(region.size()));
    TypeShape ty;
    for (int j = 0; j < ry; ++j) {
      const std::int64_t n = region[region.size() - ry + j];
      const bool bc = chance(0.3) && !diff();
      ty.shape.push_back(bc ? 1 : n);
      ty.bc.push_back(bc);
    }
    return leaf(chance(0.8) ? vars[x].dtype() : random_dtype(), ty);
  }

  int gen_subtensor(const std::string& name, int x) {
    const TypeShape t = ts[x];
    const int nd = static_cast<int>(t.shape.size());
  if (nd == 0) throw Skip{};
  const int count = uniform(1, nd);
  std::vector<Index> indices;
  Shape region;
  for (int i = 0; i < count; ++i) {
    const std::int64_t len = t.shape[i];
    if (len > 0 && chance(0.3)) {
      indices.emplace_back(static_cast<std::int64_t>(uniform(static_cast<int>(-len), static_cast<int>(len - 1))));
      continue;
    }
    auto bound = [&]() -> std::optional<std::int64_t> {
      if (chance(0.4)) return std::nullopt;
      return uniform(static_cast<int>(-len - 1), static_cast<int>(len + 1));
    };
    static const std::vector<std::int64_t> steps = {1, 1, 2, -1, -2, 3};
    Slice sl{bound(), bound(), chance(0.4) ? std::nullopt : std::optional<std::int64_t>(pick(steps))};
    indices.emplace_back(sl);
    region.push_back(slice_length(len, sl));
  }
  for (int i = count; i < nd; ++i) region.push_back(t.shape[i]);
  if (name == "subtensor") {
    Step s = op_step(name, {x}, region);
    s.indices = indices;
    return push(std::move(s));
  }
  const int y = update_value(x, region);
  Step s = op_step(name, {x, y}, t.shape);
  s.indices = indices;
  return push(std::move(s));
  }

  /// An int64/int32/int8 constant of `shape` with indices in [-len, len), or
  /// any int if len is 0 (then the shape has a 0 and there are none).
  int index_leaf(const Shape& shape, std::int64_t len) {
    Step s;
    s.kind = Step::Kind::Constant;
    s.dtype = pick(std::vector<DType>{DType::Int64, DType::Int32, DType::Int8, DType::UInt8});
    if (s.dtype == DType::UInt8 || (s.dtype == DType::Int8 && len > 128)) s.dtype = DType::Int64;
    s.shape = shape;
    const std::int64_t lo = s.dtype == DType::UInt8 ? 0 : -len;
    for (std::int64_t i = 0; i < size_of(shape); ++i) s.int_values.push_back(len == 0 ? 0 : uniform(static_cast<int>(lo), static_cast<int>(len - 1)));
    return push(std::move(s));
  }

  /// x[entries] with integer index tensors (numpy's advanced indexing), or set/inc of it.
  int gen_advanced(const std::string& name, int x) {
    const TypeShape t = ts[x];
    const int nd = static_cast<int>(t.shape.size());
    if (nd == 0) throw Skip{};
    const int count = uniform(1, nd);
    // The index tensors' broadcast shape B (rank 0 to 2), each tensor B or B with some axes 1.
    Shape b;
    for (int r = uniform(0, 2); r > 0; --r) b.push_back(uniform(0, 3));
    std::vector<std::int64_t> kinds;
    std::vector<Index> slices;
    std::vector<int> tensors;
    std::vector<Shape> owns;
    for (int i = 0; i < count; ++i) {
      const std::int64_t len = t.shape[i];
      const bool tensor = chance(0.55) || (i == count - 1 && tensors.empty());
      if (!tensor) {
        auto bound = [&]() -> std::optional<std::int64_t> {
          if (chance(0.4)) return std::nullopt;
          return uniform(static_cast<int>(-len - 1), static_cast<int>(len + 1));
        };
        static const std::vector<std::int64_t> steps = {1, 1, 2, -1, -2, 3};
        Slice sl{bound(), bound(), chance(0.4) ? std::nullopt : std::optional<std::int64_t>(pick(steps))};
        kinds.push_back(0);
        slices.emplace_back(sl);
        continue;
      }
      if (len == 0) throw Skip{};  // no index is in range
      Shape own = b;
      for (auto& d : own) {
        if (chance(0.25)) d = 1;
      }
      if (!own.empty() && chance(0.3)) own.erase(own.begin());  // a lower rank broadcasts too
      kinds.push_back(1);
      tensors.push_back(index_leaf(own, len));
      owns.push_back(own);
    }
    // What the tensors broadcast to (B itself, unless every tensor lost an axis or a length).
    b.assign(0, 0);
    for (const Shape& own : owns) {
      if (own.size() > b.size()) b.insert(b.begin(), own.size() - b.size(), 1);
      for (std::size_t d = 0; d < own.size(); ++d) {
        std::int64_t& bd = b[b.size() - own.size() + d];
        if (own[d] != 1) bd = own[d];
      }
    }
    // The region: numpy's placement of B (in place when the index tensors are adjacent).
    std::vector<int> tensor_at;
    for (int i = 0; i < count; ++i) {
      if (kinds[static_cast<std::size_t>(i)] == 1) tensor_at.push_back(i);
    }
    const bool adjacent = tensor_at.back() - tensor_at.front() + 1 == static_cast<int>(tensor_at.size());
    Shape region;
    if (!adjacent) region = b;
    std::size_t next_slice = 0;
    for (int i = 0; i < nd; ++i) {
      if (i < count && kinds[static_cast<std::size_t>(i)] == 1) {
        if (adjacent && i == tensor_at.front()) region.insert(region.end(), b.begin(), b.end());
        continue;
      }
      region.push_back(i < count ? slice_length(t.shape[i], std::get<Slice>(slices[next_slice++])) : t.shape[i]);
    }
    if (size_of(region) > max_elements() || region.size() > 4) throw Skip{};  // ranks stay 0-4
    std::vector<int> args{x};
    args.insert(args.end(), tensors.begin(), tensors.end());
    if (name == "advanced_subtensor") {
      Step s = op_step(name, args, region);
      s.params = kinds;
      s.indices = slices;
      return push(std::move(s));
    }
    args.push_back(update_value(x, region));
    Step s = op_step(name, args, t.shape);
    s.params = kinds;
    s.indices = slices;
    return push(std::move(s));
  }

  /// Construction and rearrangement ops of x; -1 for another name.
  int gen_construct(const std::string& name, int x) {
    const TypeShape t = ts[x];
    const int nd = static_cast<int>(t.shape.size());
    auto signed_axis = [&](int a, int rank) { return chance(0.3) ? a - rank : a; };
    Step s = op_step(name, {x}, t.shape);
    if (name == "tril" || name == "triu") {
      if (nd < 2) throw Skip{};
      s.params = {uniform(-2, 2)};
    } else if (name == "flip") {
      for (int a = 0; a < nd; ++a) {
        if (chance(0.5)) s.params.push_back(signed_axis(a, nd));
      }
    } else if (name == "roll") {
      s.params = {uniform(-5, 5)};
      if (nd > 0 && chance(0.7)) s.params.push_back(signed_axis(uniform(0, nd - 1), nd));
    } else if (name == "stack") {
      if (nd >= 4) throw Skip{};
      const int e = existing([&](int i) { return ts[i].shape == t.shape && i != x; });
      TypeShape same{t.shape, std::vector<bool>(t.shape.size(), false)};
      const int y = e >= 0 && chance(0.5) ? e : leaf(chance(0.7) ? recipe.steps[x].dtype : random_dtype(), same);
      const int axis = uniform(0, nd);
      s.args = {x, y};
      s.params = {signed_axis(axis, nd + 1)};
      s.shape.insert(s.shape.begin() + axis, 2);
    } else if (name == "expand_dims") {
      if (nd >= 4) throw Skip{};
      const int axis = uniform(0, nd);
      s.params = {signed_axis(axis, nd + 1)};
      s.shape.insert(s.shape.begin() + axis, 1);
    } else if (name == "swapaxes") {
      if (nd == 0) throw Skip{};
      const int a = uniform(0, nd - 1), b = uniform(0, nd - 1);
      s.params = {signed_axis(a, nd), signed_axis(b, nd)};
      std::swap(s.shape[a], s.shape[b]);
    } else if (name == "repeat") {
      if (nd == 0) throw Skip{};
      const int axis = uniform(0, nd - 1);
      const int r = uniform(0, 3);
      s.params = {r, signed_axis(axis, nd)};
      s.shape[axis] *= r;
    } else if (name == "tile") {
      const int k = uniform(0, std::min(3, 4 - nd + std::min(nd, 1)));
      Shape reps;
      for (int i = 0; i < k; ++i) reps.push_back(uniform(0, 2));
      const int out_nd = std::max<int>(nd, k);
      if (out_nd > 4) throw Skip{};
      Shape full(out_nd - nd, 1);
      full.insert(full.end(), t.shape.begin(), t.shape.end());
      Shape r(out_nd - k, 1);
      r.insert(r.end(), reps.begin(), reps.end());
      for (int a = 0; a < out_nd; ++a) full[a] *= r[a];
      s.params = reps;
      s.shape = full;
    } else if (name == "diagonal" || name == "trace") {
      if (nd < 2) throw Skip{};
      const std::int64_t offset = uniform(-2, 2);
      int a1 = 0, a2 = 1;
      if (name == "diagonal") {
        a1 = uniform(0, nd - 1);
        do a2 = uniform(0, nd - 1); while (a2 == a1);
      }
      const std::int64_t n = t.shape[a1], m = t.shape[a2];
      const std::int64_t len = std::max<std::int64_t>(0, offset >= 0 ? std::min(n, m - offset) : std::min(n + offset, m));
      s.shape.clear();
      for (int a = 0; a < nd; ++a) {
        if (a != a1 && a != a2) s.shape.push_back(t.shape[a]);
      }
      if (name == "diagonal") {
        s.shape.push_back(len);
        s.params = {offset, signed_axis(a1, nd), signed_axis(a2, nd)};
      } else {
        s.params = {offset};
      }
    } else if (name == "outer") {
      const int y = operand();
      s.args = {x, y};
      s.shape = {size_of(t.shape), size_of(ts[y].shape)};
      if (size_of(s.shape) > max_elements()) throw Skip{};
    } else if (name == "broadcast_to") {
      // Stretch broadcastable axes and add up to two leading ones.
      const int lead = uniform(0, std::min(2, 4 - nd));
      Shape target;
      for (int i = 0; i < lead; ++i) target.push_back(uniform(0, 3));
      for (int a = 0; a < nd; ++a) target.push_back(t.bc[a] ? uniform(1, 3) : t.shape[a]);
      s.params = target;
      s.shape = target;
    } else {
      return -1;
    }
    if (size_of(s.shape) > max_elements()) throw Skip{};
    return push(std::move(s));
  }

  /// Along an axis (negative at times), or over the flattened tensor.
  int gen_cumulative(const std::string& name, int x) {
    const Shape shape = ts[x].shape;
    const int nd = static_cast<int>(shape.size());
    if (nd == 0 || chance(0.25)) return push(op_step(name, {x}, {size_of(shape)}));
    Step s = op_step(name, {x}, shape);
    const int axis = uniform(0, nd - 1);
    s.params = {chance(0.3) ? axis - nd : axis};
    return push(std::move(s));
  }

  /// searchsorted(sort(a), v) for a vector a of the pool (or a new one) and any v.
  int gen_searchsorted(int v) {
    int a = existing([&](int i) { return ts[i].shape.size() == 1; });
    if (a < 0 || chance(0.3)) {
      TypeShape t;
      t.shape = {random_size()};
      t.bc = {false};
      a = leaf(random_dtype(), t);
    }
    Step sorted = op_step("sort", {a}, ts[a].shape);
    sorted.params = {0};
    const int table = push(std::move(sorted));
    Step s = op_step("searchsorted", {table, v}, ts[v].shape);
    s.params = {chance(0.5) ? 1 : 0};
    return push(std::move(s));
  }

  int gen_structural(const std::string& name) {
    if (name == "dot") return gen_dot();
    if (name == "matmul" || name == "tensordot") return gen_product(name);
    if (name == "clip") return gen_clip();
    if (name == "where") return gen_where();
    const int x = operand();
    const int nd = static_cast<int>(ts[x].shape.size());
    if (name == "shape") return push(op_step(name, {x}, {nd}));
    if (name == "softmax") {
      if (nd == 0) throw Skip{};
      return push(op_step(name, {x}, ts[x].shape));
    }
    if (name == "cumsum" || name == "cumprod") return gen_cumulative(name, x);
    if (name == "sort" || name == "argsort") {
      if (nd == 0) throw Skip{};
      Step s = op_step(name, {x}, ts[x].shape);
      const int axis = uniform(0, nd - 1);
      s.params = {chance(0.3) ? axis - nd : axis};
      return push(std::move(s));
    }
    if (name == "searchsorted") return gen_searchsorted(x);
    if (name == "transpose") return gen_transpose(x);
    if (name == "dimshuffle") return gen_dimshuffle(x);
    if (name == "reshape") return gen_reshape(x);
    if (name == "flatten") return gen_flatten(x);
    if (name == "concatenate") return gen_concatenate(x);
    if (name.rfind("advanced_", 0) == 0) return gen_advanced(name, x);
    if (const int made = gen_construct(name, x); made >= 0) return made;
    return gen_subtensor(name, x);
  }

  int float_literal(double value) {
    Step s;
    s.kind = Step::Kind::Literal;
    s.values = {value};
    return push(std::move(s));
  }

  /// The forms the rewrites look for (stabilize, canonicalize), which random
  /// choices rarely build: log(1 + exp(x)), log(sigmoid(x)), log(1 - sigmoid(x)),
  /// 1 / (1 + exp(-x)), log(softmax(x)), log(sum(exp(x))), x * (1 / y), 0 - x.
  int gen_pattern() {
    const int x = operand();
    const Shape sx = ts[x].shape;
    auto unary_of = [&](const char* name, int arg) { return push(op_step(name, {arg}, ts[arg].shape)); };
    switch (uniform(0, 7)) {
      case 0: return unary_of("log", elementwise("add", {float_literal(1), unary_of("exp", x)}));
      case 1: return unary_of("log", unary_of("sigmoid", x));
      case 2: return unary_of("log", elementwise("sub", {float_literal(1), unary_of("sigmoid", x)}));
      case 3: {
        const int e = unary_of("exp", unary_of("neg", x));
        return elementwise("true_div", {float_literal(1), elementwise("add", {float_literal(1), e})});
      }
      case 4:
        if (sx.empty()) throw Skip{};
        return unary_of("log", unary_of("softmax", x));
      case 5: {
        Step sum = op_step("sum", {unary_of("exp", x)}, {});
        sum.all_axes = true;
        return unary_of("log", push(std::move(sum)));
      }
      case 6: {
        const int y = partner(ts[x], recipe.steps[x].dtype);
        return elementwise("mul", {x, elementwise("true_div", {float_literal(1), y})});
      }
      default: return elementwise("sub", {chance(0.5) ? float_literal(0) : int_literal(0), x});
    }
  }

  int gen(const std::string& name) {
    if (name == "pattern") return gen_pattern();
    if (std::find(kBinary.begin(), kBinary.end(), name) != kBinary.end()) return gen_binary(name);
    if (std::find(kUnary.begin(), kUnary.end(), name) != kUnary.end()) return gen_unary(name);
    if (std::find(kReductions.begin(), kReductions.end(), name) != kReductions.end()) return gen_reduction(name);
    return gen_structural(name);
  }

  std::string random_op() {
    if (diff()) {
      static const std::vector<std::string> smooth = {
          "add",       "sub",     "mul",        "sqr",      "tanh",     "sigmoid",      "softplus",
          "neg",       "exp",     "log",        "sqrt",     "sum",      "mean",         "prod",
          "deg2rad",   "rad2deg", "var",        "logsumexp",
          "sin",       "cos",     "tan",        "arcsin",   "arccos",   "arctan",       "sinh",
          "cosh",      "arcsinh", "arccosh",    "arctanh",  "exp2",     "expm1",        "log2",
          "log10",     "erf",     "erfc",       "erfinv",   "erfcinv",  "gammaln",      "arctan2",
          "logaddexp", "cumsum",
          "dot",       "transpose", "dimshuffle", "reshape", "flatten", "concatenate",  "subtensor",
          "set_subtensor", "inc_subtensor", "softmax", "advanced_subtensor", "advanced_inc_subtensor",
          "tril", "triu", "flip", "roll", "stack", "expand_dims", "swapaxes", "repeat", "tile", "diagonal",
          "trace", "outer", "broadcast_to", "matmul", "tensordot"};
      return pick(smooth);
    }
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    if (u < 0.04) return "pattern";
    if (u < 0.35) return pick(kBinary);
    if (u < 0.6) return pick(kUnary);
    if (u < 0.75) return pick(kReductions);
    return pick(kStructural);
  }
};

Generator::Generator(std::uint64_t seed, GenOptions options) : rng_(seed), options_(options) {}

Recipe prune(const Recipe& r) {
  std::vector<bool> live(r.steps.size(), false);
  for (int o : r.outputs) live[o] = true;
  for (int i = static_cast<int>(r.steps.size()) - 1; i >= 0; --i) {
    if (!live[i]) continue;
    for (int a : r.steps[i].args) live[a] = true;
  }
  std::vector<int> renumber(r.steps.size(), -1);
  Recipe out;
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    if (!live[i]) continue;
    renumber[i] = static_cast<int>(out.steps.size());
    Step s = r.steps[i];
    for (int& a : s.args) a = renumber[a];
    out.steps.push_back(std::move(s));
  }
  for (int o : r.outputs) out.outputs.push_back(renumber[o]);
  return out;
}

Recipe concat(const std::vector<Recipe>& recipes) {
  Recipe all;
  for (const Recipe& r : recipes) {
    const int offset = static_cast<int>(all.steps.size());
    for (Step s : r.steps) {
      for (int& a : s.args) a += offset;
      all.steps.push_back(std::move(s));
    }
    for (int o : r.outputs) all.outputs.push_back(o + offset);
  }
  return all;
}

Recipe Generator::next() {
  Pool p{rng_, options_, {}, {}, {}, {}};
  p.big = !options_.differentiable_only && p.chance(options_.big_fraction);
  const int n_ops = p.uniform(1, std::max(1, options_.max_ops));
  int ops = 0;
  for (int attempt = 0; ops < n_ops && attempt < 50 * n_ops; ++attempt) {
    const std::string name = p.random_op();
    // An op that refuses its operands leaves them in the pool; prune drops them.
    try {
      p.gen(name);
      ++ops;
    } catch (const Skip&) {
    } catch (const TypeError&) {
    }
  }
  if (ops == 0) p.gen_unary("neg");
  // Outputs: the last op and up to two more results nothing else reads.
  int last = -1;
  for (int i = static_cast<int>(p.recipe.steps.size()) - 1; i >= 0; --i) {
    if (p.recipe.steps[i].kind == Step::Kind::Op) {
      last = i;
      break;
    }
  }
  p.recipe.outputs.push_back(last);
  if (!options_.differentiable_only) {
    for (int i = last - 1; i >= 0 && p.recipe.outputs.size() < 3; --i) {
      if (p.recipe.steps[i].kind == Step::Kind::Op && p.uses[i] == 0) p.recipe.outputs.push_back(i);
    }
    // Rarely, an output twice, or an input returned as it is.
    if (p.chance(0.03)) p.recipe.outputs.push_back(last);
    const int leaf = p.existing([&](int i) { return p.recipe.steps[i].kind == Step::Kind::Input; });
    if (leaf >= 0 && p.chance(0.03)) p.recipe.outputs.push_back(leaf);
  }
  return prune(p.recipe);
}

}  // namespace hypatia::fuzz
