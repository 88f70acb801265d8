// The CUDA code generator without a GPU: every op's kernel is generated and
// compiled by NVRTC for sm_80 and sm_90, and the PTX has every entry point.
// Each case batches many ops into one program (one NVRTC compile per arch).
// Without NVRTC every case skips with a message.
#include <doctest/doctest.h>

#include <cmath>

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/codegen/cuda_codegen.hpp"

#include "compiler/graph/op.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "compiler/rewrite/optimize.hpp"
#include "runtime/cuda/nvrtc.hpp"
#include "tests/cuda/cuda_test_support.hpp"

namespace hp = hypatia;
using hypatia_test::check_compiles;
using hypatia_test::has_entry;
using hypatia_test::nvrtc_or_skip;

namespace {

const hp::DType kDTypes[] = {hp::DType::Float64, hp::DType::Float32, hp::DType::Int64, hp::DType::Int32,
                             hp::DType::Int8,    hp::DType::UInt8,   hp::DType::Bool};
/// The operand dtypes every op is generated for: both float widths, integers
/// (narrower ones compute in int64 too, then convert: the casts cover those
/// conversions), booleans. Casts go from each to every dtype.
const hp::DType kOperandDTypes[] = {hp::DType::Float64, hp::DType::Float32, hp::DType::Int64, hp::DType::Bool};

/// Every scalar op of the table applied to matrices of `dtype` (a column and a
/// 0-d literal among the operands, so broadcasting and literals are covered);
/// combinations the type rules refuse (bool - bool) are left out.
std::vector<hp::Var> every_elementwise_op(hp::DType dtype, std::vector<hp::Var>& inputs,
                                          std::set<std::string>& ops_seen) {
  const hp::Var a = hp::matrix("a", dtype);
  const hp::Var b = hp::tensor("b", dtype, {false, true});  // a column: broadcast along axis 1
  const hp::Var c = hp::matrix("c", dtype);
  inputs.insert(inputs.end(), {a, b, c});
  const hp::Var literal = hp::constant(hp::Array(2.0).astype(dtype));
  std::vector<hp::Var> outputs;
  for (const hp::ScalarOp& op : hp::scalar_ops()) {
    std::vector<hp::Var> operands = {a, b, c};
    operands.resize(static_cast<std::size_t>(op.arity));
    if (op.arity == 2) operands[1] = (op.name == "pow" || op.name == "mul") ? literal : b;
    try {
      if (op.name == "cast") {
        for (hp::DType to : kDTypes) {
          if (to != dtype) outputs.push_back(hp::cast(a, to));
        }
      } else {
        outputs.push_back(hp::elemwise(op.name, operands));
      }
      ops_seen.insert(std::string(op.name));
    } catch (const hp::TypeError&) {
      // not defined on this dtype (numpy refuses it too)
    }
  }
  return outputs;
}

/// The program of the graph as built (no rewrites): one kernel per op.
hp::CudaProgramText unoptimised_program(const std::vector<hp::Var>& inputs, const std::vector<hp::Var>& outputs) {
  return hp::generate_cuda(inputs, outputs, "test");
}

int count_steps(const hp::CudaProgramText& program, hp::CudaStep::Kind kind) {
  return static_cast<int>(std::count_if(program.steps.begin(), program.steps.end(),
                                        [&](const hp::CudaStep& s) { return s.kind == kind; }));
}

}  // namespace

TEST_CASE("NVRTC loads, reports its version and supports sm_80 and sm_90") {
  if (!nvrtc_or_skip()) return;
  MESSAGE("NVRTC " << hp::nvrtc::version());
  const std::vector<int> archs = hp::nvrtc::supported_archs();
  CHECK(std::find(archs.begin(), archs.end(), 80) != archs.end());
  CHECK(std::find(archs.begin(), archs.end(), 90) != archs.end());
}

