// The tutorial's multilayer perceptron (cells 19-24), complete: Layer and MLP
// classes holding shared parameters, the squared-error cost, gradient descent
// with momentum, and a 2-4-1 sigmoid network trained for 20 iterations on two
// Gaussian clouds, printing cost and accuracy and plotting every iteration.
//
//   ./build/examples/mlp [plot_dir]      (plot_dir defaults to ./mlp_plots)
//
// Writes to plot_dir: data.png (the points coloured by label),
// iteration_01.png ... iteration_20.png (coloured by the network's output
// after that iteration), history.png (cost and accuracy per iteration), and
// the training function's graph drawn by Graphviz: train_graph.png as built
// (cost, gradients and momentum updates) and train_graph_optimized.png as the
// compiled code runs it (after merging, stabilising and fusion).
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "plot_png.hpp"

namespace hp = hypatia;

namespace {

/// An elementwise nonlinearity; an empty one makes a layer linear.
using Activation = std::function<hp::Var(const hp::Var&)>;

/// One layer of a neural network: computes s(W x + b), s a nonlinearity and
/// x a matrix whose columns are the input vectors.
class Layer {
 public:
  /// W_init: (n_output, n_input); b_init: (n_output,). Both are copied into
  /// shared variables of floatX; b is stored as a column (n_output, 1) whose
  /// second axis broadcasts, so W x + b adds it to every column of W x.
  Layer(const hp::Array& W_init, const hp::Array& b_init, Activation activation) : activation_(std::move(activation)) {
    if (W_init.ndim() != 2 || b_init.shape() != hp::Shape{W_init.shape()[0]}) {
      throw std::invalid_argument("Layer: W_init must be (n_output, n_input) and b_init (n_output,)");
    }
    const std::int64_t n_output = W_init.shape()[0];
    W_ = hp::shared(W_init.astype(hp::config().floatX), "W");
    b_ = hp::shared(b_init.reshape({n_output, 1}).astype(hp::config().floatX), "b", std::vector<bool>{false, true});
  }

  /// The layer's output for the symbolic input x: mixed, biased and activated.
  hp::Var output(const hp::Var& x) const {
    hp::Var lin_output = hp::dot(W_, x) + b_;
    return activation_ ? activation_(lin_output) : lin_output;
  }

  /// The parameters the cost is differentiated against.
  std::vector<hp::Shared> params() const { return {W_, b_}; }

 private:
  hp::Shared W_;
  hp::Shared b_;
  Activation activation_;
};

/// A multilayer perceptron: the composition of a sequence of Layers.
class MLP {
 public:
  /// One layer per entry; layer sizes follow from the shapes of W_init.
  MLP(const std::vector<hp::Array>& W_init, const std::vector<hp::Array>& b_init,
      const std::vector<Activation>& activations) {
    if (W_init.size() != b_init.size() || W_init.size() != activations.size()) {
      throw std::invalid_argument("MLP: W_init, b_init and activations differ in length");
    }
    for (std::size_t i = 0; i < W_init.size(); ++i) layers_.emplace_back(W_init[i], b_init[i], activations[i]);
  }

  /// x passed through every layer in turn.
  hp::Var output(hp::Var x) const {
    for (const Layer& layer : layers_) x = layer.output(x);
    return x;
  }

  /// The squared Euclidean distance between the network's output for x and the target y.
  hp::Var squared_error(const hp::Var& x, const hp::Var& y) const { return hp::sum(hp::pow(output(x) - y, 2)); }

  /// Every layer's parameters, first layer first.
  std::vector<hp::Shared> params() const {
    std::vector<hp::Shared> all;
    for (const Layer& layer : layers_) {
      for (const hp::Shared& p : layer.params()) all.push_back(p);
    }
    return all;
  }

