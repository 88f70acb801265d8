// Printing graphs: pp, debugprint and to_dot.
#include <doctest/doctest.h>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

TEST_CASE("pp prints infix operators in parentheses and functions by name") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::vector("y");
  CHECK(hp::pp(x + y * 2.0) == "(x + (y * TensorConstant{2.0}))");
  CHECK(hp::pp(-x) == "(-x)");
  CHECK(hp::pp(hp::exp(x) / y) == "(exp(x) / y)");
  CHECK(hp::pp(hp::maximum(x, 0.5)) == "maximum(x, TensorConstant{0.5})");
  CHECK(hp::pp(hp::cast(x, hp::float32)) == "cast{float32}(x)");
  CHECK(hp::pp(x < y) == "(x < y)");
}

TEST_CASE("pp of reductions, dot, shapes and indexing") {
  hp::Var M = hp::matrix("M");
  hp::Var v = hp::vector("v");
  CHECK(hp::pp(hp::sum(M)) == "sum(M)");
  CHECK(hp::pp(hp::sum(M, 1)) == "sum(M, axis=1)");
  CHECK(hp::pp(hp::max(M, {0, 1}, true)) == "max(M, axis=[0, 1], keepdims=True)");
  CHECK(hp::pp(hp::dot(M, v)) == "(M \\dot v)");
  CHECK(hp::pp(hp::transpose(M)) == "M.dimshuffle(1,0)");
  CHECK(hp::pp(hp::reshape(v, {2, -1})) == "reshape(v, (2, -1))");
  CHECK(hp::pp(hp::subtensor(M, {hp::slice(1, 3), 0})) == "M[1:3, 0]");
  CHECK(hp::pp(hp::subtensor(v, {hp::slice(std::nullopt, std::nullopt, -1)})) == "v[::-1]");
  CHECK(hp::pp(hp::softmax(M)) == "softmax(M)");
}

TEST_CASE("pp names unnamed inputs by type and shows constants by value") {
  hp::Var anon = hp::matrix();
  CHECK(hp::pp(anon * 2) == "(<TensorType(float64, matrix)> * TensorConstant{2})");
  hp::Var c = hp::constant(hp::array({1, 2, 3}));
  CHECK(hp::pp(c) == "TensorConstant{[1 2 3]}");
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  CHECK(hp::pp(w + 1.0) == "(w + TensorConstant{1.0})");
}

TEST_CASE("pp stays short on graphs with heavy reuse") {
  hp::Var x = hp::scalar("x");
  hp::Var h = x;
  for (int i = 0; i < 60; ++i) h = h * h;  // 2^60 leaves as a tree
  CHECK(hp::pp(h).size() < 100000);
}

TEST_CASE("debugprint shows an indented tree with ids, types and names") {
  hp::Var foo = hp::scalar("foo");
  hp::Var bar = hp::pow(foo, 2);
  CHECK(hp::debugprint(bar) ==
        "Elemwise{pow} [id A] <TensorType(float64, scalar)> ''\n"
        " |foo [id B] <TensorType(float64, scalar)>\n"
        " |TensorConstant{2} [id C] <TensorType(int32, scalar)> (constant)\n");
}

TEST_CASE("debugprint marks shared variables and prints a repeated node once") {
  hp::Shared w = hp::shared(hp::array({{1., 2.}, {3., 4.}}), "w");
  hp::Var x = hp::matrix("x");
  hp::Var s = w * x;
  hp::Var out = s + s;
  CHECK(hp::debugprint(out) ==
        "Elemwise{add} [id A] <TensorType(float64, matrix)> ''\n"
        " |Elemwise{mul} [id B] <TensorType(float64, matrix)> ''\n"
        " | |w [id C] <TensorType(float64, matrix)> (shared)\n"
        " | |x [id D] <TensorType(float64, matrix)>\n"
        " |Elemwise{mul} [id B] <TensorType(float64, matrix)> ''\n");
}