TEST_CASE("every elementwise op in float64, float32, int64 and bool, and every cast, compiles to one kernel per op") {
  if (!nvrtc_or_skip()) return;
  std::vector<hp::Var> inputs, outputs;
  std::set<std::string> ops_seen;
  for (hp::DType dtype : kOperandDTypes) {
    std::vector<hp::Var> some = every_elementwise_op(dtype, inputs, ops_seen);
    outputs.insert(outputs.end(), some.begin(), some.end());
  }
  for (const hp::ScalarOp& op : hp::scalar_ops()) CHECK_MESSAGE(ops_seen.count(std::string(op.name)), op.name);
  const hp::CudaProgramText program = unoptimised_program(inputs, outputs);
  CHECK(count_steps(program, hp::CudaStep::Kind::Elementwise) == static_cast<int>(program.nodes.size()));
  // One kernel per op, but ops whose code is the same share one: isnan and
  // isinf of an int64 or bool operand are both `false` (two operand dtypes).
  std::set<std::string> step_kernels;
  for (const hp::CudaStep& step : program.steps) step_kernels.insert(step.kernel);
  CHECK(step_kernels.size() == program.kernels.size());
  CHECK(program.kernels.size() == program.nodes.size() - 2);
  check_compiles(program, /*with_cubin=*/false);
}

TEST_CASE("elementwise kernels read float32 operands four at a time where aligned") {
  if (!nvrtc_or_skip()) return;
  const hp::Var a = hp::vector("a", hp::float32), b = hp::vector("b", hp::float32);
  const hp::CudaProgramText program = unoptimised_program({a, b}, {a * b});
  const std::string ptx = hp::nvrtc::compile(program.source, 80, hp::nvrtc::Output::PtxOnly).ptx;
  CHECK(has_entry(ptx, "hp_node0"));
  CHECK(ptx.find("ld.global.nc.v4.f32") != std::string::npos);  // read-only path, 16 bytes a load
  CHECK(ptx.find("st.global.v4.f32") != std::string::npos);
  // The source reads as generated code should: the node named in a comment.
  CHECK(program.source.find("// node 0: Elemwise{mul}") != std::string::npos);
}

TEST_CASE("user names reach the CUDA source only inside escaped comments") {
  const hp::Var a = hp::vector("x */ \n#error boom", hp::float64);
  const hp::CudaProgramText program = unoptimised_program({a}, {hp::exp(a)});
  CHECK(program.source.find("\n#error") == std::string::npos);
  if (!nvrtc_or_skip()) return;
  check_compiles(program);
}

TEST_CASE("reductions of each kind over each axis pattern, in each dtype, compile with their second pass") {
  if (!nvrtc_or_skip()) return;
  std::vector<hp::Var> inputs, outputs;
  // Every axis pattern of a rank-3 tensor in float32; three in the other dtypes.
  const std::vector<std::vector<int>> every = {{0}, {1}, {2}, {0, 1}, {0, 2}, {1, 2}, {0, 1, 2}};
  const std::vector<std::vector<int>> some = {{1}, {0, 2}, {0, 1, 2}};
  for (hp::DType dtype : {hp::DType::Float32, hp::DType::Float64, hp::DType::Int32, hp::DType::Bool}) {
    const hp::Var x = hp::tensor3("x", dtype);
    inputs.push_back(x);
    for (const auto& axes : dtype == hp::DType::Float32 ? every : some) {
      for (bool keepdims : {false, true}) {
        outputs.push_back(hp::sum(x, axes, keepdims));
        outputs.push_back(hp::mean(x, axes, keepdims));
        outputs.push_back(hp::max(x, axes, keepdims));
        outputs.push_back(hp::min(x, axes, keepdims));
        outputs.push_back(hp::prod(x, axes, keepdims));
      }
    }
    outputs.push_back(hp::sum(x));
    outputs.push_back(hp::argmax(x));
    outputs.push_back(hp::argmax(x, 1, true));
    outputs.push_back(hp::argmin(x));
    outputs.push_back(hp::argmin(x, 2));
  }
  const hp::CudaProgramText program = unoptimised_program(inputs, outputs);
  const int reductions = count_steps(program, hp::CudaStep::Kind::Reduction);
  CHECK(reductions == static_cast<int>(program.nodes.size()));
  // Each with its second pass. Nodes whose kernels read alike share them: the
  // second passes of one accumulator, and keepdims twins (one flat output).
  CHECK(program.kernels.size() < program.nodes.size());
  for (const hp::CudaStep& step : program.steps) {
    CHECK(std::find(program.kernels.begin(), program.kernels.end(), step.kernel) != program.kernels.end());
    CHECK(std::find(program.kernels.begin(), program.kernels.end(), step.finish_kernel) != program.kernels.end());
  }
  const std::string ptx = check_compiles(program, /*with_cubin=*/false);
  CHECK(ptx.find("shfl.sync.down") != std::string::npos);  // the warp-level reduction
}

