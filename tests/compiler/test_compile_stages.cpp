// hp::compile's stages one at a time (compiler/pipeline/stages.hpp): each
// takes what the stages before it produced, so each is checked alone here;
// and the optimise stage runs at most once per mode in one compile.
#include <doctest/doctest.h>

#include <cmath>

#include <hypatia/hypatia.hpp>
#include <string>

#include "compiler/graph/graph_node.hpp"
#include "compiler/pipeline/function_impl.hpp"
#include "compiler/pipeline/stages.hpp"
#include "compiler/reference/reference_program.hpp"
#include "runtime/cpu/jit.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::contains;
using hypatia_test::message_of;

namespace {

/// The backend request compile() would make for a Signature, with its own optimise stage.
struct Request {
  hp::BackendRequest request;
  std::shared_ptr<hp::OptimizedGraphs> graphs;
};

Request request_for(const hp::Signature& signature, const std::vector<hp::Var>& targets,
                    const std::vector<hp::Shared>& shared, hp::Mode compiled_mode, bool keep_traces) {
  Request r;
  for (const hp::In& in : signature.inputs) r.request.inputs.push_back(in.var);
  r.request.inputs.insert(r.request.inputs.end(), shared.begin(), shared.end());
  r.request.outputs = targets;
  for (const auto& [s, value] : signature.updates) r.request.updated.push_back(s);
  r.request.mode = compiled_mode;
  r.graphs = std::make_shared<hp::OptimizedGraphs>(r.request.inputs, r.request.outputs, keep_traces);
  r.request.graphs = r.graphs.get();
  r.request.name = "stages";
  r.request.label = "compile('stages')";
  r.request.make_reference = [inputs = r.request.inputs, targets] {
    return hp::make_reference_program(inputs, targets, false);
  };
  return r;
}

}  // namespace

TEST_CASE("stage 1, signature: inputs checked, bare numbers in updates typed as their shared variable") {
  const hp::Var x = hp::dvector("x");
  const hp::Shared count = hp::shared(hp::Array(std::int64_t{0}), "count");
  hp::CompileOptions options;
  options.name = "f";
  options.updates = {{count, count + 1}};
  const hp::Signature s = hp::check_signature({x}, {x * 2}, options);
  REQUIRE(s.inputs.size() == 1);
  CHECK(s.inputs[0].var.is(x));
  REQUIRE(s.updates.size() == 1);
  CHECK(s.updates[0].second.dtype() == hp::int64);

  options.updates = {{count, hp::Var(3)}};  // a bare C++ number
  const hp::Signature typed = hp::check_signature({x}, {x * 2}, options);
  CHECK(typed.updates[0].second.dtype() == hp::int64);
  CHECK(typed.updates[0].second.is_constant());

  CHECK(contains(message_of<hp::TypeError>([&] { hp::check_signature({count}, {x}, {}); }),
                 "is a shared variable"));
  CHECK(contains(message_of<hp::Error>([&] { hp::check_signature({x, x}, {x}, {}); }), "appears twice"));
  CHECK(contains(message_of<hp::Error>([&] { hp::check_signature({x}, {hp::Var()}, options); }),
                 "compile('f'): output 0 is a null hp::Var"));
}

TEST_CASE("stage 2, givens: the outputs then the update values, with the givens applied") {
  const hp::Var x = hp::dscalar("x"), y = hp::dscalar("y");
  const hp::Shared acc = hp::shared(hp::Array(0.0), "acc");
  hp::CompileOptions options;
  options.updates = {{acc, acc + x}};
  options.givens = {{x, y * 3}};
  const hp::Signature s = hp::check_signature({y}, {x + 1}, options);
  const std::vector<hp::Var> targets = hp::apply_givens(s, options);
  REQUIRE(targets.size() == 2);
  // x no longer appears: both targets read y instead.
  for (const hp::Var& t : targets) {
    const std::string text = hp::debugprint(t);
    CHECK_FALSE(contains(text, "x"));
    CHECK(contains(text, "y"));
  }
  options.givens = {{x, y}, {x, y}};
  CHECK(contains(message_of<hp::Error>([&] { hp::apply_givens(s, options); }), "given 1 replaces"));
}

TEST_CASE("stage 3, shared inputs: in the order first met; missing and unused inputs reported") {
  const hp::Var x = hp::dvector("x"), z = hp::dvector("z");
  const hp::Shared a = hp::shared(hp::Array::ones({3}), "a"), b = hp::shared(hp::Array::ones({3}), "b");
  const hp::CompileOptions options;
  const hp::Signature s = hp::check_signature({x}, {x * b + a, a}, options);
  const std::vector<hp::Shared> shared = hp::find_shared_inputs(s, hp::apply_givens(s, options), options);
  REQUIRE(shared.size() == 2);  // each once
  CHECK((shared[0].is(b) || shared[0].is(a)));
  CHECK_FALSE(shared[0].is(shared[1]));

  const hp::Signature missing = hp::check_signature({x}, {x + z}, options);
  CHECK(contains(message_of<hp::Error>([&] { hp::find_shared_inputs(missing, missing.outputs, options); }),
                 "missing input: 'z'"));
  const hp::Signature unused = hp::check_signature({x, z}, {x + 1}, options);
  CHECK(contains(message_of<hp::Error>([&] { hp::find_shared_inputs(unused, unused.outputs, options); }),
                 "input 1 'z'"));
  hp::CompileOptions ignore;
  ignore.on_unused_input = hp::OnUnusedInput::Ignore;
  CHECK(hp::find_shared_inputs(unused, unused.outputs, ignore).empty());
}

