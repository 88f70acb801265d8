#include "workloads.hpp"

#include <cblas.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>

#include "hand_loops.hpp"
#include "measure.hpp"

namespace hypatia_bench {
namespace hp = hypatia;

namespace {

/// Uniform values in [low, high), seeded, so every run and every peer sees the same data.
hp::Array random_array(const hp::Shape& shape, hp::DType dtype, unsigned seed, double low = -2, double high = 2) {
  hp::Array array = hp::Array::uninitialized(shape, dtype);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(low, high);
  const std::int64_t n = array.size();
  if (dtype == hp::DType::Float32) {
    float* data = array.data<float>();
    for (std::int64_t i = 0; i < n; ++i) data[i] = static_cast<float>(dist(rng));
  } else {
    double* data = array.data<double>();
    for (std::int64_t i = 0; i < n; ++i) data[i] = dist(rng);
  }
  return array;
}

std::string pow2_label(int log2n) { return "2^" + std::to_string(log2n); }

double bytes_of(hp::DType dtype, std::int64_t elements) {
  return static_cast<double>(elements) * static_cast<double>(hp::dtype_size(dtype));
}

/// Vectors a, b, c of n elements, the inputs of the elementwise graphs.
struct ElementwiseInputs {
  hp::Var a, b, c;
  hp::Array va, vb, vc;
};

ElementwiseInputs elementwise_inputs(std::int64_t n, hp::DType dtype) {
  return {hp::vector("a", dtype), hp::vector("b", dtype), hp::vector("c", dtype),
          random_array({n}, dtype, 1), random_array({n}, dtype, 2), random_array({n}, dtype, 3)};
}

// --- the 10-op chain ----------------------------------------------------------

template <class T>
Workload chain(int log2n, int threads) {
  const hp::DType dtype = hp::dtype_of<T>();
  const std::int64_t n = std::int64_t{1} << log2n;
  ElementwiseInputs in = elementwise_inputs(n, dtype);
  Workload w;
  w.graph = "chain";
  w.size = pow2_label(log2n);
  w.dtype = dtype;
  w.threads = threads;
  w.bytes = bytes_of(dtype, 4 * n);
  w.inputs = {in.a, in.b, in.c};
  w.outputs = {hp::sigmoid(in.a * in.b + in.c) * hp::tanh(in.a) - hp::exp(-(in.b * in.b)) + 0.5 * in.c};
  w.args = {in.va, in.vb, in.vc};
  w.hand_out = {hp::Array::uninitialized({n}, dtype)};
  const T* a = in.va.data<T>();
  const T* b = in.vb.data<T>();
  const T* c = in.vc.data<T>();
  T* out = w.hand_out[0].data<T>();
  auto fast_out = std::make_shared<hp::Array>(hp::Array::uninitialized({n}, dtype));
  w.hand = [=] { split_range(threads, n, [=](std::int64_t s, std::int64_t e) { hand_o3.of<T>().chain(s, e, a, b, c, out); }); };
  w.fast_math = [=] {
    T* fast = fast_out->data<T>();
    split_range(threads, n, [=](std::int64_t s, std::int64_t e) { hand_fast_math.of<T>().chain(s, e, a, b, c, fast); });
  };
  return w;
}

// --- memory-bound graphs ---------------------------------------------------------

/// a*b + c, x*alpha + y or relu(x) + y over 2^log2n float64.
Workload memory_graph(const std::string& graph, int log2n, int threads) {
  using T = double;
  const hp::DType dtype = hp::float64;
  const std::int64_t n = std::int64_t{1} << log2n;
  ElementwiseInputs in = elementwise_inputs(n, dtype);
  Workload w;
  w.graph = graph;
  w.size = pow2_label(log2n);
  w.dtype = dtype;
  w.threads = threads;
  w.memory_bound = true;
  w.hand_out = {hp::Array::uninitialized({n}, dtype)};
  auto fast_out = std::make_shared<hp::Array>(hp::Array::uninitialized({n}, dtype));
  const T* a = in.va.data<T>();
  const T* b = in.vb.data<T>();
  const T* c = in.vc.data<T>();
  T* out = w.hand_out[0].data<T>();
  auto run = [=](const HandLoops& loops, T* dst, const std::string& which) {
    split_range(threads, n, [&](std::int64_t s, std::int64_t e) {
      if (which == "mul_add") loops.f64.mul_add(s, e, a, b, c, dst);
      else if (which == "axpy") loops.f64.axpy(s, e, a, T(1.5), b, dst);
      else loops.f64.relu_add(s, e, a, b, dst);
    });
  };
  if (graph == "mul_add") {
    w.bytes = bytes_of(dtype, 4 * n);
    w.inputs = {in.a, in.b, in.c};
    w.outputs = {in.a * in.b + in.c};
    w.args = {in.va, in.vb, in.vc};
  } else if (graph == "axpy") {
    hp::Var alpha = hp::scalar("alpha", dtype);
    w.bytes = bytes_of(dtype, 3 * n);
    w.inputs = {in.a, alpha, in.b};
    w.outputs = {in.a * alpha + in.b};
    w.args = {in.va, hp::Array(T(1.5)), in.vb};
  } else {
    w.bytes = bytes_of(dtype, 3 * n);
    w.inputs = {in.a, in.b};
    w.outputs = {hp::relu(in.a) + in.b};
    w.args = {in.va, in.vb};
  }
  w.hand = [=] { run(hand_o3, out, graph); };
  w.fast_math = [=] { run(hand_fast_math, fast_out->data<T>(), graph); };
  return w;
}

// --- sum(exp(x - y)) --------------------------------------------------------------

template <class T>
Workload reduce_sum_exp(int log2n, int threads) {
  const hp::DType dtype = hp::dtype_of<T>();
  const std::int64_t n = std::int64_t{1} << log2n;
  ElementwiseInputs in = elementwise_inputs(n, dtype);
  Workload w;
  w.graph = "reduce";
  w.size = pow2_label(log2n);
  w.dtype = dtype;
  w.threads = threads;
  w.bytes = bytes_of(dtype, 2 * n);
  w.inputs = {in.a, in.b};
  w.outputs = {hp::sum(hp::exp(in.a - in.b))};
  w.args = {in.va, in.vb};
  w.hand_out = {hp::Array(T(0))};
  const T* x = in.va.data<T>();
  const T* y = in.vb.data<T>();
  hp::Array result = w.hand_out[0];
  auto run = [=](const HandLoops& loops, hp::Array target) {
    const std::int64_t chunk = split_chunk(threads, n);
    std::vector<T> partial(static_cast<std::size_t>((n + chunk - 1) / chunk), T(0));
    split_range(threads, n, [&](std::int64_t s, std::int64_t e) { partial[s / chunk] = loops.of<T>().sum_exp_diff(s, e, x, y); });
    T total = 0;
    for (T p : partial) total += p;
    target.data<T>()[0] = total;
  };
  w.hand = [=] { run(hand_o3, result); };
  w.fast_math = [=] { run(hand_fast_math, hp::Array(T(0))); };
  return w;
}

// --- softmax and logsumexp over rows -------------------------------------------------

template <class T>
Workload rows_graph(const std::string& graph, std::int64_t rows, std::int64_t cols, int threads) {
  const hp::DType dtype = hp::dtype_of<T>();
  hp::Var x = hp::matrix("x", dtype);
  const hp::Array vx = random_array({rows, cols}, dtype, 4, -4, 4);
  Workload w;
  w.graph = graph;
  w.size = std::to_string(rows) + "x" + std::to_string(cols);
  w.dtype = dtype;
  w.threads = threads;
  w.inputs = {x};
  w.args = {vx};
  const bool softmax = graph == "softmax";
  // logsumexp is written naively: the stabilize rewrite must make it safe.
  w.outputs = {softmax ? hp::softmax(x) : hp::log(hp::sum(hp::exp(x), 1))};
  w.bytes = bytes_of(dtype, rows * cols + (softmax ? rows * cols : rows));
  const hp::Shape out_shape = softmax ? hp::Shape{rows, cols} : hp::Shape{rows};
  w.hand_out = {hp::Array::uninitialized(out_shape, dtype)};
  auto fast_out = std::make_shared<hp::Array>(hp::Array::uninitialized(out_shape, dtype));
  const T* src = vx.data<T>();
  auto run = [=](const HandLoops& loops, T* dst) {
    split_range(threads, rows, [&](std::int64_t s, std::int64_t e) {
      if (softmax) loops.of<T>().softmax_rows(s, e, cols, src, dst);
      else loops.of<T>().logsumexp_rows(s, e, cols, src, dst);
    });
  };
  T* out = w.hand_out[0].data<T>();
  w.hand = [=] { run(hand_o3, out); };
  w.fast_math = [=] { run(hand_fast_math, fast_out->data<T>()); };
  return w;
}

// --- gemm: dot(A, B) + C ------------------------------------------------------------------

Workload gemm(std::int64_t n, int threads) {
  hp::Var A = hp::matrix("A"), B = hp::matrix("B"), C = hp::matrix("C");
  Workload w;
  w.graph = "gemm";
  w.size = "n=" + std::to_string(n);
  w.threads = threads;
  w.bytes = bytes_of(hp::float64, 4 * n * n);
  w.inputs = {A, B, C};
  w.outputs = {hp::dot(A, B) + C};
  w.args = {random_array({n, n}, hp::float64, 5), random_array({n, n}, hp::float64, 6),
            random_array({n, n}, hp::float64, 7)};
  w.hand_out = {hp::Array::uninitialized({n, n}, hp::float64)};
  w.hand_name = "OpenBLAS";
  const double* a = w.args[0].data<double>();
  const double* b = w.args[1].data<double>();
  const double* c = w.args[2].data<double>();
  double* out = w.hand_out[0].data<double>();
  const int size = static_cast<int>(n);
  w.hand = [=] {
    std::memcpy(out, c, sizeof(double) * static_cast<std::size_t>(n * n));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0, a, size, b, size, 1.0, out, size);
  };
  return w;
}

// --- MLP forward + backward ------------------------------------------------------------------

/// The tutorial's network made wider: sigmoid layers s(W h + b), columns are
/// samples, b a broadcasting column, cost sum((out - y)^2); outputs the cost
/// and the gradient of every W and b.
Workload mlp(const std::vector<std::int64_t>& layers, std::int64_t batch, int threads) {
  Workload w;
  w.graph = "mlp";
  w.size = "batch " + std::to_string(batch / 1024) + "k";
  w.threads = threads;
  w.params = {{"layers", layers}};
  hp::Var X = hp::matrix("X"), y = hp::vector("y");
  w.inputs = {X, y};
  w.args = {random_array({layers[0], batch}, hp::float64, 8), random_array({batch}, hp::float64, 9, 0, 1)};
  hp::Var h = X;
  std::vector<hp::Var> params;
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    hp::Var W = hp::matrix("W" + std::to_string(l));
    hp::Var b = hp::tensor("b" + std::to_string(l), hp::float64, {false, true});
    const double scale = 1.0 / std::sqrt(static_cast<double>(layers[l]));
    w.inputs.insert(w.inputs.end(), {W, b});
    w.args.push_back(random_array({layers[l + 1], layers[l]}, hp::float64, 10 + static_cast<unsigned>(l), -scale, scale));
    w.args.push_back(random_array({layers[l + 1], 1}, hp::float64, 20 + static_cast<unsigned>(l), -0.1, 0.1));
    params.insert(params.end(), {W, b});
    h = hp::sigmoid(hp::dot(W, h) + b);
  }
  hp::Var cost = hp::sum(hp::pow(h - y, 2));
  w.outputs = {cost};
  for (const hp::Var& g : hp::grad(cost, params)) w.outputs.push_back(g);
  w.hand_out.push_back(hp::Array(0.0));
  for (std::size_t i = 2; i < w.args.size(); ++i) w.hand_out.push_back(hp::Array::uninitialized(w.args[i].shape(), hp::float64));
  w.hand_name = "hand -O3 + OpenBLAS";