TEST_CASE("softmax rows compile for ranks 1 to 3 and integer inputs") {
  if (!nvrtc_or_skip()) return;
  const hp::Var v = hp::vector("v", hp::float32), m = hp::matrix("m", hp::float64);
  const hp::Var t = hp::tensor3("t", hp::float32), i = hp::matrix("i", hp::int32);
  const hp::CudaProgramText program = unoptimised_program({v, m, t, i}, {hp::softmax(v), hp::softmax(m),
                                                                          hp::softmax(t), hp::softmax(i)});
  CHECK(count_steps(program, hp::CudaStep::Kind::Softmax) == 4);
  check_compiles(program);
}

TEST_CASE("cumsum, cumprod, sort and argsort compile as one line kernel each; searchsorted runs on the host") {
  if (!nvrtc_or_skip()) return;
  const hp::Var v = hp::vector("v", hp::float32), m = hp::matrix("m", hp::float64);
  const hp::Var t = hp::tensor3("t", hp::int32), b = hp::vector("b", hp::bool_);
  std::vector<hp::Var> outputs;
  for (const hp::Var& x : {v, m, t, b}) {
    outputs.push_back(hp::cumsum(x, -1));
    outputs.push_back(hp::cumprod(x, 0));
    outputs.push_back(hp::sort(x, 0));
    outputs.push_back(hp::argsort(x, -1));
  }
  outputs.push_back(hp::cumsum(m));  // flatten (a host view step) then a line kernel
  const hp::CudaProgramText program = unoptimised_program({v, m, t, b}, outputs);
  CHECK(count_steps(program, hp::CudaStep::Kind::Lines) == static_cast<int>(outputs.size()));
  check_compiles(program);
  const hp::CudaProgramText search = unoptimised_program({v, m}, {hp::searchsorted(v, m, "right")});
  CHECK(count_steps(search, hp::CudaStep::Kind::Host) == 1);
}

TEST_CASE("rounding, sign, reciprocal, angle and classification ops compile for floats and integers") {
  if (!nvrtc_or_skip()) return;
  const hp::Var f = hp::vector("f", hp::float32), d = hp::matrix("d", hp::float64), i = hp::vector("i", hp::int16);
  std::vector<hp::Var> outputs;
  for (const hp::Var& x : {f, d, i}) {
    for (const auto& op : {hp::floor, hp::ceil, hp::trunc, hp::round, hp::sign, hp::reciprocal, hp::deg2rad,
                           hp::rad2deg, hp::isnan, hp::isinf, hp::isfinite}) {
      outputs.push_back(op(x));
    }
  }
  const hp::CudaProgramText program = unoptimised_program({f, d, i}, outputs);
  CHECK(count_steps(program, hp::CudaStep::Kind::Elementwise) == static_cast<int>(outputs.size()));
  check_compiles(program);
}

TEST_CASE("reductions written with others (all, any, var, std, logsumexp, norm) compile after optimisation") {
  if (!nvrtc_or_skip()) return;
  const hp::Var a = hp::matrix("a", hp::float32), d = hp::tensor3("d", hp::float64), i = hp::matrix("i", hp::int32);
  const std::vector<hp::Var> inputs = {a, d, i};
  const std::vector<hp::Var> outputs = {
      hp::all(a, 1), hp::any(i, 0, true), hp::all(i), hp::var(a, 0, false, 1), hp::std(d, {0, 2}),
      hp::logsumexp(a, 1), hp::logsumexp(d), hp::norm(a, 1, 1), hp::norm(d, 2, {1, 2}, true),
      hp::norm(i, INFINITY), hp::norm(a, 3, 0),
  };
  const std::vector<hp::Var> optimised = hp::optimize(inputs, outputs, hp::Mode::FastRun);
  const hp::CudaProgramText program = hp::generate_cuda(inputs, optimised, "composite_reductions");
  // On the host: only views and shapes (var's divisor n - ddof reads the shape).
  for (const hp::CudaStep& step : program.steps) {
    if (step.kind != hp::CudaStep::Kind::Host) continue;
    const std::string op = program.nodes.at(static_cast<std::size_t>(step.node))->op().name();
    CAPTURE(op);
    CHECK((op.find("DimShuffle") != std::string::npos || op.find("Shape") != std::string::npos ||
           op.find("Subtensor") != std::string::npos));
  }
  CHECK(count_steps(program, hp::CudaStep::Kind::Reduction) >= static_cast<int>(outputs.size()));
  check_compiles(program);
}

