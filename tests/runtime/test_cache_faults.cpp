// Cache fault injection end to end: for each fault, a function is compiled
// into a fresh disk cache, the fault is injected, and fresh processes compile
// and call it again. Every case must end with correct results and a usable
// cache (the last compile of each case is a disk hit).
//
// Every compile runs in a child process (this binary re-executed with a
// doctest filter that runs only kChildCase), because within one process a
// second compile of a graph is a memory hit that never reads the disk.
// test_cache.cpp covers the same faults at the level of DiskCache.
#include <doctest/doctest.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
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

using hypatia_test::contains;
using hypatia_test::ConfigScope;
using hypatia_test::read_rest;
using hypatia_test::read_text;
using hypatia_test::read_until_ready;
using hypatia_test::shell_quote;
using hypatia_test::start_self;
using hypatia_test::TempDir;
using hypatia_test::write_text;

constexpr const char* kChildCase = "child process: compile F_k then call it and print the outcome";

// --- the function every process compiles -----------------------------------------------

/// F_k: y = k W.x + 1 and s = sum(exp(x) - x), from W (2x3) and x (3). Each k
/// is another graph, so another pair of cache entries.
std::vector<hp::Var> function_f(int k, hp::Var& W, hp::Var& x) {
  W = hp::matrix("W", hp::float64);
  x = hp::vector("x", hp::float64);
  return {hp::dot(W, x) * static_cast<double>(k) + 1.0, hp::sum(hp::exp(x) - x)};
}

/// F_k's outputs flattened for W = [[1,2,3],[4,5,6]], x = [1,2,3]:
/// y = [14k + 1, 32k + 1]; s = e + e^2 + e^3 - 6.
std::vector<double> expected_f(int k) { return {14.0 * k + 1, 32.0 * k + 1, 24.192874850577361}; }

bool values_are_f(const std::vector<double>& values, int k) {
  const std::vector<double> expected = expected_f(k);
  if (values.size() != expected.size()) return false;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] == doctest::Approx(expected[i]).epsilon(1e-13))) return false;
  }
  return true;
}

// --- child processes ---------------------------------------------------------------------

/// How a child runs.
struct ChildSpec {
  std::string cache_dir;
  int k = 2;                 ///< which F_k it compiles
  std::string go_file = "";  ///< when set: print HP_READY, wait for this file, then compile
  /// When > 0: the child's file size limit (RLIMIT_FSIZE) in bytes; a write
  /// past it fails with EFBIG, or with `kill_on_limit` the child SIGKILLs
  /// itself inside that write.
  long file_size_limit = 0;
  bool kill_on_limit = false;
};

/// What a child printed and how it ended.
struct ChildRun {
  int exit_status = -1;  ///< -1 when killed
  int signal = 0;        ///< the signal that killed it, else 0
  std::string cache;     ///< compile_report().cache
  std::vector<double> values;
  std::string output;  ///< stdout and stderr, for messages (warnings included)
};

FILE* start_child(const ChildSpec& spec) {
  std::string environment = "HYPATIA_FLAGS= HYPATIARC=/nonexistent HP_FAULT_CHILD=1";
  environment += " HP_FAULT_CACHE_DIR=" + shell_quote(spec.cache_dir);
  environment += " HP_FAULT_K=" + std::to_string(spec.k);
  if (!spec.go_file.empty()) environment += " HP_FAULT_GO=" + shell_quote(spec.go_file);
  if (spec.file_size_limit > 0) {
    environment += " HP_FAULT_FSIZE=" + std::to_string(spec.file_size_limit);
    environment += spec.kill_on_limit ? " HP_FAULT_FSIZE_KILL=1" : "";
  }
  return start_self(kChildCase, environment);
}