  // Hand backpropagation: activations H[l], then deltas D from the top down.
  struct State {
    std::vector<std::vector<double>> H, D;
    std::vector<double> G;
  };
  auto state = std::make_shared<State>();
  const std::size_t L = layers.size() - 1;
  state->H.resize(L + 1);
  state->D.resize(L + 1);
  for (std::size_t l = 1; l <= L; ++l) {
    state->H[l].resize(static_cast<std::size_t>(layers[l] * batch));
    state->D[l].resize(static_cast<std::size_t>(layers[l] * batch));
  }
  state->G.resize(static_cast<std::size_t>(*std::max_element(layers.begin(), layers.end()) * batch));
  const std::vector<hp::Array> args = w.args;
  std::vector<hp::Array> outs = w.hand_out;
  const int N = static_cast<int>(batch);
  // mutable: the captured output arrays are written (they share storage with w.hand_out).
  w.hand = [=]() mutable {
    State& s = *state;
    const double* X0 = args[0].data<double>();
    const double* target = args[1].data<double>();
    auto H = [&](std::size_t l) { return l == 0 ? X0 : s.H[l].data(); };
    for (std::size_t l = 1; l <= L; ++l) {
      const int rows = static_cast<int>(layers[l]), inner = static_cast<int>(layers[l - 1]);
      const double* W = args[2 * l].data<double>();
      const double* b = args[2 * l + 1].data<double>();
      double* Z = s.H[l].data();
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, N, inner, 1.0, W, inner, H(l - 1), N, 0.0, Z, N);
      for (int r = 0; r < rows; ++r) {
        for (int j = 0; j < N; ++j) Z[r * N + j] = 1.0 / (1.0 + std::exp(-(Z[r * N + j] + b[r])));
      }
    }
    double cost_value = 0;
    for (int j = 0; j < N; ++j) {
      const double out = s.H[L][j], diff = out - target[j];
      cost_value += diff * diff;
      s.D[L][j] = 2 * diff * out * (1 - out);
    }
    outs[0].data<double>()[0] = cost_value;
    for (std::size_t l = L; l >= 1; --l) {
      const int rows = static_cast<int>(layers[l]), inner = static_cast<int>(layers[l - 1]);
      double* gW = outs[2 * l - 1].data<double>();
      double* gb = outs[2 * l].data<double>();
      const double* D = s.D[l].data();
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, inner, N, 1.0, D, N, H(l - 1), N, 0.0, gW, inner);
      for (int r = 0; r < rows; ++r) {
        double total = 0;
        for (int j = 0; j < N; ++j) total += D[r * N + j];
        gb[r] = total;
      }
      if (l == 1) break;
      const double* W = args[2 * l].data<double>();
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, inner, N, rows, 1.0, W, inner, D, N, 0.0, s.G.data(), N);
      const double* Hp = s.H[l - 1].data();
      double* Dp = s.D[l - 1].data();
      for (std::int64_t i = 0; i < static_cast<std::int64_t>(inner) * N; ++i) Dp[i] = s.G[i] * Hp[i] * (1 - Hp[i]);
    }
  };
  return w;
}

