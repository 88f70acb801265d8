#include "compiler/codegen/cpp_emitter.hpp"

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
  line("if ({}) return {};", condition, node_ + 1);
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
  auto it = as_output_.find(v.node());
  return it != as_output_.end() && !it->second ? tensors_.at(v.node()) : "";
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

}  // namespace

void CppEmitter::elementwise(const std::string& out, DType out_dtype, int out_ndim,
                             const std::vector<LoopOperand>& operands,
                             const std::function<std::string(const std::vector<std::string>&)>& expr,
                             bool needs_err, bool allow_flat) {
  if (!allow_flat) {
    open("");
    strided_loop(out, out_dtype, out_ndim, operands, expr, needs_err);
    close();
    return;
  }
  std::vector<std::string> conditions{"hp_is_contiguous(" + out + ")"};
  for (const auto& op : operands) {
    if (op.literal.empty() && !all_broadcast(op)) {
      conditions.push_back(fmt::format("hp_is_contiguous({0}) && hp_same_shape({0}, {1})", op.tensor, out));
    }
  }
  open("");
  line("const hp_i64 hp_n = hp_size({});", out);
  std::string all;
  for (std::size_t i = 0; i < conditions.size(); ++i) all += (i ? " && " : "") + conditions[i];
  open(fmt::format("if ({})", all));
  flat_loop(out, out_dtype, operands, expr, needs_err);
  --indent_;
  line("}} else {{");
  ++indent_;
  strided_loop(out, out_dtype, out_ndim, operands, expr, needs_err);
  close();
  close();
}

void CppEmitter::flat_loop(const std::string& out, DType out_dtype,
                           const std::vector<LoopOperand>& operands,
                           const std::function<std::string(const std::vector<std::string>&)>& expr,
                           bool needs_err) {
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
  const std::string ot = c_type(out_dtype);
  std::string text = fmt::format("struct {} {{\n{}  {}* out;\n  int err;\n}};\n\n", args, fields, ot);
  // noinline: called through hp_parallel_for too; one copy of the loop is enough.
  text += fmt::format("static __attribute__((noinline)) void {}(void* p, hp_i64 begin, hp_i64 end) {{\n", body);
  text += fmt::format("  {}* a = ({}*)p;\n{}  {}* __restrict out = a->out;\n", args, args, unpack, ot);
  if (needs_err) text += "  int err = 0;\n";
  // Interleaving copies the loop body: worth it for math functions, whose
  // latency two interleaved vectors hide (~25 % on the 10-op chain); for
  // plain arithmetic, memory bandwidth bounds the loop and the copy only
  // costs compile time.
  const std::string value = expr(loads);
  const bool has_math = value.find("hp_exp") != std::string::npos || value.find("hp_log") != std::string::npos ||
                        value.find("hp_tanh") != std::string::npos || value.find("hp_sigmoid") != std::string::npos ||
                        value.find("hp_softplus") != std::string::npos || value.find("hp_pow") != std::string::npos;
  text += fmt::format("  #pragma clang loop interleave_count({})\n  for (hp_i64 i = begin; i < end; ++i) {{\n    out[i] = {};\n  }}\n",
                      has_math ? 2 : 1, value);
  if (needs_err) text += "  if (err) __atomic_store_n(&a->err, 1, __ATOMIC_RELAXED);\n";
  text += "}\n\n";
  const std::string id = shared_function(text, {"@ARGS@", "@BODY@"}, {"hp_args", "hp_body"});
  line("hp_args_{} a = {{{}({}*){}.data, 0}};", id, init, ot, out);
  line("if (hp_n >= HP_PARALLEL_MIN) hp_parallel_for(ctx, hp_n, hp_body_{}, &a);", id);
  line("else hp_body_{}(&a, 0, hp_n);", id);
  if (needs_err) fail_if("a.err");
}

void CppEmitter::strided_loop(const std::string& out, DType out_dtype, int out_ndim,
                              const std::vector<LoopOperand>& operands,
                              const std::function<std::string(const std::vector<std::string>&)>& expr,
                              bool needs_err) {
  // The strided path is the rare one (views, broadcasting): a separate cold
  // function, which Clang optimises for size, keeps compile time down.
  const std::string fn = "@FN@";
  std::string params = "const hp_tensor& out";
  std::string args = out;
  std::vector<std::string> loads;
  std::string setup;
  for (std::size_t j = 0; j < operands.size(); ++j) {
    const LoopOperand& op = operands[j];
    if (!op.literal.empty()) {
      loads.push_back(op.literal);
      continue;
    }
    const std::string t = fmt::format("operand{}", j);
    params += fmt::format(", const hp_tensor& {}", t);
    args += ", " + op.tensor;
    setup += fmt::format("  const {0}* p{1} = (const {0}*){2}.data;\n", c_type(op.dtype), j, t);
    const int pad = out_ndim - static_cast<int>(op.broadcastable.size());
    std::string offset;
    for (int a = 0; a < out_ndim; ++a) {
      if (a < pad || op.broadcastable[a - pad]) continue;  // broadcast: stride 0
      offset += fmt::format("{}i{} * {}.strides[{}]", offset.empty() ? "" : " + ", a, t, a - pad);
    }
    loads.push_back(fmt::format("p{}[{}]", j, offset.empty() ? "0" : offset));
  }
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

std::string CppEmitter::begin_function(const std::string& prefix, const std::string& params) {
  const std::string name = fresh(prefix);
  function_ = fmt::format("static __attribute__((noinline)) int {}({}) {{\n", name, params);
  out_ = &function_;
  saved_indent_ = indent_;
  indent_ = 1;
  return name;
}

void CppEmitter::end_function() {
  line("return 0;");
  function_ += "}\n\n";
  prelude(function_);
  function_.clear();
  out_ = &body_;
  indent_ = saved_indent_;
}

std::string CppEmitter::finish(const std::string& header_comment, const std::string& epilogue) const {
  std::string text = header_comment;
  // hp_main is glue (shapes, checks, calls) plus the reductions: optimising
  // it for size saves compile time; the hot elementwise loops are separate
  // functions, optimised for speed.
  text += "\nextern \"C\" __attribute__((minsize)) int hp_main(hp_context* ctx, const hp_tensor* in, int profile) {\n";
  text += body_;
  text += epilogue;
  text += "  return 0;\n}\n";
  return prelude_ + text;
}

}  // namespace hypatia