ChildRun finish_child(FILE* pipe, std::string output = "") {
  output += read_rest(pipe);
  const int status = ::pclose(pipe);
  ChildRun run;
  if (WIFEXITED(status)) run.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  run.output = output;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("HP_CACHE ")) run.cache = line.substr(9);
    if (line.starts_with("HP_VALUES ")) {
      std::istringstream numbers(line.substr(10));
      for (double v = 0; numbers >> v;) run.values.push_back(v);
    }
  }
  return run;
}

ChildRun run_child(const ChildSpec& spec) { return finish_child(start_child(spec)); }

// --- looking at a cache directory --------------------------------------------------------

/// Entry directories (or what stands under an entry's name) holding `file`.
std::vector<fs::path> entries_with(const std::string& cache_dir, const std::string& file) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(cache_dir, ec)) {
    const std::string name = item.path().filename().string();
    if (!contains(name, ".") && fs::exists(item.path() / file)) entries.push_back(item.path());
  }
  return entries;
}

/// The one object entry (object.o) of a cache holding one compiled function.
fs::path object_entry(const std::string& cache_dir) {
  const auto entries = entries_with(cache_dir, "object.o");
  REQUIRE(entries.size() == 1);
  return entries.front();
}

/// The one index entry (recipe.cbor) of a cache holding one compiled function.
fs::path index_entry(const std::string& cache_dir) {
  const auto entries = entries_with(cache_dir, "recipe.cbor");
  REQUIRE(entries.size() == 1);
  return entries.front();
}

std::vector<std::string> names_in(const std::string& dir, const std::string& part) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(dir, ec)) {
    const std::string name = item.path().filename().string();
    if (contains(name, part)) names.push_back(name);
  }
  return names;
}

/// Every file under `dir` with its contents: a snapshot to compare.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& item : fs::recursive_directory_iterator(dir)) {
    if (item.is_regular_file()) files[fs::relative(item.path(), dir).string()] = read_text(item.path());
  }
  return files;
}

/// Why the cache directory is not in good order ("" when it is): an entry
/// that does not load whole, or a writer's temp directory left behind.
std::string cache_problems(const std::string& cache_dir) {
  std::string problems;
  hp::cache::DiskCache cache(cache_dir, std::uint64_t{1} << 30);
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(cache_dir, ec)) {
    const std::string name = item.path().filename().string();
    if (contains(name, ".tmp.")) {
      problems += "temp directory " + name + " left; ";
    } else if (!contains(name, ".")) {
      const auto loaded = cache.inspect(name);
      if (!loaded.entry) problems += "entry " + name + ": " + loaded.detail + "; ";
    }
  }
  return problems;
}

void flip_byte(const fs::path& file) {
  std::string bytes = read_text(file);
  REQUIRE(bytes.size() > 16);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);
  write_text(file, bytes);
}

