// The fuse_multi_output pass and the code of multi-output loops: elementwise
// loops that share a value become one loop writing several outputs, with the
// reference's values on contiguous, strided and broadcast operands.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/graph/walk.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "compiler/reference/evaluate.hpp"
#include "compiler/rewrite/fuse_elemwise.hpp"
#include "compiler/rewrite/fuse_multi_output.hpp"
#include "compiler/rewrite/optimize.hpp"
#include "runtime/cpu/jit.hpp"
#include "tests/compiler/rewrite_checks.hpp"

namespace hp = hypatia;
using rewrite_checks::check_same_values;
using rewrite_checks::count_ops;
using rewrite_checks::random_array;

namespace {

/// Both fusion passes, as FastRun runs them.
std::vector<hp::Var> fuse(const std::vector<hp::Var>& inputs, const std::vector<hp::Var>& outputs) {
  return hp::fuse_multi_output(inputs, hp::fuse_elemwise(inputs, outputs));
}

/// Loops of a graph: nodes other than FusedOutputOp (whose value another node's loop writes).
int count_loops(const std::vector<hp::Var>& outputs, const std::vector<hp::Var>& inputs) {
  return count_ops(outputs, inputs) - count_ops(outputs, inputs, "FusedOutput");
}

/// The inner outputs of each fused elementwise node.
std::vector<std::size_t> fused_outputs(const std::vector<hp::Var>& outputs, const std::vector<hp::Var>& inputs) {
  std::vector<std::size_t> sizes;
  for (const auto& node : hp::topological_order(outputs, inputs)) {
    if (const auto* fused = dynamic_cast<const hp::FusedElemwiseOp*>(&node->op())) {
      sizes.push_back(fused->inner_outputs().size());
    }
  }
  return sizes;
}

/// Elementwise loops the generated code runs (one call of the runtime each).
int generated_loops(const std::string& source) {
  int n = 0;
  for (std::size_t at = 0; (at = source.find("hp_elementwise", at)) != std::string::npos; at += 14) {
    n += source.compare(at, 19, "hp_elementwise(ctx,") == 0 || source.compare(at, 27, "hp_elementwise_outputs(ctx,") == 0;
  }
  return n;
}

/// f's outputs equal the reference evaluator's on the graph as built.
void check_compiled(hp::Function& f, const std::vector<hp::Var>& inputs, const std::vector<hp::Var>& outputs,
                    const std::vector<hp::Array>& args, double rtol) {
  std::vector<std::pair<hp::Var, hp::Array>> givens;
  for (std::size_t i = 0; i < inputs.size(); ++i) givens.emplace_back(inputs[i], args[i]);
  const std::vector<hp::Array> want = hp::evaluate(outputs, givens, {.require_givens_used = false});
  std::vector<hp::Array> got;
  if (args.size() == 1) got = f(args[0]);
  else if (args.size() == 2) got = f(args[0], args[1]);
  else got = f(args[0], args[1], args[2]);
  REQUIRE(got.size() == want.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    INFO("output ", k, ": got ", got[k], ", want ", want[k]);
    CHECK(got[k].shape() == want[k].shape());
    CHECK(got[k].dtype() == want[k].dtype());
    CHECK(hp::allclose(got[k], want[k], rtol, rtol));
  }
}

}  // namespace

TEST_CASE("exp(x) * 2 and exp(x) + 1: one loop writes both, exp(x) is not written") {
  hp::Var x = hp::vector("x");
  hp::Var t = hp::exp(x);
  const std::vector<hp::Var> outputs{t * 2, t + 1};
  CHECK(count_loops(hp::fuse_elemwise({x}, outputs), {x}) == 3);  // fuse_elemwise alone: t ends a group
  const std::vector<hp::Var> fused = fuse({x}, outputs);
  CHECK(count_loops(fused, {x}) == 1);
  CHECK(count_ops(fused, {x}, "FusedOutput{o1}") == 1);
  CHECK(fused_outputs(fused, {x}) == std::vector<std::size_t>{2});
  CHECK(hp::pp(fused[0]) == hp::pp(outputs[0]));  // each output prints its own expression
  CHECK(hp::pp(fused[1]) == hp::pp(outputs[1]));
  CHECK(fused[0].owner()->op().name() ==
        "Elemwise{Composite{o0 = (exp(i0) * TensorConstant{2}), o1 = (exp(i0) + TensorConstant{1})}}");
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    hp::Var xd = hp::vector("x", dtype);
    hp::Var td = hp::exp(xd);
    check_same_values({td * 2, td + 1}, fuse({xd}, {td * 2, td + 1}), {{xd, random_array({7}, dtype, 1)}}, 1e-6);
  }
}