TEST_CASE("debugprint of several outputs shares ids") {
  hp::Var x = hp::vector("x");
  hp::Var e = hp::exp(x);
  const std::string text = hp::debugprint(std::vector<hp::Var>{e, hp::sum(e)});
  CHECK(text ==
        "Elemwise{exp} [id A] <TensorType(float64, vector)> ''\n"
        " |x [id B] <TensorType(float64, vector)>\n"
        "Sum [id C] <TensorType(float64, scalar)> ''\n"
        " |Elemwise{exp} [id A] <TensorType(float64, vector)> ''\n");
}

TEST_CASE("debugprint of a deep chain writes deep indentation as a count, so its text stays linear") {
  // Indenting every level gave a chain of n nodes O(n^2) text: 40 GB for 200,000 nodes.
  const int n = 5000;
  hp::Var x = hp::vector("x");
  hp::Var y = x;
  for (int i = 0; i < n; ++i) y = y + 1.0;
  const std::string text = hp::debugprint(y);
  CHECK(text.size() < static_cast<std::size_t>(n) * 400);  // two lines per level
  CHECK(text.find(" | | |Elemwise{add}") != std::string::npos);   // shallow levels drawn
  CHECK(text.find("<65 levels> |Elemwise{add}") != std::string::npos);
  CHECK(text.find(std::to_string(n) + " levels> |x [id ") != std::string::npos);
}

TEST_CASE("to_dot writes a Graphviz digraph with boxes for ops and ellipses for variables") {
  hp::Var foo = hp::scalar("foo");
  hp::Var bar = hp::pow(foo, 2);
  CHECK(hp::to_dot(bar) ==
        "digraph hypatia {\n"
        "  rankdir=TB;\n"
        "  a0 [shape=box, label=\"Elemwise{pow}\"];\n"
        "  v1 [shape=ellipse, label=\"foo\\nTensorType(float64, scalar)\"];\n"
        "  v1 -> a0 [label=\"0\"];\n"
        "  v2 [shape=ellipse, label=\"TensorConstant{2}\\nTensorType(int32, scalar)\", style=filled, fillcolor=gray90];\n"
        "  v2 -> a0 [label=\"1\"];\n"
        "  v3 [shape=ellipse, label=\"TensorType(float64, scalar)\"];\n"
        "  a0 -> v3;\n"
        "}\n");
}

TEST_CASE("to_dot escapes quotes, backslashes and newlines in names") {
  hp::Var x = hp::scalar("a\"b\\c\nd");
  const std::string dot = hp::to_dot(hp::exp(x));
  CHECK(dot.find("label=\"a\\\"b\\\\c\\nd\\nTensorType(float64, scalar)\"") != std::string::npos);
}

// --- names -------------------------------------------------------------------------------

TEST_CASE("hp::named names an expression where it is built and returns that variable") {
  hp::Var x = hp::vector("x");
  hp::Var e = hp::exp(x);
  hp::Var same = hp::named(e, "e");
  CHECK(same.is(e));
  CHECK(e.name() == "e");
  CHECK_THROWS_AS(hp::named(hp::Var(), "nothing"), hp::Error);
}

TEST_CASE("pp prints a named intermediate result by its name, and the root as its expression") {
  hp::Var x = hp::vector("x");
  hp::Var xent = hp::named(hp::softplus(-x), "xent");
  CHECK(hp::pp(hp::sum(xent) * 2.0) == "(sum(xent) * TensorConstant{2.0})");
  CHECK(hp::pp(xent) == "softplus((-x))");
  CHECK(hp::pp_brief(hp::sum(xent)) == "sum(xent)");
}

TEST_CASE("debugprint shows a named intermediate result's name on its line") {
  hp::Var x = hp::vector("x");
  hp::Var xent = hp::named(hp::exp(x), "xent");
  CHECK(hp::debugprint(hp::sum(xent)) ==
        "Sum [id A] <TensorType(float64, scalar)> ''\n"
        " |Elemwise{exp} [id B] <TensorType(float64, vector)> 'xent'\n"
        " | |x [id C] <TensorType(float64, vector)>\n");
}

