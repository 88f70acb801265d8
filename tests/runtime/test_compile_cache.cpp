// Compile caching end to end: hp::compile in FastRun stores its object in the
// disk cache and a second process loads it. Every disk behaviour is observed
// through child processes (this binary re-executed with a doctest filter that
// runs only "child process: compile G and print the outcome"), because within
// one process a second compile of a graph is a memory hit that never reads
// the disk.
#include <doctest/doctest.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "runtime/cache.hpp"
#include "runtime/cpu/jit.hpp"

#include "tests/support/child_process.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
namespace fs = std::filesystem;

namespace {

using hypatia_test::ConfigScope;
using hypatia_test::read_rest;
using hypatia_test::read_until_ready;
using hypatia_test::shell_quote;
using hypatia_test::start_self;
using hypatia_test::TempDir;

constexpr const char* kChildCase = "child process: compile G and print the outcome";


bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// "a, b, c": for messages.
std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

using hypatia_test::read_text;
using hypatia_test::write_text;


// --- the graph every process compiles ----------------------------------------------------

/// G: y = 2 W.x + 1 and s = sum(exp(x) - x), from W (2x3) and x (3).
struct GraphG {
  hp::Var W = hp::matrix("W", hp::float64);
  hp::Var x = hp::vector("x", hp::float64);
  hp::Var y = hp::dot(W, x) * 2.0 + 1.0;
  hp::Var s = hp::sum(hp::exp(x) - x);
};

/// G built another way: the 2 is folded from 1 + 1 and exp(x) is built
/// twice. Another graph as given (another index entry), the same optimised
/// graph (the same object).
struct GraphGVariant {
  hp::Var W = hp::matrix("W", hp::float64);
  hp::Var x = hp::vector("x", hp::float64);
  hp::Var y = hp::dot(W, x) * (hp::constant(1.0) + 1.0) + 1.0;
  hp::Var s = hp::sum(hp::exp(x) - x);
};

/// G's outputs flattened for W = [[1,2,3],[4,5,6]], x = [1,2,3]:
/// y = [2*14+1, 2*32+1]; s = e + e^2 + e^3 - 6.
const std::vector<double> kExpectedG = {29.0, 65.0, 24.192874850577361};

void check_values_of_g(const std::vector<double>& values) {
  CHECK(values.size() == kExpectedG.size());
  if (values.size() != kExpectedG.size()) return;
  for (std::size_t i = 0; i < values.size(); ++i) {
    CAPTURE(i);
    CHECK(values[i] == doctest::Approx(kExpectedG[i]).epsilon(1e-13));
  }
}

// --- child processes ---------------------------------------------------------------------

/// What a child printed about its compile of G.
struct ChildRun {
  int status = -1;       ///< exit status; 0 when the child's checks passed
  std::string cache;     ///< compile_report().cache
  double compile_ms = -1;
  std::string phases;    ///< "name=ms name=ms ..."
  std::vector<double> values;
  std::string output;    ///< everything it printed, for failure messages
};

/// How a child is run: its cache settings and function name, and optionally a
/// file it waits for before compiling (to start several at once).
struct ChildSpec {
  std::string cache_dir;
  bool cache = true;
  std::string name = "G";
  std::string go_file = "";
  bool variant = false;  ///< compile GraphGVariant instead of GraphG
};

/// Starts this binary as a child that runs only kChildCase; read it with finish_child().
FILE* start_child(const ChildSpec& spec) {
  std::string environment = "HYPATIA_FLAGS= HYPATIARC=/nonexistent HP_E2E_CHILD=1";
  environment += " HP_E2E_CACHE_DIR=" + shell_quote(spec.cache_dir);
  environment += " HP_E2E_CACHE=" + std::string(spec.cache ? "on" : "off");
  environment += " HP_E2E_NAME=" + shell_quote(spec.name);
  if (!spec.go_file.empty()) environment += " HP_E2E_GO=" + shell_quote(spec.go_file);
  if (spec.variant) environment += " HP_E2E_VARIANT=1";
  return start_self(kChildCase, environment);
}

/// Reads the rest of the child's output, waits for it and parses its report.
ChildRun finish_child(FILE* pipe, std::string output = "") {
  output += read_rest(pipe);
  const int status = ::pclose(pipe);
  ChildRun run;
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.output = output;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    const auto value = [&](const std::string& tag) { return line.substr(tag.size()); };
    if (line.starts_with("HP_CACHE ")) run.cache = value("HP_CACHE ");
    if (line.starts_with("HP_COMPILE_MS ")) run.compile_ms = std::stod(value("HP_COMPILE_MS "));
    if (line.starts_with("HP_PHASES ")) run.phases = value("HP_PHASES ");
    if (line.starts_with("HP_VALUES ")) {
      std::istringstream numbers(value("HP_VALUES "));
      for (double v = 0; numbers >> v;) run.values.push_back(v);
    }
  }
  return run;
}

