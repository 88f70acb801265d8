/// \file The graphs hypatia-bench runs: each a Workload holding the symbolic
/// graph, its data, and the hand-written code it is compared with. Made one
/// at a time by factories, so only one workload's data is in memory.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <hypatia/hypatia.hpp>

namespace hypatia_bench {

struct Workload {
  std::string graph;  ///< also the key peers.py builds the graph by: "chain", "softmax", ...
  std::string size;   ///< as printed: "2^20", "4096x1024", "batch 16k", "n=512"
  hypatia::DType dtype = hypatia::DType::Float64;
  int threads = 1;
  /// Bytes a perfect implementation moves: every input read once, every output written once.
  double bytes = 0;
  /// Compared with the STREAM triad of the same run.
  bool memory_bound = false;

  std::vector<hypatia::Var> inputs;
  std::vector<hypatia::Var> outputs;
  std::vector<hypatia::Array> args;

  /// The reference the compiled outputs are checked against, written by `hand`.
  std::vector<hypatia::Array> hand_out;
  std::string hand_name = "hand -O3";
  /// Hand-written code at -O3, on `threads` threads; writes hand_out.
  std::function<void()> hand;
  /// The same loop built with -O3 -march=native -ffast-math; empty where none.
  std::function<void()> fast_math;
  /// Extra parameters peers.py needs to build the same graph (MLP layer sizes).
  nlohmann::json params = nlohmann::json::object();
};

struct SuiteOptions {
  bool quick = false;
  /// Graph names to run; empty: all.
  std::set<std::string> only;
};

/// The graph names in suite order.
std::vector<std::string> suite_graphs();

/// The suite: chain (float64, float32, 2^10..2^24, 1 and 2 threads),
/// softmax, logsumexp, reduce (sum(exp(x-y))), MLP forward+backward, gemm,
/// and the memory-bound graphs (mul_add, axpy, relu_add).
std::vector<std::function<Workload()>> make_suite(const SuiteOptions& options);

/// STREAM triad a = b + s*c over n float64 on `threads` threads: best GB/s
/// (24 bytes per element, as STREAM counts).
double stream_triad_gbs(std::int64_t n, int threads, bool quick);

}  // namespace hypatia_bench
