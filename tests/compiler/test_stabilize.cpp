// The stabilize pass: each rewrite happens, keeps values on ordinary inputs,
// and gives finite results where the naive graph gives inf or nan.
#include <doctest/doctest.h>

#include <cmath>

#include <hypatia/hypatia.hpp>

#include "compiler/reference/evaluate.hpp"
#include "compiler/rewrite/stabilize.hpp"
#include "tests/support/nonfinite.hpp"

namespace hp = hypatia;

namespace {

hp::Var stabilized(const hp::Var& x, const hp::Var& out) { return hp::stabilize({x}, {out}).front(); }

/// out on the reference evaluator (no rewriting), given values of its inputs.
hp::Array reference(const hp::Var& out, const std::vector<std::pair<hp::Var, hp::Array>>& givens) {
  return hp::evaluate({out}, givens).front();
}

}  // namespace

TEST_CASE("log(sigmoid(x)) becomes -softplus(-x): finite at -800") {
  hp::Var x = hp::vector("x");
  hp::Var naive = hp::log(hp::sigmoid(x));
  hp::Var stable = stabilized(x, naive);
  CHECK(hp::pp(stable) == "(-softplus((-x)))");
  const hp::Array far = hp::array({-800., 0., 30.});
  CHECK(std::isinf(reference(naive, {{x, far}}).item<double>(0)));
  CHECK(hp::allclose(stable.eval({{x, far}}), hp::array({-800., -0.6931471805599453, -9.357622968840175e-14})));
  const hp::Array near = hp::array({-3., 0.5, 2.});
  CHECK(hp::allclose(stable.eval({{x, near}}), naive.eval({{x, near}}), 1e-14, 0));
}

TEST_CASE("log(1 - sigmoid(x)) becomes -softplus(x): finite at 800") {
  hp::Var x = hp::vector("x");
  hp::Var naive = hp::log(1.0 - hp::sigmoid(x));
  hp::Var stable = stabilized(x, naive);
  CHECK(hp::pp(stable) == "(-softplus(x))");
  CHECK(stable.eval({{x, hp::array({800.})}}).item<double>(0) == -800.0);
  CHECK(std::isinf(reference(naive, {{x, hp::array({800.})}}).item<double>(0)));
}

TEST_CASE("log(1 + x) becomes log1p(x): exact for tiny x") {
  hp::Var x = hp::vector("x");
  hp::Var stable = stabilized(x, hp::log(1.0 + x));
  CHECK(hp::pp(stable) == "log1p(x)");
  CHECK(hp::pp(stabilized(x, hp::log(x + 1.0))) == "log1p(x)");
  CHECK(stable.eval({{x, hp::array({1e-20})}}).item<double>(0) == 1e-20);
}

TEST_CASE("log(softmax(x)) becomes x - logsumexp(x): finite for large logits") {
  hp::Var m = hp::matrix("m");
  hp::Var naive = hp::log(hp::softmax(m));
  hp::Var stable = stabilized(m, naive);
  const hp::Array big = hp::array({{1000., 0.}, {1., 2.}});
  const hp::Array got = stable.eval({{m, big}});
  CHECK(got.item<double>(0) == 0.0);
  CHECK(got.item<double>(1) == -1000.0);
  CHECK(std::isinf(reference(naive, {{m, big}}).item<double>(1)));
  CHECK(hp::allclose(got.slice(0, 1, 2), hp::array({{-1.3132616875182228, -0.31326168751822286}})));
}

TEST_CASE("log(sum(exp(x))) becomes the logsumexp form, for all axes and for one") {
  hp::Var m = hp::matrix("m");
  hp::Var all = stabilized(m, hp::log(hp::sum(hp::exp(m))));
  hp::Var rows = stabilized(m, hp::log(hp::sum(hp::exp(m), 1)));
  const hp::Array big = hp::array({{1000., 1000.}, {-1000., -1000.}});
  CHECK(hp::allclose(all.eval({{m, big}}), hp::Array(1000.6931471805599)));
  CHECK(hp::allclose(rows.eval({{m, big}}), hp::array({1000.6931471805599, -999.3068528194401})));
  const hp::Array minus_inf = hp::array({{-double(INFINITY), -double(INFINITY)}, {0., 0.}});
  CHECK(std::isinf(hypatia_test::eval_nonfinite(rows, {{m, minus_inf}}).item<double>(0)));  // log(0) stays -inf, not nan
}

