#include "compiler/emit/cuda_emitter.hpp"

#include <algorithm>
#include <cmath>

#include "compiler/emit/cpp_emitter.hpp"
#include "hypatia/error.hpp"
#include "runtime/templates.hpp"

namespace hypatia {
namespace {

/// How a reduction accumulates on the GPU: as the reference (and the CPU
/// backend), float sums, means and products in double, integer sums and
/// products wrapping in 64 bits, max and min in the value's type (int64 for
/// integers), argmax as (value, index).
struct CudaAccumulator {
  std::string type;      ///< the block-reduced type
  std::string functor;   ///< hp_op_add, ...
  std::string init;      ///< declares `acc`
  std::string add;       ///< folds the element `x` (index `j`) into `acc`
  std::string value;     ///< acc as `type`
  std::string identity;  ///< of `type`, for the second pass
  std::string final;     ///< the output element from `total` ({0}) and the count `k`
  int bytes = 8;         ///< sizeof(type)
};

/// Stands for a unit's name in its text until end_unit() names it.
constexpr std::string_view kUnitName = "@UNIT@";

std::string replace_all(std::string text, std::string_view from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string int64_extreme(bool lowest) {
  return lowest ? "(-9223372036854775807LL - 1)" : "9223372036854775807LL";
}

CudaAccumulator accumulator(const std::string& kind, DType value, DType out) {
  const bool in_float = is_float(value) || kind == "mean";
  const std::string x64 = CppEmitter::convert("x", value, DType::Int64);
  if (kind == "sum" || kind == "mean") {
    if (!in_float) {
      return {"hp_u64", "hp_op_add", "hp_u64 acc = 0;", "acc += (hp_u64)" + x64 + ";", "acc", "(hp_u64)0",
              "(hp_i64){0}"};
    }
    // Neumaier per thread (the reference compensates; -0.0 sums to +0.0 as there).
    const std::string final = kind == "mean" ? CppEmitter::convert("({0} / (double)k)", DType::Float64, out)
                                             : CppEmitter::convert("(0.0 + {0})", DType::Float64, out);
    return {"double", "hp_op_add", "hp_compensated acc = {0.0, 0.0};",
            "acc.add(" + CppEmitter::convert("x", value, DType::Float64) + ");", "acc.value()", "0.0", final};
  }
  if (kind == "prod") {
    if (!in_float) {
      return {"hp_u64", "hp_op_mul", "hp_u64 acc = 1;", "acc *= (hp_u64)" + x64 + ";", "acc", "(hp_u64)1",
              "(hp_i64){0}"};
    }
    const std::string x = CppEmitter::convert("x", value, DType::Float64);
    return {"double", "hp_op_mul", "double acc = 1.0;", "acc *= " + x + ";",
            "acc", "1.0", CppEmitter::convert("{0}", DType::Float64, out)};
  }
  const DType d = is_float(value) ? value : DType::Int64;
  const std::string t = CppEmitter::c_type(d);
  const std::string xd = CppEmitter::convert("x", value, d);
  const int bytes = d == DType::Float32 ? 4 : 8;
  if (kind == "argmax" || kind == "argmin") {
    const std::string a = fmt::format("hp_arg<{}>", t);
    const std::string functor = "hp_op_" + kind;
    return {a, functor, fmt::format("{} acc = {{({})0, -1}};", a, t),
            fmt::format("acc = {}()(acc, {}{{{}, j}});", functor, a, xd), "acc",
            fmt::format("{}{{({})0, -1}}", a, t), "{0}.j", 16};
  }
  if (kind != "max" && kind != "min") throw Error("internal: unknown reduction '" + kind + "'");
  const bool is_max = kind == "max";
  std::string identity;
  if (d == DType::Float64) identity = is_max ? "(-HP_INF)" : "HP_INF";
  else if (d == DType::Float32) identity = is_max ? "(-HP_INFF)" : "HP_INFF";
  else identity = int64_extreme(is_max);
  const std::string functor = "hp_op_" + kind;
  return {t, functor, fmt::format("{} acc = {};", t, identity), fmt::format("acc = {}()(acc, {});", functor, xd),
          "acc", identity, CppEmitter::convert("{0}", d, out), bytes};
}

/// "{ const hp_i64 c = rest % shape[a]; rest /= shape[a]; o += c * t.strides[a]; ... }":
/// peels axis `a` off the flat index `rest` into the offsets of `tensors`.
std::string unravel_axis(int a, const std::string& shape_of,
                         const std::vector<std::pair<std::string, std::string>>& offsets) {
  std::string text = fmt::format("{{ const hp_i64 c = rest % {0}.shape[{1}]; rest /= {0}.shape[{1}];", shape_of, a);
  for (const auto& [offset, tensor] : offsets) text += fmt::format(" {} += c * {}.strides[{}];", offset, tensor, a);
  return text + " }";
}

}  // namespace

void CudaEmitter::open(const std::string& head) {
  line("{}", head.empty() ? "{" : head + " {");
  ++indent_;
}

void CudaEmitter::close() {
  --indent_;
  line("}}");
}

void CudaEmitter::begin_node(int index, const std::string& comment) {
  node_ = index;
  line("");
  line("// node {}: {}", index, comment_text(comment));
}

std::string CudaEmitter::c_type(DType dtype) { return CppEmitter::c_type(dtype); }

std::string CudaEmitter::literal(const Array& value) {
  if (!is_float(value.dtype())) return CppEmitter::literal(value);
  const double d = value.item<double>();
  const bool f32 = value.dtype() == DType::Float32;
  if (std::isnan(d)) return f32 ? "HP_NANF" : "HP_NAN";
  if (std::isinf(d)) return std::string(d < 0 ? "(-" : "(") + (f32 ? "HP_INFF" : "HP_INF") + ")";
  return CppEmitter::literal(value);  // hexadecimal: exact
}

std::vector<CudaOperand> CudaEmitter::operands_of(const std::vector<Var>& inputs) {
  std::vector<CudaOperand> operands;
  for (const Var& in : inputs) {
    const bool is_literal = in.is_constant() && in.ndim() == 0;
    operands.push_back({in.dtype(), is_literal ? literal(in.constant_value()) : ""});
  }
  return operands;
}

std::string CudaEmitter::tensor_params(const std::vector<CudaOperand>& operands) {
  std::string params;
  for (std::size_t j = 0; j < operands.size(); ++j) {
    if (operands[j].literal.empty()) params += fmt::format(", hp_cuda_tensor in{}", j);
  }
  return params;
}

void CudaEmitter::operand_pointers(const std::vector<CudaOperand>& operands) {
  for (std::size_t j = 0; j < operands.size(); ++j) {
    if (!operands[j].literal.empty()) continue;
    line("const {0}* __restrict__ p{1} = (const {0}*)in{1}.data;", c_type(operands[j].dtype), j);
  }
}

void CudaEmitter::begin_unit() {
  unit_.clear();
  unit_kernels_.clear();
  out_ = &unit_;
}

std::string CudaEmitter::end_unit(const std::string& name) {
  out_ = &source_;
  const auto [it, inserted] = units_.emplace(unit_, name);
  if (!inserted) {
    line("// {}: the same code as {}", name, it->second);
    return it->second;
  }
  source_ += replace_all(unit_, kUnitName, name);
  for (const std::string& kernel : unit_kernels_) kernels_.push_back(replace_all(kernel, kUnitName, name));
  return name;
}

std::string CudaEmitter::kernel_head(const std::string& name, const std::string& params) {
  unit_kernels_.push_back(name);
  return fmt::format("extern \"C\" __global__ void __launch_bounds__({}) {}({})", kBlockThreads, name, params);
}

std::string CudaEmitter::element_function(DType out_dtype, const std::vector<CudaOperand>& operands,
                                          const CudaElementBody& body, bool may_fail) {
  std::vector<std::string> params, args;
  for (std::size_t j = 0; j < operands.size(); ++j) {
    if (!operands[j].literal.empty()) {
      args.push_back(operands[j].literal);
      continue;
    }
    args.push_back(fmt::format("x{}", j));
    params.push_back(fmt::format("const {} x{}", c_type(operands[j].dtype), j));
  }
  if (may_fail) params.push_back("int& err");
  const std::string name = std::string(kUnitName) + "_elem";
  open(fmt::format("HP_DEVICE {} {}({})", c_type(out_dtype), name, fmt::join(params, ", ")));
  for (const std::string& statement : body(args)) line("{}", statement);
  close();
  return name;
}

std::string CudaEmitter::element_call(const std::string& function, const std::vector<CudaOperand>& operands,
                                      const std::vector<std::string>& loads, bool may_fail) {
  std::vector<std::string> args;
  for (std::size_t j = 0; j < operands.size(); ++j) {
    if (operands[j].literal.empty()) args.push_back(loads[j]);
  }
  if (may_fail) args.push_back("err");
  return fmt::format("{}({})", function, fmt::join(args, ", "));
}

void CudaEmitter::elementwise(DType out_dtype, int out_ndim, const std::vector<CudaOperand>& operands,
                              const CudaElementBody& body, bool may_fail) {
  begin_unit();
  const std::string fn = element_function(out_dtype, operands, body, may_fail);
  const std::string name(kUnitName);
  const std::string ot = c_type(out_dtype);
  auto loads = [&](const std::string& pattern) {
    std::vector<std::string> v;
    for (std::size_t j = 0; j < operands.size(); ++j) v.push_back(fmt::format(fmt::runtime(pattern), j));
    return v;
  };
  open(kernel_head(name, "hp_i64 n, int mode, int* hp_error, hp_cuda_tensor out" + tensor_params(operands)));
  line("{0}* __restrict__ po = ({0}*)out.data;", ot);
  operand_pointers(operands);
  line("const hp_i64 first = (hp_i64)blockIdx.x * blockDim.x + threadIdx.x;");
  line("const hp_i64 step = (hp_i64)gridDim.x * blockDim.x;");
  if (may_fail) line("int err = 0;");

  open("if (mode == HP_VECTOR)");
  open("for (hp_i64 v = first; v < n / 4; v += step)");
  for (std::size_t j = 0; j < operands.size(); ++j) {
    if (!operands[j].literal.empty()) continue;
    line("const hp_pack4<{}> a{} = hp_load4(p{}, v);", c_type(operands[j].dtype), j, j);
  }
  line("hp_pack4<{}> r;", ot);
  line("#pragma unroll");
  line("for (int l = 0; l < 4; ++l) r.v[l] = {};", element_call(fn, operands, loads("a{}.v[l]"), may_fail));
  line("hp_store4(po, v, r);");
  close();
  line("for (hp_i64 i = n / 4 * 4 + first; i < n; i += step) po[i] = {};",
       element_call(fn, operands, loads("p{}[i]"), may_fail));
  close();

  open("else if (mode == HP_FLAT)");
  line("for (hp_i64 i = first; i < n; i += step) po[i] = {};", element_call(fn, operands, loads("p{}[i]"), may_fail));
  close();

  open("else");
  line("#pragma unroll 1");
  open("for (hp_i64 i = first; i < n; i += step)");
  std::vector<std::pair<std::string, std::string>> offsets{{"o", "out"}};
  std::string declare = "hp_i64 rest = i, o = 0";
  for (std::size_t j = 0; j < operands.size(); ++j) {
    if (!operands[j].literal.empty()) continue;
    offsets.emplace_back(fmt::format("o{}", j), fmt::format("in{}", j));
    declare += fmt::format(", o{} = 0", j);
  }
  line("{};", declare);
  for (int a = out_ndim - 1; a >= 0; --a) line("{}", unravel_axis(a, "out", offsets));
  line("po[o] = {};", element_call(fn, operands, loads("p{0}[o{0}]"), may_fail));
  close();
  close();
  if (may_fail) line("if (err) hp_fail(hp_error, 1);");
  close();

  add_step(CudaStep::Kind::Elementwise, end_unit(fmt::format("hp_node{}", node_)));
}

void CudaEmitter::reduction(const CudaReduction& r, const std::vector<CudaOperand>& operands,
                            const CudaElementBody& body, bool may_fail) {
  begin_unit();
  const std::string fn = element_function(r.value_dtype, operands, body, may_fail);
  const CudaAccumulator acc = accumulator(r.kind, r.value_dtype, r.out_dtype);
  const std::string name(kUnitName);
  const std::string ot = c_type(r.out_dtype);
  std::vector<int> kept;
  for (int a = 0; a < r.value_ndim; ++a) {
    if (!std::binary_search(r.axes.begin(), r.axes.end(), a)) kept.push_back(a);
  }
  std::vector<std::pair<std::string, std::string>> row_offsets, offsets;
  std::string row_declare = "hp_i64 rest = row", declare = "hp_i64 rest = j";
  std::vector<std::string> loads;
  for (std::size_t j = 0; j < operands.size(); ++j) {
    loads.push_back(fmt::format("p{0}[o{0}]", j));
    if (!operands[j].literal.empty()) continue;
    row_offsets.emplace_back(fmt::format("b{}", j), fmt::format("in{}", j));
    offsets.emplace_back(fmt::format("o{}", j), fmt::format("in{}", j));
    row_declare += fmt::format(", b{} = 0", j);
    declare += fmt::format(", o{0} = b{0}", j);
  }

  // Pass one: block (row, part) reduces part `blockIdx.y` of row `row`'s range.
  open(kernel_head(name, "hp_i64 m, hp_i64 k, hp_i64 chunk, int* hp_error, void* partial, hp_cuda_tensor out, "
                         "hp_cuda_tensor space" + tensor_params(operands)));
  line("__shared__ {} hp_scratch[32];", acc.type);
  line("{0}* __restrict__ po = ({0}*)out.data;", ot);
  operand_pointers(operands);
  if (may_fail) line("int err = 0;");
  line("const hp_i64 parts = gridDim.y;");
  open("for (hp_i64 row = blockIdx.x; row < m; row += gridDim.x)");
  line("{};", row_declare);
  for (auto a = kept.rbegin(); a != kept.rend(); ++a) line("{}", unravel_axis(*a, "space", row_offsets));
  line("const hp_i64 begin = blockIdx.y * chunk;");
  line("const hp_i64 end = begin + chunk < k ? begin + chunk : k;");
  line("{}", acc.init);
  open("for (hp_i64 j = begin + threadIdx.x; j < end; j += blockDim.x)");
  line("{};", declare);
  for (auto a = r.axes.rbegin(); a != r.axes.rend(); ++a) line("{}", unravel_axis(*a, "space", offsets));
  line("const {} x = {};", c_type(r.value_dtype), element_call(fn, operands, loads, may_fail));
  line("{}", acc.add);
  close();
  line("const {} total = hp_block_reduce({}, {}(), hp_scratch);", acc.type, acc.value, acc.functor);
  open("if (threadIdx.x == 0)");
  line("if (parts == 1) po[row] = {};", fmt::format(fmt::runtime(acc.final), "total"));
  line("else (({}*)partial)[row * parts + blockIdx.y] = total;", acc.type);
  close();
  close();
  if (may_fail) line("if (err) hp_fail(hp_error, 1);");
  close();
  const std::string kernel = end_unit(fmt::format("hp_node{}", node_));

  // Pass two (only when the host split the ranges): the partials of each row.
  // It depends on the accumulator only, so reductions share it.
  begin_unit();
  open(kernel_head(name, "hp_i64 m, hp_i64 k, int parts, const void* partial, hp_cuda_tensor out"));
  line("__shared__ {} hp_scratch[32];", acc.type);
  line("{0}* __restrict__ po = ({0}*)out.data;", ot);
  line("const {0}* __restrict__ pp = (const {0}*)partial;", acc.type);
  open("for (hp_i64 row = blockIdx.x; row < m; row += gridDim.x)");
  line("{} acc = {};", acc.type, acc.identity);
  line("for (int p = threadIdx.x; p < parts; p += blockDim.x) acc = {}()(acc, pp[row * parts + p]);", acc.functor);
  line("const {} total = hp_block_reduce(acc, {}(), hp_scratch);", acc.type, acc.functor);
  line("if (threadIdx.x == 0) po[row] = {};", fmt::format(fmt::runtime(acc.final), "total"));
  close();
  close();

  CudaStep& step = add_step(CudaStep::Kind::Reduction, kernel);
  step.finish_kernel = end_unit(fmt::format("hp_node{}_finish", node_));
  step.kept_axes = kept;
  step.reduced_axes = r.axes;
  step.partial_bytes = acc.bytes;
  step.no_identity = !r.initial_neg_inf && (r.kind == "max" || r.kind == "min" || r.kind == "argmax" ||
                                             r.kind == "argmin");
}

void CudaEmitter::softmax(DType in, DType out, int ndim) {
  begin_unit();
  const std::string name(kUnitName);
  const std::string ft = c_type(out);
  const std::string load = CppEmitter::convert("px[base + j * s]", in, out);
  open(kernel_head(name, "hp_i64 rows, hp_i64 n, hp_cuda_tensor out, hp_cuda_tensor in"));
  line("__shared__ {} hp_scratch[32];", ft);
  line("const {0}* __restrict__ px = (const {0}*)in.data;", c_type(in));
  line("{0}* __restrict__ po = ({0}*)out.data;", ft);
  line("const hp_i64 s = in.strides[{}];", ndim - 1);
  open("for (hp_i64 row = blockIdx.x; row < rows; row += gridDim.x)");
  line("hp_i64 rest = row, base = 0;");
  for (int a = ndim - 2; a >= 0; --a) line("{}", unravel_axis(a, "in", {{"base", "in"}}));
  line("{} * __restrict__ y = po + row * n;", ft);
  line("{} m = {};", ft, out == DType::Float32 ? "-HP_INFF" : "-HP_INF");
  line("// the row's maximum: NaN is skipped, as std::fmax");
  line("for (hp_i64 j = threadIdx.x; j < n; j += blockDim.x) m = hp_fmax(m, {});", load);
  line("m = hp_block_all_reduce(m, hp_op_fmax(), hp_scratch);");
  line("{} total = 0;", ft);
  open("for (hp_i64 j = threadIdx.x; j < n; j += blockDim.x)");
  line("const {} e = hp_exp({} - m);", ft, load);
  line("y[j] = e;");
  line("total += e;");
  close();
  line("total = hp_block_all_reduce(total, hp_op_add(), hp_scratch);");
  line("for (hp_i64 j = threadIdx.x; j < n; j += blockDim.x) y[j] /= total;");
  close();
  close();

  add_step(CudaStep::Kind::Softmax, end_unit(fmt::format("hp_node{}", node_)));
}

void CudaEmitter::lines(DType in, DType out, int ndim, int axis, const std::vector<std::string>& body) {
  begin_unit();
  const std::string name(kUnitName);
  open(kernel_head(name, "hp_i64 lines, hp_i64 n, hp_cuda_tensor out, hp_cuda_tensor in"));
  line("const {0}* __restrict__ px = (const {0}*)in.data;", c_type(in));
  line("{0}* __restrict__ po = ({0}*)out.data;", c_type(out));
  line("const hp_i64 sx = in.strides[{0}], so = out.strides[{0}];", axis);
  line("const hp_i64 first = (hp_i64)blockIdx.x * blockDim.x + threadIdx.x;");
  line("const hp_i64 step = (hp_i64)gridDim.x * blockDim.x;");
  line("#pragma unroll 1");
  open("for (hp_i64 row = first; row < lines; row += step)");
  line("hp_i64 rest = row, bx = 0, bo = 0;");
  for (int a = ndim - 1; a >= 0; --a) {
    if (a != axis) line("{}", unravel_axis(a, "in", {{"bx", "in"}, {"bo", "out"}}));
  }
  line("const {0}* __restrict__ x = px + bx;", c_type(in));
  line("{0}* __restrict__ y = po + bo;", c_type(out));
  for (const std::string& statement : body) line("{}", statement);
  close();
  close();
  CudaStep& step = add_step(CudaStep::Kind::Lines, end_unit(fmt::format("hp_node{}", node_)));
  step.reduced_axes = {axis};
}

void CudaEmitter::gather(const CudaGather& plan) {
  begin_unit();
  const std::string name(kUnitName);
  const std::string t = c_type(plan.dtype);
  std::string params = "hp_i64 n, int* hp_error, hp_cuda_tensor out, hp_cuda_tensor x";
  // One first element per axis of x (the host passes 0 for the axes index tensors pick).
  for (std::size_t a = 0; a < plan.x_axes.size(); ++a) params += fmt::format(", hp_i64 first{}", a);
  for (std::size_t k = 0; k < plan.indices.size(); ++k) {
    if (plan.indices[k].literal.empty()) params += fmt::format(", hp_cuda_tensor in{}", k);
  }
  open(kernel_head(name, params));
  line("{0}* __restrict__ po = ({0}*)out.data;", t);
  line("const {0}* __restrict__ px = (const {0}*)x.data;", t);
  line("const hp_i64 first = (hp_i64)blockIdx.x * blockDim.x + threadIdx.x;");
  line("const hp_i64 step = (hp_i64)gridDim.x * blockDim.x;");
  line("#pragma unroll 1");
  open("for (hp_i64 i = first; i < n; i += step)");
  // The output is contiguous: its coordinates from the flat index.
  line("hp_i64 rest = i;");
  for (int a = plan.out_ndim - 1; a >= 0; --a) {
    line("const hp_i64 r{0} = rest % out.shape[{0}]; rest /= out.shape[{0}];", a);
  }
  line("hp_i64 o = 0;");
  line("bool bad = false;");
  for (std::size_t a = 0; a < plan.x_axes.size(); ++a) {
    const CudaGather::Axis& axis = plan.x_axes[a];
    if (!axis.tensor) {
      line("o += (first{0} + r{1} * {2}LL) * x.strides[{0}];", a, axis.out_axis, axis.step);
      continue;
    }
    const CudaGather::Index& index = plan.indices[static_cast<std::size_t>(axis.index)];
    std::string value = index.literal;
    if (value.empty()) {
      std::string at = "0";
      for (int d = 0; d < index.ndim; ++d) {
        at += fmt::format(" + (in{0}.shape[{1}] == 1 ? 0 : r{2} * in{0}.strides[{1}])", axis.index, d,
                          plan.b_first + plan.b_rank - index.ndim + d);
      }
      value = fmt::format("((const {}*)in{}.data)[{}]", c_type(index.dtype), axis.index, at);
    }
    open("");
    line("hp_i64 v = (hp_i64){};", value);
    line("if (v < -x.shape[{0}] || v >= x.shape[{0}]) bad = true;", a);
    line("o += (v < 0 ? v + x.shape[{0}] : v) * x.strides[{0}];", a);
    close();
  }
  line("if (bad) {{ *hp_error = 1; continue; }}");
  line("po[i] = px[o];");
  close();
  close();
  add_step(CudaStep::Kind::Gather, end_unit(fmt::format("hp_node{}", node_)));
}

void CudaEmitter::host_step(int node) {
  node_ = node;
  add_step(CudaStep::Kind::Host, "");
}

CudaStep& CudaEmitter::add_step(CudaStep::Kind kind, std::string kernel) {
  CudaStep step;
  step.kind = kind;
  step.node = node_;
  step.kernel = std::move(kernel);
  steps_.push_back(std::move(step));
  return steps_.back();
}

std::string CudaEmitter::finish(const std::string& header_comment) const {
  return header_comment + std::string(codegen_template("cuda_abi.h")) + source_;
}

}  // namespace hypatia