 private:
  std::vector<Layer> layers_;
};

using Updates = std::vector<std::pair<hp::Shared, hp::Var>>;

/// Updates for gradient descent with momentum on `cost`: each parameter keeps
/// its last step in a shared variable (starting at zero, with the parameter's
/// broadcast pattern), moves by learning_rate times that step, and the step
/// becomes a leaky mix of itself and the new gradient.
Updates gradient_updates_momentum(const hp::Var& cost, const std::vector<hp::Shared>& params, double learning_rate,
                                  double momentum) {
  if (!(momentum >= 0 && momentum < 1)) {
    throw std::invalid_argument("gradient_updates_momentum: momentum must be in [0, 1)");
  }
  Updates updates;
  for (const hp::Shared& param : params) {
    const hp::Array value = param.get_value();
    hp::Shared param_update = hp::shared(hp::Array::zeros(value.shape(), value.dtype()), "", param.broadcastable());
    updates.emplace_back(param, param - learning_rate * param_update);
    updates.emplace_back(param_update, momentum * param_update + (1. - momentum) * hp::grad(cost, param));
  }
  return updates;
}

/// Training data: N points in 2-d, one a column of X, with labels y.
struct ToyData {
  std::vector<double> x0, x1;  ///< the points' coordinates (rows of X)
  std::vector<double> labels;  ///< 0 or 1
  hp::Array X;                 ///< (2, N), floatX
  hp::Array y;                 ///< (N,), floatX
};

/// Two Gaussian clouds as the tutorial draws them: uniform labels, means
/// [[-1, 1], [-1, 1]] (so label 0 is centred on (-1, -1) and label 1 on
/// (1, 1)), per-axis standard deviations uniform in [1, 2).
ToyData two_gaussians(int N, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> label(0, 1);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> randn(0.0, 1.0);

  ToyData data;
  for (int i = 0; i < N; ++i) data.labels.push_back(label(rng));
  const double means[2][2] = {{-1, 1}, {-1, 1}};
  double covariances[2][2];
  for (auto& row : covariances) {
    for (double& c : row) c = uniform(rng) + 1;
  }
  for (int axis = 0; axis < 2; ++axis) {
    std::vector<double>& coordinate = axis == 0 ? data.x0 : data.x1;
    for (int i = 0; i < N; ++i) {
      const int y = static_cast<int>(data.labels[i]);
      coordinate.push_back(randn(rng) * covariances[axis][y] + means[axis][y]);
    }
  }
  std::vector<double> X = data.x0;
  X.insert(X.end(), data.x1.begin(), data.x1.end());
  data.X = hp::array(X, {2, N}, hp::config().floatX);
  data.y = hp::array(data.labels, hp::config().floatX);
  return data;
}

/// A (rows, cols) array of standard normal samples.
hp::Array randn(std::int64_t rows, std::int64_t cols, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> values(static_cast<std::size_t>(rows * cols));
  for (double& v : values) v = normal(rng);
  return hp::array(values, {rows, cols});
}

/// The fraction of outputs that, thresholded at 0.5, match their label.
double accuracy(const std::vector<double>& output, const std::vector<double>& labels) {
  int correct = 0;
  for (std::size_t i = 0; i < output.size(); ++i) correct += (output[i] > .5) == (labels[i] == 1);
  return static_cast<double>(correct) / static_cast<double>(output.size());
}

std::string format3(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

std::string iteration_file(int iteration) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "iteration_%02d.png", iteration);
  return buffer;
}

int run(const std::filesystem::path& plot_dir) {
  std::filesystem::create_directories(plot_dir);
  const plot_png::Range axis{-6, 6};
  std::mt19937_64 rng(20240917);

  // In [22]: the training data.
  const int N = 1000;
  const ToyData data = two_gaussians(N, rng);
  plot_png::write_scatter(plot_dir / "data.png", data.x0, data.x1, data.labels, axis, axis, "Training data");

  // In [23]: a 2-4-1 network of sigmoid layers, W ~ N(0, 1), b = 1.
  const std::vector<std::int64_t> layer_sizes = {2, 4, 1};
  std::vector<hp::Array> W_init, b_init;
  std::vector<Activation> activations;
  for (std::size_t i = 0; i + 1 < layer_sizes.size(); ++i) {
    W_init.push_back(randn(layer_sizes[i + 1], layer_sizes[i], rng));
    b_init.push_back(hp::Array::ones({layer_sizes[i + 1]}));
    activations.emplace_back([](const hp::Var& x) { return hp::sigmoid(x); });
  }
  MLP mlp(W_init, b_init, activations);

  hp::Var mlp_input = hp::matrix("mlp_input");
  hp::Var mlp_target = hp::vector("mlp_target");
  const double learning_rate = 0.01;
  const double momentum = 0.9;
  hp::Var cost = mlp.squared_error(mlp_input, mlp_target);
  hp::Function train = hp::compile({mlp_input, mlp_target}, {cost},
                                   {.updates = gradient_updates_momentum(cost, mlp.params(), learning_rate, momentum)});
  hp::Function mlp_output = hp::compile({mlp_input}, {mlp.output(mlp_input)});
  hp::render_graph(train.outputs(), train.updates(), plot_dir / "train_graph.png");
  hp::render_graph(train, plot_dir / "train_graph_optimized.png");

  // In [24]: 20 iterations of full-batch training, a picture after each.
  const int max_iteration = 20;
  std::vector<double> costs, accuracies;
  for (int iteration = 1; iteration <= max_iteration; ++iteration) {
    const double current_cost = train(data.X, data.y)[0].item<double>();
    const std::vector<double> current_output = mlp_output(data.X)[0].to_vector<double>();
    const double current_accuracy = accuracy(current_output, data.labels);
    costs.push_back(current_cost);
    accuracies.push_back(current_accuracy);
    std::printf("Iteration %d: cost %s, accuracy %s\n", iteration, format3(current_cost).c_str(),
                format3(current_accuracy).c_str());
    plot_png::write_scatter(plot_dir / iteration_file(iteration), data.x0, data.x1, current_output, axis, axis,
                            "Cost: " + format3(current_cost) + ", Accuracy: " + format3(current_accuracy));
  }
  plot_png::write_history(plot_dir / "history.png",
                          {{"Cost", costs, {0.12, 0.47, 0.71}}, {"Accuracy", accuracies, {0.84, 0.15, 0.16}}},
                          "Iteration", "Training the 2-4-1 MLP (lr 0.01, momentum 0.9)");

  std::printf("Final accuracy: %s\n", format3(accuracies.back()).c_str());
  std::printf("Plots in %s: data.png, %s ... %s, history.png, train_graph.png, train_graph_optimized.png\n",
              std::filesystem::absolute(plot_dir).lexically_normal().c_str(), iteration_file(1).c_str(),
              iteration_file(max_iteration).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc > 1 ? argv[1] : "mlp_plots");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mlp: %s\n", e.what());
    return 1;
  }
}