/// Runs one child to the end; its checks must have passed and G's numbers be
/// right. (No REQUIRE: callers check the outcome inside CHECK.)
ChildRun run_child(const ChildSpec& spec) {
  ChildRun run = finish_child(start_child(spec));
  INFO("child output:\n", run.output);
  CHECK(run.status == 0);
  check_values_of_g(run.values);
  return run;
}

/// What hypatia-dump prints (stdout and stderr) for `args` (shell words) on `cache_dir`.
std::string run_dump(const std::string& args, const std::string& cache_dir) {
  const std::string command = "HYPATIA_FLAGS= HYPATIARC=/nonexistent " + shell_quote(HYPATIA_DUMP) +
                              " " + args + " --cache-dir " + shell_quote(cache_dir) + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  const std::string output = read_rest(pipe);
  CHECK(::pclose(pipe) == 0);
  return output;
}

/// The entry directories in a cache directory (everything but temp directories).
std::vector<fs::path> entries_in(const std::string& cache_dir) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(cache_dir, ec)) {
    if (!contains(item.path().filename().string(), ".tmp.")) entries.push_back(item.path());
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

/// The entries holding code (object.o): one per optimised graph.
std::vector<fs::path> object_entries_in(const std::string& cache_dir) {
  std::vector<fs::path> entries = entries_in(cache_dir);
  std::erase_if(entries, [](const fs::path& entry) { return !fs::exists(entry / "object.o"); });
  return entries;
}

/// The index entries (recipe.cbor): one per graph as handed to compile.
std::vector<fs::path> index_entries_in(const std::string& cache_dir) {
  std::vector<fs::path> entries = entries_in(cache_dir);
  std::erase_if(entries, [](const fs::path& entry) { return !fs::exists(entry / "recipe.cbor"); });
  return entries;
}

/// Everything in a directory tree, as paths relative to it.
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& item : fs::recursive_directory_iterator(dir, ec)) {
    files.push_back(fs::relative(item.path(), dir).string());
  }
  return files;
}

/// A child stores G, `damage` alters the stored object entry, the next child
/// must recompile ("compiled (corrupt entry)") and compute G right, and the
/// one after that finds the repaired entry.
void check_recovers_from(const std::function<void(const fs::path& entry)>& damage) {
  TempDir tmp;
  const ChildSpec spec{.cache_dir = tmp.cache()};
  CHECK(run_child(spec).cache == "compiled (new key)");
  const auto stored = entries_in(tmp.cache());
  REQUIRE(stored.size() == 2);
  const auto objects = object_entries_in(tmp.cache());
  REQUIRE(objects.size() == 1);
  damage(objects.front());

  CHECK(run_child(spec).cache == "compiled (corrupt entry)");
  CHECK(run_child(spec).cache == "disk hit");
  // The repaired entry replaced the bad one in place, and no temp directory is left.
  CHECK(entries_in(tmp.cache()) == stored);
  INFO("in the cache: ", joined(files_under(tmp.cache())));
  CHECK(std::distance(fs::directory_iterator(tmp.cache()), fs::directory_iterator()) == 2);
}

}  // namespace

