// User-chosen names never reach generated code except inside comments,
// escaped: graphs whose variable and function names hold comment delimiters,
// newlines, quotes, backslashes, preprocessor lines, format specifiers,
// non-ASCII text, invalid UTF-8 or control characters compile, compute the
// right numbers, and leave the generated source plain ASCII whose code (the
// source without its comments) holds no trace of the names.
//
// The cache key is name-free, so within one process a graph that differs
// from an earlier one only in names is a memory hit that generates no code.
// Each check below therefore compiles a graph of its own (they differ in a
// constant) into a fresh cache directory, and requires a real compile: its
// source, with the hostile names in it, goes through Clang and is stored.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "runtime/cpu/jit.hpp"

#include "runtime/text.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
namespace fs = std::filesystem;

namespace {

using hypatia_test::TempDir;

/// Every hostile name below holds this marker, so that its absence from the
/// code shows that no name reached it.
constexpr const char* kMarker = "zq";


/// Points the disk cache at a fresh directory and restores the whole config after.
class FreshCache {
 public:
  FreshCache() : saved_(hp::config()) { hp::config().cache_dir = (dir_.path() / "cache").string(); }
  ~FreshCache() { hp::config() = saved_; }
  FreshCache(const FreshCache&) = delete;
  FreshCache& operator=(const FreshCache&) = delete;
  fs::path path() const { return dir_.path(); }

 private:
  TempDir dir_;
  hp::Config saved_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// `text` with every byte outside printable ASCII written as \xNN, for messages.
std::string printable(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c <= 0x7e) out += static_cast<char>(c);
    else out += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
  }
  return out;
}

/// The source with every comment replaced by a space, as a C++ lexer sees it:
/// string and character literals are skipped whole, and a backslash-newline
/// continues a // comment onto the next line.
std::string code_without_comments(const std::string& source) {
  std::string code;
  std::size_t i = 0;
  const auto at = [&](std::size_t k) { return k < source.size() ? source[k] : '\0'; };
  while (i < source.size()) {
    const char c = source[i];
    if (c == '/' && at(i + 1) == '/') {
      while (i < source.size() && !(source[i] == '\n' && at(i - 1) != '\\')) ++i;
      code += ' ';
    } else if (c == '/' && at(i + 1) == '*') {
      const std::size_t end = source.find("*/", i + 2);
      i = end == std::string::npos ? source.size() : end + 2;
      code += ' ';
    } else if (c == '"' || c == '\'') {
      const std::size_t start = i++;
      while (i < source.size() && source[i] != c && source[i] != '\n') i += source[i] == '\\' ? 2 : 1;
      code += source.substr(start, ++i - start);
    } else {
      code += c;
      ++i;
    }
  }
  return code;
}

/// The generated source is plain printable ASCII, has no line splice and no
/// #include line, and holds no trace of a name outside comments.
void check_source_hygiene(const std::string& source, const std::vector<std::string>& absent = {}) {
  REQUIRE(!source.empty());
  std::vector<std::string> bad_lines;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i <= source.size(); ++i) {
    if (i < source.size() && source[i] != '\n') continue;
    const std::string line = source.substr(line_start, i - line_start);
    line_start = i + 1;
    const auto first = line.find_first_not_of(" \t");
    const bool include = first != std::string::npos && line.compare(first, 8, "#include") == 0;
    const bool raw_byte = std::any_of(line.begin(), line.end(), [](char c) {
      return c != '\t' && (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e);
    });
    if (include || raw_byte || line.ends_with("\\")) bad_lines.push_back(line);
  }
  for (const std::string& line : bad_lines) {
    INFO("line: ", printable(line));
    FAIL_CHECK("a generated line has a raw byte, an #include or a line splice");
  }
  const std::string code = code_without_comments(source);
  CHECK(!contains(code, kMarker));
  for (const std::string& text : absent) {
    CAPTURE(text);
    CHECK(!contains(code, text));
  }
}