TEST_CASE("the shared value is written too when the caller or a non-elementwise node reads it") {
  hp::Var x = hp::vector("x"), m = hp::matrix("m");
  hp::Var t = hp::tanh(x) * 3;
  const std::vector<hp::Var> returned = fuse({x}, {t, t - 1});
  CHECK(count_loops(returned, {x}) == 1);
  CHECK(fused_outputs(returned, {x}) == std::vector<std::size_t>{2});
  // The dot reads t from memory: the loop writes t and t - 1.
  const std::vector<hp::Var> dotted = fuse({x, m}, {hp::dot(m, t), t - 1});
  CHECK(fused_outputs(dotted, {x, m}) == std::vector<std::size_t>{2});
  CHECK(count_loops(dotted, {x, m}) == 2);
  check_same_values({hp::dot(m, t), t - 1}, dotted,
                    {{x, random_array({3}, hp::float64, 2)}, {m, random_array({2, 3}, hp::float64, 3)}});
}

TEST_CASE("loops of different broadcast patterns stay apart") {
  // t is a row; t * a and t * b are matrices whose first axes may differ.
  hp::Var r = hp::row("r"), a = hp::matrix("a"), b = hp::matrix("b");
  hp::Var t = hp::exp(r);
  const std::vector<hp::Var> outputs{t * a, t * b, t + 1};
  const std::vector<hp::Var> fused = fuse({r, a, b}, outputs);
  // exp(r) and exp(r) + 1 (both rows) in one loop; the two products on their own.
  CHECK(count_loops(fused, {r, a, b}) == 3);
  CHECK(fused_outputs(fused, {r, a, b}) == std::vector<std::size_t>{2});
  check_same_values(outputs, fused,
                    {{r, random_array({1, 3}, hp::float64, 5)},
                     {a, random_array({2, 3}, hp::float64, 6)},
                     {b, random_array({4, 3}, hp::float64, 7)}});
}

TEST_CASE("no merge where the loop would read a value computed from what it writes") {
  // The forward s = sigmoid(z) feeds the dot that gives g; the backward s * (1 - s) * g reads s and g.
  hp::Var z = hp::matrix("z"), w = hp::matrix("w");
  hp::Var s = hp::sigmoid(z);
  hp::Var g = hp::dot(s, w);
  hp::Var back = s * (1 - s) * g;
  const std::vector<hp::Var> fused = fuse({z, w}, {back});
  CHECK(count_ops(fused, {z, w}, "FusedOutput") == 0);
  CHECK(count_loops(fused, {z, w}) == 3);  // sigmoid, dot, the backward loop
  check_same_values({back}, fused, {{z, random_array({3, 3}, hp::float64, 8)}, {w, random_array({3, 3}, hp::float64, 9)}});
}

TEST_CASE("a merged loop stays within fuse_elemwise's caps of 8 math calls") {
  hp::Var x = hp::vector("x");
  std::vector<hp::Var> outputs;
  hp::Var t = hp::exp(x);
  for (int k = 0; k < 12; ++k) outputs.push_back(hp::tanh(t * (k + 1)));
  const std::vector<hp::Var> fused = fuse({x}, outputs);
  for (const auto& node : hp::topological_order(fused, {x})) {
    const auto* op = dynamic_cast<const hp::FusedElemwiseOp*>(&node->op());
    if (!op) continue;
    int math = 0;
    for (const auto& inner : hp::topological_order(op->inner_outputs(), op->placeholders())) {
      math += hp::calls_math_function(*inner);
    }
    CHECK(math <= hp::kMaxFusedMath);
  }
  CHECK(count_loops(fused, {x}) < 13);
  check_same_values(outputs, fused, {{x, random_array({5}, hp::float64, 10)}});
}

TEST_CASE("compiled multi-output loops give the reference's values: f64, f32, strided, broadcast, threads") {
  for (hp::DType dtype : {hp::float64, hp::float32}) {
    const double rtol = dtype == hp::float64 ? 1e-13 : 1e-5;
    hp::Var m = hp::matrix("m", dtype), c = hp::col("c", dtype);
    hp::Var t = hp::sigmoid(m * c);
    const std::vector<hp::Var> outputs{t * (1 - t), t + m, hp::sqr(t)};
    hp::Function f = hp::compile({m, c}, outputs, {.mode = hp::Mode::FastRun});
    hp::Function plain = hp::compile({m, c}, outputs, {.mode = hp::Mode::FastRun,
                                                        .optimizer_excluding = {"fuse_multi_output"}});
    if (hp::jit::available()) {
      CHECK(generated_loops(f.source()) == 1);
      CHECK(generated_loops(plain.source()) == 4);
    }
    // Contiguous; a transposed (strided) matrix; large enough for the thread pool (2^16 elements).
    const hp::Array col = random_array({6, 1}, dtype, 11);
    check_compiled(f, {m, c}, outputs, {random_array({6, 5}, dtype, 12), col}, rtol);
    check_compiled(f, {m, c}, outputs, {random_array({5, 6}, dtype, 13).transpose(), col}, rtol);
    check_compiled(f, {m, c}, outputs, {random_array({512, 128}, dtype, 14), random_array({512, 1}, dtype, 15)}, rtol);
    check_compiled(f, {m, c}, outputs, {random_array({0, 3}, dtype, 16), random_array({0, 1}, dtype, 17)}, rtol);
  }
}

