// hypatia-bench: the fused-vs-unfused and peer benchmark suite (issue 7).
//
// Each graph of the suite (workloads.cpp) is compiled fused (Mode::FastRun)
// and unfused (Mode::FastCompile: still JIT-compiled, one loop per op) and
// timed against a hand-written -O3 std:: loop compiled into this binary, the
// same loop built with -O3 -march=native -ffast-math, and the Python peers
// (numpy, PyTensor's C backend, JAX jit on CPU) run on the same data in the
// same run. Memory-bound graphs are compared with a STREAM triad measured in
// the same run. Then compile times: a 10,000-node elementwise chain, a
// 200-layer MLP gradient graph, and the tutorial's MLP training step cold
// and warm, Hypatia vs PyTensor vs JAX, each in a fresh process.
//
//   bash bench/run.sh [--quick] [--no-peers] [--out DIR] [--only chain,gemm] [--no-compile]
//
// Prints the machine and the tables; writes DIR/results.md, results.csv,
// compile.csv, results.json and hypatia_bench.png.
#include <cblas.h>

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <hypatia/hypatia.hpp>

#include "chart_png.hpp"
#include "compile_latency.hpp"
#include "measure.hpp"
#include "npy.hpp"
#include "peers.hpp"
#include "workloads.hpp"

namespace hp = hypatia;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace hypatia_bench;

namespace {

// --- one row of the results --------------------------------------------------------

struct Row {
  std::string id, graph, size, dtype, hand_name;
  int threads = 1;
  double bytes = 0;
  bool memory_bound = false;
  double fused_ms = -1, unfused_ms = -1, hand_ms = -1, fast_math_ms = -1;
  double max_rel_error = -1;  ///< fused vs the hand-written reference
  double triad_gbs = -1;      ///< STREAM triad on the same thread count (memory-bound rows)
  std::map<std::string, PeerTiming> peers;

  double fused_gbs() const { return bytes > 0 && fused_ms > 0 ? bytes / (fused_ms * 1e6) : -1; }
};

struct Options {
  bool quick = false;
  bool peers = true;
  bool compile = true;
  fs::path out = "hypatia-bench-results";
  fs::path peer_dir = HYPATIA_BENCH_PEER_DIR;
  std::string only;
};

// --- the machine ---------------------------------------------------------------------

std::string proc_field(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    const std::size_t colon = line.find(':');
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return value;
  }
  return "?";
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  in >> one >> five;
  return one + " " + five;
}

std::string machine_description() {
  const std::string flags = proc_field("/proc/cpuinfo", "flags");
  const std::string simd = flags.find("avx512f") != std::string::npos ? "AVX-512"
                           : flags.find("avx2") != std::string::npos ? "AVX2"
                                                                      : "SSE";
  const double mem_gib = std::atof(proc_field("/proc/meminfo", "MemTotal").c_str()) / (1024.0 * 1024.0);
  return fmt::format("{}, {} cores, {}, {:.0f} GiB RAM; hypatia threads up to {}", proc_field("/proc/cpuinfo", "model name"),
                     std::thread::hardware_concurrency(), simd, mem_gib, hp::config().threads);
}

// --- formatting -------------------------------------------------------------------------

std::string format_time(double ms) {
  if (ms < 0) return "-";
  if (ms < 0.1) return fmt::format("{:.1f} us", ms * 1e3);
  if (ms < 1000) return fmt::format("{:.{}f} ms", ms, ms < 1 ? 3 : ms < 10 ? 2 : ms < 100 ? 1 : 0);
  return fmt::format("{:.2f} s", ms / 1e3);
}

std::string format_ratio(double ratio) {
  if (ratio <= 0) return "-";
  return fmt::format("{:.{}f}x", ratio, ratio < 10 ? 2 : 1);
}

/// "12.3 ms (4.5x)": the time, and how many times slower than hypatia fused it is.
std::string versus(double ms, double fused_ms) {
  if (ms < 0) return "-";
  return format_time(ms) + " (" + format_ratio(ms / fused_ms) + ")";
}

