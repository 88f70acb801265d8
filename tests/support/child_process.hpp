/// \file This test binary run again as a child process that runs one test
/// case: for behaviour that needs a fresh process (the disk cache, which a
/// second compile in one process never reads) or one that may die.
#pragma once

#include <doctest/doctest.h>
#include <stdio.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace hypatia_test {

/// `arg` in single quotes for sh.
inline std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// The path of this test binary.
inline std::string self_exe() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  REQUIRE_MESSAGE(!ec, "cannot read /proc/self/exe: ", ec.message());
  return exe.string();
}

/// Starts this binary running only the (skipped) test case `test_case` (no
/// commas: doctest splits filters at them), with `environment` ("NAME=value
/// ..." shell words) added; its stdout and stderr come through the pipe.
/// The shell execs the binary, so pclose() returns the child's own status.
inline FILE* start_self(const std::string& test_case, const std::string& environment) {
  const std::string command = "exec env " + environment + " " + shell_quote(self_exe()) + " " +
                              shell_quote("--test-case=" + test_case) +
                              " --no-skip=true --no-intro=true 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  return pipe;
}

/// One line from the child, "" at the end of its output.
inline std::string read_line(FILE* pipe) {
  std::string line;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    line += buffer;
    if (!line.empty() && line.back() == '\n') break;
  }
  return line;
}

/// The child's output up to and including its "HP_READY" line (all of it if none comes).
inline std::string read_until_ready(FILE* pipe) {
  std::string output;
  for (std::string line = read_line(pipe); !line.empty(); line = read_line(pipe)) {
    output += line;
    if (line.starts_with("HP_READY")) break;
  }
  return output;
}

/// The rest of the child's output.
inline std::string read_rest(FILE* pipe) {
  std::string output;
  for (std::string line = read_line(pipe); !line.empty(); line = read_line(pipe)) output += line;
  return output;
}

}  // namespace hypatia_test
