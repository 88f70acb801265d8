/// \file Runs a shell command as a child process and captures its standard
/// output (standard error passes through), for the peers and for the fresh
/// processes of the compile-latency measurements.
#pragma once

#include <string>

namespace hypatia_bench {

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< standard output
  double wall_ms = 0;
};

/// Runs `command` with /bin/sh; never throws for a failing command.
CommandResult run_command(const std::string& command);

/// `text` quoted for /bin/sh.
std::string shell_quote(const std::string& text);

/// The last line of `output` that starts with '{' (a child's JSON result), or "".
std::string last_json_line(const std::string& output);

}  // namespace hypatia_bench