// A child's half of the tests below: skipped in a normal run, selected with
// --test-case and --no-skip by start_child(), which passes its settings in the
// environment. It prints one "HP_<WHAT> value" line per thing it reports.
TEST_CASE("child process: compile G and print the outcome" * doctest::skip()) {
  if (std::getenv("HP_E2E_CHILD") == nullptr) return;
  ConfigScope restore;
  hp::config().cache_dir = std::getenv("HP_E2E_CACHE_DIR");
  hp::config().cache = std::string(std::getenv("HP_E2E_CACHE")) == "on";
  if (const char* go = std::getenv("HP_E2E_GO")) {
    std::printf("HP_READY\n");
    std::fflush(stdout);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!fs::exists(go) && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    REQUIRE(fs::exists(go));
  }

  GraphG g;
  GraphGVariant v;
  const bool variant = std::getenv("HP_E2E_VARIANT") != nullptr;
  const auto start = std::chrono::steady_clock::now();
  hp::Function f = variant ? hp::compile({v.W, v.x}, {v.y, v.s}, {.name = std::getenv("HP_E2E_NAME")})
                           : hp::compile({g.W, g.x}, {g.y, g.s}, {.name = std::getenv("HP_E2E_NAME")});
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const auto out = f(hp::array({{1., 2., 3.}, {4., 5., 6.}}), hp::array({1., 2., 3.}));

  const hp::FunctionProfile report = f.compile_report();
  std::printf("HP_CACHE %s\nHP_COMPILE_MS %.3f\nHP_PHASES", report.cache.c_str(), ms);
  for (const auto& [phase, phase_ms] : report.compile_phases) {
    std::printf(" %s=%.3f", phase.c_str(), phase_ms);
  }
  std::printf("\nHP_VALUES");
  for (const hp::Array& a : out) {
    for (double v : a.to_vector<double>()) std::printf(" %.17g", v);
  }
  std::printf("\n");
  std::fflush(stdout);
}

TEST_CASE("a second process finds a compiled function in the disk cache and loads it quickly") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  const ChildRun cold = run_child({.cache_dir = tmp.cache()});
  const ChildRun warm = run_child({.cache_dir = tmp.cache()});
  CHECK(cold.cache == "compiled (new key)");
  CHECK(warm.cache == "disk hit");
  CHECK(warm.values == cold.values);
  MESSAGE("compile() of G: cold ", cold.compile_ms, " ms (", cold.phases, "); warm disk hit ",
          warm.compile_ms, " ms (", warm.phases, ")");
  CHECK(warm.compile_ms < 50);
  // The index entry of the graph as given gives the program: no rewriting, no codegen, no Clang.
  CHECK(!contains(warm.phases, "clang frontend"));
  CHECK(!contains(warm.phases, "graph rewrite"));
  CHECK(!contains(warm.phases, "codegen"));
  CHECK(object_entries_in(tmp.cache()).size() == 1);
  CHECK(index_entries_in(tmp.cache()).size() == 1);
}

TEST_CASE("the same math built differently shares one object: rewritten, but not compiled again") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  CHECK(run_child({.cache_dir = tmp.cache()}).cache == "compiled (new key)");
  const ChildRun other = run_child({.cache_dir = tmp.cache(), .variant = true});
  CHECK(other.cache == "disk hit (optimised graph)");
  CHECK(contains(other.phases, "graph rewrite"));
  CHECK(!contains(other.phases, "clang frontend"));
  CHECK(object_entries_in(tmp.cache()).size() == 1);
  CHECK(index_entries_in(tmp.cache()).size() == 2);
  // Its own index entry now serves it directly.
  CHECK(run_child({.cache_dir = tmp.cache(), .variant = true}).cache == "disk hit");
}