/// Sets a path's modification time to `seconds_ago` before now.
void set_age(const fs::path& path, int seconds_ago) {
  const timespec then{std::time(nullptr) - seconds_ago, 0};
  const timespec times[2] = {then, then};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

/// A tmpfs mounted on `path` for the scope (root only); mounted() false when
/// this process may not mount.
class Tmpfs {
 public:
  Tmpfs(const fs::path& path, const std::string& size) : path_(path) {
    fs::create_directories(path);
    const std::string options = "size=" + size + ",mode=0700";
    if (::mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  /// Remounts it read-only (true) or read-write (false).
  void set_read_only(bool read_only) {
    const unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
    REQUIRE_MESSAGE(::mount("tmpfs", path_.c_str(), "tmpfs", flags, nullptr) == 0,
                    "remount: ", std::strerror(errno));
  }

 private:
  fs::path path_;
  bool mounted_ = false;
  std::string error_;
};

/// Writes zeros into `file` until the file system is full.
void fill_file_system(const fs::path& file) {
  FILE* out = std::fopen(file.c_str(), "wb");
  REQUIRE(out != nullptr);
  const std::string block(4096, '\0');
  while (std::fwrite(block.data(), 1, block.size(), out) == block.size()) {
  }
  std::fclose(out);
}

// --- the table of faults -----------------------------------------------------------------

/// One compile in a fresh process and what it must report.
struct Step {
  std::string cache;        ///< compile_report().cache, e.g. "compiled (corrupt entry)"
  std::string warning = ""; ///< a text its stderr must contain
  int k = 2;                ///< which function it compiles
  std::string cache_dir = "";  ///< "" -> the case's cache directory
};

/// What a fault's code may touch.
struct FaultContext {
  TempDir& tmp;
  std::string cache_dir;  ///< where the first compile stored F_2
  std::optional<Tmpfs>& mount;
  std::map<std::string, std::string> saved = {};  ///< files a fault must leave as they were
};

struct FaultCase {
  std::string fault;
  /// Prepares the cache directory before the first compile (a mount); returns
  /// "" or why this case cannot run here (it is then skipped with a message).
  std::function<std::string(FaultContext&)> prepare;
  /// Injects the fault into the cache the first compile filled; returns "" or why it cannot.
  std::function<std::string(FaultContext&)> inject;
  std::vector<Step> after_fault;  ///< compiles while the fault is in place
  /// Removes a fault of the environment (a full disk, a read-only mount); may be empty.
  std::function<void(FaultContext&)> lift;
  std::vector<Step> after_lift;  ///< compiles after lift(); the last must be a disk hit
  /// Checks of the cache directory's state after every step.
  std::function<void(FaultContext&)> check_after = nullptr;
};

std::string no_preparation(FaultContext&) { return ""; }

std::string as_root_only(const char* what) {
  return ::geteuid() == 0 ? "" : std::string(what) + " needs root";
}

/// A small tmpfs as the cache directory (root, where mount is allowed).
std::string mount_small_tmpfs(FaultContext& context) {
  context.mount.emplace(context.cache_dir, "2m");
  if (!context.mount->mounted()) return "cannot mount a tmpfs here (" + context.mount->error() + ")";
  return "";
}

std::vector<FaultCase> fault_cases() {
  const Step recompiled_corrupt{"compiled (corrupt entry)"};
  const Step disk_hit{"disk hit"};
  std::vector<FaultCase> cases;

  cases.push_back({"truncated object", no_preparation,
                   [](FaultContext& c) {
                     const fs::path object = object_entry(c.cache_dir) / "object.o";
                     fs::resize_file(object, fs::file_size(object) / 2);
                     return std::string();
                   },
                   {recompiled_corrupt}, nullptr, {disk_hit}});

  cases.push_back({"flipped byte in object", no_preparation,
                   [](FaultContext& c) {
                     flip_byte(object_entry(c.cache_dir) / "object.o");
                     return std::string();
                   },
                   {recompiled_corrupt}, nullptr, {disk_hit}});

  cases.push_back({"checksum mismatch in metadata", no_preparation,
                   [](FaultContext& c) {
                     const fs::path entry = object_entry(c.cache_dir);
                     std::string metadata = read_text(entry / "metadata.json");
                     const auto at = metadata.find(hp::cache::hash_hex(read_text(entry / "object.o")));
                     REQUIRE(at != std::string::npos);
                     metadata[at] = metadata[at] == '0' ? '1' : '0';
                     write_text(entry / "metadata.json", metadata);
                     return std::string();
                   },
                   {recompiled_corrupt}, nullptr, {disk_hit}});

  cases.push_back({"metadata missing", no_preparation,
                   [](FaultContext& c) {
                     fs::remove(object_entry(c.cache_dir) / "metadata.json");
                     return std::string();
                   },
                   {recompiled_corrupt}, nullptr, {disk_hit}});

  cases.push_back({"metadata garbage", no_preparation,
                   [](FaultContext& c) {
                     std::string garbage;
                     for (int i = 0; i < 600; ++i) garbage += static_cast<char>((i * 131 + 7) % 256);
                     write_text(object_entry(c.cache_dir) / "metadata.json", garbage);
                     return std::string();
                   },
                   {recompiled_corrupt}, nullptr, {disk_hit}});

  // The object entry is whole: the graph is rewritten again, not compiled.
  cases.push_back({"recipe (index entry) damaged", no_preparation,
                   [](FaultContext& c) {
                     flip_byte(index_entry(c.cache_dir) / "recipe.cbor");
                     return std::string();
                   },
                   {{"disk hit (optimised graph)"}}, nullptr, {disk_hit}});

  // The symlink's target (an attacker's copy) is neither loaded nor written.
  auto symlinked_entry = [](fs::path (*which)(const std::string&)) {
    return [which](FaultContext& c) {
      const fs::path entry = which(c.cache_dir);
      const fs::path planted = c.tmp.path() / "planted" / entry.filename();
      fs::create_directories(planted.parent_path());
      fs::rename(entry, planted);
      fs::create_directory_symlink(planted, entry);
      c.saved = snapshot(planted.parent_path());
      return std::string();
    };
  };
  auto planted_untouched = [](FaultContext& c) {
    CHECK(snapshot(c.tmp.path() / "planted") == c.saved);
    CHECK(!fs::is_symlink(object_entry(c.cache_dir)));
    CHECK(!fs::is_symlink(index_entry(c.cache_dir)));
  };
  cases.push_back({"object entry directory replaced by a symlink", no_preparation,
                   symlinked_entry(&object_entry),
                   {{"compiled (not owned)", "is a symbolic link"}}, nullptr, {disk_hit},
                   planted_untouched});
  cases.push_back({"index entry directory replaced by a symlink", no_preparation,
                   symlinked_entry(&index_entry),
                   {{"disk hit (optimised graph)"}}, nullptr, {disk_hit}, planted_untouched});

  // Refused (another user could point it anywhere); nothing is written through
  // it, and the directory it points to still serves hits when named directly.
  cases.push_back({"cache directory replaced by a symlink", no_preparation,
                   [](FaultContext& c) {
                     const fs::path real = c.tmp.path() / "real-cache";
                     fs::rename(c.cache_dir, real);
                     fs::create_directory_symlink(real, c.cache_dir);
                     c.saved = snapshot(real);
                     return std::string();
                   },
                   {{"compiled (not owned)", "is a symbolic link"}, {"compiled (not owned)"}},
                   nullptr,
                   {{"disk hit", "", 2, "real-cache"}},
                   [](FaultContext& c) {
                     const fs::path real = c.tmp.path() / "real-cache";
                     CHECK(snapshot(real) == c.saved);
                     CHECK(cache_problems(real.string()) == "");
                   }});

  // Ignored, never loaded; moved aside (intact, still its owner's) so that
  // our own entry can take its name.
  cases.push_back({"object entry owned by another user", no_preparation,
                   [](FaultContext& c) {
                     if (auto why = as_root_only("chown to another user"); !why.empty()) return why;
                     const fs::path entry = object_entry(c.cache_dir);
                     for (const auto& item : fs::recursive_directory_iterator(entry))
                       REQUIRE(::chown(item.path().c_str(), 65534, 65534) == 0);
                     REQUIRE(::chown(entry.c_str(), 65534, 65534) == 0);
                     return std::string();
                   },
                   {{"compiled (not owned)", "owned by uid 65534"}}, nullptr, {disk_hit},
                   [](FaultContext& c) {
                     struct stat st {};
                     REQUIRE(::stat(object_entry(c.cache_dir).c_str(), &st) == 0);
                     CHECK(st.st_uid == ::geteuid());
                     const auto aside = names_in(c.cache_dir, ".foreign.");
                     REQUIRE(aside.size() == 1);
                     REQUIRE(::stat((fs::path(c.cache_dir) / aside[0]).c_str(), &st) == 0);
                     CHECK(st.st_uid == 65534u);
                   }});

  // The object entry is gone and cannot be written back: compiled and used
  // without storing; once space is free again, stored and hit.
  cases.push_back({"disk full (tmpfs)", mount_small_tmpfs,
                   [](FaultContext& c) {
                     fs::remove_all(object_entry(c.cache_dir));
                     fill_file_system(fs::path(c.cache_dir) / "filler");
                     return std::string();
                   },
                   {{"compiled (new key)", "No space left on device"}},
                   [](FaultContext& c) { fs::remove(fs::path(c.cache_dir) / "filler"); },
                   {{"compiled (new key)"}, disk_hit}});

  // Hits are still served; a new function compiles without storing, and is
  // stored once the cache is writable again.
  // Root writes through permission bits: as root the cache is a tmpfs
  // remounted read-only; otherwise its directory is made mode 0500.
  cases.push_back({"read-only cache directory",
                   [](FaultContext& c) { return ::geteuid() == 0 ? mount_small_tmpfs(c) : ""; },
                   [](FaultContext& c) {
                     if (c.mount) {
                       c.mount->set_read_only(true);
                     } else {
                       fs::permissions(c.cache_dir, fs::perms::owner_read | fs::perms::owner_exec,
                                       fs::perm_options::replace);
                     }
                     return std::string();
                   },
                   {disk_hit,
                    {"compiled (new key)", ::geteuid() == 0 ? "Read-only file system" : "Permission denied", 3}},
                   [](FaultContext& c) {
                     if (c.mount) {
                       c.mount->set_read_only(false);
                     } else {
                       fs::permissions(c.cache_dir, fs::perms::owner_all, fs::perm_options::replace);
                     }
                   },
                   {{"compiled (new key)", "", 3}, {"disk hit", "", 3}, disk_hit}});

  return cases;
}

/// What one step of a case did.
struct StepOutcome {
  std::string cache;  ///< what the compile reported, and for the table which F_k, where, what warning
  bool correct = false;  ///< it ran and computed F_k right
};

/// Runs one step in a child and checks its report and results.
StepOutcome run_step(const FaultCase& fault, const Step& step, FaultContext& context) {
  const std::string dir =
      step.cache_dir.empty() ? context.cache_dir : (context.tmp.path() / step.cache_dir).string();
  const ChildRun run = run_child({.cache_dir = dir, .k = step.k});
  INFO("fault: ", fault.fault, "; step expecting '", step.cache, "' for F_", step.k);
  INFO("child output:\n", run.output);
  std::string described = run.cache;
  if (step.k != 2) described = "F_" + std::to_string(step.k) + ": " + described;
  if (!step.cache_dir.empty()) described += " with cache_dir=" + step.cache_dir;
  if (!step.warning.empty()) described += " (warns: " + step.warning + ")";
  const StepOutcome outcome{described, run.exit_status == 0 && values_are_f(run.values, step.k)};
  CHECK(outcome.correct);
  CHECK(run.cache == step.cache);
  if (!step.warning.empty()) CHECK(contains(run.output, step.warning));
  return outcome;
}

}  // namespace

// A child's half of the tests below: skipped in a normal run, selected with
// --test-case and --no-skip by start_child(), which passes its settings in the
// environment. It prints "HP_CACHE <report>" and "HP_VALUES <numbers>".
TEST_CASE("child process: compile F_k then call it and print the outcome" * doctest::skip()) {
  if (std::getenv("HP_FAULT_CHILD") == nullptr) return;
  ConfigScope restore;
  hp::config().cache_dir = std::getenv("HP_FAULT_CACHE_DIR");
  hp::config().cache = true;
  if (const char* limit = std::getenv("HP_FAULT_FSIZE")) {
    // Killed inside the write that passes the limit (as SIGKILL would at any
    // moment), or that write fails with EFBIG (as on a full disk).
    if (std::getenv("HP_FAULT_FSIZE_KILL") != nullptr) {
      ::signal(SIGXFSZ, [](int) { ::kill(::getpid(), SIGKILL); });
    } else {
      ::signal(SIGXFSZ, SIG_IGN);
    }
    const rlim_t bytes = std::strtoul(limit, nullptr, 10);
    const rlimit fsize{bytes, bytes};
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &fsize) == 0);
  }
  if (const char* go = std::getenv("HP_FAULT_GO")) {
    std::printf("HP_READY\n");
    std::fflush(stdout);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(go) && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    REQUIRE(fs::exists(go));
  }
  const int k = std::atoi(std::getenv("HP_FAULT_K"));
  hp::Var W, x;
  const std::vector<hp::Var> outputs = function_f(k, W, x);
  hp::Function f = hp::compile({W, x}, outputs);
  const auto out = f(hp::array({{1., 2., 3.}, {4., 5., 6.}}), hp::array({1., 2., 3.}));
  std::printf("HP_CACHE %s\nHP_VALUES", f.compile_report().cache.c_str());
  for (const hp::Array& a : out) {
    for (double v : a.to_vector<double>()) std::printf(" %.17g", v);
  }
  std::printf("\n");
  std::fflush(stdout);
}

