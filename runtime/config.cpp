/// \file hp::config(): the flag table, the $HYPATIA_FLAGS and rc-file parsers,
/// and the process-wide instance.
///
/// Every flag is one row of kFlags (name, accepted values, parse, print), so
/// adding a flag touches one place. Sources apply in order — defaults, rc
/// file, $HYPATIA_FLAGS — and each error names the flag, the bad value and
/// where it came from (the rc file's name and line, or HYPATIA_FLAGS).
#include "hypatia/config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include "hypatia/error.hpp"
#include "runtime/text.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {
namespace {

// --- text helpers ------------------------------------------------------------

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

/// The value of an environment variable, or nullopt when unset or empty.
std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

/// "~" and "~/x" -> $HOME and $HOME/x, as a shell (and Theano's expanduser) would.
std::string expand_home(std::string_view path) {
  if (path != "~" && !path.starts_with("~/")) return std::string(path);
  const auto home = env("HOME");
  if (!home) return std::string(path);
  return *home + std::string(path.substr(1));
}

// --- defaults ------------------------------------------------------------------

/// $XDG_CACHE_HOME/hypatia (the XDG spec ignores a relative $XDG_CACHE_HOME),
/// else $HOME/.cache/hypatia, else a directory under the system temp dir.
std::string default_cache_dir() {
  if (const auto xdg = env("XDG_CACHE_HOME"); xdg && xdg->starts_with('/')) {
    return (std::filesystem::path(*xdg) / "hypatia").string();
  }
  if (const auto home = env("HOME")) {
    return (std::filesystem::path(*home) / ".cache" / "hypatia").string();
  }
  std::error_code ignored;
  return (std::filesystem::temp_directory_path(ignored) / "hypatia-cache").string();
}

int default_threads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

Config defaults() {
  Config config;
  config.cache_dir = default_cache_dir();
  config.threads = default_threads();
  return config;
}

// --- the flag table --------------------------------------------------------------

constexpr std::array<std::pair<std::string_view, Mode>, 7> kModeSpellings = {{
    {"FastRun", Mode::FastRun},
    {"FastCompile", Mode::FastCompile},
    {"Debug", Mode::Debug},
    // Theano's spellings, so a THEANO_FLAGS line can be pasted.
    {"FAST_RUN", Mode::FastRun},
    {"FAST_COMPILE", Mode::FastCompile},
    {"DebugMode", Mode::Debug},
    {"DEBUG_MODE", Mode::Debug},
}};

std::optional<bool> parse_switch(std::string_view text) {
  for (std::string_view on : {"on", "true", "1"}) {
    if (iequals(text, on)) return true;
  }
  for (std::string_view off : {"off", "false", "0"}) {
    if (iequals(text, off)) return false;
  }
  return std::nullopt;
}

/// Sets a boolean flag from its text; false when the text is not a switch.
bool set_switch(bool& field, std::string_view text) {
  const auto on = parse_switch(text);
  if (on) field = *on;
  return on.has_value();
}

constexpr std::array<std::pair<char, int>, 3> kSizeSuffixes = {{{'K', 10}, {'M', 20}, {'G', 30}}};

/// "4096", "64K", "512m", "1G" -> bytes (binary multiples); nullopt when malformed or too large.
std::optional<std::uint64_t> parse_size(std::string_view text) {
  int shift = 0;
  for (const auto& [suffix, bits] : kSizeSuffixes) {
    if (!text.empty() && (text.back() == suffix || text.back() == suffix - 'A' + 'a')) {
      shift = bits;
      text.remove_suffix(1);
      break;
    }
  }
  std::uint64_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (n > (UINT64_MAX >> shift)) return std::nullopt;
  return n << shift;
}

/// The shortest exact text parse_size() reads back: 1073741824 -> "1G", 1000 -> "1000".
std::string format_size(std::uint64_t bytes) {
  for (auto it = kSizeSuffixes.rbegin(); it != kSizeSuffixes.rend(); ++it) {
    const std::uint64_t unit = std::uint64_t{1} << it->second;
    if (bytes != 0 && bytes % unit == 0) return fmt::format("{}{}", bytes / unit, it->first);
  }
  return std::to_string(bytes);
}

struct Flag {
  std::string_view name;
  /// The accepted values, as the error message states them.
  std::string_view accepted;
  /// Stores the parsed value; false when the text is not an accepted value.
  bool (*parse)(Config&, std::string_view);
  /// The canonical text, a value parse() accepts.
  std::string (*print)(const Config&);
};

// constexpr: constant-initialised, so config() is safe to call during static init.
constexpr std::array<Flag, 11> kFlags = {{
    {"floatX", "float32 or float64",
     [](Config& c, std::string_view v) {
       for (DType d : {DType::Float32, DType::Float64}) {
         if (v == dtype_name(d)) {
           c.floatX = d;
           return true;
         }
       }
       return false;
     },
     [](const Config& c) { return std::string(dtype_name(c.floatX)); }},
    {"device", "cpu or cuda",
     [](Config& c, std::string_view v) {
       if (v != "cpu" && v != "cuda") return false;
       c.device = std::string(v);
       return true;
     },
     [](const Config& c) { return c.device; }},
    {"cache_dir", "a directory path (empty for the default)",
     [](Config& c, std::string_view v) {
       c.cache_dir = v.empty() ? default_cache_dir() : expand_home(v);
       return true;
     },
     [](const Config& c) { return c.cache_dir; }},
    {"mode", "FastRun, FastCompile or Debug (or FAST_RUN, FAST_COMPILE, DebugMode)",
     [](Config& c, std::string_view v) {
       for (const auto& [spelling, mode] : kModeSpellings) {
         if (v == spelling) {
           c.mode = mode;
           return true;
         }
       }
       return false;
     },
     [](const Config& c) { return std::string(mode_name(c.mode)); }},
    {"threads", "a positive integer",
     [](Config& c, std::string_view v) {
       int n = 0;
       const auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), n);
       if (error != std::errc{} || end != v.data() + v.size() || n < 1) return false;
       c.threads = n;
       return true;
     },
     [](const Config& c) { return std::to_string(c.threads); }},
    {"cache", "on or off (or true/false, 1/0)",
     [](Config& c, std::string_view v) { return set_switch(c.cache, v); },
     [](const Config& c) { return std::string(c.cache ? "on" : "off"); }},
    {"cache_max_size", "a size in bytes with an optional K, M or G suffix (powers of 1024)",
     [](Config& c, std::string_view v) {
       const auto bytes = parse_size(v);
       if (!bytes) return false;
       c.cache_max_size = *bytes;
       return true;
     },
     [](const Config& c) { return format_size(c.cache_max_size); }},
    {"dump_dir", "a directory path (empty: do not dump)",
     [](Config& c, std::string_view v) {
       c.dump_dir = expand_home(v);
       return true;
     },
     [](const Config& c) { return c.dump_dir; }},
    {"optimizer_including", "rewrite pass names separated by ':' (empty: none)",
     [](Config& c, std::string_view v) {
       c.optimizer_including = std::string(v);
       return true;
     },
     [](const Config& c) { return c.optimizer_including; }},
    {"optimizer_excluding", "rewrite pass names separated by ':' (empty: none)",
     [](Config& c, std::string_view v) {
       c.optimizer_excluding = std::string(v);
       return true;
     },
     [](const Config& c) { return c.optimizer_excluding; }},
    {"profile", "True or False (or on/off, 1/0)",
     [](Config& c, std::string_view v) { return set_switch(c.profile, v); },
     [](const Config& c) { return std::string(c.profile ? "True" : "False"); }},
}};