std::string peer_cell(const Row& row, const std::string& peer) {
  const auto it = row.peers.find(peer);
  if (it == row.peers.end()) return "-";
  const PeerTiming& t = it->second;
  if (!t.failure.empty()) return "failed";
  return versus(t.ms, row.fused_ms) + (t.ok ? "" : fmt::format(" differs {:.0e}", t.max_rel_error));
}

// --- running one workload ------------------------------------------------------------------

double max_rel_error(const std::vector<hp::Array>& got, const std::vector<hp::Array>& want) {
  double worst = 0;
  for (std::size_t k = 0; k < want.size() && k < got.size(); ++k) {
    const hp::Array g = got[k].astype(hp::float64), w = want[k].astype(hp::float64);
    double scale = 1e-300, diff = 0;
    for (std::int64_t i = 0; i < w.size(); ++i) {
      scale = std::max(scale, std::fabs(w.data<double>()[i]));
      diff = std::max(diff, std::fabs(g.data<double>()[i] - w.data<double>()[i]));
    }
    worst = std::max(worst, diff / scale);
  }
  return worst;
}

struct Suite {
  Options options;
  RepeatPolicy policy;
  fs::path scratch;
  json manifest = {{"cases", json::array()}};
  std::map<int, double> triad_gbs;  ///< per thread count
  std::vector<Row> rows;
};

void set_threads(int threads) {
  hp::config().threads = threads;
  openblas_set_num_threads(threads);
}

double triad(Suite& suite, int threads) {
  if (!suite.triad_gbs.count(threads)) {
    const std::int64_t n = std::int64_t{1} << (suite.options.quick ? 22 : 24);
    suite.triad_gbs[threads] = stream_triad_gbs(n, threads, suite.options.quick);
    std::fprintf(stderr, "hypatia-bench: STREAM triad, %d thread(s): %.1f GB/s\n", threads, suite.triad_gbs[threads]);
  }
  return suite.triad_gbs[threads];
}

/// Writes the workload's inputs and hypatia's outputs for the peers.
void add_to_manifest(Suite& suite, const Row& row, const Workload& w, const std::vector<hp::Array>& outputs) {
  json entry = {{"id", row.id}, {"graph", w.graph}, {"dtype", row.dtype}, {"threads", w.threads}, {"params", w.params}};
  entry["shapes"] = json::array();
  entry["inputs"] = json::array();
  entry["expected"] = json::array();
  for (std::size_t i = 0; i < w.args.size(); ++i) {
    const std::string name = fmt::format("{}_in{}.npy", row.id, i);
    write_npy(suite.scratch / name, w.args[i]);
    entry["inputs"].push_back(name);
    entry["shapes"].push_back(w.args[i].shape());
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const std::string name = fmt::format("{}_out{}.npy", row.id, i);
    write_npy(suite.scratch / name, outputs[i]);
    entry["expected"].push_back(name);
  }
  suite.manifest["cases"].push_back(entry);
}

void run_workload(Suite& suite, const Workload& w) {
  Row row;
  row.id = fmt::format("c{:02d}", suite.rows.size());
  row.graph = w.graph;
  row.size = w.size;
  row.dtype = std::string(hp::dtype_name(w.dtype));
  row.hand_name = w.hand_name;
  row.threads = w.threads;
  row.bytes = w.bytes;
  row.memory_bound = w.memory_bound;
  if (w.memory_bound) row.triad_gbs = triad(suite, w.threads);

  const std::vector<hp::In> inputs(w.inputs.begin(), w.inputs.end());
  const hp::Function fused = hp::compile(inputs, w.outputs, {.mode = hp::Mode::FastRun});
  const hp::Function unfused = hp::compile(inputs, w.outputs, {.mode = hp::Mode::FastCompile});
  set_threads(w.threads);
  std::vector<std::function<void()>> contenders = {[&] { fused.call(w.args); }, [&] { unfused.call(w.args); }, w.hand};
  if (w.fast_math) contenders.push_back(w.fast_math);
  const std::vector<double> best = best_ms_interleaved(suite.policy, contenders);
  row.fused_ms = best[0];
  row.unfused_ms = best[1];
  row.hand_ms = best[2];
  if (w.fast_math) row.fast_math_ms = best[3];
  const std::vector<hp::Array> outputs = fused.call(w.args);
  row.max_rel_error = max_rel_error(outputs, w.hand_out);
  if (suite.options.peers) add_to_manifest(suite, row, w, outputs);
  std::fprintf(stderr, "  %-9s %-10s %-7s %dT  fused %-10s unfused %-10s %s %-10s err %.1e\n", row.graph.c_str(),
               row.size.c_str(), row.dtype.c_str(), row.threads, format_time(row.fused_ms).c_str(),
               format_time(row.unfused_ms).c_str(), row.hand_name.c_str(), format_time(row.hand_ms).c_str(),
               row.max_rel_error);
  suite.rows.push_back(std::move(row));
}