TEST_CASE("every injected cache fault ends with correct results and a usable cache") {
  if (!hp::jit::available()) return;
  std::string table = "| fault | first compile after the fault | results | cache after |\n";
  for (const FaultCase& fault : fault_cases()) {
    CAPTURE(fault.fault);
    TempDir tmp;
    std::optional<Tmpfs> mount;  // declared after tmp: unmounted before tmp is removed
    FaultContext context{tmp, tmp.cache(), mount};
    if (auto why = fault.prepare(context); !why.empty()) {
      MESSAGE("skipped '", fault.fault, "': ", why);
      table += "| " + fault.fault + " | skipped: " + why + " | | |\n";
      continue;
    }
    const ChildRun first = run_child({.cache_dir = context.cache_dir});
    INFO("first compile:\n", first.output);
    REQUIRE(first.cache == "compiled (new key)");
    REQUIRE(values_are_f(first.values, 2));

    if (auto why = fault.inject(context); !why.empty()) {
      MESSAGE("skipped '", fault.fault, "': ", why);
      table += "| " + fault.fault + " | skipped: " + why + " | | |\n";
      continue;
    }
    std::vector<StepOutcome> outcomes;
    for (const Step& step : fault.after_fault) outcomes.push_back(run_step(fault, step, context));
    if (fault.lift) fault.lift(context);
    for (const Step& step : fault.after_lift) outcomes.push_back(run_step(fault, step, context));
    REQUIRE(!fault.after_lift.empty());
    CHECK(fault.after_lift.back().cache == "disk hit");
    if (fault.check_after) fault.check_after(context);
    const std::string problems =
        fs::is_symlink(context.cache_dir) ? "" : cache_problems(context.cache_dir);
    CHECK(problems == "");

    bool correct = true;
    std::string after;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      correct = correct && outcomes[i].correct;
      if (i > 0) after += (i > 1 ? ", then " : "") + outcomes[i].cache;
    }
    after += problems.empty() ? "; every entry whole, no temp dir" : "; " + problems;
    table += "| " + fault.fault + " | " + outcomes.front().cache + " | " +
             (correct ? "correct" : "WRONG") + " | " + after + " |\n";
  }
  MESSAGE("cache faults:\n", table);
}