TEST_CASE("construction and rearrangement ops compile: kernels for their elementwise parts, host steps for the rest") {
  if (!nvrtc_or_skip()) return;
  const hp::Var m = hp::matrix("m", hp::float32), v = hp::vector("v", hp::float64);
  const hp::Var n = hp::scalar("n", hp::int64);
  const std::vector<hp::Var> inputs = {m, v, n};
  const std::vector<hp::Var> outputs = {
      hp::zeros({n, 3}), hp::full({2, n}, 1.5, hp::float32), hp::broadcast_to(v, {n, 4}), hp::eye(n),
      hp::tril(m, 1), hp::triu(m), hp::outer(v, v), hp::diagonal(m), hp::diag(v), hp::trace(m),
      hp::stack({v, v}, 1), hp::flip(m, {0}), hp::roll(m, 2, 1), hp::tile(v, {2, 2}), hp::repeat(m, 2, 0),
      hp::split(m, {1, 1}, 0)[1], hp::swapaxes(m, 0, 1) * 2, hp::squeeze(hp::expand_dims(v, 0)) + 1,
  };
  const std::vector<hp::Var> optimised = hp::optimize(inputs, outputs, hp::Mode::FastRun);
  const hp::CudaProgramText program = hp::generate_cuda(inputs, optimised, "construct");
  CHECK(count_steps(program, hp::CudaStep::Kind::Elementwise) > 0);
  check_compiles(program);
}

TEST_CASE("products: matmul, batched_dot and tensordot generate programs that compile") {
  if (!nvrtc_or_skip()) return;
  const hp::Var a = hp::tensor3("a", hp::float32), b = hp::tensor3("b", hp::float32), m = hp::matrix("m");
  const std::vector<hp::Var> inputs = {a, b, m};
  const std::vector<hp::Var> outputs = {hp::matmul(a, b) * 2, hp::batched_dot(a, b), hp::tensordot(a, b, 1),
                                        hp::dot(hp::cast(a, hp::float64), m)};
  const std::vector<hp::Var> optimised = hp::optimize(inputs, outputs, hp::Mode::FastRun);
  const hp::CudaProgramText program = hp::generate_cuda(inputs, optimised, "products");
  CHECK(count_steps(program, hp::CudaStep::Kind::Host) > 0);  // MatMul and the reshapes run on the host
  check_compiles(program);
}

TEST_CASE("bitwise ops and shifts compile for each integer dtype and bool") {
  if (!nvrtc_or_skip()) return;
  std::vector<hp::Var> inputs, outputs;
  for (hp::DType dtype : {hp::int8, hp::uint8, hp::int32, hp::int64}) {
    const hp::Var a = hp::matrix("a", dtype), b = hp::tensor("b", dtype, {true, false});
    inputs.insert(inputs.end(), {a, b});
    outputs.insert(outputs.end(), {a & b, a | b, a ^ b, ~a, hp::left_shift(a, b), hp::right_shift(b, a),
                                   hp::logical_not(a)});
  }
  const hp::Var p = hp::vector("p", hp::bool_);
  inputs.push_back(p);
  outputs.insert(outputs.end(), {p & p, ~p, hp::left_shift(p, p)});
  const hp::CudaProgramText program = unoptimised_program(inputs, outputs);
  CHECK(count_steps(program, hp::CudaStep::Kind::Elementwise) == static_cast<int>(outputs.size()));
  check_compiles(program);
}

TEST_CASE("trigonometric, hyperbolic, exponential and special functions compile for floats and integers") {
  if (!nvrtc_or_skip()) return;
  const hp::Var f = hp::vector("f", hp::float32), d = hp::matrix("d", hp::float64), i = hp::vector("i", hp::int16);
  std::vector<hp::Var> outputs;
  for (const hp::Var& x : {f, d, i}) {
    for (const auto& op : {hp::sin, hp::cos, hp::tan, hp::arcsin, hp::arccos, hp::arctan, hp::sinh, hp::cosh,
                           hp::arcsinh, hp::arccosh, hp::arctanh, hp::exp2, hp::expm1, hp::log2, hp::log10,
                           hp::erf, hp::erfc, hp::erfinv, hp::erfcinv, hp::gammaln, hp::psi}) {
      outputs.push_back(op(x));
    }
    for (const auto& op : {hp::arctan2, hp::hypot, hp::logaddexp}) outputs.push_back(op(x, x));
  }
  const hp::CudaProgramText program = unoptimised_program({f, d, i}, outputs);
  CHECK(count_steps(program, hp::CudaStep::Kind::Elementwise) == static_cast<int>(outputs.size()));
  check_compiles(program);
}

