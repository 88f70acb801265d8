// hp::render_graph: Graphviz pictures of graphs as built and of compiled
// functions after their rewrites, as PNG (decoded here with Cairo) or SVG
// (read as text), and the errors for what it cannot write.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <hypatia/hypatia.hpp>

#include "tests/examples/png_check.hpp"
#include "tests/support/test_support.hpp"

namespace fs = std::filesystem;
namespace hp = hypatia;
using hypatia_test::contains;
using hypatia_test::occurrences;
using hypatia_test::message_of;
using hypatia_test::png_size;
using hypatia_test::read_text;
using hypatia_test::starts_with_png_signature;
using hypatia_test::TempDir;

namespace {

/// The SVG text of `f`'s picture.
std::string function_svg(const hp::Function& f, const TempDir& dir) {
  const fs::path path = dir.path() / "function.svg";
  hp::render_graph(f, path);
  return read_text(path);
}

}  // namespace

TEST_CASE("render_graph writes a PNG that decodes, sized to a graph of a few nodes") {
  TempDir dir;
  hp::Var x = hp::vector("x");
  hp::Var y = hp::vector("y");
  const fs::path path = dir.path() / "graph.png";
  hp::render_graph(hp::sum(hp::pow(x, 2) + y), path);
  REQUIRE(fs::is_regular_file(path));
  CHECK(starts_with_png_signature(path));
  // dot lays the graph out top to bottom: seven rows (x and the constant,
  // pow, its output and y, add, its output, sum, the result) of nodes about
  // 200 px wide and 50 px high, at most three side by side.
  const auto [width, height] = png_size(path);
  CHECK(width >= 400);
  CHECK(width <= 2000);
  CHECK(height >= 500);
  CHECK(height <= 2000);
}

TEST_CASE("render_graph writes SVG whose text holds the variables' names, types and ops") {
  TempDir dir;
  hp::Var alpha = hp::matrix("alpha");
  hp::Var beta = hp::vector("beta");
  const fs::path path = dir.path() / "graph.SVG";  // the extension's case does not matter
  hp::render_graph({hp::dot(alpha, beta), hp::exp(beta)}, path);
  const std::string svg = read_text(path);
  CHECK(contains(svg, "<svg"));
  CHECK(contains(svg, ">alpha</text>"));
  CHECK(contains(svg, ">beta</text>"));
  CHECK(contains(svg, ">TensorType(float64, matrix)</text>"));
  CHECK(contains(svg, ">Dot</text>"));
  CHECK(contains(svg, ">Elemwise{exp}</text>"));
}

TEST_CASE("render_graph of a FastRun function draws the optimised graph: fused, x**2 as sqr") {
  TempDir dir;
  hp::Var x = hp::vector("x");
  hp::Var y = hp::exp(x) * 2. + hp::pow(x, 2);
  const fs::path as_built = dir.path() / "as_built.svg";
  hp::render_graph(y, as_built);
  CHECK(contains(read_text(as_built), ">Elemwise{pow}</text>"));
  CHECK(contains(read_text(as_built), ">Elemwise{mul}</text>"));

  const std::string optimised = function_svg(hp::compile({x}, {y}, {.mode = hp::Mode::FastRun}), dir);
  CHECK(contains(optimised, "Composite"));
  CHECK(contains(optimised, "sqr"));
  CHECK_FALSE(contains(optimised, ">Elemwise{mul}</text>"));
  CHECK_FALSE(contains(optimised, "pow"));
}

TEST_CASE("render_graph of a FastCompile function keeps one node per op") {
  TempDir dir;
  hp::Var x = hp::vector("x");
  const std::string svg = function_svg(hp::compile({x}, {hp::exp(x) * 2.}, {.mode = hp::Mode::FastCompile}), dir);
  CHECK(contains(svg, ">Elemwise{exp}</text>"));
  CHECK(contains(svg, ">Elemwise{mul}</text>"));
  CHECK_FALSE(contains(svg, "Composite"));
}

TEST_CASE("render_graph of a function draws its update values, with the shared variables they read") {
  TempDir dir;
  hp::Shared velocity = hp::shared(hp::array({0., 0.}), "velocity");
  hp::Var force = hp::vector("force");
  const hp::Function step =
      hp::compile({force}, {hp::sum(force)}, {.updates = {{velocity, velocity * 0.5 + hp::log(force)}}});
  const std::string svg = function_svg(step, dir);
  CHECK(contains(svg, ">velocity</text>"));
  CHECK(contains(svg, ">force</text>"));
  CHECK(contains(svg, "log"));
}

TEST_CASE("render_graph refuses an extension other than .png or .svg, naming the path") {
  TempDir dir;
  hp::Var x = hp::scalar("x");
  for (const char* name : {"graph.jpg", "graph", "graph.png.txt"}) {
    const fs::path path = dir.path() / name;
    const std::string message = message_of<hp::Error>([&] { hp::render_graph(x * 2., path); });
    CHECK(contains(message, path.string()));
    CHECK(contains(message, ".png or .svg"));
    CHECK_FALSE(fs::exists(path));
  }
  CHECK_THROWS_AS(hp::render_graph(hp::compile({x}, {x * 2.}), dir.path() / "f.pdf"), hp::Error);
}

TEST_CASE("render_graph into a directory that does not exist is an hp::Error naming the path") {
  TempDir dir;
  hp::Var x = hp::scalar("x");
  const fs::path path = dir.path() / "missing" / "graph.png";
  CHECK_THROWS_AS(hp::render_graph(x * 2., path), hp::Error);
  const std::string message = message_of<hp::Error>([&] { hp::render_graph(x * 2., path); });
  CHECK(contains(message, "cannot write"));
  CHECK(contains(message, path.string()));
}