TEST_CASE("a damaged index entry is recomputed from the graph and rewritten") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  const ChildSpec spec{.cache_dir = tmp.cache()};
  CHECK(run_child(spec).cache == "compiled (new key)");
  const auto index = index_entries_in(tmp.cache());
  REQUIRE(index.size() == 1);
  std::string recipe = read_text(index.front() / "recipe.cbor");
  REQUIRE(recipe.size() > 16);
  recipe[recipe.size() / 2] = static_cast<char>(recipe[recipe.size() / 2] ^ 0x10);
  write_text(index.front() / "recipe.cbor", recipe);
  // The object entry is whole: the graph is rewritten again but not compiled.
  CHECK(run_child(spec).cache == "disk hit (optimised graph)");
  CHECK(run_child(spec).cache == "disk hit");
  CHECK(index_entries_in(tmp.cache()) == index);
}

TEST_CASE("an index entry whose object entry is gone compiles again") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  const ChildSpec spec{.cache_dir = tmp.cache()};
  CHECK(run_child(spec).cache == "compiled (new key)");
  const auto objects = object_entries_in(tmp.cache());
  REQUIRE(objects.size() == 1);
  fs::remove_all(objects.front());
  CHECK(run_child(spec).cache == "compiled (new key)");
  CHECK(run_child(spec).cache == "disk hit");
}

TEST_CASE("a second compile of a graph in the same process is a memory hit and reads no disk") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  ConfigScope restore;
  hp::config().cache_dir = tmp.cache();
  hp::Var a = hp::vector("a", hp::float64);
  hp::Var out = hp::exp(a) * 3.0 - hp::log1p(hp::abs(a));
  hp::Function first = hp::compile({a}, {out});
  CHECK(first.compile_report().cache == "compiled (new key)");
  fs::remove_all(tmp.cache());
  const auto start = std::chrono::steady_clock::now();
  hp::Function second = hp::compile({a}, {out});
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  CHECK(second.compile_report().cache == "memory hit");
  MESSAGE("compile() of a memory hit: ", us, " us");
  CHECK(us < 5000);
  CHECK(second(hp::array({0.}))[0].item<double>() == 3.);
  CHECK(!fs::exists(tmp.cache()));
}

TEST_CASE("functions that differ only in their names share one disk cache entry") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  CHECK(run_child({.cache_dir = tmp.cache(), .name = "first"}).cache == "compiled (new key)");
  CHECK(run_child({.cache_dir = tmp.cache(), .name = "second"}).cache == "disk hit");
  CHECK(object_entries_in(tmp.cache()).size() == 1);
  CHECK(index_entries_in(tmp.cache()).size() == 1);
}

TEST_CASE("a truncated object file is recompiled, and the repaired entry is a disk hit again") {
  if (!hp::jit::available()) return;
  check_recovers_from([](const fs::path& entry) {
    const fs::path object = entry / "object.o";
    const auto size = fs::file_size(object);
    REQUIRE(size > 100);
    fs::resize_file(object, size / 2);
  });
}

TEST_CASE("a flipped byte in the object file is recompiled, and the repaired entry is a disk hit again") {
  if (!hp::jit::available()) return;
  check_recovers_from([](const fs::path& entry) {
    const fs::path object = entry / "object.o";
    std::string bytes = read_text(object);
    REQUIRE(bytes.size() > 100);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
    write_text(object, bytes);
  });
}

TEST_CASE("a wrong checksum in metadata.json is recompiled, and the repaired entry is a disk hit again") {
  if (!hp::jit::available()) return;
  check_recovers_from([](const fs::path& entry) {
    const fs::path metadata = entry / "metadata.json";
    std::string text = read_text(metadata);
    const std::string checksum = hp::cache::hash_hex(read_text(entry / "object.o"));
    const auto at = text.find(checksum);
    REQUIRE(at != std::string::npos);
    text[at] = text[at] == '0' ? '1' : '0';
    write_text(metadata, text);
  });
}

