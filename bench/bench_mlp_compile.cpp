// Compile latency of the tutorial's MLP training step (forward, gradient,
// momentum updates): run it twice with the same empty cache_dir to see a cold
// compile, then a warm-cache compile in a fresh process.
//
//   rm -rf /tmp/hp-bench && HYPATIA_FLAGS=cache_dir=/tmp/hp-bench ./build/bench/bench_mlp_compile  # cold
//   HYPATIA_FLAGS=cache_dir=/tmp/hp-bench ./build/bench/bench_mlp_compile                          # warm
#include <chrono>
#include <cstdio>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

int main() {
  const std::vector<std::pair<int, int>> layers = {{2, 4}, {4, 1}};
  std::vector<hp::Shared> params;
  hp::Var x = hp::matrix("mlp_input");
  hp::Var target = hp::vector("mlp_target");
  hp::Var h = x;
  for (auto [n_in, n_out] : layers) {
    hp::Shared W = hp::shared(hp::Array::full({n_out, n_in}, 0.1), "W");
    hp::Shared b = hp::shared(hp::Array::ones({n_out, 1}), "b", std::vector<bool>{false, true});
    params.push_back(W);
    params.push_back(b);
    h = hp::sigmoid(hp::dot(W, h) + b);
  }
  hp::Var cost = hp::sum(hp::pow(h - target, 2));
  std::vector<std::pair<hp::Shared, hp::Var>> updates;
  for (const hp::Shared& p : params) {
    hp::Shared step = hp::shared(hp::Array::zeros(p.get_value().shape()), "", p.broadcastable());
    updates.emplace_back(p, p - 0.01 * step);
    updates.emplace_back(step, 0.9 * step + (1. - 0.9) * hp::grad(cost, p));
  }
  const auto t0 = std::chrono::steady_clock::now();
  hp::Function train = hp::compile({x, target}, {cost}, {.updates = updates, .name = "mlp_train"});
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const hp::FunctionProfile report = train.compile_report();
  std::printf("compile() of the MLP training step: %.2f ms (%s)\n", ms, report.cache.c_str());
  for (const auto& [phase, phase_ms] : report.compile_phases) std::printf("  %-16s %8.3f ms\n", phase.c_str(), phase_ms);
  return 0;
}