TEST_CASE("8 processes compiling one key and their own keys at once all get correct results") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  const std::string go = (tmp.path() / "go").string();
  // Four compile F_2 (one key), four compile F_3..F_6 (a key each).
  const std::vector<int> ks = {2, 2, 2, 2, 3, 4, 5, 6};
  std::vector<FILE*> children;
  std::vector<std::string> ready;
  for (int k : ks) children.push_back(start_child({.cache_dir = tmp.cache(), .k = k, .go_file = go}));
  for (FILE* child : children) ready.push_back(read_until_ready(child));
  for (const std::string& output : ready) CHECK(contains(output, "HP_READY"));
  write_text(go, "");
  for (std::size_t i = 0; i < children.size(); ++i) {
    const ChildRun run = finish_child(children[i], ready[i]);
    INFO("child ", i, " (F_", ks[i], ") output:\n", run.output);
    CHECK(run.exit_status == 0);
    CHECK(values_are_f(run.values, ks[i]));
  }
  CHECK(cache_problems(tmp.cache()) == "");
  CHECK(entries_with(tmp.cache(), "object.o").size() == 5);
  CHECK(entries_with(tmp.cache(), "recipe.cbor").size() == 5);
  for (int k : {2, 3, 4, 5, 6}) {
    const ChildRun run = run_child({.cache_dir = tmp.cache(), .k = k});
    INFO("F_", k, " again:\n", run.output);
    CHECK(run.cache == "disk hit");
    CHECK(values_are_f(run.values, k));
  }
}