TEST_CASE("the optimise stage runs once per mode and keeps traces only when asked") {
  const hp::Var x = hp::dvector("x");
  const std::vector<hp::Var> outputs{hp::log(1 + hp::exp(x)) * 1};
  hp::OptimizedGraphs plain({x}, outputs, false);
  CHECK(plain.runs() == 0);
  const std::vector<hp::Var> fast = plain.graph(hp::Mode::FastRun, {});
  CHECK(plain.graph(hp::Mode::FastRun, {})[0].is(fast[0]));  // the same graph, not optimised again
  CHECK(plain.runs() == 1);
  plain.graph(hp::Mode::FastCompile, {});
  CHECK(plain.runs() == 2);
  CHECK(plain.trace(hp::Mode::FastRun, {}).empty());

  hp::OptimizedGraphs traced({x}, outputs, true);
  const auto trace = traced.trace(hp::Mode::FastRun, {});
  CHECK(traced.runs() == 1);
  bool changed = false;
  for (const hp::PassRun& run : trace) changed = changed || run.changed();
  CHECK(changed);  // softplus and x * 1 are rewritten
  traced.graph(hp::Mode::FastRun, {});
  CHECK(traced.runs() == 1);
  traced.drop_traces();
  CHECK(traced.trace(hp::Mode::FastRun, {}).empty());
}

TEST_CASE("a Debug compile optimises each graph once: FastRun's (checked) and the oracle's") {
  const hp::Var x = hp::dvector("x");
  const hp::Shared w = hp::shared(hp::Array::ones({3}), "w");
  hp::CompileOptions options;
  options.name = "stages";
  options.updates = {{w, w - 0.1 * hp::sigmoid(x)}};
  const hp::Signature s = hp::check_signature({x}, {hp::sum(hp::log(1 + hp::exp(x * w)))}, options);
  const std::vector<hp::Var> targets = hp::apply_givens(s, options);
  const std::vector<hp::Shared> shared = hp::find_shared_inputs(s, targets, options);
  Request r = request_for(s, targets, shared, hp::Mode::FastRun, true);
  hp::CompileReport report;
  std::unique_ptr<hp::Program> program = hp::build_program(r.request, hp::Mode::Debug, report);
  REQUIRE(program);
  // FastRun's graph (the compiled code's, and the rewrite check's trace) and
  // the oracle's (FastCompile's passes): two runs, where there were up to four.
  CHECK(r.graphs->runs() == 2);

  std::shared_ptr<hp::FunctionImpl> impl =
      hp::wrap_function(s, targets, shared, std::move(program), hp::Mode::Debug, r.graphs, r.request, report, options);
  const hp::Function f(impl);
  CHECK(f.mode() == hp::Mode::Debug);
  f.optimized_graph();
  CHECK(r.graphs->runs() == 2);  // the optimised graph is the one already computed
  const hp::Array out = f.one(hp::array<double>({0.0, 1.0, -1.0}));
  double expected = 0;
  for (double v : {0.0, 1.0, -1.0}) expected += std::log1p(std::exp(v));
  CHECK(out.item<double>() == doctest::Approx(expected).epsilon(1e-12));
}

TEST_CASE("a cache hit skips the optimise stage; the optimised graph is made on first use") {
  if (!HYPATIA_TEST_WITH_JIT) return;  // built without the JIT: there is no compiled code to find
  REQUIRE(hp::jit::available());
  const hp::Var x = hp::dmatrix("x");
  const std::vector<hp::Var> outputs{hp::exp(x) * 2 + 1};
  hp::compile({x}, outputs, {.mode = hp::Mode::FastRun});  // fills the index
  const hp::CompileOptions options;
  const hp::Signature s = hp::check_signature({x}, outputs, options);
  const std::vector<hp::Var> targets = hp::apply_givens(s, options);
  Request r = request_for(s, targets, {}, hp::Mode::FastRun, false);
  hp::CompileReport report;
  std::unique_ptr<hp::Program> program = hp::build_program(r.request, hp::Mode::FastRun, report);
  REQUIRE(program);
  CHECK(report.cache == "memory hit");
  CHECK(r.graphs->runs() == 0);
  std::shared_ptr<hp::FunctionImpl> impl =
      hp::wrap_function(s, targets, {}, std::move(program), hp::Mode::FastRun, r.graphs, r.request, report, options);
  CHECK(contains(hp::debugprint(hp::Function(impl)), "Composite"));
  CHECK(r.graphs->runs() == 1);
}
