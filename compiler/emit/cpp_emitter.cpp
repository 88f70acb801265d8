#include "compiler/emit/cpp_emitter.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "hypatia/error.hpp"

namespace hypatia {

std::string comment_text(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '\\') out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

CppEmitter::CppEmitter(std::function<int(const Var&)> output_index)
    : output_index_(std::move(output_index)) {}

void CppEmitter::open(const std::string& head) {
  line("{}", head.empty() ? "{" : head + " {");
  ++indent_;
}

void CppEmitter::close() {
  --indent_;
  line("}}");
}

std::string CppEmitter::fresh(const std::string& prefix) {
  return fmt::format("{}_{}", prefix, counters_[prefix]++);
}

const std::string& CppEmitter::tensor(const Var& v) {
  auto it = tensors_.find(v.node());
  if (it == tensors_.end()) throw Error("internal: codegen met a variable before it was bound");
  return it->second;
}

void CppEmitter::bind(const Var& v, std::string tensor_name) { tensors_[v.node()] = std::move(tensor_name); }

Var CppEmitter::fused_output(const Apply& node, std::size_t k) const {
  auto it = fused_outputs_.find(&node);
  return it == fused_outputs_.end() || k >= it->second.size() ? Var() : it->second[k];
}

void CppEmitter::add_fused_output(const Apply& node, std::size_t k, Var v) {
  std::vector<Var>& outputs = fused_outputs_[&node];
  if (outputs.size() <= k) outputs.resize(k + 1);
  if (outputs[k].is_null()) outputs[k] = std::move(v);  // a second reader of the same output runs its reference
}

std::string CppEmitter::c_type(DType dtype) {
  switch (dtype) {
    case DType::Bool: return "hp_bool";
    case DType::Int8: return "hp_i8";
    case DType::Int16: return "hp_i16";
    case DType::Int32: return "hp_i32";
    case DType::Int64: return "hp_i64";
    case DType::UInt8: return "hp_u8";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
  }
  return "double";
}

std::string CppEmitter::dtype_code(DType dtype) {
  std::string name = "HP_" + std::string(dtype_name(dtype));
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::string CppEmitter::literal(const Array& value) {
  const DType dtype = value.dtype();
  if (dtype == DType::Bool) return value.item<bool>() ? "true" : "false";
  if (is_float(dtype)) {
    const double d = value.item<double>();
    std::string text;
    if (std::isnan(d)) text = "__builtin_nan(\"\")";
    else if (std::isinf(d)) text = d > 0 ? "__builtin_inf()" : "(-__builtin_inf())";
    else text = fmt::format("({:a})", d);  // hexadecimal: exact
    return dtype == DType::Float32 ? "((float)" + text + ")" : text;
  }
  const std::int64_t i = value.item<std::int64_t>();
  if (i == std::numeric_limits<std::int64_t>::min()) return "((hp_i64)(-9223372036854775807LL - 1))";
  return fmt::format("(({})({}LL))", c_type(dtype), i);
}

std::string CppEmitter::convert(const std::string& expr, DType from, DType to) {
  if (from == to) return expr;
  if (to == DType::Bool) return "((" + expr + ") != 0)";
  if (is_float(from) && is_integer(to)) {
    switch (to) {
      case DType::Int8: return "hp_to_i8(" + expr + ")";
      case DType::Int16: return "hp_to_i16(" + expr + ")";
      case DType::Int32: return "hp_to_i32(" + expr + ")";
      case DType::UInt8: return "hp_to_u8(" + expr + ")";
      default: return "hp_to_i64(" + expr + ")";
    }
  }
  return "((" + c_type(to) + ")(" + expr + "))";
}

void CppEmitter::begin_node(int index, const std::string& comment) {
  node_ = index;
  line("");
  line("// node {}: {}", index, comment_text(comment));
}

void CppEmitter::fail_if(const std::string& condition) {
  // Inside a helper function: 1, which the call site turns into the node's code
  // (so the function's text does not depend on the node).
  line("if ({}) return {};", condition, out_ == &function_ ? 1 : node_ + 1);
}

std::vector<std::string> CppEmitter::shape_of(const std::string& tensor, int ndim) {
  std::vector<std::string> shape;
  for (int a = 0; a < ndim; ++a) shape.push_back(fmt::format("{}.shape[{}]", tensor, a));
  return shape;
}

void CppEmitter::allocate(const Var& out, const std::string& name, const std::vector<std::string>& shape) {
  const int rank = static_cast<int>(shape.size());
  line("hp_tensor {};", name);
  line("{}.ndim = {};", name, rank);
  for (int i = 0; i < rank; ++i) line("{}.shape[{}] = {};", name, i, shape[i]);
  line("hp_set_contiguous_strides({});", name);
  const int k = output_index_(out);
  as_output_[out.node()] = k >= 0;
  if (k >= 0) {
    line("{}.data = hp_output(ctx, {}, {}, {}.shape);", name, k, rank, name);
  } else {
    line("{}.data = hp_temp(ctx, hp_size({}) * (hp_i64)sizeof({}));", name, name, c_type(out.dtype()));
  }
  fail_if("!" + name + ".data");
  bind(out, name);
}

std::string CppEmitter::scratch_tensor(const Var& v) const {
  if (donated_.count(v.node())) return "";
  auto it = as_output_.find(v.node());
  return it != as_output_.end() && !it->second ? tensors_.at(v.node()) : "";
}

bool CppEmitter::reuse_input(const Var& out, const std::string& name, const Var& input) {
  if (output_index_(out) >= 0 || !(input.type() == out.type())) return false;
  const bool dies_here = std::any_of(dying_.begin(), dying_.end(), [&](const Var& v) { return v.is(input); });
  const std::string memory = scratch_tensor(input);
  if (!dies_here || memory.empty()) return false;
  line("hp_tensor {} = {};  // in place: the memory of {}, read last here", name, memory, memory);
  donated_[input.node()] = true;
  as_output_[out.node()] = false;
  bind(out, name);
  return true;
}

bool CppEmitter::allocated_as_output(const Var& v) const {
  auto it = as_output_.find(v.node());
  return it != as_output_.end() && it->second;
}

void CppEmitter::contiguous_copy(const std::string& name, const std::string& from, DType from_dtype,
                                 DType to_dtype, int ndim) {
  line("hp_tensor {} = {};", name, from);
  line("{}.ndim = {};", name, ndim);
  line("hp_set_contiguous_strides({});", name);
  line("{}.data = hp_temp(ctx, hp_size({}) * (hp_i64)sizeof({}));", name, name, c_type(to_dtype));
  fail_if("!" + name + ".data");
  line("hp_copy(&{}, {}, &{}, {});", from, dtype_code(from_dtype), name, dtype_code(to_dtype));
}

std::string CppEmitter::offset_data(const std::string& tensor, const std::string& offset, DType dtype) {
  return fmt::format("(void*)((char*){}.data + ({}) * (hp_i64)sizeof({}))", tensor, offset, c_type(dtype));
}

namespace {

bool all_broadcast(const LoopOperand& op) {
  for (bool b : op.broadcastable) {
    if (!b) return false;
  }
  return true;
}

/// Loops that call math functions are interleaved: two vectors in flight
/// hide the functions' latency (~25 % on the 10-op chain); for plain
/// arithmetic, memory bandwidth bounds the loop and the copy only costs
/// compile time.
bool calls_math(const std::string& value) {
  for (const char* f : {"hp_exp", "hp_log", "hp_tanh", "hp_sigmoid", "hp_softplus", "hp_pow"}) {
    if (value.find(f) != std::string::npos) return true;
  }
  return false;
}

/// The operands of a strided loop nest over `rank` axes i0, i1, ...: adds
/// `const hp_tensor& operandJ` parameters (and the tensors as arguments) and
/// pointer set-up; returns each operand's load (stride 0 where it broadcasts).
std::vector<std::string> strided_operands(const std::vector<LoopOperand>& operands, int rank, std::string& params,
                                          std::string& args, std::string& setup) {
  std::vector<std::string> loads;
  for (std::size_t j = 0; j < operands.size(); ++j) {
    const LoopOperand& op = operands[j];
    if (!op.literal.empty()) {
      loads.push_back(op.literal);
      continue;
    }
    const std::string t = fmt::format("operand{}", j);
    params += fmt::format(", const hp_tensor& {}", t);
    args += ", " + op.tensor;
    setup += fmt::format("  const {0}* p{1} = (const {0}*){2}.data;\n", CppEmitter::c_type(op.dtype), j, t);
    const int pad = rank - static_cast<int>(op.broadcastable.size());
    std::string offset;
    for (int a = 0; a < rank; ++a) {
      if (a < pad || op.broadcastable[a - pad]) continue;  // broadcast: stride 0
      offset += fmt::format("{}i{} * {}.strides[{}]", offset.empty() ? "" : " + ", a, t, a - pad);
    }
    loads.push_back(fmt::format("p{}[{}]", j, offset.empty() ? "0" : offset));
  }
  return loads;
}

}  // namespace

void CppEmitter::elementwise(const std::string& out, DType out_dtype, int out_ndim,
                             const std::vector<LoopOperand>& operands,
                             const ElementExpr& expr,
                             bool needs_err, bool allow_flat) {
  if (!allow_flat) {
    open("");
    strided_loop(out, out_dtype, out_ndim, operands, expr, needs_err);
    close();
    return;
  }
  open("");
  flat_loop(out, out_dtype, operands, expr, needs_err);
  close();
}

void CppEmitter::flat_loop(const std::string& out, DType out_dtype,
                           const std::vector<LoopOperand>& operands,
                           const ElementExpr& expr,
                           bool needs_err) {
  flat_loop({{out, out_dtype}}, operands,
            [&](const std::vector<std::string>& loads) { return ElementBody{{}, {expr(loads)}}; }, needs_err);
}

void CppEmitter::elementwise_outputs(const std::vector<LoopOutput>& outs, const std::vector<LoopOperand>& operands,
                                     const ElementBodyExpr& body, bool needs_err) {
  open("");
  flat_loop(outs, operands, body, needs_err);
  close();
}

void CppEmitter::flat_loop(const std::vector<LoopOutput>& outs, const std::vector<LoopOperand>& operands,
                           const ElementBodyExpr& body_of, bool needs_err) {
  // Named with placeholders: identical loops of different nodes share one function.
  const std::string args = "@ARGS@";
  const std::string body = "@BODY@";
  std::string fields, unpack, init;
  std::vector<std::string> loads;
  for (std::size_t j = 0; j < operands.size(); ++j) {
    const LoopOperand& op = operands[j];
    const std::string t = c_type(op.dtype);
    if (!op.literal.empty()) {
      loads.push_back(op.literal);
    } else if (op.in_output) {
      loads.push_back("out[i]");
    } else if (all_broadcast(op)) {
      fields += fmt::format("  {} s{};\n", t, j);
      unpack += fmt::format("  const {} s{} = a->s{};\n", t, j, j);
      init += fmt::format("*(const {}*){}.data, ", t, op.tensor);
      loads.push_back(fmt::format("s{}", j));
    } else {
      fields += fmt::format("  const {}* in{};\n", t, j);
      unpack += fmt::format("  const {}* __restrict in{} = a->in{};\n", t, j, j);
      init += fmt::format("(const {}*){}.data, ", t, op.tensor);
      loads.push_back(fmt::format("in{}[i]", j));
    }
  }
  // Output 0 is `out`; the others of a multi-output loop out1, out2, ...
  auto out_name = [](std::size_t k) { return k == 0 ? std::string("out") : fmt::format("out{}", k); };
  std::string out_fields, out_unpack, out_init;
  for (std::size_t k = 0; k < outs.size(); ++k) {
    const std::string ot = c_type(outs[k].dtype);
    out_fields += fmt::format("  {}* {};\n", ot, out_name(k));
    out_unpack += fmt::format("  {}* __restrict {} = a->{};\n", ot, out_name(k), out_name(k));
    out_init += fmt::format("({}*){}.data, ", ot, outs[k].tensor);
  }
  std::string text = fmt::format("struct {} {{\n{}{}  int err;\n}};\n\n", args, fields, out_fields);
  // noinline: called through hp_parallel_for too; one copy of the loop is enough.
  text += fmt::format("static __attribute__((noinline)) void {}(void* p, hp_i64 begin, hp_i64 end) {{\n", body);
  text += fmt::format("  {}* a = ({}*)p;\n{}{}", args, args, unpack, out_unpack);
  if (needs_err) text += "  int err = 0;\n";
  const ElementBody element = body_of(loads);
  std::string statements, values;
  for (const std::string& statement : element.statements) statements += "    " + statement + "\n";
  for (std::size_t k = 0; k < outs.size(); ++k) values += fmt::format("    {}[i] = {};\n", out_name(k), element.values.at(k));
  const bool has_math = calls_math(statements + values);
  text += fmt::format("  #pragma clang loop interleave_count({})\n  for (hp_i64 i = begin; i < end; ++i) {{\n{}{}  }}\n",
                      has_math ? 2 : 1, statements, values);
  if (needs_err) text += "  if (err) __atomic_store_n(&a->err, 1, __ATOMIC_RELAXED);\n";
  text += "}\n\n";
  const std::string id = shared_function(text, {"@ARGS@", "@BODY@"}, {"hp_args", "hp_body"});
  line("hp_args_{} a = {{{}{}0}};", id, init, out_init);
  // The runtime runs the body flat when every array operand is contiguous and
  // of the output's shape, else on gathered blocks: no strided copy of the body.
  std::string tensors, sizes, slots;
  int arrays = 0;
  bool out_read = false;
  for (std::size_t j = 0; j < operands.size(); ++j) {
    const LoopOperand& op = operands[j];
    out_read = out_read || op.in_output;
    if (!op.literal.empty() || op.in_output || all_broadcast(op)) continue;
    tensors += "&" + op.tensor + ", ";
    sizes += fmt::format("sizeof({}), ", c_type(op.dtype));
    slots += fmt::format("(void**)&a.in{}, ", j);
    ++arrays;
  }
  if (arrays == 0) {  // C++ has no empty arrays: one unused entry
    tensors = "&" + outs[0].tensor + ", ";
    sizes = "0, ";
  }
  std::string out_slots, out_tensors, out_sizes;
  for (std::size_t k = 0; k < outs.size(); ++k) {
    out_slots += fmt::format("{}(void**)&a.{}", k ? ", " : "", out_name(k));
    out_tensors += fmt::format("{}&{}", k ? ", " : "", outs[k].tensor);
    out_sizes += fmt::format("{}sizeof({})", k ? ", " : "", c_type(outs[k].dtype));
  }
  line("const hp_tensor* const hp_ops[] = {{{}}};", tensors);
  line("const int hp_sizes[] = {{{}}};", sizes);
  line("void** const hp_slots[] = {{{}{}}};", slots, out_slots);
  if (outs.size() == 1) {
    fail_if(fmt::format("hp_elementwise(ctx, &{}, sizeof({}), hp_ops, hp_sizes, hp_slots, {}, {}, hp_body_{}, &a)",
                        outs[0].tensor, c_type(outs[0].dtype), arrays, out_read ? 1 : 0, id));
  } else {
    line("const hp_tensor* const hp_outs[] = {{{}}};", out_tensors);
    line("const int hp_out_sizes[] = {{{}}};", out_sizes);
    fail_if(fmt::format("hp_elementwise_outputs(ctx, hp_outs, hp_out_sizes, {}, hp_ops, hp_sizes, hp_slots, {}, {}, hp_body_{}, &a)",
                        outs.size(), arrays, out_read ? 1 : 0, id));
  }
  if (needs_err) fail_if("a.err");
}

void CppEmitter::strided_loop(const std::string& out, DType out_dtype, int out_ndim,
                              const std::vector<LoopOperand>& operands,
                              const ElementExpr& expr,
                              bool needs_err) {
  // The strided path is the rare one (views, broadcasting): a separate cold
  // function, which Clang optimises for size, keeps compile time down.
  const std::string fn = "@FN@";
  std::string params = "const hp_tensor& out";
  std::string args = out;
  std::string setup;
  const std::vector<std::string> loads = strided_operands(operands, out_ndim, params, args, setup);
  std::string text = fmt::format("static __attribute__((cold, noinline)) int {}({}) {{\n", fn, params);
  text += setup;
  text += fmt::format("  {0}* po = ({0}*)out.data;\n  int err = 0;\n", c_type(out_dtype));
  std::string out_offset;
  std::string indent = "  ";
  for (int a = 0; a < out_ndim; ++a) {
    out_offset += fmt::format("{}i{} * out.strides[{}]", a ? " + " : "", a, a);
    text += fmt::format("{0}for (hp_i64 i{1} = 0; i{1} < out.shape[{1}]; ++i{1}) {{\n", indent, a);
    indent += "  ";
  }
  text += fmt::format("{}po[{}] = {};\n", indent, out_offset.empty() ? "0" : out_offset, expr(loads));
  for (int a = out_ndim - 1; a >= 0; --a) {
    indent.resize(indent.size() - 2);
    text += indent + "}\n";
  }
  text += "  return err;\n}\n\n";
  const std::string name = "hp_strided_" + shared_function(text, {"@FN@"}, {"hp_strided"});
  if (needs_err) fail_if(fmt::format("{}({})", name, args));
  else line("{}({});", name, args);
}

// --- reductions of an elementwise expression --------------------------------------------

namespace {

/// How a reduction accumulates: its accumulator type, the conversion of an
/// element into it, the combining functor and the final value.
struct Accumulator {
  DType dtype;                ///< of the accumulator (Int64 for the wrapping hp_u64 sums and products)
  std::string type;           ///< its C++ type
  std::string functor;        ///< hp_op_add, hp_op_mul, hp_op_max, hp_op_min
  std::string identity;       ///< the value of an empty reduction
  bool compensated = false;   ///< the strided path sums with Neumaier's compensation
};

/// As the reference: float sums, means and products in double; integer sums
/// and products wrap in 64 bits; max and min in the value's own type (int64 for integers).
Accumulator accumulator_of(const ReductionLoop& loop) {
  const std::string& kind = loop.kind;
  const DType value = loop.value_dtype;
  const bool in_float = is_float(value) || kind == "mean";
  if (kind == "max" || kind == "min") {
    const DType d = is_float(value) ? value : DType::Int64;
    // Without initial=-inf an empty max never gets here (the caller fails first).
    return {d, CppEmitter::c_type(d), "hp_op_" + kind, loop.initial_neg_inf ? "(-__builtin_inf())" : "0"};
  }
  const std::string functor = kind == "prod" ? "hp_op_mul" : "hp_op_add";
  const std::string identity = kind == "prod" ? "1" : "0";
  if (in_float) return {DType::Float64, "double", functor, identity, kind != "prod"};
  return {DType::Int64, "hp_u64", functor, identity};
}

std::string to_accumulator(const Accumulator& acc, const std::string& value, DType value_dtype) {
  if (acc.type == "hp_u64") return "(hp_u64)" + CppEmitter::convert(value, value_dtype, DType::Int64);
  return CppEmitter::convert(value, value_dtype, acc.dtype);
}

/// The output element from the accumulated value `r` (m: the count reduced).
std::string final_value(const std::string& kind, const Accumulator& acc, const std::string& r,
                        const std::string& m, DType out_dtype) {
  if (acc.type == "hp_u64") return "(hp_i64)" + r;
  if (kind == "mean") return CppEmitter::convert(fmt::format("({} / (double){})", r, m), DType::Float64, out_dtype);
  if (kind == "sum") return CppEmitter::convert("(0.0 + " + r + ")", DType::Float64, out_dtype);  // -0.0 sums to +0.0
  return CppEmitter::convert(r, acc.dtype, out_dtype);
}

/// Shared by every reduction of a unit: the combining functors and the
/// pairwise tree (numpy's pairwise sum for hp_op_add).
constexpr const char* kReductionHelpers = R"(// Reductions: max and min keep the first of equal values and propagate NaN, as the reference.
struct hp_op_add { template <class A> A operator()(A a, A b) const { return a + b; } };
struct hp_op_mul { template <class A> A operator()(A a, A b) const { return a * b; } };
struct hp_op_max { template <class A> A operator()(A a, A b) const { return a != a ? a : (b != b ? b : (b > a ? b : a)); } };
struct hp_op_min { template <class A> A operator()(A a, A b) const { return a != a ? a : (b != b ? b : (b < a ? b : a)); } };
static constexpr hp_i64 hp_reduce_block = 1024;

// Pairwise reduction of x[0..n), n >= 1: leaves of at most 128 elements with
// 8 accumulators, halves above (numpy's pairwise sum: error O(log n) ulp).
template <class A, class F> static inline A hp_tree(const A* x, hp_i64 n, F f) {
  if (n < 8) {
    A s = x[0];
    for (hp_i64 i = 1; i < n; ++i) s = f(s, x[i]);
    return s;
  }
  if (n <= 128) {
    A r[8];
    for (int j = 0; j < 8; ++j) r[j] = x[j];
    hp_i64 i = 8;
    for (; i + 8 <= n; i += 8) {
      for (int j = 0; j < 8; ++j) r[j] = f(r[j], x[i + j]);
    }
    A s = f(f(f(r[0], r[1]), f(r[2], r[3])), f(f(r[4], r[5]), f(r[6], r[7])));
    for (; i < n; ++i) s = f(s, x[i]);
    return s;
  }
  hp_i64 half = n / 2;
  half -= half % 8;
  return f(hp_tree(x, half, f), hp_tree(x + half, n - half, f));
}

// Float sums and means: compensated as the reference's (Knuth's two-sum
// keeps the exact rounding error of each addition, as Neumaier's sum does),
// so that cancellation (1e16 + 1 - 1e16) loses no digits. 16 lanes in 4
// vectors (the loop vectoriser leaves the dependent steps scalar), then the
// lanes in order.
typedef double hp_d4 __attribute__((vector_size(32)));
typedef float hp_f4 __attribute__((vector_size(16)));
static inline void hp_two_sum(double& s, double& c, double x) {
  const double t = s + x;
  const double z = t - s;
  c += (s - (t - z)) + (x - z);
  s = t;
}
static inline void hp_two_sum4(hp_d4& s, hp_d4& c, hp_d4 x) {
  const hp_d4 t = s + x;
  const hp_d4 z = t - s;
  c += (s - (t - z)) + (x - z);
  s = t;
}
static inline hp_d4 hp_load4(const double* p) {
  hp_d4 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
static inline hp_d4 hp_load4(const float* p) {
  hp_f4 v;
  __builtin_memcpy(&v, p, sizeof v);
  return __builtin_convertvector(v, hp_d4);
}
template <class T> static inline void hp_compensated_sum(const T* x, hp_i64 n, double& s, double& c) {
  hp_d4 s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0, c0 = s0, c1 = s0, c2 = s0, c3 = s0;
  hp_i64 i = 0;
  for (; i + 16 <= n; i += 16) {
    hp_two_sum4(s0, c0, hp_load4(x + i));
    hp_two_sum4(s1, c1, hp_load4(x + i + 4));
    hp_two_sum4(s2, c2, hp_load4(x + i + 8));
    hp_two_sum4(s3, c3, hp_load4(x + i + 12));
  }
  const hp_d4 sums[4] = {s0, s1, s2, s3}, errors[4] = {c0, c1, c2, c3};
  for (int k = 0; k < 4; ++k) {
    for (int j = 0; j < 4; ++j) {
      hp_two_sum(s, c, sums[k][j]);
      c += errors[k][j];
    }
  }
  for (; i < n; ++i) hp_two_sum(s, c, (double)x[i]);
}
template <class T> static inline double hp_compensated_total(const T* x, hp_i64 n) {
  double s = 0, c = 0;
  hp_compensated_sum(x, n, s, c);
  return hp_sum_total(s, c);
}

)";

/// Where the blocked path reads an operand: one element per position, one
/// per row (constant along the reduced axes), one per position in the row
/// (constant along the kept axes), or one for all.
enum OperandKind { kLiteral, kFull, kPerRow, kPerColumn, kScalar, kOther };

OperandKind operand_kind(const LoopOperand& op, int rank, int kept) {
  if (!op.literal.empty()) return kLiteral;
  const int pad = rank - static_cast<int>(op.broadcastable.size());
  bool kept_full = true, kept_none = true, reduced_full = true, reduced_none = true;
  for (int a = 0; a < rank; ++a) {
    const bool stretched = a < pad || op.broadcastable[a - pad];
    bool& full = a < kept ? kept_full : reduced_full;
    bool& none = a < kept ? kept_none : reduced_none;
    if (stretched) full = false;
    else none = false;
  }
  if (kept_none && reduced_none) return kScalar;
  if (kept_full && reduced_full) return kFull;
  if (kept_full && reduced_none) return kPerRow;
  if (kept_none && reduced_full) return kPerColumn;
  return kOther;
}

}  // namespace

void CppEmitter::reduction(const std::string& out, DType out_dtype, const ReductionLoop& loop,
                           const std::vector<LoopOperand>& operands, const ElementExpr& expr, bool needs_err) {
  shared_function(kReductionHelpers, {}, {});
  const int rank = static_cast<int>(loop.shape.size());
  const int kept = rank - static_cast<int>(loop.axes.size());
  std::string rows = "1", m = "1";
  for (int a = 0; a < rank; ++a) {
    const bool reduced = std::binary_search(loop.axes.begin(), loop.axes.end(), a);
    (reduced ? m : rows) += " * " + loop.shape[a];
  }
  open("");
  line("const hp_i64 hp_rows = {};", rows);
  line("const hp_i64 hp_m = {};", m);
  const bool no_identity = !loop.initial_neg_inf && (loop.kind == "max" || loop.kind == "min");
  if (no_identity) fail_if("hp_m == 0 && hp_rows > 0");
  // The blocked path needs the reduced axes last, as one run per output element.
  bool trailing = true;
  for (std::size_t i = 0; i < loop.axes.size(); ++i) trailing = trailing && loop.axes[i] == kept + static_cast<int>(i);
  std::vector<int> kinds;
  std::vector<std::string> conditions;
  for (const LoopOperand& op : operands) {
    kinds.push_back(operand_kind(op, rank, kept));
    trailing = trailing && kinds.back() != kOther;
    if (kinds.back() != kLiteral && kinds.back() != kScalar) conditions.push_back("hp_is_contiguous(" + op.tensor + ")");
  }
  if (!trailing) {
    strided_reduction(out, out_dtype, loop, operands, expr, needs_err);
    close();
    return;
  }
  if (conditions.empty()) conditions.push_back("true");
  std::string all;
  for (std::size_t i = 0; i < conditions.size(); ++i) all += (i ? " && " : "") + conditions[i];
  open(fmt::format("if ({})", all));
  blocked_reduction(out, out_dtype, loop, operands, kinds, expr, needs_err);
  --indent_;
  line("}} else {{");
  ++indent_;
  strided_reduction(out, out_dtype, loop, operands, expr, needs_err);
  close();
  close();
}

std::string CppEmitter::compensated_sum(const std::string& data, const std::string& n) {
  shared_function(kReductionHelpers, {}, {});
  return fmt::format("hp_compensated_total({}, {})", data, n);
}

void CppEmitter::blocked_reduction(const std::string& out, DType out_dtype, const ReductionLoop& loop,
                                   const std::vector<LoopOperand>& operands, const std::vector<int>& kinds,
                                   const ElementExpr& expr, bool needs_err) {
  const Accumulator acc = accumulator_of(loop);
  std::string fields, unpack, locate, init;
  std::vector<std::string> loads;
  for (std::size_t j = 0; j < operands.size(); ++j) {
    const LoopOperand& op = operands[j];
    const std::string t = c_type(op.dtype);
    switch (kinds[j]) {
      case kLiteral: loads.push_back(op.literal); continue;
      case kScalar:
        fields += fmt::format("  {} s{};\n", t, j);
        unpack += fmt::format("  const {} s{} = a->s{};\n", t, j, j);
        init += fmt::format("*(const {}*){}.data, ", t, op.tensor);
        loads.push_back(fmt::format("s{}", j));
        continue;
      case kFull: locate += fmt::format("    const {0}* __restrict f{1} = in{1} + row * m + first;\n", t, j); break;
      case kPerRow: locate += fmt::format("    const {0} r{1} = in{1}[row];\n", t, j); break;
      case kPerColumn: locate += fmt::format("    const {0}* __restrict f{1} = in{1} + first;\n", t, j); break;
      default: break;
    }
    fields += fmt::format("  const {}* in{};\n", t, j);
    unpack += fmt::format("  const {0}* in{1} = a->in{1};\n", t, j);
    init += fmt::format("(const {}*){}.data, ", t, op.tensor);
    loads.push_back(kinds[j] == kPerRow ? fmt::format("r{}", j) : fmt::format("f{}[i]", j));
  }
  const std::string ot = c_type(out_dtype);
  const std::string value = expr(loads);
  const bool has_math = calls_math(value);
  const std::string A = acc.type;
  const std::string final_r = final_value(loop.kind, acc, "r", "m", out_dtype);
  std::string text = fmt::format("struct @ARGS@ {{\n{}  {}* out;\n  {}* partial;\n  hp_i64 m;\n  hp_i64 nb;\n  int err;\n}};\n\n",
                                 fields, ot, A);
  // Block b is part (b % nb) of row (b / nb); [begin, end) counts
  // hp_reduce_block elements per block, so the thread pool's chunks split
  // between blocks and every block is summed the same way on any thread count.
  text += "static __attribute__((noinline)) void @BODY@(void* p, hp_i64 begin, hp_i64 end) {\n";
  text += fmt::format("  @ARGS@* a = (@ARGS@*)p;\n  const hp_i64 m = a->m, nb = a->nb;\n{}", unpack);
  if (needs_err) text += "  int err = 0;\n";
  text += fmt::format("  {} buf[hp_reduce_block] __attribute__((aligned(64)));\n", A);
  text += "  const hp_i64 b_end = (end + hp_reduce_block - 1) / hp_reduce_block;\n";
  text += "  for (hp_i64 b = (begin + hp_reduce_block - 1) / hp_reduce_block; b < b_end; ++b) {\n";
  text += "    const hp_i64 row = b / nb;\n    const hp_i64 first = (b - row * nb) * hp_reduce_block;\n";
  text += "    const hp_i64 len = m - first < hp_reduce_block ? m - first : hp_reduce_block;\n";
  text += locate;
  text += fmt::format("    #pragma clang loop interleave_count({})\n", has_math ? 2 : 1);
  text += fmt::format("    for (hp_i64 i = 0; i < len; ++i) {{\n      buf[i] = {};\n    }}\n",
                      to_accumulator(acc, value, loop.value_dtype));
  if (acc.compensated) {
    text += "    double s = 0, c = 0;\n    hp_compensated_sum(buf, len, s, c);\n";
    text += fmt::format("    if (nb == 1) {{\n      const double r = hp_sum_total(s, c);\n      a->out[row] = {};\n    }} else {{\n"
                        "      a->partial[2 * b] = s;\n      a->partial[2 * b + 1] = c;\n    }}\n  }}\n",
                        final_r);
  } else {
    text += fmt::format("    const {} r = len > 0 ? hp_tree(buf, len, {}()) : ({}){};\n", A, acc.functor, A, acc.identity);
    text += fmt::format("    if (nb == 1) a->out[row] = {};\n    else a->partial[b] = r;\n  }}\n", final_r);
  }
  if (needs_err) text += "  if (err) __atomic_store_n(&a->err, 1, __ATOMIC_RELAXED);\n";
  text += "}\n\n";
  // Rows of several blocks: the blocks' values combined pairwise.
  text += "static __attribute__((noinline)) void @DONE@(@ARGS@* a, hp_i64 rows) {\n";
  text += "  const hp_i64 m = a->m, nb = a->nb;\n  for (hp_i64 row = 0; row < rows; ++row) {\n";
  if (acc.compensated) {
    // Each block left its sum and its compensation: combined in block order.
    text += "    double s = 0, c = 0;\n    for (hp_i64 k = row * nb; k < (row + 1) * nb; ++k) {\n";
    text += "      hp_two_sum(s, c, a->partial[2 * k]);\n      c += a->partial[2 * k + 1];\n    }\n";
    text += "    const double r = hp_sum_total(s, c);\n";
  } else {
    text += fmt::format("    const {} r = hp_tree(a->partial + row * nb, nb, {}());\n", A, acc.functor);
  }
  text += fmt::format("    a->out[row] = {};\n  }}\n}}\n\n", final_r);
  const std::string id = shared_function(text, {"@ARGS@", "@BODY@", "@DONE@"}, {"hp_rargs", "hp_rbody", "hp_rdone"});

  line("const hp_i64 hp_nb = hp_m > hp_reduce_block ? (hp_m + hp_reduce_block - 1) / hp_reduce_block : 1;");
  line("{}* hp_partial = 0;", A);
  open("if (hp_nb > 1)");
  // A compensated sum leaves two doubles per block: its sum and its compensation.
  line("hp_partial = ({}*)hp_temp(ctx, hp_rows * hp_nb * {} * (hp_i64)sizeof({}));", A, acc.compensated ? 2 : 1, A);
  fail_if("!hp_partial");
  close();
  line("hp_rargs_{} a = {{{}({}*){}.data, hp_partial, hp_m, hp_nb, 0}};", id, init, ot, out);
  line("const hp_i64 hp_span = hp_rows * hp_nb * hp_reduce_block;  // blocks, in elements");
  line("if (hp_rows * hp_m >= HP_PARALLEL_MIN) hp_parallel_for(ctx, hp_span, hp_rbody_{}, &a);", id);
  line("else hp_rbody_{}(&a, 0, hp_span);", id);
  if (needs_err) fail_if("a.err");
  open("if (hp_nb > 1)");
  line("hp_rdone_{}(&a, hp_rows);", id);
  line("hp_temp_release(ctx, hp_partial);");
  close();
}

void CppEmitter::strided_reduction(const std::string& out, DType out_dtype, const ReductionLoop& loop,
                                   const std::vector<LoopOperand>& operands, const ElementExpr& expr,
                                   bool needs_err) {
  // Views, transposes and other broadcasts: a cold loop nest over the kept
  // axes then the reduced ones, each output element accumulated on its own.
  const Accumulator acc = accumulator_of(loop);
  const int rank = static_cast<int>(loop.shape.size());
  std::vector<int> kept, reduced;
  for (int a = 0; a < rank; ++a) {
    (std::binary_search(loop.axes.begin(), loop.axes.end(), a) ? reduced : kept).push_back(a);
  }
  std::string params = "const hp_tensor& out, const hp_i64* shape";
  std::string args = out + ", hp_shape";
  std::string setup;
  const std::vector<std::string> loads = strided_operands(operands, rank, params, args, setup);
  const std::string A = acc.type;
  std::string text = fmt::format("static __attribute__((cold, noinline)) int @FN@({}) {{\n", params);
  text += setup;
  text += fmt::format("  {0}* po = ({0}*)out.data;\n  int err = 0;\n  hp_i64 o = 0;\n  const hp_i64 m = 1", c_type(out_dtype));
  for (int a : reduced) text += fmt::format(" * shape[{}]", a);
  text += ";\n";
  std::string indent = "  ";
  auto open_axis = [&](int a) {
    text += fmt::format("{0}for (hp_i64 i{1} = 0; i{1} < shape[{1}]; ++i{1}) {{\n", indent, a);
    indent += "  ";
  };
  auto close_axis = [&] {
    indent.resize(indent.size() - 2);
    text += indent + "}\n";
  };
  for (int a : kept) open_axis(a);
  if (acc.compensated) text += indent + "double s = 0, c = 0;  // Neumaier's compensated sum\n";
  else text += fmt::format("{}{} s = ({}){};\n{}bool empty = true;\n", indent, A, A, acc.identity, indent);
  for (int a : reduced) open_axis(a);
  text += fmt::format("{}const {} x = {};\n", indent, A, to_accumulator(acc, expr(loads), loop.value_dtype));
  if (acc.compensated) {
    text += indent + "const double t = s + x;\n";
    text += indent + "c += hp_fabs(s) >= hp_fabs(x) ? (s - t) + x : (x - t) + s;\n";
    text += indent + "s = t;\n";
  } else {
    text += fmt::format("{}s = empty ? x : {}()(s, x);\n{}empty = false;\n", indent, acc.functor, indent);
  }
  for (std::size_t i = 0; i < reduced.size(); ++i) close_axis();
  text += fmt::format("{}po[o++] = {};\n", indent, final_value(loop.kind, acc, acc.compensated ? "hp_sum_total(s, c)" : "s", "m", out_dtype));
  for (std::size_t i = 0; i < kept.size(); ++i) close_axis();
  text += "  return err;\n}\n\n";
  const std::string name = "hp_rstrided_" + shared_function(text, {"@FN@"}, {"hp_rstrided"});
  std::string shape;
  for (int a = 0; a < rank; ++a) shape += (a ? ", " : "") + loop.shape[a];
  line("const hp_i64 hp_shape[{}] = {{{}}};", std::max(rank, 1), rank ? shape : "0");
  if (needs_err) fail_if(fmt::format("{}({})", name, args));
  else line("{}({});", name, args);
}

std::string CppEmitter::shared_function(const std::string& text, const std::vector<std::string>& placeholders,
                                        const std::vector<std::string>& prefixes) {
  auto it = shared_functions_.find(text);
  if (it != shared_functions_.end()) return it->second;
  const std::string id = std::to_string(shared_functions_.size());
  std::string named = text;
  for (std::size_t k = 0; k < placeholders.size(); ++k) {
    const std::string name = prefixes[k] + "_" + id;
    for (std::size_t pos; (pos = named.find(placeholders[k])) != std::string::npos;) {
      named.replace(pos, placeholders[k].size(), name);
    }
  }
  prelude(named);
  shared_functions_.emplace(text, id);
  return id;
}

void CppEmitter::begin_function(const std::string& prefix, const std::string& params) {
  function_prefix_ = prefix;
  function_ = fmt::format("static __attribute__((noinline)) int @FN@({}) {{\n", params);
  out_ = &function_;
  saved_indent_ = indent_;
  indent_ = 1;
}

std::string CppEmitter::end_function() {
  line("return 0;");
  function_ += "}\n\n";
  const std::string name = function_prefix_ + "_" + shared_function(function_, {"@FN@"}, {function_prefix_});
  function_.clear();
  out_ = &body_;
  indent_ = saved_indent_;
  return name;
}

std::string CppEmitter::finish(const std::string& header_comment, const std::string& epilogue,
                               int nodes) const {
  std::string text = header_comment;
  // hp_main is glue (shapes, checks, calls); the loops are separate
  // functions, optimised for speed. Small glue is optimised for size. Large
  // glue is not optimised at all: LLVM's time on one function grows faster
  // than its size (a 200-layer network's hp_main took ~70 % of a multi-second
  // compile), while unoptimised glue costs well under a microsecond per node
  // per call, against the milliseconds such a graph computes.
  const char* attributes = nodes > kOptimizedMainNodes ? "optnone, noinline" : "minsize";
  text += fmt::format("\nextern \"C\" __attribute__(({})) int hp_main(hp_context* ctx, const hp_tensor* in, int profile) {{\n",
                      attributes);
  text += body_;
  text += epilogue;
  text += "  return 0;\n}\n";
  return prelude_ + text;
}

}  // namespace hypatia
