/// \file Hypatia's compile measurements: the compile time of a 10,000-node
/// elementwise chain and of a 200-layer MLP gradient graph (cache off, so
/// Clang really runs), and the compile latency of the tutorial's MLP training
/// step cold and with a warm disk cache. Each runs in a fresh process: this
/// binary started again with `--child WHAT`.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace hypatia_bench {


struct CompileMeasurement {
  std::string what;        ///< "chain10k", "mlp200", "mlp-step", "mlp-step-warm"
  double compile_ms = -1;  ///< compile() alone
  double build_ms = -1;    ///< building the symbolic graph (and its gradient)
  double process_ms = -1;  ///< the whole child process, start to exit
  std::string cache;       ///< compile_report().cache
  std::vector<std::pair<std::string, double>> phases;
  std::string error;       ///< set when the child failed
};

/// Builds and compiles graph `what` in this process and prints one JSON
/// line; returns the exit code. Called for `hypatia-bench --child WHAT`.
int run_compile_child(const std::string& what);

/// Runs each measurement in a fresh process of `self` (this executable).
std::vector<CompileMeasurement> measure_compiles(const std::filesystem::path& self,
                                                 const std::filesystem::path& scratch);

}  // namespace hypatia_bench