/// A compile that generated, compiled and stored its own code (no memory or disk hit).
void require_compiled(const hp::Function& f) {
  if (!hp::jit::available()) return;
  REQUIRE(f.compile_report().cache == "compiled (new key)");
}

std::vector<double> values(const hp::Array& a) { return a.to_vector<double>(); }

/// Compiles out = a + b * c - k from three vectors with the given names and
/// function name (k: a number of its own for each call, so that each call
/// compiles), checks its numbers and its source.
void check_names(const std::string& a_name, const std::string& b_name, const std::string& c_name,
                 const std::string& function_name, const std::vector<std::string>& absent = {}) {
  static int calls = 0;
  const double k = ++calls;
  FreshCache cache;
  hp::Var a = hp::vector(a_name, hp::float64);
  hp::Var b = hp::vector(b_name, hp::float64);
  hp::Var c = hp::vector(c_name, hp::float64);
  hp::Function f = hp::compile({a, b, c}, {a + b * c - k}, {.name = function_name});
  require_compiled(f);
  CHECK(f.name() == function_name);
  const auto out = f(hp::array({1., 2.}), hp::array({3., 4.}), hp::array({5., 6.}));
  CHECK(values(out[0]) == std::vector<double>{16. - k, 26. - k});
  if (hp::jit::available()) check_source_hygiene(f.source(), absent);
}

}  // namespace

TEST_CASE("names with comment delimiters, newlines, quotes and backslashes stay inside comments") {
  check_names("zq a*/b", "zq/*c", "zq\nint d = 1;", "zq */ int evil; /*\n\\");
  check_names("zq\"e\"", "zq'f'", "zq\\", "zq\\\nint g;");
  check_names("zq\r\nh", ")zq{i}(", "zq;}; int j() {", "zq // k */");
}

TEST_CASE("a name that reads like an #include adds no include line") {
  check_names("#include <stdio.h>", "\n#include <stdlib.h>\n", "zq\n#define x 1",
              "\n#include <stdio.h>\n#pragma once", {"stdio", "stdlib", "pragma once"});
}

TEST_CASE("names holding format specifiers are taken literally") {
  check_names("zq{}", "zq{0}{:s}", "zq%s%n%d", "zq{}{1}%s");
}

TEST_CASE("non-ASCII and invalid UTF-8 names compile and the generated source stays ASCII") {
  check_names("Δx", "日本", "zq\xff\xfe", "関数 ƒ", {"Δ", "日本"});
  check_names("\xc3", "zq\xe6\x97", "\xed\xa0\x80", "\xf0\x9f\x98\x80 zq");
}

TEST_CASE("control characters in names are escaped in the generated source") {
  check_names("\x01zq", "zq\x1b[31m", "zq\x7f\b", "zq\xe2\x80\xae\t\v\f");
}

TEST_CASE("a very long name is cut short in comments") {
  const std::string long_name = "zq" + std::string(100000, 'n');
  FreshCache cache;
  hp::Var a = hp::vector(long_name, hp::float64);
  hp::Function f = hp::compile({a}, {a * 2.0}, {.name = long_name});
  require_compiled(f);
  CHECK(values(f(hp::array({1., 2.}))[0]) == std::vector<double>{2., 4.});
  if (!hp::jit::available()) return;
  check_source_hygiene(f.source());
  CHECK(!contains(f.source(), std::string(1000, 'n')));
}