// --- tables -----------------------------------------------------------------------------------

std::string results_table(const std::vector<Row>& rows) {
  std::ostringstream out;
  out << "| graph | size | dtype | thr | fused | GB/s | unfused | hand -O3 | -ffast-math | numpy | PyTensor | JAX | err |\n"
      << "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Row& r : rows) {
    std::string gbs = r.fused_gbs() > 0 ? fmt::format("{:.1f}", r.fused_gbs()) : "-";
    if (r.memory_bound) gbs += fmt::format(" ({:.0f}% triad)", 100 * r.fused_gbs() / r.triad_gbs);
    std::string hand = versus(r.hand_ms, r.fused_ms);
    if (r.hand_name != "hand -O3") hand += " " + r.hand_name;
    out << fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.0e} |\n", r.graph, r.size,
                       r.dtype, r.threads, format_time(r.fused_ms), gbs, versus(r.unfused_ms, r.fused_ms), hand,
                       versus(r.fast_math_ms, r.fused_ms), peer_cell(r, "numpy"), peer_cell(r, "pytensor"),
                       peer_cell(r, "jax"), r.max_rel_error);
  }
  return out.str();
}

std::string phases_text(const CompileMeasurement& m) {
  std::string text;
  for (const auto& [phase, ms] : m.phases) text += fmt::format("{}{} {:.0f}", text.empty() ? "" : ", ", phase, ms);
  return text;
}

std::string peer_compile_cell(const json& peers, const std::string& peer, const std::string& what) {
  if (!peers.contains(peer)) return peers.contains("error") ? "not run" : "-";
  const json& p = peers.at(peer);
  if (p.contains("error")) return "failed: " + p.at("error").get<std::string>();
  if (!p.contains(what)) return "-";
  const json& m = p.at(what);
  if (m.contains("error")) return "failed: " + m.at("error").get<std::string>();
  return fmt::format("{} (process {})", format_time(m.at("compile_ms")), format_time(m.at("process_ms")));
}

const std::map<std::string, std::string> kCompileLabels = {
    {"chain10k", "10,000-node elementwise chain, cache off"},
    {"mlp200", "200-layer MLP gradient graph, cache off"},
    {"mlp-step", "tutorial MLP training step, cold (empty cache)"},
    {"mlp-step-warm", "same, warm cache (second process)"}};

std::string compile_table(const std::vector<CompileMeasurement>& ours, const json& peers) {
  std::ostringstream out;
  out << "| graph | Hypatia compile() | Hypatia process | PyTensor | JAX | Hypatia phases (ms) |\n"
      << "|---|---|---|---|---|---|\n";
  for (const CompileMeasurement& m : ours) {
    const std::string compile = m.error.empty() ? format_time(m.compile_ms) : "failed: " + m.error;
    out << fmt::format("| {} | {} | {} | {} | {} | {} |\n", kCompileLabels.at(m.what), compile, format_time(m.process_ms),
                       peer_compile_cell(peers, "pytensor", m.what), peer_compile_cell(peers, "jax", m.what),
                       phases_text(m));
  }
  return out.str();
}

// --- goals ----------------------------------------------------------------------------------------

const Row* find_row(const std::vector<Row>& rows, const std::string& graph, const std::string& dtype, int threads,
                    const std::string& size = "") {
  const Row* found = nullptr;
  for (const Row& r : rows) {
    if (r.graph == graph && r.dtype == dtype && r.threads == threads && (size.empty() || r.size == size)) found = &r;
  }
  return found;  // the last (largest) match when no size is given
}