TEST_CASE("an unparsable metadata.json is recompiled, and the repaired entry is a disk hit again") {
  if (!hp::jit::available()) return;
  check_recovers_from([](const fs::path& entry) {
    const fs::path metadata = entry / "metadata.json";
    fs::resize_file(metadata, fs::file_size(metadata) / 2);
  });
}

TEST_CASE("an entry whose checksums hold but whose object cannot be linked is recompiled and replaced") {
  if (!hp::jit::available()) return;
  // As an entry left by a build whose runtime exported a symbol this one lacks:
  // whole and consistent on disk, but load_object cannot resolve it.
  check_recovers_from([](const fs::path& entry) {
    const std::string object =
        hp::jit::compile_to_object(
            "extern \"C\" int hp_symbol_of_another_build(void);\n"
            "extern \"C\" int hp_main(void*, const void*, int) { return hp_symbol_of_another_build(); }\n")
            .bytes;
    write_text(entry / "object.o", object);
    nlohmann::json metadata = nlohmann::json::parse(read_text(entry / "metadata.json"));
    metadata["files"]["object.o"] = {{"bytes", object.size()}, {"xxh3_128", hp::cache::hash_hex(object)}};
    write_text(entry / "metadata.json", metadata.dump(2));
  });
}

TEST_CASE("two processes compiling the same key at once both succeed and leave one valid entry") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  const std::string go = (tmp.path() / "go").string();
  const ChildSpec spec{.cache_dir = tmp.cache(), .go_file = go};
  FILE* first = start_child(spec);
  FILE* second = start_child(spec);
  // Both wait for the go file once they have started; create it when both are ready.
  const std::string ready_first = read_until_ready(first);
  const std::string ready_second = read_until_ready(second);
  CHECK(contains(ready_first, "HP_READY"));
  CHECK(contains(ready_second, "HP_READY"));
  write_text(go, "");
  const ChildRun a = finish_child(first, ready_first), b = finish_child(second, ready_second);

  for (const ChildRun* run : {&a, &b}) {
    INFO("child output:\n", run->output);
    CHECK(run->status == 0);
    check_values_of_g(run->values);
  }
  MESSAGE("simultaneous compiles: ", a.cache, " in ", a.compile_ms, " ms; ", b.cache, " in ",
          b.compile_ms, " ms");
  INFO("in the cache: ", joined(files_under(tmp.cache())));
  const auto entries = entries_in(tmp.cache());
  REQUIRE(entries.size() == 2);  // the object and the index
  for (const auto& item : fs::directory_iterator(tmp.cache())) {
    CHECK(std::find(entries.begin(), entries.end(), item.path()) != entries.end());  // no temp directory left behind
  }
  hp::cache::DiskCache cache(tmp.cache(), std::uint64_t{1} << 30);
  for (const fs::path& entry : entries) CHECK(cache.inspect(entry.filename().string()).entry.has_value());
  CHECK(run_child({.cache_dir = tmp.cache()}).cache == "disk hit");
}

TEST_CASE("cache=off compiles without writing anything to the cache directory") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  fs::create_directory(tmp.cache());
  const ChildRun run = run_child({.cache_dir = tmp.cache(), .cache = false});
  CHECK(run.cache == "compiled (disabled)");
  CHECK(files_under(tmp.cache()).empty());
  CHECK(run_child({.cache_dir = tmp.cache(), .cache = false}).cache == "compiled (disabled)");
  CHECK(files_under(tmp.cache()).empty());
}

TEST_CASE("a cache directory that is a file only warns: the compile succeeds and stores nothing") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  write_text(tmp.cache(), "not a directory");
  const ChildRun run = run_child({.cache_dir = tmp.cache()});
  CHECK(run.cache == "compiled (unusable cache dir)");
  CHECK(contains(run.output, "hypatia: warning:"));
  CHECK(read_text(tmp.cache()) == "not a directory");
}