TEST_CASE("names equal to generated identifiers do not clash with them") {
  FreshCache cache;
  hp::Var hp_main = hp::scalar("hp_main", hp::float64);
  hp::Var v0 = hp::vector("v0", hp::float64);
  hp::Var x0 = hp::vector("x0", hp::float64);
  hp::Var ctx = hp::scalar("ctx", hp::float64);
  hp::Var in = hp::vector("in", hp::float64);
  hp::Shared c_0 = hp::shared(hp::array({100., 200.}), "c_0");
  hp::Var profile = hp::constant(hp::Array(10.0), "profile");
  hp::Var out = (hp_main * v0 + x0 - ctx / in) * profile + c_0;
  hp::Function f = hp::compile({x0, v0, in, ctx, hp_main}, {out, hp::sum(in)}, {.name = "hp_main"});
  require_compiled(f);
  // x0 = [1, 2], v0 = [3, 4], in = [2, 4], ctx = 8, hp_main = 0.5:
  // (0.5 * [3, 4] + [1, 2] - 8 / [2, 4]) * 10 + [100, 200] = [85, 220]
  const auto got = f(hp::array({1., 2.}), hp::array({3., 4.}), hp::array({2., 4.}), 8.0, 0.5);
  CHECK(values(got[0]) == std::vector<double>{85., 220.});
  CHECK(got[1].item<double>() == 6.);
  const auto by_name = f.call({{"x0", hp::array({1., 2.})},
                               {"v0", hp::array({3., 4.})},
                               {"in", hp::array({2., 4.})},
                               {"ctx", hp::Array(8.0)},
                               {"hp_main", hp::Array(0.5)}});
  CHECK(values(by_name[0]) == std::vector<double>{85., 220.});
  if (hp::jit::available()) check_source_hygiene(f.source());
  // The names of a fused loop's locals, parameters and error flag.
  check_names("t0", "po", "out", "err");
  check_names("p0", "i0", "hp_n", "a");
}

TEST_CASE("graphs that differ only in names share one compiled function") {
  if (!hp::jit::available()) return;
  FreshCache cache;
  hp::Var a = hp::matrix("plain", hp::float64);
  hp::Function plain = hp::compile({a}, {hp::tanh(a) + hp::sum(a, 1, true)}, {.name = "plain"});
  require_compiled(plain);
  hp::Var b = hp::matrix("zq */\n#include <x>\xff", hp::float64);
  hp::Function hostile =
      hp::compile({b}, {hp::tanh(b) + hp::sum(b, 1, true)}, {.name = "zq\"\n*/"});
  CHECK(hostile.compile_report().cache == "memory hit");
  const hp::Array value = hp::array({{0., 0.}, {1., -1.}});
  CHECK(values(hostile(value)[0]) == values(plain(value)[0]));
  const std::vector<double> got = values(hostile(value)[0]);
  REQUIRE(got.size() == 4);
  CHECK(got[0] == 0.);
  CHECK(got[1] == 0.);
  CHECK(got[2] == doctest::Approx(0.7615941559557649).epsilon(1e-15));
  CHECK(got[3] == doctest::Approx(-0.7615941559557649).epsilon(1e-15));
  check_source_hygiene(hostile.source());
}

TEST_CASE("a hostile function name gives safe file names in dump_dir") {
  if (!hp::jit::available()) return;
  FreshCache cache;
  const fs::path dump = cache.path() / "dump";
  hp::config().dump_dir = dump.string();
  hp::Var a = hp::vector("zq/../../a", hp::float64);
  hp::Function f = hp::compile({a}, {a + 3.0}, {.name = "../../zq/evil\n name.cpp"});
  require_compiled(f);
  CHECK(values(f(hp::array({1.}))[0]) == std::vector<double>{4.});

  int files = 0;
  for (const auto& item : fs::recursive_directory_iterator(cache.path())) {
    const std::string relative = fs::relative(item.path(), cache.path()).string();
    CAPTURE(relative);
    if (relative.starts_with("cache")) continue;
    if (relative == "dump") continue;
    CHECK(item.path().parent_path() == dump);  // nothing outside dump_dir, no subdirectory
    CHECK(item.is_regular_file());
    const std::string file = item.path().filename().string();
    CHECK(file.starts_with("______zq_evil__name_cpp-"));
    for (char c : file) {
      CAPTURE(c);
      CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'));
    }
    ++files;
  }
  CHECK(files == 4);
}