std::string goal_line(const std::string& what, double value, const std::string& unit, double goal, bool at_least) {
  if (value < 0) return fmt::format("- {}: not measured\n", what);
  const bool met = at_least ? value >= goal : value <= goal;
  return fmt::format("- {}: {:.2f}{} (goal {} {}{}): {}\n", what, value, unit, at_least ? ">=" : "<=", goal, unit,
                     met ? "met" : "MISSED");
}

double ratio_or(double num, double den) { return num > 0 && den > 0 ? num / den : -1; }

std::string goals_text(const std::vector<Row>& rows, const std::vector<CompileMeasurement>& compiles, bool quick) {
  std::ostringstream out;
  const std::string size = quick ? "" : "2^23";
  for (const char* dtype : {"float64", "float32"}) {
    const Row* r = find_row(rows, "chain", dtype, 1, size);
    if (r == nullptr) continue;
    const bool f64 = std::string(dtype) == "float64";
    const std::string label = fmt::format("10-op chain {} {} 1T", r->size, dtype);
    out << goal_line(label + " fused vs hand -O3", ratio_or(r->hand_ms, r->fused_ms), "x", f64 ? 6 : 15, true);
    out << goal_line(label + " fused vs -ffast-math loop", ratio_or(r->fast_math_ms, r->fused_ms), "x", 1, true);
    out << goal_line(label + " fused vs unfused", ratio_or(r->unfused_ms, r->fused_ms), "x", 3, true);
    const auto numpy = r->peers.find("numpy");
    out << goal_line(label + " fused vs numpy",
                     numpy == r->peers.end() ? -1 : ratio_or(numpy->second.ms, r->fused_ms), "x", 8, true);
  }
  for (const Row& r : rows) {
    if (!r.memory_bound) continue;
    out << goal_line(fmt::format("{} {} {}T, share of STREAM triad ({:.1f} GB/s)", r.graph, r.size, r.threads, r.triad_gbs),
                     100 * r.fused_gbs() / r.triad_gbs, "%", 85, true);
  }
  for (const CompileMeasurement& m : compiles) {
    if (m.what == "chain10k") out << goal_line("compile of the 10,000-node chain", m.compile_ms / 1e3, " s", 1, false);
    if (m.what == "mlp200") out << goal_line("compile of the 200-layer MLP gradient", m.compile_ms / 1e3, " s", 2, false);
  }
  return out.str();
}

// --- files ----------------------------------------------------------------------------------------

void write_csv(const fs::path& path, const std::vector<Row>& rows) {
  std::ofstream out(path);
  out << "graph,size,dtype,threads,bytes,fused_ms,unfused_ms,hand_ms,hand_name,fast_math_ms,numpy_ms,pytensor_ms,jax_ms,"
         "fused_gbs,triad_gbs,max_rel_error\n";
  for (const Row& r : rows) {
    auto peer_ms = [&](const std::string& peer) {
      const auto it = r.peers.find(peer);
      return it == r.peers.end() ? -1.0 : it->second.ms;
    };
    out << fmt::format("{},{},{},{},{:.0f},{:.6g},{:.6g},{:.6g},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.4g},{:.4g},{:.3g}\n",
                       r.graph, r.size, r.dtype, r.threads, r.bytes, r.fused_ms, r.unfused_ms, r.hand_ms, r.hand_name,
                       r.fast_math_ms, peer_ms("numpy"), peer_ms("pytensor"), peer_ms("jax"), r.fused_gbs(),
                       r.triad_gbs, r.max_rel_error);
  }
}

void write_compile_csv(const fs::path& path, const std::vector<CompileMeasurement>& ours, const json& peers) {
  std::ofstream out(path);
  out << "graph,implementation,compile_ms,process_ms,detail\n";
  for (const CompileMeasurement& m : ours) {
    out << fmt::format("{},hypatia,{:.3f},{:.3f},\"{}\"\n", m.what, m.compile_ms, m.process_ms,
                       m.error.empty() ? phases_text(m) : m.error);
    for (const char* peer : {"pytensor", "jax"}) {
      if (!peers.contains(peer) || !peers.at(peer).contains(m.what)) continue;
      const json& p = peers.at(peer).at(m.what);
      out << fmt::format("{},{},{:.3f},{:.3f},\"{}\"\n", m.what, peer, p.value("compile_ms", -1.0),
                         p.value("process_ms", -1.0), p.value("error", std::string()));
    }
  }
}