// --- Theano's logistic regression, one training step ----------------------------------------

/// examples/logistic_regression.cpp's step as Theano's documentation writes
/// it (p_1 = 1 / (1 + exp(-dot(x, w) - b)), the crossentropy with log):
/// outputs the prediction, the crossentropy and the updated w and b. The
/// data are the example's: N = 400 normal rows of 784 features, labels 0/1.
Workload logreg(int threads) {
  const std::int64_t N = 400, feats = 784;
  Workload w;
  w.graph = "logreg";
  w.size = "400x784";
  w.threads = threads;
  hp::Var x = hp::dmatrix("x"), y = hp::dvector("y"), wv = hp::dvector("w"), b = hp::dscalar("b");
  w.inputs = {x, y, wv, b};
  w.args = {hp::random::normal({N, feats}, 0, 1, 1), hp::random::integers({N}, 0, 2, 2).astype(hp::float64),
            hp::random::normal({feats}, 0, 1, 3), hp::Array(0.0)};
  w.bytes = bytes_of(hp::float64, N * feats + 2 * N + 2 * feats + 2);
  hp::Var p_1 = 1 / (1 + hp::exp(-hp::dot(x, wv) - b));
  hp::Var xent = -y * hp::log(p_1) - (1 - y) * hp::log(1 - p_1);
  hp::Var cost = xent.mean() + 0.01 * hp::pow(wv, 2).sum();
  std::vector<hp::Var> g = hp::grad(cost, {wv, b});
  w.outputs = {hp::cast(p_1 > 0.5, hp::float64), xent, wv - 0.1 * g[0], b - 0.1 * g[1]};
  w.hand_out = {hp::Array::uninitialized({N}, hp::float64), hp::Array::uninitialized({N}, hp::float64),
                hp::Array::uninitialized({feats}, hp::float64), hp::Array(0.0)};
  w.hand_name = "hand -O3 + OpenBLAS";
  const std::vector<hp::Array> args = w.args;
  std::vector<hp::Array> outs = w.hand_out;
  auto z = std::make_shared<std::vector<double>>(static_cast<std::size_t>(N));
  // mutable: the captured output arrays are written (they share storage with w.hand_out).
  w.hand = [=]() mutable {
    const double* X = args[0].data<double>();
    const double* Y = args[1].data<double>();
    const double* W = args[2].data<double>();
    const double bias = args[3].item<double>();
    double* Z = z->data();
    cblas_dgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(N), static_cast<int>(feats), 1.0, X,
                static_cast<int>(feats), W, 1, 0.0, Z, 1);
    double* pred = outs[0].data<double>();
    double* xent_out = outs[1].data<double>();
    double gb = 0;
    for (std::int64_t i = 0; i < N; ++i) {
      const double zi = Z[i] + bias;
      // The stable crossentropy and its derivative sigmoid(z) - y, over N.
      const double softplus_neg = zi > 0 ? std::log1p(std::exp(-zi)) : -zi + std::log1p(std::exp(zi));
      pred[i] = zi > 0 ? 1.0 : 0.0;
      xent_out[i] = Y[i] * softplus_neg + (1 - Y[i]) * (softplus_neg + zi);
      Z[i] = (1.0 / (1.0 + std::exp(-zi)) - Y[i]) / static_cast<double>(N);
      gb += Z[i];
    }
    double* w_new = outs[2].data<double>();
    for (std::int64_t j = 0; j < feats; ++j) w_new[j] = W[j] * (1 - 0.1 * 0.02);
    cblas_dgemv(CblasRowMajor, CblasTrans, static_cast<int>(N), static_cast<int>(feats), -0.1, X,
                static_cast<int>(feats), Z, 1, 1.0, w_new, 1);
    outs[3].data<double>()[0] = bias - 0.1 * gb;
  };
  return w;
}

}  // namespace