TEST_CASE("fused chains and fused reductions from the optimiser compile as one kernel each") {
  if (!nvrtc_or_skip()) return;
  const hp::Var a = hp::matrix("a", hp::float32), b = hp::matrix("b", hp::float32);
  const hp::Var c = hp::tensor("c", hp::float32, {true, false});  // a row
  const hp::Var n = hp::matrix("n", hp::int64);
  const std::vector<hp::Var> inputs = {a, b, c, n};
  const std::vector<hp::Var> outputs = {
      hp::sigmoid(a * b + c) * hp::tanh(a) - hp::exp(-(b * b)) + 0.5 * c,  // the benchmark chain
      hp::sum(hp::exp(a - b), 1),
      hp::mean(hp::sqr(a - c), {0, 1}),
      hp::max(hp::abs(a) * 2, 0, true),
      hp::int_div(n, 3) + n % 5 + hp::pow(n, 2),  // integer ops that may fail (division by zero)
      hp::where(a > b, hp::log1p(hp::abs(a)), hp::softplus(b)),
  };
  const std::vector<hp::Var> optimised = hp::optimize(inputs, outputs, hp::Mode::FastRun);
  const hp::CudaProgramText program = hp::generate_cuda(inputs, optimised, "fused");
  int fused = 0, fused_reductions = 0;
  for (const auto& node : program.nodes) {
    fused += dynamic_cast<const hp::FusedElemwiseOp*>(&node->op()) != nullptr;
    fused_reductions += dynamic_cast<const hp::FusedReduceOp*>(&node->op()) != nullptr;
  }
  CHECK(fused >= 3);
  CHECK(fused_reductions == 3);
  CHECK(count_steps(program, hp::CudaStep::Kind::Host) == 0);
  check_compiles(program);
}

TEST_CASE("ops without CUDA code become host steps: dot and views") {
  const hp::Var a = hp::matrix("a"), b = hp::matrix("b");
  const hp::CudaProgramText program = unoptimised_program({a, b}, {hp::dot(a, b), hp::transpose(a)});
  CHECK(count_steps(program, hp::CudaStep::Kind::Host) == 2);
  CHECK(program.kernels.empty());
  if (!nvrtc_or_skip()) return;
  check_compiles(program);  // the ABI header alone compiles
}

TEST_CASE("CUDA source NVRTC rejects gives hp::CompileError with the source and the log") {
  if (!nvrtc_or_skip()) return;
  const std::string source = "extern \"C\" __global__ void broken() { undeclared_name = 1; }\n";
  try {
    hp::nvrtc::compile(source, 80);
    FAIL("no error");
  } catch (const hp::CompileError& e) {
    CHECK(e.source() == source);
    CHECK(e.diagnostics().find("undeclared_name") != std::string::npos);
    CHECK(std::string(e.what()).find("sm_80") != std::string::npos);
  }
  CHECK_THROWS_AS(hp::nvrtc::compile("", 12), hp::Error);  // no such architecture
}

TEST_CASE("nodes whose kernels read alike share one kernel") {
  const hp::Var a = hp::matrix("a", hp::float32), b = hp::matrix("b", hp::float32);
  const hp::CudaProgramText program = unoptimised_program({a, b}, {hp::exp(a), hp::exp(b), hp::exp(a * b)});
  REQUIRE(program.steps.size() == 4);
  CHECK(program.kernels.size() == 2);  // exp(a), exp(b), exp(a * b): one kernel; a * b the other
  int exp_steps = 0;
  for (const hp::CudaStep& step : program.steps) exp_steps += step.kernel == program.steps.front().kernel;
  CHECK(exp_steps == 3);
  CHECK(program.source.find("the same code as hp_node") != std::string::npos);
  if (!nvrtc_or_skip()) return;
  check_compiles(program);
}

TEST_CASE("NaN and infinite constants are spelled without GCC builtins (NVRTC has none)") {
  const hp::Var a = hp::vector("a", hp::float64), f = hp::vector("f", hp::float32);
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<hp::Var> outputs = {hp::minimum(a, inf), hp::where(a > 0, a, nan), hp::maximum(f, -inf),
                                        hp::where(f > 0, f, nan)};
  const hp::CudaProgramText program = hp::generate_cuda({a, f}, hp::optimize({a, f}, outputs, hp::Mode::FastRun), "c");
  const std::string kernels = program.source.substr(program.source.find("// node 0"));
  CHECK(kernels.find("__builtin") == std::string::npos);
  CHECK(kernels.find("HP_INF") != std::string::npos);
  CHECK(kernels.find("HP_NAN") != std::string::npos);
  if (!nvrtc_or_skip()) return;
  check_compiles(program);
}