Chart make_chart(const std::vector<Row>& rows, const std::string& machine) {
  Chart chart;
  chart.title = "hypatia-bench: " + machine;
  chart.lines_title = "10-op chain, float64, 1 thread: time per element (ns), lower is better";
  chart.lines_y_label = "ns per element";
  std::vector<const Row*> chain;
  for (const Row& r : rows) {
    if (r.graph == "chain" && r.dtype == "float64" && r.threads == 1) chain.push_back(&r);
  }
  auto series = [](const std::string& name, double red, double green, double blue) {
    return ChartSeries{name, red, green, blue, {}};
  };
  std::vector<ChartSeries> kinds = {series("Hypatia fused", 0.84, 0.15, 0.16), series("unfused", 0.99, 0.6, 0.2),
                                    series("hand -O3", 0.3, 0.3, 0.3), series("-ffast-math", 0.6, 0.6, 0.6),
                                    series("numpy", 0.12, 0.47, 0.71), series("PyTensor", 0.17, 0.63, 0.17),
                                    series("JAX", 0.58, 0.4, 0.74)};
  auto times = [](const Row& r) {
    auto peer = [&](const char* name) {
      const auto it = r.peers.find(name);
      return it == r.peers.end() || !it->second.failure.empty() ? -1.0 : it->second.ms;
    };
    return std::vector<double>{r.fused_ms, r.unfused_ms, r.hand_ms, r.fast_math_ms, peer("numpy"), peer("pytensor"), peer("jax")};
  };
  chart.lines = kinds;
  for (const Row* r : chain) {
    chart.x_labels.push_back(r->size);
    const std::vector<double> t = times(*r);
    const double elements = r->bytes / 32;  // 4 float64 arrays
    for (std::size_t k = 0; k < kinds.size(); ++k) chart.lines[k].values.push_back(t[k] > 0 ? t[k] * 1e6 / elements : -1);
  }
  chart.bars_title = "Speed-up over the hand-written -O3 loop (gemm: OpenBLAS), largest size, higher is better";
  chart.bars = kinds;
  chart.bars.erase(chart.bars.begin() + 2);  // the reference itself
  for (const std::string& graph : suite_graphs()) {
    for (int threads : {1, 2}) {
      for (const char* dtype : {"float64", "float32"}) {
        if ((graph != "chain" && std::string(dtype) == "float32") ||
            (threads == 2 && graph != "chain" && graph.find('_') == std::string::npos))
          continue;
        const Row* r = find_row(rows, graph, dtype, threads, graph == "chain" && !chain.empty() ? "2^23" : "");
        if (r == nullptr) r = find_row(rows, graph, dtype, threads);
        if (r == nullptr) continue;
        chart.groups.push_back(fmt::format("{} {}{}", graph, dtype == std::string("float32") ? "f32 " : "", threads == 2 ? "2T" : ""));
        std::vector<double> t = times(*r);
        t.erase(t.begin() + 2);
        for (std::size_t k = 0; k < t.size(); ++k) chart.bars[k].values.push_back(t[k] > 0 ? r->hand_ms / t[k] : -1);
      }
    }
  }
  return chart;
}

// --- the run --------------------------------------------------------------------------------------

fs::path make_scratch_dir() {
  std::string pattern = (fs::temp_directory_path() / "hypatia-bench-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
  return pattern;
}

std::set<std::string> split_list(const std::string& text) {
  std::set<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) items.insert(item);
  }
  return items;
}