TEST_CASE("a cache directory writable by others is ignored with a warning and never written") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  fs::create_directory(tmp.cache());
  fs::permissions(tmp.cache(), fs::perms::all);
  const ChildRun run = run_child({.cache_dir = tmp.cache()});
  CHECK(run.cache == "compiled (not owned)");
  CHECK(contains(run.output, "writable by group or others"));
  CHECK(files_under(tmp.cache()).empty());
}

TEST_CASE("the cache directory is created with mode 0700") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  const std::string nested = (tmp.path() / "a" / "b").string();
  CHECK(run_child({.cache_dir = nested}).cache == "compiled (new key)");
  for (const fs::path& dir : {tmp.path() / "a", fs::path(nested)}) {
    CAPTURE(dir);
    CHECK((fs::status(dir).permissions() & fs::perms::all) == fs::perms::owner_all);
  }
  REQUIRE(entries_in(nested).size() == 2);
  for (const fs::path& entry : entries_in(nested)) {
    CHECK((fs::status(entry).permissions() & fs::perms::all) == fs::perms::owner_all);
  }
}

TEST_CASE("dump_dir receives the graph, source, LLVM IR and assembly of each compile") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  ConfigScope restore;
  hp::config().cache_dir = tmp.cache();
  hp::config().dump_dir = (tmp.path() / "dump").string();
  hp::Var a = hp::vector("a", hp::float64);
  hp::Function f = hp::compile({a}, {hp::sqr(a) - a}, {.name = "my fn"});
  CHECK(f(hp::array({1., 2., 3.}))[0].to_vector<double>() == std::vector<double>{0., 2., 6.});

  std::map<std::string, std::string> dumped;  // extension -> contents
  for (const auto& item : fs::directory_iterator(hp::config().dump_dir)) {
    const std::string file = item.path().filename().string();
    CAPTURE(file);
    CHECK(file.starts_with("my_fn-"));
    dumped[file.substr(file.find('.'))] = read_text(item.path());
  }
  REQUIRE(dumped.size() == 4);
  CHECK(dumped.count(".graph.txt") == 1);
  CHECK(!dumped[".graph.txt"].empty());
  CHECK(dumped[".cpp"] == f.source());
  CHECK(contains(dumped[".cpp"], "hp_main"));
  CHECK(contains(dumped[".ll"], "define"));
  CHECK(contains(dumped[".ll"], "hp_main"));
  CHECK(contains(dumped[".s"], "hp_main:"));
}

TEST_CASE("dump_dir receives the files of a compile that is a memory hit, under its own name") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  ConfigScope restore;
  hp::config().cache_dir = tmp.cache();
  hp::config().dump_dir = (tmp.path() / "dump").string();
  hp::Var a = hp::matrix("a", hp::float64);
  hp::Function first = hp::compile({a}, {hp::sum(hp::abs(a), 0)}, {.name = "first"});
  hp::Var b = hp::matrix("b", hp::float64);
  hp::Function second = hp::compile({b}, {hp::sum(hp::abs(b), 0)}, {.name = "second"});
  CHECK(second.compile_report().cache == "memory hit");
  CHECK(second(hp::array({{1., -2.}, {-3., 4.}}))[0].to_vector<double>() == std::vector<double>{4., 6.});

  std::vector<std::string> files;
  for (const auto& item : fs::directory_iterator(hp::config().dump_dir)) {
    files.push_back(item.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  INFO("dumped: ", joined(files));
  REQUIRE(files.size() == 8);
  for (std::size_t i = 0; i < 4; ++i) CHECK(files[i].starts_with("first-"));
  for (std::size_t i = 4; i < 8; ++i) CHECK(files[i].starts_with("second-"));
}

TEST_CASE("hypatia-dump lists a function compiled by another process and shows its source") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  CHECK(run_child({.cache_dir = tmp.cache(), .name = "loss fn"}).cache == "compiled (new key)");
  const auto entries = object_entries_in(tmp.cache());
  REQUIRE(entries.size() == 1);
  const std::string key = entries.front().filename().string();
  const auto index = index_entries_in(tmp.cache());
  REQUIRE(index.size() == 1);
  const std::string index_key = index.front().filename().string();

  // Both entries are listed with their kind; the index was stored last.
  const std::string listing = run_dump("list", tmp.cache());
  CAPTURE(listing);
  std::istringstream lines(listing);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(contains(header, "KIND"));
  const std::string& object_row = first.starts_with(key) ? first : second;
  const std::string& index_row = first.starts_with(key) ? second : first;
  CHECK(object_row.starts_with(key));
  CHECK(contains(object_row, " object "));
  CHECK(object_row.ends_with("  loss fn"));
  CHECK(index_row.starts_with(index_key));
  CHECK(contains(index_row, " index "));

  const std::string summary = run_dump("show " + index_key.substr(0, 8), tmp.cache());
  CHECK(contains(summary, "kind:        index"));
  CHECK(contains(summary, "object:      " + key));

  const std::string source = run_dump("show " + key.substr(0, 8) + " --source", tmp.cache());
  CHECK(contains(source, read_text(entries.front() / "source.cpp")));
  CHECK(contains(source, "// Generated by Hypatia for function 'loss fn'"));
  CHECK(contains(source, "int hp_main(hp_context* ctx"));
}