std::vector<std::string> suite_graphs() {
  return {"chain", "softmax", "logsumexp", "reduce", "mlp", "logreg", "gemm", "mul_add", "axpy", "relu_add"};
}

std::vector<std::function<Workload()>> make_suite(const SuiteOptions& options) {
  const bool quick = options.quick;
  auto wanted = [&](const std::string& graph) { return options.only.empty() || options.only.count(graph) > 0; };
  std::vector<std::function<Workload()>> suite;

  if (wanted("chain")) {
    const std::vector<int> sizes = quick ? std::vector<int>{10, 16, 20} : std::vector<int>{10, 12, 14, 16, 18, 20, 22, 23, 24};
    const std::vector<int> two_thread_sizes = quick ? std::vector<int>{20} : std::vector<int>{20, 23};
    for (int log2n : sizes) suite.push_back([=] { return chain<double>(log2n, 1); });
    for (int log2n : two_thread_sizes) suite.push_back([=] { return chain<double>(log2n, 2); });
    for (int log2n : sizes) suite.push_back([=] { return chain<float>(log2n, 1); });
    for (int log2n : two_thread_sizes) suite.push_back([=] { return chain<float>(log2n, 2); });
  }
  const std::int64_t rows = quick ? 256 : 4096;
  for (const char* graph : {"softmax", "logsumexp"}) {
    if (!wanted(graph)) continue;
    const std::string name = graph;
    suite.push_back([=] { return rows_graph<double>(name, rows, 1024, 1); });
    suite.push_back([=] { return rows_graph<float>(name, rows, 1024, 1); });
    if (!quick) suite.push_back([=] { return rows_graph<double>(name, rows, 1024, 2); });
  }
  if (wanted("reduce")) {
    const int log2n = quick ? 18 : 22;
    for (int threads : {1, 2}) {
      suite.push_back([=] { return reduce_sum_exp<double>(log2n, threads); });
      suite.push_back([=] { return reduce_sum_exp<float>(log2n, threads); });
    }
  }
  if (wanted("mlp")) {
    const std::vector<std::int64_t> batches = quick ? std::vector<std::int64_t>{1024, 4096}
                                                    : std::vector<std::int64_t>{1024, 4096, 16384, 65536};
    for (std::int64_t batch : batches) suite.push_back([=] { return mlp({2, 64, 64, 1}, batch, 1); });
  }
  if (wanted("logreg")) suite.push_back([] { return logreg(1); });
  if (wanted("gemm")) {
    const std::vector<std::int64_t> sizes = quick ? std::vector<std::int64_t>{64, 256}
                                                  : std::vector<std::int64_t>{64, 128, 256, 512, 1024};
    for (std::int64_t n : sizes) suite.push_back([=] { return gemm(n, 1); });
    suite.push_back([=] { return gemm(sizes.back(), 2); });
  }
  const int memory_log2n = quick ? 22 : 24;
  for (const char* graph : {"mul_add", "axpy", "relu_add"}) {
    if (!wanted(graph)) continue;
    const std::string name = graph;
    for (int threads : {1, 2}) suite.push_back([=] { return memory_graph(name, memory_log2n, threads); });
  }
  return suite;
}

double stream_triad_gbs(std::int64_t n, int threads, bool quick) {
  std::vector<double> a(static_cast<std::size_t>(n), 0.0), b(static_cast<std::size_t>(n), 1.0),
      c(static_cast<std::size_t>(n), 2.0);
  const RepeatPolicy policy = quick ? RepeatPolicy{3, 10, 100} : RepeatPolicy{10, 30, 1000};
  const double ms = best_ms(policy, [&] {
    split_range(threads, n, [&](std::int64_t s, std::int64_t e) { hand_o3.f64.triad(s, e, a.data(), b.data(), c.data(), 3.0); });
  });
  return 24.0 * static_cast<double>(n) / (ms * 1e6);
}

}  // namespace hypatia_bench