int run(const Options& options) {
  Suite suite;
  suite.options = options;
  suite.policy = options.quick ? RepeatPolicy{2, 10, 60} : RepeatPolicy{5, 50, 400};
  suite.scratch = make_scratch_dir();
  fs::create_directories(options.out);
  // Compiled code goes to a private cache, so the runs here never touch the user's.
  hp::config().cache_dir = (suite.scratch / "cache").string();
  const int max_threads = hp::config().threads;

  const std::string machine = machine_description();
  std::printf("hypatia-bench%s: %s\nload average at start: %s\n\n", options.quick ? " --quick" : "", machine.c_str(),
              load_average().c_str());
  const PeerSetup peers = find_peers(options.peer_dir, options.peers);
  if (!peers.unavailable.empty()) std::printf("peers not run: %s\n", peers.unavailable.c_str());

  const std::vector<std::function<Workload()>> suite_factories =
      make_suite({.quick = options.quick, .only = split_list(options.only)});
  std::fprintf(stderr, "hypatia-bench: %zu workloads\n", suite_factories.size());
  for (const auto& make : suite_factories) run_workload(suite, make());
  set_threads(max_threads);

  std::vector<CompileMeasurement> compiles;
  json peer_compiles = json::object();
  if (options.compile) {
    compiles = measure_compiles(fs::read_symlink("/proc/self/exe"), suite.scratch);
    if (options.peers) peer_compiles = run_peer_compiles(peers, suite.scratch, options.quick);
  }

  std::map<std::string, std::string> versions;
  if (options.peers) {
    const fs::path manifest_path = suite.scratch / "manifest.json";
    suite.manifest["quick"] = options.quick;
    std::ofstream(manifest_path) << suite.manifest.dump(1);
    for (int threads : {1, 2}) {
      const PeerRun run = run_peers(peers, manifest_path, threads, options.quick);
      if (!run.failure.empty()) std::printf("peers on %d thread(s) not run: %s\n", threads, run.failure.c_str());
      for (const auto& [peer, version] : run.versions) versions[peer] = version;
      for (Row& row : suite.rows) {
        const auto it = run.cases.find(row.id);
        if (it != run.cases.end()) row.peers = it->second;
      }
    }
  }
  fs::remove_all(suite.scratch);

  std::ostringstream report;
  report << "Machine: " << machine << "; load average at the end: " << load_average() << "\n";
  for (const auto& [threads, gbs] : suite.triad_gbs) report << fmt::format("STREAM triad, {} thread(s): {:.1f} GB/s\n", threads, gbs);
  for (const auto& [peer, version] : versions) report << "peer " << peer << ": " << version << "\n";
  report << "\nTimes are the best of several runs after a warm-up; (Nx) = that time / Hypatia fused (higher: Hypatia "
            "faster). err = max |fused - reference| / max |reference|.\n\n"
         << results_table(suite.rows);
  if (!compiles.empty()) report << "\n" << compile_table(compiles, peer_compiles);
  report << "\nGoals (issue 7):\n" << goals_text(suite.rows, compiles, options.quick);
  std::printf("%s", report.str().c_str());

  std::ofstream(options.out / "results.md") << report.str();
  write_csv(options.out / "results.csv", suite.rows);
  write_compile_csv(options.out / "compile.csv", compiles, peer_compiles);
  write_chart_png(options.out / "hypatia_bench.png", make_chart(suite.rows, machine));
  std::printf("\nWrote %s/{results.md, results.csv, compile.csv, hypatia_bench.png}\n",
              fs::absolute(options.out).lexically_normal().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hypatia-bench: fused vs unfused vs hand-written loops vs numpy, PyTensor and JAX"};
  Options options;
  std::string child;
  app.add_flag("--quick", options.quick, "small sizes, few repeats (a minute or two)");
  bool no_peers = false, no_compile = false;
  app.add_flag("--no-peers", no_peers, "skip numpy, PyTensor and JAX");
  app.add_flag("--no-compile", no_compile, "skip the compile-time measurements");
  app.add_option("--out", options.out, "directory for results.md, results.csv, compile.csv and the PNG chart");
  app.add_option("--only", options.only, "comma-separated graphs: chain,softmax,logsumexp,reduce,mlp,logreg,gemm,mul_add,axpy,relu_add");
  app.add_option("--peer-dir", options.peer_dir, "where peers.py and its .venv are");
  app.add_option("--child", child, "internal: one compile measurement in this fresh process")->group("");
  CLI11_PARSE(app, argc, argv);
  options.peers = !no_peers;
  options.compile = !no_compile;
  try {
    if (!child.empty()) return run_compile_child(child);
    return run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hypatia-bench: %s\n", e.what());
    return 1;
  }
}