TEST_CASE("hypatia-dump prints the hostile name of a real compile escaped") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  const std::string name = "zq\n\x1b[31mred\xff";
  CHECK(run_child({.cache_dir = tmp.cache(), .name = name}).cache == "compiled (new key)");
  const std::string listing = run_dump("list", tmp.cache());
  CAPTURE(listing);
  CHECK(!contains(listing, "\x1b"));
  // The newline and escape come out as \n and \x1b; the invalid byte was stored as U+FFFD.
  CHECK(contains(listing, "  zq\\n\\x1b[31mred\xef\xbf\xbd\n"));
}

TEST_CASE("hypatia-dump --graph of a real compile shows names, decimal constants, outputs and updates") {
#if HYPATIA_TEST_WITH_JIT
  // Built with the JIT: a JIT that does not start is a failure, not a skip.
  REQUIRE_MESSAGE(hp::jit::available(), "built with the Clang JIT, but it is not available");
#else
  MESSAGE("built without the Clang JIT (HYPATIA_WITH_CLANG=OFF): no object is cached to show");
  return;
#endif
  TempDir tmp;
  ConfigScope restore;
  hp::config().cache_dir = tmp.cache();
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Var x = hp::vector("x");
  hp::Var scaled = hp::named(x * 0.1, "scaled");
  hp::compile({x}, {hp::sum(scaled)}, {.updates = {{w, w - scaled}}, .name = "graph printout"});
  const auto index = index_entries_in(tmp.cache());
  REQUIRE(index.size() == 1);

  const std::string graphs = run_dump("show " + index.front().filename().string() + " --graph", tmp.cache());
  CAPTURE(graphs);
  const std::size_t optimised = graphs.find("==> graph.txt of object ");
  REQUIRE(optimised != std::string::npos);
  const std::string as_given = graphs.substr(0, optimised);
  CHECK(contains(as_given, "==> graph.txt (as given to compile) <==\n"));
  CHECK(contains(as_given, "Elemwise{mul} [id B] <TensorType(float64, vector)> 'scaled'\n"));
  CHECK(contains(as_given, "TensorConstant{0.1} [id D] <TensorType(float64, scalar)> (constant)\n"));
  CHECK(contains(as_given, "Sum [id A] <TensorType(float64, scalar)> '' (output 0)\n"));
  CHECK(contains(as_given, "Elemwise{sub} [id E] <TensorType(float64, vector)> '' (update of w)\n"));
  const std::string after = graphs.substr(optimised);
  CHECK(contains(after, "(output 0)\n"));
  CHECK(contains(after, "(update of w)\n"));
  CHECK(contains(after, "w [id "));
  CHECK(contains(after, "0.1"));
  CHECK_FALSE(contains(graphs, "0x1."));  // no hexadecimal floats
}
