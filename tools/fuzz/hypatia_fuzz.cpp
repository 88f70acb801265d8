/// \file hypatia-fuzz: the differential fuzzer. Generates random well-typed graphs
/// (tools/fuzz/fuzz_graph.hpp), compiles them in FastRun and FastCompile, many
/// graphs per function, and compares every value and every error with the
/// reference evaluator (tools/fuzz/fuzz_compare.hpp); checks the gradients of
/// random differentiable graphs with verify_grad. A failure prints its seed
/// and minimised graph and is written as a regression case that the fuzz_fuzz
/// suite replays.
///
///   hypatia-fuzz --seed 7 --count 10000
///   hypatia-fuzz --seed 7 --seconds 600 --batch 24
///   hypatia-fuzz --replay tests/fuzz/regressions/some-case.txt
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "hypatia/hypatia.hpp"
#include "tools/fuzz/fuzz_compare.hpp"
#include "tools/fuzz/fuzz_graph.hpp"

namespace hp = hypatia;
namespace fz = hypatia::fuzz;

namespace {

struct Options {
  std::uint64_t seed = 1;
  long count = 1000;
  double seconds = 0;
  int batch = 24;
  long first_batch = 0;
  int max_ops = 8;
  int grad_per_batch = 1;
  double big = 0.03;
  std::vector<std::string> modes = {"FastRun", "FastCompile"};
  std::string regressions = HYPATIA_FUZZ_REGRESSIONS;
  bool no_save = false;
  bool keep_going = false;
  bool show = false;
  bool verbose = false;
  std::string replay;
};

/// What a crash (of generated code, say) prints: the batch it happened in.
char crash_note[512] = "hypatia-fuzz: crashed before the first batch\n";

void on_crash(int signal) {
  const ssize_t ignored = write(STDERR_FILENO, crash_note, std::strlen(crash_note));
  (void)ignored;
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

/// The seed of batch `index` of a run seeded `seed` (splitmix64), so that one batch replays alone.
std::uint64_t batch_seed(std::uint64_t seed, long index) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(index) + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

hp::Mode mode_from(const std::string& name) {
  if (name == "FastRun") return hp::Mode::FastRun;
  if (name == "FastCompile") return hp::Mode::FastCompile;
  if (name == "Debug") return hp::Mode::Debug;
  throw hp::Error("hypatia-fuzz: unknown mode '" + name + "' (FastRun, FastCompile, Debug)");
}

std::string slug(const fz::Failure& f) {
  std::string kind = fz::kind_name(f.kind);
  for (char& c : kind) {
    if (c == ' ') c = '-';
  }
  if (f.kind != fz::FailureKind::Gradient) kind += "-" + std::string(hp::mode_name(f.mode));
  return kind;
}

/// Prints the failure, minimised, and writes it as a regression case; returns the file written.
std::string report(const fz::Failure& failure, const std::string& origin, const Options& opt, fz::Stats& stats) {
  fz::Failure small = failure;
  if (!failure.recipe.steps.empty()) {
    try {
      small.recipe = fz::minimise(failure, stats);
      auto again = failure.kind == fz::FailureKind::Gradient ? fz::check_grad(small.recipe, stats)
                                                             : fz::check_one(small.recipe, failure.mode, stats);
      if (again) small.detail = again->detail;
    } catch (const std::exception& e) {
      std::cerr << "hypatia-fuzz: minimising failed: " << e.what() << "\n";
    }
  }
  const std::string text = fz::format_regression(small, origin);
  std::cout << "\n=== FAILURE (" << fz::kind_name(failure.kind) << ") " << origin << "\n" << text << std::flush;
  if (opt.no_save || opt.regressions.empty()) return "";
  std::filesystem::create_directories(opt.regressions);
  std::size_t h = std::hash<std::string>{}(fz::format_recipe(small.recipe));
  const std::string path = fmt::format("{}/{}-{:08x}.txt", opt.regressions, slug(small), h & 0xffffffffu);
  std::ofstream(path) << text;
  std::cout << "written: " << path << "\n";
  return path;
}

int replay_file(const std::string& path, bool verbose) {
  std::ifstream in(path);
  if (!in) throw hp::Error("hypatia-fuzz: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  fz::Stats stats;
  stats.verbose = verbose;
  const auto failure = fz::replay(fz::parse_regression(text.str()), stats);
  if (!failure) {
    std::cout << path << ": passes\n";
    return 0;
  }
  std::cout << path << ": " << fz::kind_name(failure->kind) << "\n" << failure->detail << "\n";
  return 1;
}

int run(const Options& opt) {
  std::vector<hp::Mode> modes;
  for (const auto& m : opt.modes) modes.push_back(mode_from(m));
  fz::Stats stats;
  stats.verbose = opt.verbose;
  long failures = 0;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  auto last_print = elapsed();
  for (long index = opt.first_batch;; ++index) {
    if (opt.seconds > 0 ? elapsed() >= opt.seconds : stats.graphs >= opt.count) break;
    const std::uint64_t seed = batch_seed(opt.seed, index);
    fz::Generator gen(seed, {.max_ops = opt.max_ops, .big_fraction = opt.big});
    std::vector<fz::Recipe> recipes;
    for (int i = 0; i < opt.batch; ++i) recipes.push_back(gen.next());
    if (opt.show) {
      for (const auto& r : recipes) std::cout << hp::debugprint(fz::build(r).outputs) << "\n";
    }
    const std::string origin =
        fmt::format("hypatia-fuzz --seed {} --first-batch {} --count {} --batch {} --max-ops {} --big {}", opt.seed,
                    index, opt.batch, opt.batch, opt.max_ops, opt.big);
    std::snprintf(crash_note, sizeof crash_note, "hypatia-fuzz: crashed in batch %ld; replay it with %s\n", index,
                  origin.c_str());
    for (hp::Mode mode : modes) {
      for (const fz::Failure& f : fz::check_batch(recipes, mode, stats)) {
        ++failures;
        report(f, origin, opt, stats);
      }
    }
    stats.graphs += static_cast<long>(recipes.size());
    fz::Generator grad_gen(seed ^ 0x5bd1e995, {.max_ops = 4, .max_elements = 12, .differentiable_only = true});
    for (int i = 0; i < opt.grad_per_batch; ++i) {
      if (auto f = fz::check_grad(grad_gen.next(), stats)) {
        ++failures;
        report(*f, origin + " (gradient)", opt, stats);
      }
    }
    if (failures > 0 && !opt.keep_going) break;
    if (elapsed() - last_print >= 10) {
      last_print = elapsed();
      std::cout << fmt::format("[{:.0f} s] batch {}: {} graphs, {} functions, {} gradient checks, {} failures\n",
                               elapsed(), index, stats.graphs, stats.functions, stats.gradient_checks, failures)
                << std::flush;
    }
  }
  std::cout << fmt::format(
      "hypatia-fuzz --seed {}: {} graphs in {} modes ({} compiled functions), {} gradient checks "
      "({} skipped: function not finite), "
      "{} graphs whose reference throws (checked alone); {} differences explained by rounding, "
      "{} by stabilising rewrites; {} reference errors in values no output needs; {} failure(s) in {:.1f} s\n",
      opt.seed, stats.graphs, modes.size(), stats.functions, stats.gradient_checks, stats.gradients_not_finite,
      stats.error_graphs,
      stats.unstable_elements, stats.stabilised, stats.errors_optimised_away, failures, elapsed());
  std::cout << "compile time by phase (s):";
  for (const auto& [phase, ms] : stats.compile_ms) std::cout << fmt::format(" {} {:.1f};", phase, ms / 1000);
  std::cout << "\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hypatia-fuzz: compiles random graphs and compares them with the reference evaluator"};
  Options opt;
  app.add_option("--seed", opt.seed, "seed of the run");
  app.add_option("--count", opt.count, "graphs to check (default 1000)");
  app.add_option("--seconds", opt.seconds, "run for this long instead of --count");
  app.add_option("--batch", opt.batch, "graphs per compiled function (default 24)");
  app.add_option("--first-batch", opt.first_batch, "index of the first batch (to replay one batch of a run)");
  app.add_option("--max-ops", opt.max_ops, "ops per graph at most (default 8)");
  app.add_option("--big", opt.big, "share of graphs with large arrays (default 0.03)");
  app.add_option("--grad", opt.grad_per_batch, "verify_grad checks per batch (default 1)");
  app.add_option("--modes", opt.modes, "modes to compare (default FastRun FastCompile)");
  app.add_option("--regressions", opt.regressions, "where failures are written as regression cases");
  app.add_flag("--no-save", opt.no_save, "print failures only");
  app.add_flag("--keep-going", opt.keep_going, "continue after a failure");
  app.add_flag("--show", opt.show, "print every graph (hp::debugprint)");
  app.add_flag("--verbose", opt.verbose, "print every difference that rounding explains");
  app.add_option("--replay", opt.replay, "replay one regression file");
  CLI11_PARSE(app, argc, argv);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, on_crash);
  try {
    // The fuzzer compiles thousands of throwaway functions: never into the user's cache.
    hp::config().cache = false;
    if (!opt.replay.empty()) return replay_file(opt.replay, opt.verbose);
    return run(opt);
  } catch (const std::exception& e) {
    std::cerr << "hypatia-fuzz: " << e.what() << "\n";
    return 2;
  }
}
