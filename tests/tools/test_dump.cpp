// hypatia-dump, run as a program on caches prepared with the cache's own API:
// list, show (and its parts), stats, clear, prune, and safe printing of names.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/cache.hpp"
#include "runtime/cpu/jit.hpp"
#include "runtime/templates.hpp"

#include "tests/support/test_support.hpp"

namespace hp = hypatia;
namespace fs = std::filesystem;

namespace {

using hypatia_test::TempDir;


struct Run {
  int status = -1;  ///< exit status
  std::string out, err;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// Runs hypatia-dump with `args` (and `env`, "NAME=value ..." prefixed), capturing its output.
Run dump(const std::vector<std::string>& args, const std::string& env = "") {
  TempDir outputs;
  std::string command = "env HYPATIARC=/nonexistent HYPATIA_FLAGS= ";
  command += env;
  command += " " HYPATIA_DUMP;
  for (const auto& arg : args) {
    command += ' ';
    command += shell_quote(arg);
  }
  const fs::path out = outputs.path() / "out", err = outputs.path() / "err";
  command += " >" + out.string() + " 2>" + err.string();
  const int status = std::system(command.c_str());
  Run run;
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = read_text(out);
  run.err = read_text(err);
  return run;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const std::string kVersions = "codegen 1; llvm 19.1.7; x86_64-pc-linux-gnu; znver4; -O2";

hp::cache::Entry make_entry(const std::string& name, const std::string& what) {
  hp::cache::Entry entry;
  entry.meta.key = hp::cache::hash_hex(what);
  entry.meta.name = name;
  entry.meta.versions = kVersions;
  entry.meta.compile_ms = {{"codegen", 2.0}, {"frontend", 30.5}};
  entry.object = std::string(2000, '\x7f');
  entry.source = "// " + what + "\nextern \"C\" double twice(double x) { return 2 * x; }\n";
  entry.graph = "Elemwise{mul}(2, x)\n";
  return entry;
}

void set_age(const fs::path& path, int seconds_ago) {
  const timespec then{std::time(nullptr) - seconds_ago, 0};
  const timespec times[2] = {then, then};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

/// A cache holding "loss" (used an hour ago) and "step" (used a minute ago).
struct PreparedCache {
  TempDir tmp;
  hp::cache::DiskCache cache{tmp.cache(), 1u << 30};
  hp::cache::Entry loss = make_entry("loss", "loss graph");
  hp::cache::Entry step = make_entry("step", "step graph");
  PreparedCache() {
    REQUIRE(cache.store(loss));
    REQUIRE(cache.store(step));
    set_age(fs::path(cache.dir()) / loss.meta.key, 3600);
    set_age(fs::path(cache.dir()) / step.meta.key, 60);
  }
};

}  // namespace

TEST_CASE("list prints key, size, age, compile ms and name, most recently used first") {
  PreparedCache prepared;
  const Run run = dump({"list", "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 0);
  CHECK(run.err.empty());
  std::istringstream lines(run.out);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(contains(header, "KEY"));
  CHECK(contains(header, "COMPILE_MS"));
  CHECK(first.starts_with(prepared.step.meta.key));
  CHECK(contains(first, " 1m "));
  CHECK(contains(first, "32.5"));
  CHECK(first.ends_with("step"));
  CHECK(second.starts_with(prepared.loss.meta.key));
  CHECK(contains(second, " 1h "));
  CHECK(second.ends_with("loss"));
}

TEST_CASE(
    "--cache-dir may come before the subcommand, and HYPATIA_FLAGS' cache_dir is the default") {
  PreparedCache prepared;
  const Run before = dump({"--cache-dir", prepared.cache.dir(), "list"});
  CHECK(before.status == 0);
  CHECK(contains(before.out, prepared.loss.meta.key));
  const Run from_flags = dump({"list"}, "HYPATIA_FLAGS=cache_dir=" + prepared.cache.dir());
  CHECK(from_flags.status == 0);
  CHECK(contains(from_flags.out, prepared.loss.meta.key));
}

TEST_CASE("list escapes control characters and invalid UTF-8 in names") {
  TempDir tmp;
  hp::cache::DiskCache cache(tmp.cache(), 1u << 30);
  REQUIRE(cache.store(make_entry("evil\x1b[2J\nname\\ \xce\xb1 \xe2\x80\xae", "hostile")));
  const Run run = dump({"list", "--cache-dir", cache.dir()});
  CHECK(run.status == 0);
  CHECK_FALSE(contains(run.out, "\x1b"));
  CHECK_FALSE(contains(run.out, "\xe2\x80\xae"));
  CHECK(contains(run.out, "evil\\x1b[2J\\nname\\\\ \xce\xb1 \\u{202e}"));
}

TEST_CASE("list on an empty or missing cache says there are no entries") {
  TempDir tmp;
  const Run run = dump({"list", "--cache-dir", tmp.cache()});
  CHECK(run.status == 0);
  CHECK(contains(run.out, "no entries in " + tmp.cache()));
}

TEST_CASE("show with a unique key prefix prints the entry's summary") {
  PreparedCache prepared;
  const Run run =
      dump({"show", prepared.loss.meta.key.substr(0, 6), "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 0);
  CHECK(contains(run.out, "key:         " + prepared.loss.meta.key));
  CHECK(contains(run.out, "name:        loss"));
  CHECK(contains(run.out, "compile ms:  32.5 (codegen 2.0, frontend 30.5)"));
  CHECK(contains(run.out, "versions:    " + kVersions));
  CHECK(contains(run.out, "last used:   1h ago"));
}

TEST_CASE("show --source and --graph print the stored files exactly") {
  PreparedCache prepared;
  const std::string key = prepared.step.meta.key;
  const Run source = dump({"show", key, "--source", "--cache-dir", prepared.cache.dir()});
  CHECK(source.status == 0);
  CHECK(source.out == prepared.step.source);
  const Run graph = dump({"show", key, "--graph", "--cache-dir", prepared.cache.dir()});
  CHECK(graph.out == prepared.step.graph);
  const Run both = dump({"show", key, "--graph", "--source", "--cache-dir", prepared.cache.dir()});
  CHECK(both.out == "==> graph.txt <==\n" + prepared.step.graph + "\n==> source.cpp <==\n" +
                        prepared.step.source);
}

TEST_CASE("show --meta prints the metadata as JSON") {
  PreparedCache prepared;
  const Run run =
      dump({"show", prepared.step.meta.key, "--meta", "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 0);
  const auto meta = nlohmann::json::parse(run.out);
  CHECK(meta["key"] == prepared.step.meta.key);
  CHECK(meta["name"] == "step");
  CHECK(meta["compile_ms"]["frontend"] == 30.5);
  CHECK(meta["object_checksum"] == hp::cache::hash_hex(prepared.step.object));
}

TEST_CASE("show --ir and --asm regenerate from the stored source, or say the JIT is missing") {
  PreparedCache prepared;
  const std::string key = prepared.step.meta.key;
  const Run ir = dump({"show", key, "--ir", "--cache-dir", prepared.cache.dir()});
  const Run assembly = dump({"show", key, "--asm", "--cache-dir", prepared.cache.dir()});
  if (!hp::jit::available()) {
    CHECK(ir.status == 1);
    CHECK(contains(ir.err, "--ir needs the Clang JIT"));
    CHECK(contains(assembly.err, "--asm needs the Clang JIT"));
    return;
  }
  CHECK(ir.status == 0);
  CHECK(ir.out.starts_with("; LLVM IR regenerated now from the stored source.cpp (-O2"));
  CHECK(contains(ir.out, "define"));
  CHECK(contains(ir.out, "@twice"));
  CHECK(assembly.status == 0);
  CHECK(assembly.out.starts_with("# assembly regenerated now from the stored source.cpp (-O2"));
  CHECK(contains(assembly.out, "twice:"));
}

TEST_CASE("show names an ambiguous prefix's matches and an unknown key") {
  TempDir tmp;
  hp::cache::DiskCache cache(tmp.cache(), 1u << 30);
  // Two keys with a common prefix (keys need only be plain names).
  auto a = make_entry("a", "a"), b = make_entry("b", "b");
  a.meta.key = "abc111";
  b.meta.key = "abc222";
  REQUIRE(cache.store(a));
  REQUIRE(cache.store(b));
  const Run ambiguous = dump({"show", "abc", "--cache-dir", cache.dir()});
  CHECK(ambiguous.status == 1);
  CHECK(contains(ambiguous.err, "'abc' is ambiguous"));
  CHECK(contains(ambiguous.err, "abc111"));
  CHECK(contains(ambiguous.err, "abc222"));
  const Run unknown = dump({"show", "fff", "--cache-dir", cache.dir()});
  CHECK(unknown.status == 1);
  CHECK(contains(unknown.err, "no cache entry matches 'fff'"));
  CHECK(dump({"show", "abc1", "--cache-dir", cache.dir()}).status == 0);
}

TEST_CASE("show reports a corrupt entry with the reason") {
  PreparedCache prepared;
  const fs::path object = fs::path(prepared.cache.dir()) / prepared.loss.meta.key / "object.o";
  fs::resize_file(object, 10);
  const Run run = dump({"show", prepared.loss.meta.key, "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 1);
  CHECK(contains(run.err, "(corrupt entry): object.o is truncated: 10 of 2000 bytes"));
}

TEST_CASE("stats prints entries, bytes and the directory") {
  PreparedCache prepared;
  const Run run = dump({"stats", "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 0);
  CHECK(contains(run.out, "directory:  " + prepared.cache.dir()));
  CHECK(contains(run.out, "entries:    2"));
  CHECK(
      contains(run.out, "size:       " + std::to_string(prepared.cache.total_bytes()) + " bytes"));
  CHECK(contains(run.out, "size cap:   1.0 GiB (cache_max_size=1G)"));
}

TEST_CASE("prune --max-size evicts the least recently used entry") {
  PreparedCache prepared;
  const std::uint64_t one = prepared.cache.total_bytes() / 2;
  const Run run =
      dump({"prune", "--max-size", std::to_string(one + 10), "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 0);
  CHECK(contains(run.out, "removed 1 entries"));
  CHECK(contains(run.out, "1 entries"));
  const auto left = prepared.cache.list();
  REQUIRE(left.size() == 1);
  CHECK(left[0].name == "step");
}

TEST_CASE("prune with a bad size says what a size looks like") {
  PreparedCache prepared;
  const Run run = dump({"prune", "--max-size", "lots", "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 1);
  CHECK(contains(run.err, "--max-size: bad size 'lots'"));
  CHECK(prepared.cache.list().size() == 2);
}

TEST_CASE("clear removes every entry") {
  PreparedCache prepared;
  const Run run = dump({"clear", "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 0);
  CHECK(contains(run.out, "removed 2 entries"));
  CHECK(prepared.cache.list().empty());
}

TEST_CASE("a subcommand is required") {
  const Run run = dump({});
  CHECK(run.status != 0);
  CHECK(contains(run.err + run.out, "subcommand"));
}

// --- index entries, the graph printout, --body, the versions line ---------------------------

namespace {

/// An object entry and the index entry that points at it, as a compile stores them.
struct IndexedCache {
  TempDir tmp;
  hp::cache::DiskCache cache{tmp.cache(), 1u << 30};
  hp::cache::Entry object = make_entry("step", "step object");
  hp::cache::Entry index = make_entry("step", "step index");
  IndexedCache() {
    object.graph = "Elemwise{Composite{(i0 * 0.1)}} [id A] <TensorType(float64, vector)> '' (output 0)\n";
    index.meta.kind = "index";
    index.meta.object_key = object.meta.key;
    index.object = "recipe bytes";
    index.source = "";
    index.graph = "Elemwise{mul} [id A] <TensorType(float64, vector)> 'scaled' (output 0)\n";
    REQUIRE(cache.store(object));
    REQUIRE(cache.store(index));
  }
};

}  // namespace

TEST_CASE("show --source of an index entry's key shows its object entry's source") {
  // It printed nothing and exited 0: an index entry holds no source of its own.
  IndexedCache prepared;
  const Run run = dump({"show", prepared.index.meta.key, "--source", "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 0);
  CHECK(run.out == prepared.object.source);
}

TEST_CASE("show --graph of an index entry shows the graph as given, then its object's optimised graph") {
  IndexedCache prepared;
  const Run run = dump({"show", prepared.index.meta.key, "--graph", "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 0);
  CHECK(run.out == "==> graph.txt (as given to compile) <==\n" + prepared.index.graph +
                       "\n==> graph.txt of object " + prepared.object.meta.key + " (optimised) <==\n" +
                       prepared.object.graph);
}

TEST_CASE("show --source of an index entry whose object is gone says so and how to get it back") {
  IndexedCache prepared;
  fs::remove_all(fs::path(prepared.cache.dir()) / prepared.object.meta.key);
  const Run run = dump({"show", prepared.index.meta.key, "--source", "--cache-dir", prepared.cache.dir()});
  CHECK(run.status == 1);
  CHECK(contains(run.err, "is an index entry, which holds no code, and its object entry " + prepared.object.meta.key));
  CHECK(contains(run.err, "compiling the function again stores it"));
}

TEST_CASE("show --source --body hides the preamble every generated file shares") {
  TempDir tmp;
  hp::cache::DiskCache cache(tmp.cache(), 1u << 30);
  hp::cache::Entry entry = make_entry("f", "with preamble");
  const std::string own = "// Generated by Hypatia for function 'f'\nextern \"C\" int hp_main() { return 0; }\n";
  entry.source = std::string(hp::codegen_template("abi.h")) + "\n" + std::string(hp::codegen_template("math.h")) +
                 "\n" + own;
  REQUIRE(cache.store(entry));
  const Run body = dump({"show", entry.meta.key, "--source", "--body", "--cache-dir", cache.dir()});
  CHECK(body.status == 0);
  CHECK(body.out.starts_with("// ["));
  CHECK(contains(body.out,
                 " lines of the preamble every generated file shares (abi.h and math.h) hidden by --body]\n"));
  CHECK(body.out.ends_with("]\n" + own));
  CHECK_FALSE(contains(body.out, "struct hp_tensor"));
  const Run whole = dump({"show", entry.meta.key, "--source", "--cache-dir", cache.dir()});
  CHECK(whole.out == entry.source);
}

TEST_CASE("--body cuts another version's preamble at the function's header comment") {
  TempDir tmp;
  hp::cache::DiskCache cache(tmp.cache(), 1u << 30);
  hp::cache::Entry entry = make_entry("f", "old preamble");
  entry.source = "// an older abi.h\ntypedef int hp_i32;\n// Generated by Hypatia for function 'f'\nint x;\n";
  REQUIRE(cache.store(entry));
  const Run run = dump({"show", entry.meta.key, "--source", "--body", "--cache-dir", cache.dir()});
  CHECK(run.out ==
        "// [2 lines of the preamble every generated file shares hidden by --body]\n"
        "// Generated by Hypatia for function 'f'\nint x;\n");
}

TEST_CASE("--body needs --source") {
  PreparedCache prepared;
  const Run run = dump({"show", prepared.step.meta.key, "--body", "--cache-dir", prepared.cache.dir()});
  CHECK(run.status != 0);
  CHECK(contains(run.err + run.out, "--source"));
}

TEST_CASE("the summary's versions line shows a fingerprint of the CPU features; -v lists them") {
  TempDir tmp;
  hp::cache::DiskCache cache(tmp.cache(), 1u << 30);
  hp::cache::Entry entry = make_entry("f", "features");
  entry.meta.versions = "codegen 1; llvm 19.1.7; x86_64-pc-linux-gnu; znver4; +avx2,+fma,-sse4a; -O2";
  REQUIRE(cache.store(entry));
  const Run run = dump({"show", entry.meta.key, "--cache-dir", cache.dir()});
  CHECK(run.status == 0);
  CHECK(contains(run.out, "versions:    codegen 1; llvm 19.1.7; x86_64-pc-linux-gnu; znver4; cpu features "));
  CHECK(contains(run.out, " (3; -v lists them); -O2\n"));
  CHECK_FALSE(contains(run.out, "+avx2"));
  const Run verbose = dump({"show", entry.meta.key, "-v", "--cache-dir", cache.dir()});
  CHECK(contains(verbose.out, "versions:    " + entry.meta.versions + "\n"));
}

TEST_CASE("--help names --body, -v and the index entries") {
  const Run run = dump({"show", "--help"});
  CHECK(run.status == 0);
  CHECK(contains(run.out, "--body"));
  CHECK(contains(run.out, "-v,--verbose"));
  CHECK(contains(run.out, "an index entry"));
}