TEST_CASE("a process killed mid-write leaves a temp dir that compiles ignore and prune removes") {
  if (!hp::jit::available()) return;
  TempDir tmp;
  REQUIRE(run_child({.cache_dir = tmp.cache()}).cache == "compiled (new key)");
  const fs::path entry = object_entry(tmp.cache());
  const auto object_bytes = static_cast<long>(fs::file_size(entry / "object.o"));
  fs::remove_all(entry);

  // Killed with SIGKILL inside the write of object.o, half of it on disk.
  const ChildRun killed =
      run_child({.cache_dir = tmp.cache(), .file_size_limit = object_bytes / 2, .kill_on_limit = true});
  INFO("killed child:\n", killed.output);
  REQUIRE(killed.signal == SIGKILL);
  const auto leftovers = names_in(tmp.cache(), ".tmp.");
  REQUIRE(leftovers.size() == 1);
  const fs::path partial = fs::path(tmp.cache()) / leftovers.front() / "object.o";
  CHECK(fs::file_size(partial) == static_cast<std::uintmax_t>(object_bytes / 2));

  for (const char* expected : {"compiled (new key)", "disk hit"}) {
    const ChildRun run = run_child({.cache_dir = tmp.cache()});
    INFO("child output:\n", run.output);
    CHECK(run.exit_status == 0);
    CHECK(values_are_f(run.values, 2));
    CHECK(run.cache == expected);
  }
  // A young temp dir may be a live writer's: kept; a stale one is removed.
  hp::cache::DiskCache cache(tmp.cache(), std::uint64_t{1} << 30);
  cache.prune(std::uint64_t{1} << 30);
  CHECK(names_in(tmp.cache(), ".tmp.").size() == 1);
  set_age(fs::path(tmp.cache()) / leftovers.front(), hp::cache::DiskCache::kStaleTempSeconds + 60);
  cache.prune(std::uint64_t{1} << 30);
  CHECK(cache_problems(tmp.cache()) == "");
}

TEST_CASE("a write that fails (file size limit) compiles without storing, and the next compile stores") {
  if (!hp::jit::available()) return;
  // The disk-full case where no tmpfs can be mounted: write() fails with EFBIG.
  TempDir tmp;
  const ChildRun limited = run_child({.cache_dir = tmp.cache(), .file_size_limit = 64});
  INFO("limited child:\n", limited.output);
  CHECK(limited.exit_status == 0);
  CHECK(values_are_f(limited.values, 2));
  CHECK(limited.cache == "compiled (new key)");
  CHECK(contains(limited.output, "File too large"));
  CHECK(cache_problems(tmp.cache()) == "");
  CHECK(entries_with(tmp.cache(), "object.o").empty());
  for (const char* expected : {"compiled (new key)", "disk hit"}) {
    const ChildRun run = run_child({.cache_dir = tmp.cache()});
    CHECK(run.cache == expected);
    CHECK(values_are_f(run.values, 2));
  }
}