TEST_CASE("two variables of one name are told apart as W and W#2, by first appearance") {
  // Two layers built by one function both call their weights "W".
  hp::Shared W_first = hp::shared(hp::array({{1., 2.}, {3., 4.}}), "W");
  hp::Shared W_second = hp::shared(hp::array({{5., 6.}, {7., 8.}}), "W");
  hp::Var x = hp::vector("x");
  hp::Var y = hp::dot(W_second, hp::dot(W_first, x));
  // A depth-first walk from y meets W_second (y's first operand) first.
  CHECK(hp::pp(y) == "(W \\dot (W#2 \\dot x))");
  CHECK(hp::debugprint(y) ==
        "Dot [id A] <TensorType(float64, vector)> ''\n"
        " |W [id B] <TensorType(float64, matrix)> (shared)\n"
        " |Dot [id C] <TensorType(float64, vector)> ''\n"
        " | |W#2 [id D] <TensorType(float64, matrix)> (shared)\n"
        " | |x [id E] <TensorType(float64, vector)>\n");
  const std::string dot = hp::to_dot(y);
  CHECK(dot.find("label=\"W\\nTensorType(float64, matrix)\"") != std::string::npos);
  CHECK(dot.find("label=\"W#2\\nTensorType(float64, matrix)\"") != std::string::npos);
  CHECK(hp::debugprint(y) == hp::debugprint(y));  // the same on every print
}

TEST_CASE("numbering never takes a name a user chose: the second W after a user's W#2 is W#3") {
  hp::Var a = hp::scalar("W"), b = hp::scalar("W#2"), c = hp::scalar("W");
  CHECK(hp::pp(a + b + c) == "((W + W#2) + W#3)");
}

TEST_CASE("a name survives givens: the rebuilt node keeps it") {
  hp::Var x = hp::vector("x"), z = hp::vector("z");
  hp::Var h = hp::named(hp::exp(x), "h");
  hp::Function f = hp::compile({z}, {hp::sum(h)}, {.givens = {{x, z * 2.0}}});
  CHECK(f.graph_text().find("Elemwise{exp} [id B] <TensorType(float64, vector)> 'h'") != std::string::npos);
}

// --- labelled roots: outputs and updates --------------------------------------------------

TEST_CASE("debugprint of outputs and updates labels each root") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Var x = hp::vector("x");
  CHECK(hp::debugprint({hp::sum(x)}, {{w, w - x}}) ==
        "Sum [id A] <TensorType(float64, scalar)> '' (output 0)\n"
        " |x [id B] <TensorType(float64, vector)>\n"
        "Elemwise{sub} [id C] <TensorType(float64, vector)> '' (update of w)\n"
        " |w [id D] <TensorType(float64, vector)> (shared)\n"
        " |x [id B] <TensorType(float64, vector)>\n");
}

TEST_CASE("the updates of two shared variables of one name are labelled by their numbered names") {
  hp::Shared b_first = hp::shared(hp::array({1., 2.}), "b");
  hp::Shared b_second = hp::shared(hp::array({3., 4.}), "b");
  const std::string text = hp::debugprint({b_first + b_second}, {{b_first, b_first * 2.0}, {b_second, b_second * 3.0}});
  CHECK(text.find("'' (update of b)\n") != std::string::npos);
  CHECK(text.find("'' (update of b#2)\n") != std::string::npos);
}

TEST_CASE("debugprint(f) labels the optimised graph's outputs and updates") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({x}, {hp::sum(x), x * 3.0}, {.updates = {{w, w - x}}, .mode = hp::Mode::FastCompile});
  const std::string text = hp::debugprint(f);
  CHECK(text.find("Sum [id A] <TensorType(float64, scalar)> '' (output 0)\n") == 0);
  CHECK(text.find("'' (output 1)\n") != std::string::npos);
  CHECK(text.find("'' (update of w)\n") != std::string::npos);
}

TEST_CASE("to_dot labels a function's outputs and updates with notes pointing at their values") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Var x = hp::vector("x");
  const std::string dot = hp::to_dot({hp::exp(x)}, {{w, w - x}});
  CHECK(dot.find("  r0 [shape=note, style=filled, fillcolor=palegreen, label=\"output 0\"];\n") != std::string::npos);
  CHECK(dot.find("  r1 [shape=note, style=filled, fillcolor=lightyellow, label=\"update of w\"];\n") !=
        std::string::npos);
  CHECK(dot.find("  v2 -> r0 [style=dashed];\n") != std::string::npos);  // v2: exp's value
}
