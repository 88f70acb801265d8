// examples/mlp, run as a program into a temporary directory: its training log
// (cost falls, accuracy rises past 0.8, the numbers of a hand-written
// backpropagation of the same network) and its pictures (PNG files that
// Cairo decodes to the sizes plot_png.hpp promises, and the training graph
// before and after optimisation).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "examples/plot_png.hpp"
#include "tests/examples/png_check.hpp"
#include "tests/support/test_support.hpp"

namespace fs = std::filesystem;
using hypatia_test::contains;
using hypatia_test::png_size;
using hypatia_test::read_text;
using hypatia_test::starts_with_png_signature;
using hypatia_test::TempDir;

#ifdef HYPATIA_MLP_EXAMPLE

namespace {

struct Iteration {
  int number = 0;
  double cost = 0;
  double accuracy = 0;
};

/// What one run of the example printed, and where its plots went.
struct MlpRun {
  int status = -1;
  std::string out;
  std::vector<Iteration> iterations;  ///< the "Iteration k: cost C, accuracy A" lines
};

/// Runs the example with `plot_dir` as its argument and parses its log.
MlpRun run_mlp(const fs::path& plot_dir, const fs::path& log) {
  const std::string command =
      std::string("'") + HYPATIA_MLP_EXAMPLE + "' '" + plot_dir.string() + "' >'" + log.string() + "' 2>&1";
  MlpRun run;
  run.status = std::system(command.c_str());
  run.out = read_text(log);
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    Iteration it;
    if (std::sscanf(line.c_str(), "Iteration %d: cost %lf, accuracy %lf", &it.number, &it.cost, &it.accuracy) == 3) {
      run.iterations.push_back(it);
    }
  }
  return run;
}

}  // namespace

TEST_CASE("the MLP example trains for 20 iterations: cost falls, accuracy rises past 0.8") {
  TempDir dir;
  const MlpRun run = run_mlp(dir.path() / "plots", dir.path() / "log");
  INFO(run.out);
  REQUIRE(run.status == 0);
  REQUIRE(run.iterations.size() == 20);
  for (int k = 0; k < 20; ++k) CHECK(run.iterations[k].number == k + 1);
  const Iteration& first = run.iterations.front();
  const Iteration& last = run.iterations.back();
  CHECK(last.cost < 0.75 * first.cost);
  CHECK(first.accuracy < 0.75);
  CHECK(last.accuracy > 0.8);
  CHECK(contains(run.out, "Final accuracy: "));
}

TEST_CASE("the MLP example's numbers are those of a hand-written backpropagation of the same network") {
  // Plain C++ loops over the same seeded data and initial weights, with
  // Theano's update order (a parameter moves by its old step), print these.
  TempDir dir;
  const MlpRun run = run_mlp(dir.path() / "plots", dir.path() / "log");
  INFO(run.out);
  REQUIRE(run.iterations.size() == 20);
  // The first call returns the cost before any update and leaves the
  // parameters as they were (every step starts at zero): the same cost twice.
  CHECK(run.iterations[0].cost == doctest::Approx(194.706).epsilon(1e-5));
  CHECK(run.iterations[1].cost == doctest::Approx(194.706).epsilon(1e-5));
  CHECK(run.iterations[0].accuracy == doctest::Approx(0.705));
  CHECK(run.iterations[9].cost == doctest::Approx(120.733).epsilon(1e-5));
  CHECK(run.iterations[19].cost == doctest::Approx(125.463).epsilon(1e-5));
  CHECK(run.iterations[19].accuracy == doctest::Approx(0.838));
}

TEST_CASE("the MLP example writes data, per-iteration, history and training-graph PNGs that Cairo decodes") {
  TempDir dir;
  const fs::path plots = dir.path() / "plots";
  const MlpRun run = run_mlp(plots, dir.path() / "log");
  INFO(run.out);
  REQUIRE(run.status == 0);
  CHECK(contains(run.out,
                 "Plots in " + plots.string() +
                     ": data.png, iteration_01.png ... iteration_20.png, history.png, train_graph.png, "
                     "train_graph_optimized.png"));

  std::vector<std::pair<std::string, std::pair<int, int>>> expected = {
      {"data.png", {plot_png::scatter_width, plot_png::scatter_height}},
      {"history.png", {plot_png::history_width, plot_png::history_height}}};
  for (int k = 1; k <= 20; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "iteration_%02d.png", k);
    expected.push_back({name, {plot_png::scatter_width, plot_png::scatter_height}});
  }
  for (const auto& [name, size] : expected) {
    INFO(name);
    REQUIRE(fs::is_regular_file(plots / name));
    CHECK(starts_with_png_signature(plots / name));
    CHECK(png_size(plots / name) == size);
  }
  // Graphviz sizes the graphs' pictures: the training graph has dozens of
  // nodes, so each is wider and taller than a few boxes.
  for (const char* name : {"train_graph.png", "train_graph_optimized.png"}) {
    INFO(name);
    REQUIRE(fs::is_regular_file(plots / name));
    const auto [width, height] = png_size(plots / name);
    CHECK(width > 300);
    CHECK(height > 300);
  }
  CHECK(std::distance(fs::directory_iterator(plots), fs::directory_iterator()) == 24);
}

#else

TEST_CASE("the MLP example is not built (HYPATIA_BUILD_EXAMPLES=OFF)" * doctest::skip()) {}

#endif