const Flag& find_flag(std::string_view name) {
  for (const Flag& flag : kFlags) {
    if (flag.name == name) return flag;
  }
  throw Error(
      fmt::format("unknown flag {} (known flags: {})", quoted_name(name), fmt::join(Config::names(), ", ")));
}

/// Runs set(), prefixing any error with where the text came from.
void set_from(Config& config, std::string_view where, std::string_view name,
              std::string_view value) {
  try {
    config.set(name, value);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", where, e.what()));
  }
}

// --- sources -------------------------------------------------------------------------

/// $HYPATIA_FLAGS form: "name=value,name=value"; blanks around tokens and
/// empty items are ignored.
void apply_flags(Config& config, std::string_view text) {
  constexpr std::string_view kWhere = "HYPATIA_FLAGS";
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    const auto equals = item.find('=');
    if (equals == std::string_view::npos) {
      throw Error(fmt::format("{}: item {} has no '=' (expected name=value)", kWhere, quoted_name(item)));
    }
    set_from(config, kWhere, trim(item.substr(0, equals)), trim(item.substr(equals + 1)));
  }
}

/// Cuts a comment that starts a line or follows a blank: "x = 1  # why" -> "x = 1".
/// A '#' inside a value ("/tmp/a#b") stays.
std::string_view strip_comment(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const bool starts_comment = line[i] == '#' || line[i] == ';';
    if (starts_comment && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

/// The rc file, ini-like as .theanorc: "[global]" keys are flag names, keys in
/// any other "[section]" are "section__key" (Theano's convention); "key = value"
/// or "key: value"; comments start with '#' or ';'. Keys before any section
/// header count as global.
void apply_rc(Config& config, std::string_view text, std::string_view file) {
  std::string section = "global";
  int line_number = 0;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const std::string_view raw = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    ++line_number;
    const std::string where = fmt::format("{}, line {}", file, line_number);

    const std::string_view line = trim(strip_comment(raw));
    if (line.empty()) continue;
    if (line.front() == '[') {
      if (line.back() != ']' || trim(line.substr(1, line.size() - 2)).empty()) {
        throw Error(
            fmt::format("{}: malformed section header {} (expected [name])", where, quoted_name(line)));
      }
      section = std::string(trim(line.substr(1, line.size() - 2)));
      continue;
    }
    const auto separator = line.find_first_of("=:");
    if (separator == std::string_view::npos) {
      throw Error(fmt::format("{}: {} is not 'key = value'", where, quoted_name(line)));
    }
    const std::string_view key = trim(line.substr(0, separator));
    const std::string name =
        section == "global" ? std::string(key) : fmt::format("{}__{}", section, key);
    set_from(config, where, name, trim(line.substr(separator + 1)));
  }
}

/// The rc files to read: each entry of $HYPATIARC (':'-separated, as Theano's
/// $THEANORC, later files winning), or ~/.hypatiarc when $HYPATIARC is unset.
std::vector<std::string> rc_paths() {
  std::vector<std::string> paths;
  const char* list = std::getenv("HYPATIARC");
  if (list == nullptr) {
    if (const auto home = env("HOME")) paths.push_back(*home + "/.hypatiarc");
    return paths;
  }
  std::string_view rest = list;
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string_view entry = trim(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    if (!entry.empty()) paths.push_back(expand_home(entry));
  }
  return paths;
}

/// The file's text, or nullopt when it does not exist; unreadable -> hp::Error.
std::optional<std::string> read_rc_file(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) return std::nullopt;
  if (std::filesystem::is_directory(status)) {
    throw Error(fmt::format("rc file {} is a directory", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot open rc file {}", path));
  std::ostringstream text;
  text << in.rdbuf();  // sets failbit on `text` for an empty file, which is fine
  if (in.bad()) throw Error(fmt::format("cannot read rc file {}", path));
  return text.str();
}

}  // namespace

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::FastRun: return "FastRun";
    case Mode::FastCompile: return "FastCompile";
    case Mode::Debug: return "Debug";
  }
  return "FastRun";
}