TEST_CASE("one loop writes outputs of different dtypes") {
  hp::Var x = hp::vector("x", hp::float32), n = hp::vector("n", hp::int32);
  hp::Var t = x * n;  // float64: int32 with float32
  const std::vector<hp::Var> outputs{t > 1, hp::cast(t, hp::int16), t * 0.5};
  const std::vector<hp::Var> fused = fuse({x, n}, outputs);
  CHECK(count_loops(fused, {x, n}) == 1);
  CHECK(fused[0].dtype() == hp::DType::Bool);
  CHECK(fused[1].dtype() == hp::DType::Int16);
  CHECK(fused[2].dtype() == hp::DType::Float64);
  hp::Function f = hp::compile({x, n}, outputs, {.mode = hp::Mode::FastRun});
  const hp::Array xs = hp::array({0.5, -3.25, 2., 100.}).astype(hp::float32);
  const hp::Array ns = hp::array({3., 1., -7., 2000.}).astype(hp::int32);
  check_compiled(f, {x, n}, outputs, {xs, ns}, 0);
}

TEST_CASE("a multi-output loop's outputs feed later nodes and are released after their last reader") {
  hp::Var x = hp::vector("x"), v = hp::vector("v");
  hp::Var t = hp::exp(x) - 1;
  hp::Var a = t * v, b = t / 2;
  // a and b are scratch values read by two reductions and a dot.
  const std::vector<hp::Var> outputs{hp::sum(a) + hp::dot(b, v), hp::max(b)};
  hp::Function f = hp::compile({x, v}, outputs, {.mode = hp::Mode::FastRun});
  for (int call = 0; call < 3; ++call) {
    check_compiled(f, {x, v}, outputs, {random_array({40000}, hp::float64, 18), random_array({40000}, hp::float64, 19)},
                   1e-12);
  }
}

TEST_CASE("Debug mode checks the multi-output rewrite and the compiled loop against the reference") {
  hp::Var x = hp::matrix("x");
  hp::Var t = hp::exp(x);
  const std::vector<hp::Var> outputs{t * 2, t + 1};
  hp::Function f = hp::compile({x}, outputs, {.mode = hp::Mode::Debug});
  check_compiled(f, {x}, outputs, {random_array({3, 4}, hp::float64, 20)}, 1e-14);
  check_compiled(f, {x}, outputs, {random_array({4, 3}, hp::float64, 21).transpose()}, 1e-14);
}

TEST_CASE("debugprint of the compiled function shows the multi-output loop and its second output") {
  hp::Var x = hp::vector("x");
  hp::Var t = hp::exp(x);
  hp::Function f = hp::compile({x}, {t * 2, t + 1}, {.mode = hp::Mode::FastRun});
  const std::string text = hp::debugprint(f);
  INFO(text);
  CHECK(text.find("Elemwise{Composite{o0 = (exp(i0) * TensorConstant{2}), o1 = (exp(i0) + TensorConstant{1})}}") !=
        std::string::npos);
  CHECK(text.find("FusedOutput{o1}") != std::string::npos);
}

TEST_CASE("the MLP training step runs fewer loops with multi-output fusion, with the same values") {
  hp::Var x = hp::matrix("x"), y = hp::matrix("y");
  hp::Shared w1 = hp::shared(random_array({4, 2}, hp::float64, 22), "W1");
  hp::Shared b1 = hp::shared(hp::Array::zeros({4, 1}, hp::float64), "b1", std::vector<bool>{false, true});
  hp::Shared w2 = hp::shared(random_array({1, 4}, hp::float64, 23), "W2");
  hp::Shared b2 = hp::shared(hp::Array::zeros({1, 1}, hp::float64), "b2", std::vector<bool>{false, true});
  hp::Var h = hp::sigmoid(hp::dot(w1, x) + b1);
  hp::Var out = hp::sigmoid(hp::dot(w2, h) + b2);
  hp::Var cost = hp::mean(hp::sqr(out - y));
  std::vector<hp::Var> outputs{cost};
  for (const hp::Var& g : hp::grad(cost, {w1, b1, w2, b2})) outputs.push_back(g);
  const std::vector<hp::Var> single =
      hp::optimize({x, y}, outputs, hp::Mode::FastRun, {{}, {"fuse_multi_output"}});
  const std::vector<hp::Var> multi = hp::optimize({x, y}, outputs, hp::Mode::FastRun);
  MESSAGE("MLP gradient graph: " << count_loops(single, {x, y}) << " loops without multi-output fusion, "
                                 << count_loops(multi, {x, y}) << " with");
  CHECK(count_loops(multi, {x, y}) < count_loops(single, {x, y}));
  const std::vector<std::pair<hp::Var, hp::Array>> values{{x, random_array({2, 64}, hp::float64, 24)},
                                                          {y, random_array({1, 64}, hp::float64, 25, 0, 1)}};
  check_same_values(outputs, multi, values, 1e-12);
}