// --- large graphs stay readable: clusters, a cap, labels --------------------------------

TEST_CASE("to_dot of a FastRun function draws a fused loop as a cluster holding a box per op") {
  hp::Var x = hp::vector("x");
  const hp::Function f = hp::compile({x}, {hp::exp(x) * 2. + hp::pow(x, 2)}, {.mode = hp::Mode::FastRun});
  const std::string dot = hp::to_dot(f);
  CHECK(occurrences(dot, "subgraph cluster_") == 1);
  CHECK(contains(dot, "label=\"Elemwise{Composite}: 4 ops in one loop\";"));
  for (const char* op : {"exp", "mul", "sqr", "add"}) {
    CHECK(contains(dot, std::string("[shape=box, label=\"") + op + "\"];"));
  }
  // x feeds the two ops that read it inside the loop.
  CHECK(contains(dot, "  v1 [shape=ellipse, label=\"x\\nTensorType(float64, vector)\"];\n"));
  CHECK(occurrences(dot, "  v1 -> a0_") == 2);
}

TEST_CASE("a fused reduction is a cluster ending in its reduction") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  const std::string dot = hp::to_dot(hp::compile({x, y}, {hp::sum(hp::exp(x - y))}, {.mode = hp::Mode::FastRun}));
  CHECK(contains(dot, "label=\"Sum{Composite}: 2 ops and the reduction in one pass\";"));
  CHECK(contains(dot, "    a0_0 [shape=box, label=\"sub\"];\n"));
  CHECK(contains(dot, "    a0_1 [shape=box, label=\"exp\"];\n"));
  CHECK(contains(dot, "    a0_r [shape=box, label=\"Sum\"];\n"));
  CHECK(contains(dot, "  a0_1 -> a0_r;\n"));
}

TEST_CASE("a loop with two outputs is one cluster, each output leaving from the op computing it") {
  hp::Var x = hp::vector("x");
  hp::Var m = hp::matrix("m");
  hp::Var t = hp::exp(x);
  const std::string dot =
      hp::to_dot(hp::compile({x, m}, {t * 2., hp::dot(m, t + 1.)}, {.mode = hp::Mode::FastRun}));
  CHECK(contains(dot, "label=\"Elemwise{Composite}: 3 ops, 2 outputs in one loop\";"));
  CHECK_FALSE(contains(dot, "FusedOutput"));
  CHECK(contains(dot, "  a0_1 -> v2;\n"));  // mul -> output 0
  CHECK(contains(dot, "  a0_3 -> v3;\n"));  // add -> the dot's operand
}

TEST_CASE("past max_nodes only the nodes nearest the outputs are drawn, and a note counts the rest") {
  hp::Var x = hp::vector("x");
  hp::Var y = x;
  for (int i = 0; i < 500; ++i) y = y + 1.0;
  const std::string capped = hp::to_dot(y);  // 200 boxes by default
  CHECK(occurrences(capped, "[shape=box") == 200);
  CHECK(contains(capped, "label=\"300 of 500 nodes not drawn (those farthest from the outputs)\\n"
                         "to_dot or render_graph with {.max_nodes = 0} draws them all\""));
  CHECK_FALSE(contains(capped, "label=\"x\\n"));  // x is above the elided nodes
  CHECK(occurrences(capped, "  elided -> ") == 1);    // into the topmost value drawn
  const std::string small = hp::to_dot(y, {.max_nodes = 3});
  CHECK(occurrences(small, "[shape=box") == 3);
  CHECK(contains(small, "497 of 500 nodes not drawn"));
  const std::string all = hp::to_dot(y, {.max_nodes = 0});
  CHECK(occurrences(all, "[shape=box") == 500);
  CHECK_FALSE(contains(all, "not drawn"));
}

TEST_CASE("render_graph of a 2,000-node graph draws the capped picture with its note") {
  TempDir dir;
  hp::Var x = hp::vector("x");
  hp::Var y = x;
  for (int i = 0; i < 2000; ++i) y = hp::exp(y) * 0.5;
  const fs::path path = dir.path() / "big.svg";
  hp::render_graph(y, path, {.max_nodes = 40});
  const std::string svg = read_text(path);
  CHECK(occurrences(svg, ">Elemwise{exp}</text>") == 20);
  CHECK(contains(svg, "3960 of 4000 nodes not drawn"));
}

TEST_CASE("render_graph labels a function's outputs and its updates") {
  TempDir dir;
  hp::Shared velocity = hp::shared(hp::array({0., 0.}), "velocity");
  hp::Var force = hp::vector("force");
  const hp::Function step =
      hp::compile({force}, {hp::sum(force)}, {.updates = {{velocity, velocity * 0.5 + force}}});
  const std::string svg = function_svg(step, dir);
  CHECK(contains(svg, ">output 0</text>"));
  CHECK(contains(svg, ">update of velocity</text>"));
  const fs::path as_built = dir.path() / "as_built.svg";
  hp::render_graph(step.outputs(), step.updates(), as_built);
  CHECK(contains(read_text(as_built), ">update of velocity</text>"));
}

TEST_CASE("render_graph tells apart two layers' weights of one name") {
  TempDir dir;
  hp::Shared W_first = hp::shared(hp::array({{1., 2.}, {3., 4.}}), "W");
  hp::Shared W_second = hp::shared(hp::array({{5., 6.}, {7., 8.}}), "W");
  hp::Var x = hp::vector("x");
  const fs::path path = dir.path() / "layers.svg";
  hp::render_graph(hp::dot(W_second, hp::tanh(hp::dot(W_first, x))), path);
  const std::string svg = read_text(path);
  CHECK(contains(svg, ">W</text>"));
  CHECK(contains(svg, ">W#2</text>"));
}
