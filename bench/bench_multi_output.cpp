// Multi-output fusion (the fuse_multi_output pass): loops and time of graphs
// whose elementwise loops share a value, compiled FastRun with the pass and
// without it (optimizer_excluding), timed alternately in one process.
//
//   ./build/bench/bench_multi_output [log2 elements, default 22] [threads, default 1]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;
using Clock = std::chrono::steady_clock;

namespace {

hp::Array random_array(const hp::Shape& shape, unsigned seed, double lo = -2, double hi = 2) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  hp::Array a(shape, hp::float64);
  for (std::int64_t i = 0; i < a.size(); ++i) a.set_flat_double(i, dist(rng));
  return a;
}

/// Elementwise loops in the generated code (calls of the runtime's loop driver).
int loops(const hp::Function& f) {
  const std::string source = f.source();
  int n = 0;
  for (std::size_t at = 0; (at = source.find("hp_elementwise", at)) != std::string::npos; at += 14) {
    n += source.compare(at, 19, "hp_elementwise(ctx,") == 0 || source.compare(at, 27, "hp_elementwise_outputs(ctx,") == 0;
  }
  return n;
}

/// Best time of each function over `rounds` alternating calls, in ms.
std::pair<double, double> best_of_alternating(int rounds, const std::function<void()>& a,
                                              const std::function<void()>& b) {
  double best_a = 1e300, best_b = 1e300;
  auto ms = [](const std::function<void()>& fn) {
    const auto t0 = Clock::now();
    fn();
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  };
  for (int r = 0; r < rounds; ++r) {
    best_a = std::min(best_a, ms(a));
    best_b = std::min(best_b, ms(b));
  }
  return {best_a, best_b};
}

void compare(const std::string& label, const std::vector<hp::Var>& inputs, const std::vector<hp::Var>& outputs,
             const std::vector<hp::Array>& args, int rounds) {
  const std::vector<hp::In> in(inputs.begin(), inputs.end());
  hp::Function multi = hp::compile(in, outputs, {.mode = hp::Mode::FastRun, .on_unused_input = hp::OnUnusedInput::Ignore});
  hp::Function single = hp::compile(in, outputs, {.mode = hp::Mode::FastRun, .on_unused_input = hp::OnUnusedInput::Ignore,
                                                      .optimizer_excluding = {"fuse_multi_output"}});
  auto call = [&](const hp::Function& f) { return f.call(args); };
  // Same numbers both ways (the pass only changes which loop writes what).
  const std::vector<hp::Array> a = call(multi), b = call(single);
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!hp::allclose(a[k], b[k], 1e-12, 1e-300)) {
      std::printf("%s: output %zu differs\n", label.c_str(), k);
      std::exit(1);
    }
  }
  const auto [t_multi, t_single] = best_of_alternating(rounds, [&] { call(multi); }, [&] { call(single); });
  std::printf("%-44s loops %2d -> %2d   %9.3f ms -> %9.3f ms   x%.2f\n", label.c_str(), loops(single), loops(multi),
              t_single, t_multi, t_single / t_multi);
}

}  // namespace

int main(int argc, char** argv) {
  const int log2n = argc > 1 ? std::atoi(argv[1]) : 22;
  hp::config().threads = argc > 2 ? std::atoi(argv[2]) : 1;
  const std::int64_t n = std::int64_t{1} << log2n;
  std::printf("multi-output fusion, FastRun without -> with fuse_multi_output, %d thread(s), best of alternating calls\n",
              hp::config().threads);

  {
    hp::Var x = hp::vector("x");
    hp::Var t = hp::exp(x);
    compare("exp(x)*2, exp(x)+1, 2^" + std::to_string(log2n) + " float64", {x}, {t * 2, t + 1},
            {random_array({n}, 1)}, 20);
  }
  {
    hp::Var x = hp::vector("x"), y = hp::vector("y");
    hp::Var s = hp::sigmoid(x * y);
    compare("s=sigmoid(x*y): s*(1-s), s+x, s*y, 2^" + std::to_string(log2n), {x, y}, {s * (1 - s), s + x, s * y},
            {random_array({n}, 2), random_array({n}, 3)}, 20);
  }
  {
    // The bench suite's MLP forward + backward (layers 2-64-64-1, batch 16k): cost and every gradient.
    const std::vector<std::int64_t> layers{2, 64, 64, 1};
    const std::int64_t batch = 16384;
    hp::Var X = hp::matrix("X"), y = hp::vector("y");
    std::vector<hp::Var> inputs{X, y}, params;
    std::vector<hp::Array> args{random_array({layers[0], batch}, 8), random_array({batch}, 9, 0, 1)};
    hp::Var h = X;
    for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
      hp::Var W = hp::matrix("W"), b = hp::tensor("b", hp::float64, {false, true});
      inputs.insert(inputs.end(), {W, b});
      params.insert(params.end(), {W, b});
      args.push_back(random_array({layers[l + 1], layers[l]}, 10 + static_cast<unsigned>(l), -0.5, 0.5));
      args.push_back(random_array({layers[l + 1], 1}, 20 + static_cast<unsigned>(l), -0.1, 0.1));
      h = hp::sigmoid(hp::dot(W, h) + b);
    }
    hp::Var cost = hp::sum(hp::pow(h - y, 2));
    std::vector<hp::Var> outputs{cost};
    for (const hp::Var& g : hp::grad(cost, params)) outputs.push_back(g);
    compare("MLP 2-64-64-1 forward+backward, batch 16k", inputs, outputs, args, 20);
  }
  {
    // Issue 7's "sum of a product -> dot where it pays": the fused, compensated
    // reduction (specialize_dot excluded) against the BLAS ddot call it becomes.
    hp::Var x = hp::vector("x"), y = hp::vector("y");
    hp::Function fused = hp::compile({x, y}, {hp::sum(x * y)}, {.mode = hp::Mode::FastRun,
                                                                  .optimizer_excluding = {"specialize_dot"}});
    hp::Function blas = hp::compile({x, y}, {hp::sum(x * y)}, {.mode = hp::Mode::FastRun});
    for (int log2 : {10, 14, 18, log2n}) {
      const std::vector<hp::Array> args{random_array({std::int64_t{1} << log2}, 4), random_array({std::int64_t{1} << log2}, 5)};
      const int rounds = log2 < 16 ? 2000 : 20;
      const auto [t_fused, t_blas] = best_of_alternating(rounds, [&] { fused.call(args); }, [&] { blas.call(args); });
      std::printf("sum(x*y): fused reduction vs ddot, 2^%-2d        %9.4f ms -> %9.4f ms   x%.2f\n", log2, t_fused,
                  t_blas, t_fused / t_blas);
    }
  }
  return 0;
}
