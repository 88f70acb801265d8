// examples/tutorial, run as a program: its whole output is the transcript
// checked in beside this test (tutorial.expected.txt), whose numbers are the
// Theano notebook's (../shared/tutorial.txt; arrays print as numpy 2 does).
// Nothing in the tutorial's output varies between runs (no timings, no
// addresses), so the comparison is exact, byte for byte.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/cpu/jit.hpp"
#include "tests/support/test_support.hpp"

namespace fs = std::filesystem;
using hypatia_test::read_text;
using hypatia_test::TempDir;

#ifdef HYPATIA_TUTORIAL_EXAMPLE

namespace {

struct TutorialRun {
  int status = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/// Runs the example with its own configuration: a cache in `cache_dir`, no
/// rc file, every flag at its default whatever the caller's environment says.
TutorialRun run_tutorial(const fs::path& dir, const std::string& cache_dir) {
  const fs::path out = dir / "out", err = dir / "err";
  const std::string command = "env HYPATIA_FLAGS='cache_dir=" + cache_dir + "' HYPATIARC=/nonexistent '" +
                              HYPATIA_TUTORIAL_EXAMPLE + "' >'" + out.string() + "' 2>'" + err.string() + "'";
  TutorialRun run;
  run.status = std::system(command.c_str());
  run.out = read_text(out);
  run.err = read_text(err);
  return run;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Checks `got` against the transcript, reporting the first line that differs.
void check_transcript(const std::string& got, const std::string& expected) {
  const std::vector<std::string> got_lines = lines_of(got), want_lines = lines_of(expected);
  for (std::size_t i = 0; i < got_lines.size() && i < want_lines.size(); ++i) {
    INFO("line " << i + 1);
    REQUIRE(got_lines[i] == want_lines[i]);
  }
  CHECK(got_lines.size() == want_lines.size());
  CHECK(got == expected);
}

}  // namespace

TEST_CASE("the tutorial example prints the expected transcript, cell by cell") {
  const std::string expected = read_text(HYPATIA_TUTORIAL_TRANSCRIPT);
  REQUIRE(!expected.empty());
  TempDir dir;
  const TutorialRun run = run_tutorial(dir.path(), dir.cache());
  INFO(run.out << run.err);
  REQUIRE(run.status == 0);
  CHECK(run.err.empty());
  check_transcript(run.out, expected);
}

TEST_CASE("the tutorial prints the same transcript when its functions come from the disk cache") {
  const std::string expected = read_text(HYPATIA_TUTORIAL_TRANSCRIPT);
  TempDir dir;
  const TutorialRun cold = run_tutorial(dir.path(), dir.cache());
  REQUIRE(cold.status == 0);
  // Only the JIT writes the cache; without it the second run is the same reference run.
  if (hypatia::jit::available()) REQUIRE(fs::is_directory(dir.cache()));
  const TutorialRun warm = run_tutorial(dir.path(), dir.cache());
  INFO(warm.out << warm.err);
  REQUIRE(warm.status == 0);
  check_transcript(warm.out, expected);
}

#else

TEST_CASE("the tutorial example is not built (HYPATIA_BUILD_EXAMPLES=OFF)" * doctest::skip()) {}

#endif
