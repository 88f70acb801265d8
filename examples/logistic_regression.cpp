// Theano's "A Real Example: Logistic Regression", written in C++ as its
// documentation writes it in Python (p_1 = 1 / (1 + exp(-dot(x, w) - b)),
// the crossentropy spelled out with log), on seeded synthetic data: N = 400
// examples of 784 features drawn from a normal distribution, labels 0 or 1
// at random. Prints the cost and accuracy as it trains, the time per step,
// and the final accuracy.
//
//   logistic_regression [--steps N] [--softplus] [--save-weights w.npy]
//
// --softplus writes the crossentropy as softplus of the logits instead (the
// stable form Hypatia rewrites the first spelling into): both train to the
// same weights. --save-weights writes the trained w with hp::save_npy.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

int main(int argc, char** argv) {
  int training_steps = 1000;
  bool softplus_spelling = false;
  std::string save_weights;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--steps" && i + 1 < argc) training_steps = std::atoi(argv[++i]);
    else if (arg == "--softplus") softplus_spelling = true;
    else if (arg == "--save-weights" && i + 1 < argc) save_weights = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--steps N] [--softplus] [--save-weights w.npy]\n", argv[0]);
      return 2;
    }
  }

  const std::int64_t N = 400, feats = 784;
  // D = (rng.randn(N, feats), rng.randint(size=N, low=0, high=2))
  const hp::Array D_x = hp::random::normal({N, feats}, 0, 1, /*seed=*/1);
  const hp::Array D_y = hp::random::integers({N}, 0, 2, /*seed=*/2).astype(hp::float64);

  // Declare Theano symbolic variables
  hp::Var x = hp::dmatrix("x");
  hp::Var y = hp::dvector("y");
  hp::Shared w = hp::shared(hp::random::normal({feats}, 0, 1, /*seed=*/3), "w");
  hp::Shared b = hp::shared(0., "b");

  // Construct Theano expression graph
  hp::Var p_1 = 1 / (1 + hp::exp(-hp::dot(x, w) - b));  // Probability that target = 1
  hp::Var prediction = p_1 > 0.5;                       // The prediction thresholded
  hp::Var xent = -y * hp::log(p_1) - (1 - y) * hp::log(1 - p_1);  // Cross-entropy loss function
  if (softplus_spelling) {
    const hp::Var z = hp::dot(x, w) + b;
    xent = y * hp::softplus(-z) + (1 - y) * hp::softplus(z);
  }
  xent.set_name("xent");
  hp::Var cost = xent.mean() + 0.01 * hp::pow(w, 2).sum();  // The cost to minimize
  std::vector<hp::Var> g = hp::grad(cost, {w, b});           // Compute the gradient of the cost
  hp::Var gw = g[0], gb = g[1];

  // Compile
  hp::Function train = hp::compile({x, y}, {prediction, xent},
                                   {.updates = {{w, w - 0.1 * gw}, {b, b - 0.1 * gb}}, .name = "train"});
  hp::Function predict = hp::compile({x}, {prediction}, {.name = "predict"});

  auto accuracy = [&] { return hp::mean(predict.one(D_x) == D_y.astype(hp::bool_)).item<double>(); };

  // Train
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < training_steps; ++i) {
    const std::vector<hp::Array> out = train(D_x, D_y);
    if (i % 100 == 0 || i == training_steps - 1) {
      std::printf("step %4d: mean xent %.6f, accuracy %.4f\n", i, hp::mean(out[1]).item<double>(), accuracy());
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("final accuracy on D: %.4f\n", accuracy());
  std::printf("time per step: %.3f ms (%d steps, mode %s)\n", 1e3 * seconds / std::max(1, training_steps),
              training_steps, std::string(hp::mode_name(train.mode())).c_str());
  if (!save_weights.empty()) hp::save_npy(save_weights, w.get_value());
  return 0;
}