void Config::set(std::string_view name, std::string_view value) {
  const Flag& flag = find_flag(name);
  if (!flag.parse(*this, value)) {
    throw Error(
        fmt::format("bad value {} for flag '{}' (expected {})", quoted_name(value), name, flag.accepted));
  }
}

void Config::check() const {
  for (const Flag& flag : kFlags) {
    Config copy = *this;
    const std::string text = flag.print(*this);
    if (!flag.parse(copy, text)) {
      throw Error(fmt::format("hp::config().{} is {}, which is not a valid value (expected {})", flag.name,
                              quoted_name(text), flag.accepted));
    }
  }
}

std::string Config::get(std::string_view name) const { return find_flag(name).print(*this); }

std::vector<std::string> Config::names() {
  std::vector<std::string> names;
  for (const Flag& flag : kFlags) names.emplace_back(flag.name);
  return names;
}

std::string Config::str() const {
  std::vector<std::string> items;
  for (const Flag& flag : kFlags)
    items.push_back(fmt::format("{}={}", flag.name, flag.print(*this)));
  return fmt::format("{}", fmt::join(items, ","));
}

Config Config::from_sources(std::string_view rc_text, std::string_view flags_text) {
  Config config = defaults();
  apply_rc(config, rc_text, "rc file");
  apply_flags(config, flags_text);
  return config;
}

Config Config::from_environment() {
  Config config = defaults();
  for (const std::string& path : rc_paths()) {
    if (const auto text = read_rc_file(path)) apply_rc(config, *text, path);
  }
  if (const char* flags = std::getenv("HYPATIA_FLAGS")) apply_flags(config, flags);
  return config;
}

Config& config() {
  // A magic static: initialised once, thread-safely; if from_environment()
  // throws, the exception reaches this first caller and the next call retries.
  static Config instance = Config::from_environment();
  return instance;
}

}  // namespace hypatia
