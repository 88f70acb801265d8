#include "compile_latency.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>

#include <hypatia/hypatia.hpp>

#include "measure.hpp"
#include "process.hpp"

namespace hypatia_bench {
namespace hp = hypatia;

namespace {

/// 3 ops a step (tanh, mul, add): 3,334 steps make 10,002 nodes.
constexpr int kChainSteps = 3334;

/// A compile still running after this is reported as a timeout.
constexpr int kChildTimeoutSeconds = 240;

struct Graph {
  std::vector<hp::In> inputs;
  std::vector<hp::Var> outputs;
  hp::CompileOptions options;
};

/// y = tanh(y) * a + b, `steps` times.
Graph chain(int steps) {
  hp::Var x = hp::vector("x"), a = hp::vector("a"), b = hp::vector("b");
  hp::Var y = x;
  for (int step = 0; step < steps; ++step) y = hp::tanh(y) * a + b;
  return {{x, a, b}, {y}, {}};
}

/// Sigmoid layers s(W h + b) with shared W (n_out, n_in) and b (n_out, 1),
/// cost sum((out - target)^2), as the tutorial's MLP.
struct Mlp {
  hp::Var x = hp::matrix("mlp_input");
  hp::Var target = hp::vector("mlp_target");
  std::vector<hp::Shared> params;
  hp::Var cost;
};

Mlp mlp(const std::vector<std::int64_t>& layers) {
  Mlp net;
  std::mt19937_64 rng(0);
  std::normal_distribution<double> normal;
  hp::Var h = net.x;
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    std::vector<double> w(static_cast<std::size_t>(layers[l] * layers[l + 1]));
    for (double& v : w) v = normal(rng) / std::sqrt(static_cast<double>(layers[l]));
    hp::Shared W = hp::shared(hp::array(w, {layers[l + 1], layers[l]}), "W");
    hp::Shared b = hp::shared(hp::Array::ones({layers[l + 1], 1}), "b", std::vector<bool>{false, true});
    net.params.insert(net.params.end(), {W, b});
    h = hp::sigmoid(hp::dot(W, h) + b);
  }
  net.cost = hp::sum(hp::pow(h - net.target, 2));
  return net;
}

Graph mlp200_gradient() {
  std::vector<std::int64_t> layers = {2};
  layers.insert(layers.end(), 199, 16);
  layers.push_back(1);
  Mlp net = mlp(layers);
  std::vector<hp::Var> wrt(net.params.begin(), net.params.end());
  Graph graph{{net.x, net.target}, {net.cost}, {}};
  for (const hp::Var& g : hp::grad(net.cost, wrt)) graph.outputs.push_back(g);
  return graph;
}

/// The tutorial's training step: 2-4-1, momentum 0.9, learning rate 0.01.
Graph mlp_training_step() {
  Mlp net = mlp({2, 4, 1});
  Graph graph{{net.x, net.target}, {net.cost}, {}};
  for (const hp::Shared& p : net.params) {
    hp::Shared step = hp::shared(hp::Array::zeros(p.get_value().shape()), "", p.broadcastable());
    graph.options.updates.emplace_back(p, p - 0.01 * step);
    graph.options.updates.emplace_back(step, 0.9 * step + (1. - 0.9) * hp::grad(net.cost, p));
  }
  graph.options.name = "mlp_train";
  return graph;
}

CompileMeasurement parse_child(const std::string& what, const CommandResult& run) {
  CompileMeasurement m;
  m.what = what;
  m.process_ms = run.wall_ms;
  const std::string line = last_json_line(run.output);
  if (run.exit_code != 0 || line.empty()) {
    m.error = run.exit_code == 124 ? "timeout" : "exit code " + std::to_string(run.exit_code);
    return m;
  }
  const nlohmann::json j = nlohmann::json::parse(line);
  m.compile_ms = j.at("compile_ms");
  m.build_ms = j.at("build_ms");
  m.cache = j.at("cache");
  for (const auto& phase : j.at("phases")) m.phases.emplace_back(phase.at(0), phase.at(1));
  return m;
}

}  // namespace

int run_compile_child(const std::string& what) {
  const auto build_start = std::chrono::steady_clock::now();
  // "chain:N" compiles a chain of N nodes (for profiling how compile time grows).
  Graph graph = what == "chain10k"             ? chain(kChainSteps)
                : what.rfind("chain:", 0) == 0 ? chain(std::stoi(what.substr(6)) / 3)
                : what == "mlp200"             ? mlp200_gradient()
                                               : mlp_training_step();
  const double build_ms = ms_since(build_start);
  const auto start = std::chrono::steady_clock::now();
  hp::Function f = hp::compile(graph.inputs, graph.outputs, graph.options);
  const double compile_ms = ms_since(start);
  const hp::FunctionProfile report = f.compile_report();
  nlohmann::json j = {{"what", what}, {"build_ms", build_ms}, {"compile_ms", compile_ms}, {"cache", report.cache}};
  j["phases"] = nlohmann::json::array();
  for (const auto& [phase, ms] : report.compile_phases) j["phases"].push_back({phase, ms});
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

std::vector<CompileMeasurement> measure_compiles(const std::filesystem::path& self,
                                                 const std::filesystem::path& scratch) {
  std::vector<CompileMeasurement> results;
  auto child = [&](const std::string& what, const std::string& flags) {
    const std::string command = "HYPATIA_FLAGS=" + shell_quote(flags) + " timeout " + std::to_string(kChildTimeoutSeconds) + " " + shell_quote(self.string()) +
                                " --child " + what;
    return run_command(command);
  };
  for (const std::string what : {"chain10k", "mlp200"}) {
    std::fprintf(stderr, "hypatia-bench: compiling %s in a fresh process (cache=off)\n", what.c_str());
    results.push_back(parse_child(what, child(what, "cache=off")));
  }
  // The training step: a fresh, empty cache directory, then a second process with it.
  const std::filesystem::path cache_dir = scratch / "hypatia-cache";
  std::filesystem::remove_all(cache_dir);
  const std::string flags = "cache_dir=" + cache_dir.string();
  results.push_back(parse_child("mlp-step", child("mlp-step", flags)));
  results.push_back(parse_child("mlp-step", child("mlp-step", flags)));
  results.back().what = "mlp-step-warm";
  return results;
}

}  // namespace hypatia_bench
