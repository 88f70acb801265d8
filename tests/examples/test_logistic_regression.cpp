// examples/logistic_regression, Theano's logistic regression as its
// documentation writes it, run as a program: it trains (accuracy >= 0.99,
// no NaN) in FastRun and in Debug mode, and its final weights are those of
// the same program with the crossentropy written as softplus of the logits
// (to 1e-9): the stabilised gradient of the naive spelling is the gradient
// of the stable one.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include <hypatia/hypatia.hpp>

#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::contains;
using hypatia_test::read_text;
using hypatia_test::TempDir;

#ifdef HYPATIA_LOGREG_EXAMPLE

namespace {

struct Run {
  int status = -1;
  std::string out;
  double final_accuracy = -1;
};

/// Runs the example with `args` in `mode` (added to the test's HYPATIA_FLAGS, which name its cache).
Run run_example(const std::string& args, const std::string& mode, const std::string& log) {
  const char* flags = std::getenv("HYPATIA_FLAGS");
  const std::string env = std::string("HYPATIA_FLAGS='") + (flags ? flags : "") + (flags && *flags ? "," : "") +
                          "mode=" + mode + "' ";
  const std::string command = env + "'" + HYPATIA_LOGREG_EXAMPLE + "' " + args + " >'" + log + "' 2>&1";
  Run run;
  run.status = std::system(command.c_str());
  run.out = read_text(log);
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    std::sscanf(line.c_str(), "final accuracy on D: %lf", &run.final_accuracy);
  }
  return run;
}

}  // namespace

TEST_CASE("Theano's logistic regression trains as written in FastRun, to the softplus spelling's weights") {
  TempDir dir;
  const std::string naive_w = (dir.path() / "naive.npy").string(), softplus_w = (dir.path() / "softplus.npy").string();
  const Run naive = run_example("--save-weights '" + naive_w + "'", "FastRun", (dir.path() / "naive.log").string());
  INFO(naive.out);
  REQUIRE(naive.status == 0);
  CHECK(naive.final_accuracy >= 0.99);
  CHECK(!contains(naive.out, "nan"));
  CHECK(contains(naive.out, "time per step: "));
  CHECK(contains(naive.out, "(1000 steps, mode FastRun)"));
  const Run stable =
      run_example("--softplus --save-weights '" + softplus_w + "'", "FastRun", (dir.path() / "softplus.log").string());
  INFO(stable.out);
  REQUIRE(stable.status == 0);
  const hp::Array a = hp::load_npy(naive_w), b = hp::load_npy(softplus_w);
  REQUIRE(a.shape() == hp::Shape{784});
  REQUIRE(b.shape() == hp::Shape{784});
  double worst = 0;
  for (std::int64_t i = 0; i < a.size(); ++i) worst = std::fmax(worst, std::fabs(a.get_flat_double(i) - b.get_flat_double(i)));
  CHECK(worst <= 1e-9);
}

TEST_CASE("Theano's logistic regression trains as written in Debug mode (300 steps), which raises nothing") {
  TempDir dir;
  const Run debug = run_example("--steps 300", "Debug", (dir.path() / "debug.log").string());
  INFO(debug.out);
  REQUIRE(debug.status == 0);
  CHECK(debug.final_accuracy >= 0.99);
  CHECK(!contains(debug.out, "nan"));
  CHECK(contains(debug.out, "mode Debug"));
}

#else
TEST_CASE("the logistic regression example is built") {
  FAIL("built without examples (HYPATIA_BUILD_EXAMPLES=OFF): nothing to run");
}
#endif