TEST_CASE("an MLP training step (forward, gradients, updates) generates kernels that compile") {
  const hp::Var x = hp::matrix("x", hp::float32), y = hp::matrix("y", hp::float32);
  const hp::Shared w1 = hp::shared(hp::Array::full({4, 8}, 0.1, hp::float32), "w1");
  const hp::Shared b1 = hp::shared(hp::Array::zeros({8}, hp::float32), "b1");
  const hp::Shared w2 = hp::shared(hp::Array::full({8, 3}, 0.1, hp::float32), "w2");
  const hp::Var hidden = hp::tanh(hp::dot(x, w1) + b1);
  const hp::Var probabilities = hp::softmax(hp::dot(hidden, w2));
  // Squared error keeps the softmax: a log of it would be differentiated as log-softmax.
  const hp::Var cost = hp::mean(hp::sum(hp::sqr(probabilities - y), 1));
  const std::vector<hp::Var> grads = hp::grad(cost, {w1, b1, w2});
  std::vector<hp::Var> targets = {cost};
  const std::vector<hp::Var> params = {w1, b1, w2};
  for (std::size_t i = 0; i < params.size(); ++i) targets.push_back(params[i] - 0.1 * grads[i]);
  const std::vector<hp::Var> inputs = {x, y, w1, b1, w2};
  hp::PassSelection gpu;  // as device=cuda optimises: products stay Dot, for cuBLAS
  gpu.excluding = {"specialize_gemm", "specialize_dot"};
  const std::vector<hp::Var> optimised = hp::optimize(inputs, targets, hp::Mode::FastRun, gpu);
  const hp::CudaProgramText program = hp::generate_cuda(inputs, optimised, "mlp");
  CHECK(count_steps(program, hp::CudaStep::Kind::Softmax) >= 1);
  CHECK(count_steps(program, hp::CudaStep::Kind::Reduction) >= 2);
  std::vector<std::string> host_ops;
  for (const hp::CudaStep& step : program.steps) {
    if (step.kind == hp::CudaStep::Kind::Host) host_ops.push_back(program.nodes[step.node]->op().name());
  }
  // The products (cuBLAS on the GPU); the others are views and shapes.
  CHECK(std::count(host_ops.begin(), host_ops.end(), "Dot") == 5);
  for (const std::string& op : host_ops) {
    CAPTURE(op);
    CHECK((op == "Dot" || op.rfind("DimShuffle", 0) == 0 || op == "Shape" || op.rfind("Subtensor", 0) == 0));
  }
  if (!nvrtc_or_skip()) return;
  check_compiles(program);
}

TEST_CASE("advanced indexing generates gather kernels that compile (issue 17)") {
  const hp::Var x = hp::matrix("x", hp::float32), y3 = hp::tensor3("y3");
  const hp::Var rows = hp::lvector("rows"), cols = hp::ivector("cols"), m = hp::lmatrix("m");
  const hp::Var b8 = hp::vector("b8", hp::uint8);
  const std::vector<hp::Var> inputs = {x, y3, rows, cols, m, b8};
  const std::vector<hp::Var> outputs = {
      x[{rows, cols}],                           // elements
      x[{hp::slice(1, std::nullopt, 2), cols}],  // a slice and a tensor
      x[m],                                      // a matrix of rows
      x[{0, cols}],                              // an integer among tensors: a literal index
      y3[{rows, hp::slice(), b8}],               // tensors apart: their shape first
      x[{rows, hp::newaxis}],                    // a new axis after the tensor
  };
  const hp::CudaProgramText program = unoptimised_program(inputs, outputs);
  CHECK(count_steps(program, hp::CudaStep::Kind::Gather) == 6);
  CHECK(program.source.find("hp_error") != std::string::npos);
  // The literal index 0 is written into the kernel, not passed.
  CHECK(program.source.find("hp_i64 v = (hp_i64)((hp_i64)(0LL));") != std::string::npos);
  if (!nvrtc_or_skip()) return;
  check_compiles(program);
}