TEST_CASE("over empty axes the stabilised forms give what the naive graph gives (fuzzer bug)") {
  // They take a max with initial=-inf: max(x) over nothing raises.
  hp::Var v = hp::vector("v");
  hp::Var m = hp::matrix("m", hp::DType::Float32);
  hp::Var i = hp::matrix("i", hp::DType::Int16);
  const hp::Var log_softmax = hp::log(hp::softmax(v));
  const hp::Var lse_all = hp::log(hp::sum(hp::exp(m)));
  const hp::Var lse_rows = hp::log(hp::sum(hp::exp(m), 1));
  const hp::Var lse_int = hp::log(hp::sum(hp::exp(i), 0));  // the int16 -> float cast fuses into the max
  CHECK(hp::pp(stabilized(v, log_softmax)).find("initial=-inf") != std::string::npos);
  const hp::Array empty_v(hp::Shape{0}, hp::DType::Float64);
  const hp::Array empty_rows(hp::Shape{0, 3}, hp::DType::Float32);
  const hp::Array empty_cols(hp::Shape{2, 0}, hp::DType::Float32);
  const hp::Array empty_i(hp::Shape{0, 4}, hp::DType::Int16);
  // Not Debug mode: it reports the -inf that max and log(0) compute on the way
  // (as it does for the naive log(sum(exp(x))) over nothing).
  for (hp::Mode mode : {hp::Mode::FastRun, hp::Mode::FastCompile}) {
    CAPTURE(mode);
    CHECK(hp::compile({v}, {log_softmax}, {.mode = mode})(empty_v)[0].shape() == hp::Shape{0});
    CHECK(hp::compile({m}, {lse_rows}, {.mode = mode})(empty_rows)[0].shape() == hp::Shape{0});
    hp::Function f = hp::compile({m}, {lse_all, lse_rows}, {.mode = mode});
    CHECK(f(empty_rows)[0].item<float>(0) == -INFINITY);
    const hp::Array rows = f(empty_cols)[1];
    CHECK(rows.shape() == hp::Shape{2});
    CHECK((rows.item<float>(0) == -INFINITY && rows.item<float>(1) == -INFINITY));
    const hp::Array cols = hp::compile({i}, {lse_int}, {.mode = mode})(empty_i)[0];
    CHECK(cols.shape() == hp::Shape{4});
    CHECK(cols.item<float>(3) == -INFINITY);
    // Where the axes are not empty the max with initial=-inf is the max: NaN and -inf included.
    const hp::Array values = hp::array({{1.f, -INFINITY, 3.f}, {-INFINITY, -INFINITY, -INFINITY}, {NAN, 0.f, 1.f}});
    const hp::Array got = f(values)[1];
    CHECK(std::abs(got.item<float>(0) - 3.126928f) < 1e-5f);
    CHECK(got.item<float>(1) == -INFINITY);
    CHECK(std::isnan(got.item<float>(2)));
  }
}

TEST_CASE("compiled functions are stabilised in every mode") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::log(hp::sigmoid(x));
  for (hp::Mode mode : {hp::Mode::FastRun, hp::Mode::FastCompile, hp::Mode::Debug}) {
    hp::Function f = hp::compile({x}, {y}, {.mode = mode});
    CHECK(f(hp::array({-800.}))[0].item<double>(0) == -800.0);
  }
}

TEST_CASE("the binary crossentropy of a sigmoid stays finite at x = ±800") {
  hp::Var x = hp::vector("x"), t = hp::vector("t");
  hp::Var naive = -(t * hp::log(hp::sigmoid(x)) + (1.0 - t) * hp::log(1.0 - hp::sigmoid(x)));
  hp::Var stable = hp::stabilize({x, t}, {naive}).front();
  const std::vector<std::pair<hp::Var, hp::Array>> far{{x, hp::array({800., -800., 800., -800.})},
                                                       {t, hp::array({1., 0., 0., 1.})}};
  const hp::Array before = reference(naive, far);
  CHECK(std::isnan(before.item<double>(0)));  // 0 * log(1 - 1) = 0 * -inf
  CHECK(std::isnan(before.item<double>(1)));
  CHECK(std::isinf(before.item<double>(2)));
  CHECK(hp::allclose(reference(stable, far), hp::array({0., 0., 800., 800.})));
  const std::vector<std::pair<hp::Var, hp::Array>> near{{x, hp::array({-2., 0.5, 3.})},
                                                        {t, hp::array({0.25, 1., 0.})}};
  CHECK(hp::allclose(reference(stable, near), reference(naive, near), 1e-14, 0));
}

TEST_CASE("log(1 + exp(x)) and log1p(exp(x)) become softplus(x): finite at 800") {
  hp::Var x = hp::vector("x");
  hp::Var naive = hp::log(1.0 + hp::exp(x));
  CHECK(hp::pp(stabilized(x, naive)) == "softplus(x)");
  CHECK(hp::pp(stabilized(x, hp::log1p(hp::exp(x)))) == "softplus(x)");
  CHECK(std::isinf(reference(naive, {{x, hp::array({800.})}}).item<double>(0)));
  CHECK(reference(stabilized(x, naive), {{x, hp::array({800.})}}).item<double>(0) == 800.0);
}

TEST_CASE("log(1 - x) becomes log1p(-x) for floats: exact for tiny x") {
  hp::Var x = hp::vector("x");
  hp::Var naive = hp::log(1.0 - x);
  hp::Var stable = stabilized(x, naive);
  CHECK(hp::pp(stable) == "log1p((-x))");
  CHECK(reference(naive, {{x, hp::array({1e-20})}}).item<double>(0) == 0.0);
  CHECK(reference(stable, {{x, hp::array({1e-20})}}).item<double>(0) == -1e-20);
  hp::Var k = hp::vector("k", hp::uint8);  // 1 - k wraps in uint8: not the same as log1p(-k)
  hp::Var kept = hp::log(1 - k);
  CHECK(stabilized(k, kept).is(kept));
}

TEST_CASE("log(exp(x)) is x, and 1 / (1 + exp(-x)) is recognised as a sigmoid") {
  hp::Var x = hp::vector("x");
  CHECK(stabilized(x, hp::log(hp::exp(x))).is(x));
  hp::Var written_out = hp::log(1.0 / (1.0 + hp::exp(-x)));
  hp::Var stable = stabilized(x, written_out);
  CHECK(hp::pp(stable) == "(-softplus((-x)))");
  CHECK(std::isinf(reference(written_out, {{x, hp::array({-800.})}}).item<double>(0)));
  CHECK(reference(stable, {{x, hp::array({-800.})}}).item<double>(0) == -800.0);
}
