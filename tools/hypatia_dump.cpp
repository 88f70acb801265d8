/// \file hypatia-dump: inspect Hypatia's disk cache of compiled functions.
///
///   hypatia-dump list                         key, size, age, compile ms, name
///   hypatia-dump show KEY [--graph] [--source [--body]] [--ir] [--asm] [--meta]
///                         [--ptx] [--sass]        (CUDA entries)  [-v]
///   hypatia-dump stats                        entries, bytes, directory
///   hypatia-dump clear
///   hypatia-dump prune --max-size 100M
///
/// Every command takes --cache-dir DIR (default: hp::config().cache_dir). KEY
/// may be any unique prefix of a key. --ir and --asm are not stored: they are
/// regenerated from the stored source with the options recorded in the
/// entry's versions. An index entry (the graph as handed to compile) holds no
/// code: its --source, --ir, --asm, --ptx and --sass are its object entry's,
/// and its --graph shows both graphs, as given and optimised. Function names are user text, so everything printed from
/// the cache passes through terminal_safe(): no control character reaches the
/// terminal raw.
///
/// CUDA entries (kernels compiled by NVRTC; their versions start "cuda ")
/// hold a cubin as object.o and the CUDA source as source.cpp: --ptx
/// regenerates the PTX from the source with NVRTC, --sass disassembles the
/// stored cubin with nvdisasm or cuobjdump where the toolkit has them.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "hypatia/config.hpp"
#include "hypatia/error.hpp"
#include "runtime/cache.hpp"
#include "runtime/cpu/jit.hpp"
#include "runtime/cuda/compile.hpp"
#include "runtime/cuda/nvrtc.hpp"
#include "runtime/templates.hpp"
#include "runtime/text.hpp"

namespace hp = hypatia;

namespace {

// --- printing user text safely ---------------------------------------------------------

/// User text from the cache, escaped by the library's one escaper (runtime/text.hpp).
std::string terminal_safe(std::string_view text, hp::Escape mode) { return hp::escape_text(text, mode); }

std::string safe_name(std::string_view name) { return terminal_safe(name, hp::Escape::Name); }

// --- formatting ----------------------------------------------------------------------

/// 512 -> "512 B", 12345 -> "12.1 KiB".
std::string human_bytes(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) value /= 1024, ++unit;
  return fmt::format("{:.1f} {}", value, units[unit]);
}

/// 42 -> "42s", 300 -> "5m", 7200 -> "2h", 172800 -> "2d".
std::string human_age(std::int64_t seconds) {
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m", seconds / 60);
  if (seconds < 86400) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}d", seconds / 86400);
}

std::string utc_time(std::int64_t unix_seconds) {
  const std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  if (::gmtime_r(&time, &parts) == nullptr) return std::to_string(unix_seconds);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return text;
}

// --- commands ----------------------------------------------------------------------------

/// A failure the user should read, printed as "hypatia-dump: <message>", exit status 1.
struct Failure {
  std::string message;
};

/// The full key that `prefix` names: an exact key, else the only key it begins.
std::string resolve_key(const hp::cache::DiskCache& cache, const std::string& prefix) {
  std::vector<std::string> matches;
  for (const auto& info : cache.list()) {
    if (info.key == prefix) return info.key;
    if (info.key.starts_with(prefix)) matches.push_back(info.key);
  }
  if (matches.empty()) {
    throw Failure{fmt::format("no cache entry matches '{}' in {}", safe_name(prefix),
                              safe_name(cache.dir()))};
  }
  if (matches.size() > 1) {
    throw Failure{fmt::format("'{}' is ambiguous: it begins {} keys ({}); give more digits",
                              safe_name(prefix), matches.size(), fmt::join(matches, ", "))};
  }
  return matches.front();
}

void list_entries(const hp::cache::DiskCache& cache) {
  const auto entries = cache.list();
  if (entries.empty()) {
    fmt::print("no entries in {}\n", safe_name(cache.dir()));
    return;
  }
  fmt::print("{:<32}  {:>10}  {:>5}  {:>10}  {:<6}  {}\n", "KEY", "SIZE", "AGE", "COMPILE_MS", "KIND",
             "NAME");
  for (const auto& entry : entries) {
    const std::string name = entry.problem.empty()
                                 ? safe_name(entry.name)
                                 : fmt::format("<unreadable: {}>", safe_name(entry.problem));
    fmt::print("{:<32}  {:>10}  {:>5}  {:>10.1f}  {:<6}  {}\n", entry.key, human_bytes(entry.bytes),
               human_age(entry.age_seconds), entry.compile_ms, entry.kind, name);
  }
}

/// The compile options an entry was built with, read back from its versions
/// text, which embeds jit::compile_fingerprint() ("...; -O2; fp-contract=on;
/// -D5:N=128"). Anything not found keeps CompileOptions' default.
hp::jit::CompileOptions options_from_versions(std::string_view versions) {
  hp::jit::CompileOptions options;
  if (const auto at = versions.find("; -O"); at != std::string_view::npos &&
                                             at + 4 < versions.size() && versions[at + 4] >= '0' &&
                                             versions[at + 4] <= '3') {
    options.opt_level = versions[at + 4] - '0';
  }
  if (versions.find("fp-contract=off") != std::string_view::npos) options.fp_contract = false;
  for (auto at = versions.find("; -D"); at != std::string_view::npos;
       at = versions.find("; -D", at)) {
    at += 4;
    const auto colon = versions.find(':', at);
    if (colon == std::string_view::npos) break;
    const auto digits = versions.substr(at, colon - at);
    const bool is_length =
        !digits.empty() && digits.size() <= 6 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!is_length) continue;
    const std::size_t length = std::stoul(std::string(digits));
    options.defines.emplace_back(versions.substr(colon + 1, length));
    at = colon + 1 + length;
  }
  return options;
}

std::string describe_options(const hp::jit::CompileOptions& options) {
  std::string text =
      fmt::format("-O{}, fp-contract={}", options.opt_level, options.fp_contract ? "on" : "off");
  for (const auto& define : options.defines) text += ", -D" + define;
  return text;
}

/// LLVM IR (`assembly` false) or host assembly regenerated from the stored source.
std::string regenerate(const hp::cache::Entry& entry, bool assembly) {
  const char* what = assembly ? "--asm" : "--ir";
  if (entry.meta.kind == "index") {
    throw Failure{fmt::format("{} is an index entry, which holds no code: its object is entry {}",
                              entry.meta.key, safe_name(entry.meta.object_key))};
  }
  if (hp::cuda::arch_of_versions(entry.meta.versions) > 0) {
    throw Failure{fmt::format("{} is a CUDA entry (a cubin): --ptx and --sass show its code", what)};
  }
  if (!hp::jit::available()) {
    throw Failure{fmt::format(
        "{} needs the Clang JIT, which this hypatia-dump does not have (built with "
        "HYPATIA_WITH_CLANG=OFF, or LLVM failed to start); --source shows the stored C++",
        what)};
  }
  const auto options = options_from_versions(entry.meta.versions);
  const char* comment = assembly ? "#" : ";";
  const std::string header = fmt::format(
      "{} {} regenerated now from the stored source.cpp ({}; LLVM {})\n", comment,
      assembly ? "assembly" : "LLVM IR", describe_options(options), hp::jit::llvm_version());
  try {
    return header + (assembly ? hp::jit::emit_assembly(entry.source, options)
                              : hp::jit::emit_llvm_ir(entry.source, options));
  } catch (const hp::Error& e) {
    throw Failure{fmt::format("{}: cannot regenerate from the stored source: {}", what,
                              terminal_safe(e.what(), hp::Escape::Block))};
  }
}

/// The architecture of a CUDA entry; Failure naming `what` for any other entry.
int cuda_arch_of(const hp::cache::Entry& entry, const char* what) {
  const int arch = hp::cuda::arch_of_versions(entry.meta.versions);
  if (arch == 0) {
    throw Failure{fmt::format("{}: {} is not a CUDA entry (--ir and --asm show CPU code)", what, entry.meta.key)};
  }
  return arch;
}

/// PTX regenerated from a CUDA entry's stored source with NVRTC.
std::string regenerate_ptx(const hp::cache::Entry& entry) {
  const int arch = cuda_arch_of(entry, "--ptx");
  if (!hp::nvrtc::available()) {
    throw Failure{fmt::format("--ptx needs NVRTC: {}; --source shows the stored CUDA source",
                              hp::nvrtc::unavailable_reason())};
  }
  try {
    const std::string ptx = hp::nvrtc::compile(entry.source, arch, hp::nvrtc::Output::PtxOnly).ptx;
    return fmt::format("// PTX regenerated now from the stored source.cpp (NVRTC {}, sm_{})\n", hp::nvrtc::version(),
                       arch) +
           ptx;
  } catch (const hp::Error& e) {
    throw Failure{fmt::format("--ptx: cannot regenerate from the stored source: {}",
                              terminal_safe(e.what(), hp::Escape::Block))};
  }
}

/// The first of the toolkit's disassemblers found: on PATH, then in /usr/local/cuda/bin.
std::optional<std::string> find_disassembler() {
  for (const char* name : {"nvdisasm", "cuobjdump"}) {
    for (const std::string& dir : {std::string(), std::string("/usr/local/cuda/bin/")}) {
      const std::string command = dir.empty() ? fmt::format("command -v {} >/dev/null 2>&1", name)
                                              : fmt::format("test -x {}{}", dir, name);
      if (std::system(command.c_str()) == 0) return dir + name;
    }
  }
  return std::nullopt;
}

/// SASS of a CUDA entry's cubin, by nvdisasm or cuobjdump -sass.
std::string disassemble_cubin(const hp::cache::Entry& entry) {
  cuda_arch_of(entry, "--sass");
  const std::optional<std::string> tool = find_disassembler();
  if (!tool) {
    throw Failure{"--sass needs the CUDA toolkit's nvdisasm or cuobjdump, and neither is on PATH or in "
                  "/usr/local/cuda/bin; --ptx shows the PTX"};
  }
  char path[] = "/tmp/hypatia_dump_XXXXXX.cubin";
  const int fd = ::mkstemps(path, 6);
  if (fd < 0) throw Failure{"--sass: cannot create a temporary file"};
  const auto size = static_cast<ssize_t>(entry.object.size());
  const bool written = ::write(fd, entry.object.data(), entry.object.size()) == size;
  ::close(fd);
  std::string text;
  if (written) {
    const bool is_nvdisasm = tool->find("nvdisasm") != std::string::npos;
    const std::string command = fmt::format("{} {}{} 2>&1", *tool, is_nvdisasm ? "" : "-sass ", path);
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
      char buffer[4096];
      for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, n);
      ::pclose(pipe);
    }
  }
  ::unlink(path);
  if (!written) throw Failure{"--sass: cannot write the cubin to a temporary file"};
  return fmt::format("// SASS of the stored cubin, by {}\n", *tool) + text;
}

/// True for a field of the versions text that lists CPU features
/// ("+avx2,+fma,-sse4a,..."): hundreds of them on a current x86 CPU.
bool is_feature_list(std::string_view field) {
  return field.size() > 1 && (field.front() == '+' || field.front() == '-') &&
         ((field[1] >= 'a' && field[1] <= 'z') || (field[1] >= '0' && field[1] <= '9'));
}

/// The versions text with its CPU feature list replaced by a fingerprint:
/// "...; znver4; cpu features 1f3a9c2e (212; -v lists them); -O2; ...". Two
/// entries built for the same CPU features show the same fingerprint.
std::string short_versions(const std::string& versions) {
  std::string out;
  std::string_view rest = versions;
  while (true) {
    const auto end = rest.find("; ");
    const std::string_view field = rest.substr(0, end);
    if (is_feature_list(field)) {
      const auto count = std::count(field.begin(), field.end(), ',') + 1;
      out += fmt::format("cpu features {} ({}; -v lists them)", hp::cache::hash_hex(field).substr(0, 8), count);
    } else {
      out += field;
    }
    if (end == std::string_view::npos) return out;
    out += "; ";
    rest.remove_prefix(end + 2);
  }
}

/// The lines of `text`.
std::size_t line_count(std::string_view text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

/// A generated source without the preamble every generated file shares (the
/// ABI header and the math functions, or CUDA's ABI header), which says one
/// line in its place: --body shows what is this function's own.
std::string source_body(const std::string& source) {
  const std::string cpu = fmt::format("{}\n{}\n", hp::codegen_template("abi.h"), hp::codegen_template("math.h"));
  const std::string cuda(hp::codegen_template("cuda_abi.h"));
  for (const auto& [preamble, what] : {std::pair{cpu, "abi.h and math.h"}, std::pair{cuda, "cuda_abi.h"}}) {
    const auto at = source.find(preamble);
    if (at == std::string::npos) continue;
    return source.substr(0, at) +
           fmt::format("// [{} lines of the preamble every generated file shares ({}) hidden by --body]\n",
                       line_count(preamble), what) +
           source.substr(at + preamble.size());
  }
  // Another version's preamble: a CPU source's own part starts at its header comment.
  const auto own = source.find("// Generated by Hypatia for function");
  if (own == std::string::npos || own == 0) return source;
  return fmt::format("// [{} lines of the preamble every generated file shares hidden by --body]\n",
                     line_count(std::string_view(source).substr(0, own))) +
         source.substr(own);
}

std::string metadata_json(const hp::cache::Metadata& meta) {
  const nlohmann::json json = {
      {"key", meta.key},
      {"name", meta.name},
      {"versions", meta.versions},
      {"compile_ms", meta.compile_ms},
      {"created_unix", meta.created_unix},
      {"object_checksum", meta.object_checksum},
  };
  // ASCII only: a name's control and bidirectional characters come out as \u escapes.
  return json.dump(2, ' ', true, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string summary(const hp::cache::Entry& entry, const hp::cache::EntryInfo& info, bool verbose) {
  const std::string versions = safe_name(verbose ? entry.meta.versions : short_versions(entry.meta.versions));
  if (entry.meta.kind == "index") {
    return fmt::format(
        "key:         {}\n"
        "kind:        index (the graph as handed to compile; --graph shows it and the optimised graph,\n"
        "             --source, --ir and --asm its object's code)\n"
        "object:      {} (the optimised graph's entry, holding the code)\n"
        "name:        {}\n"
        "created:     {}\n"
        "last used:   {} ago\n"
        "size:        {} (recipe {}, graph {})\n"
        "versions:    {}\n",
        entry.meta.key, safe_name(entry.meta.object_key), safe_name(entry.meta.name),
        utc_time(entry.meta.created_unix), human_age(info.age_seconds), human_bytes(info.bytes),
        human_bytes(entry.object.size()), human_bytes(entry.graph.size()), versions);
  }
  double total_ms = 0;
  std::vector<std::string> phases;
  for (const auto& [phase, ms] : entry.meta.compile_ms) {
    phases.push_back(fmt::format("{} {:.1f}", safe_name(phase), ms));
    total_ms += ms;
  }
  const int arch = hp::cuda::arch_of_versions(entry.meta.versions);
  const std::string kind =
      arch > 0 ? fmt::format("kind:        CUDA kernels for sm_{} (object.o is a cubin; --ptx, --sass)\n", arch) : "";
  return kind + fmt::format(
      "key:         {}\n"
      "name:        {}\n"
      "created:     {}\n"
      "last used:   {} ago\n"
      "size:        {} (object {}, source {}, graph {})\n"
      "compile ms:  {:.1f} ({})\n"
      "versions:    {}\n"
      "checksum:    {} (XXH3-128 of object.o, verified)\n",
      entry.meta.key, safe_name(entry.meta.name), utc_time(entry.meta.created_unix),
      human_age(info.age_seconds), human_bytes(info.bytes), human_bytes(entry.object.size()),
      human_bytes(entry.source.size()), human_bytes(entry.graph.size()), total_ms,
      fmt::join(phases, ", "), versions, entry.meta.object_checksum);
}

struct ShowWhat {
  bool meta = false, graph = false, source = false, body = false, ir = false, assembly = false, ptx = false,
       sass = false, verbose = false;
  /// Whether a part that only an entry holding code has is asked for.
  bool needs_code() const { return source || ir || assembly || ptx || sass; }
};

/// The entry an index entry's code is in: its object entry.
hp::cache::Entry object_of(const hp::cache::DiskCache& cache, const hp::cache::Entry& index) {
  const auto loaded = cache.inspect(index.meta.object_key);
  if (!loaded.entry) {
    throw Failure{fmt::format(
        "{} is an index entry, which holds no code, and its object entry {} cannot be used ({}): {}; "
        "compiling the function again stores it",
        index.meta.key, safe_name(index.meta.object_key), hp::cache::miss_name(loaded.miss),
        safe_name(loaded.detail))};
  }
  return *loaded.entry;
}

/// The entry's parts asked for, each a titled section.
std::vector<std::pair<std::string, std::string>> entry_sections(const hp::cache::DiskCache& cache,
                                                                 const hp::cache::Entry& entry, ShowWhat what) {
  std::vector<std::pair<std::string, std::string>> sections;  // title, text
  const bool index = entry.meta.kind == "index";
  std::optional<hp::cache::Entry> object;
  if (index && what.needs_code()) object = object_of(cache, entry);
  const hp::cache::Entry& code = object ? *object : entry;
  if (what.meta) sections.emplace_back("metadata", metadata_json(entry.meta));
  if (what.graph && index) {
    sections.emplace_back("graph.txt (as given to compile)", terminal_safe(entry.graph, hp::Escape::Block));
    if (!object) {
      const auto loaded = cache.inspect(entry.meta.object_key);
      if (loaded.entry) object = *loaded.entry;
    }
    sections.emplace_back(fmt::format("graph.txt of object {} (optimised)", safe_name(entry.meta.object_key)),
                          object ? terminal_safe(object->graph, hp::Escape::Block)
                                 : "(its object entry is not in the cache)\n");
  } else if (what.graph) {
    sections.emplace_back("graph.txt", terminal_safe(entry.graph, hp::Escape::Block));
  }
  const std::string from_object = object ? fmt::format(" of object {}", code.meta.key) : "";
  if (what.source) {
    const std::string source = what.body ? source_body(code.source) : code.source;
    sections.emplace_back("source.cpp" + from_object, terminal_safe(source, hp::Escape::Block));
  }
  if (what.ir) sections.emplace_back("LLVM IR" + from_object, regenerate(code, false));
  if (what.assembly) sections.emplace_back("assembly" + from_object, regenerate(code, true));
  if (what.ptx) sections.emplace_back("PTX" + from_object, regenerate_ptx(code));
  if (what.sass) sections.emplace_back("SASS" + from_object, terminal_safe(disassemble_cubin(code), hp::Escape::Block));
  return sections;
}

void show_entry(const hp::cache::DiskCache& cache, const std::string& prefix, ShowWhat what) {
  const std::string key = resolve_key(cache, prefix);
  const auto loaded = cache.inspect(key);
  if (!loaded.entry) {
    throw Failure{fmt::format("cache entry {} cannot be used ({}): {}", key,
                              hp::cache::miss_name(loaded.miss), safe_name(loaded.detail))};
  }
  const hp::cache::Entry& entry = *loaded.entry;
  hp::cache::EntryInfo info;
  for (const auto& candidate : cache.list()) {
    if (candidate.key == key) info = candidate;
  }

  auto sections = entry_sections(cache, entry, what);
  if (sections.empty()) sections.emplace_back("summary", summary(entry, info, what.verbose));

  for (std::size_t i = 0; i < sections.size(); ++i) {
    const auto& [title, text] = sections[i];
    if (sections.size() > 1) fmt::print("{}==> {} <==\n", i > 0 ? "\n" : "", title);
    fmt::print("{}", text);
    if (!text.empty() && text.back() != '\n') fmt::print("\n");
  }
}

void print_stats(const hp::cache::DiskCache& cache, const std::optional<hp::Config>& settings) {
  const auto entries = cache.list();
  const std::uint64_t bytes = cache.total_bytes();
  fmt::print("directory:  {}\n", safe_name(cache.dir()));
  fmt::print("entries:    {}\n", entries.size());
  fmt::print("size:       {} bytes ({})\n", bytes, human_bytes(bytes));
  if (settings) {
    fmt::print("size cap:   {} (cache_max_size={})\n", human_bytes(settings->cache_max_size),
               settings->get("cache_max_size"));
    fmt::print("cache:      {}\n", settings->get("cache"));
  }
}

void clear_entries(hp::cache::DiskCache& cache) {
  const std::size_t entries = cache.list().size();
  const std::uint64_t bytes = cache.total_bytes();
  cache.clear();
  fmt::print("removed {} entries ({}) from {}\n", entries, human_bytes(bytes),
             safe_name(cache.dir()));
}

void prune_entries(hp::cache::DiskCache& cache, const std::string& max_size_text) {
  hp::Config parsed;
  try {
    parsed.set("cache_max_size", max_size_text);
  } catch (const hp::Error&) {
    throw Failure{fmt::format(
        "--max-size: bad size '{}' (expected bytes with an optional K, M or G suffix, as 100M)",
        safe_name(max_size_text))};
  }
  const std::size_t entries_before = cache.list().size();
  const std::uint64_t bytes_before = cache.total_bytes();
  cache.prune(parsed.cache_max_size);
  const std::size_t entries_after = cache.list().size();
  const std::uint64_t bytes_after = cache.total_bytes();
  fmt::print("removed {} entries ({}); {} entries ({}) left in {}\n",
             entries_before - entries_after, human_bytes(bytes_before - bytes_after), entries_after,
             human_bytes(bytes_after), safe_name(cache.dir()));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hypatia-dump: inspect Hypatia's disk cache of compiled functions"};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  hypatia-dump list                        every entry, most recently used first\n"
      "  hypatia-dump show 3f2a                   an entry's summary (any unique prefix of its key)\n"
      "  hypatia-dump show 3f2a --graph           its graph: names, decimal constants, outputs and updates\n"
      "  hypatia-dump show 3f2a --source --body   its generated C++ without the shared preamble\n"
      "An index entry (KIND index) is the graph as handed to compile; --source, --ir and --asm\n"
      "show the code of its object entry, --graph both graphs.");
  app.fallthrough();  // --cache-dir may follow the subcommand too
  std::string cache_dir;
  app.add_option("--cache-dir", cache_dir,
                 "the cache directory (default: the cache_dir flag, ~/.cache/hypatia)");

  auto* list = app.add_subcommand("list", "list entries: key, size, age, compile ms, name");
  auto* show = app.add_subcommand("show", "show one entry (a summary unless a part is named)");
  std::string key;
  ShowWhat what;
  show->add_option("KEY", key, "the entry's key, or a unique prefix of it")->required();
  show->add_flag("--meta", what.meta, "the metadata, as JSON");
  show->add_flag("--graph", what.graph,
                 "the graph as debugprint shows it: names, constants, outputs and updates labelled (an index "
                 "entry: as given to compile, then its object's optimised graph)");
  auto* source = show->add_flag("--source", what.source, "the generated C++ (an index entry: its object's)");
  show->add_flag("--body", what.body, "with --source: hide the preamble every generated file shares (abi.h, math.h)")
      ->needs(source);
  show->add_flag("-v,--verbose", what.verbose, "the summary's full versions, CPU feature list included");
  show->add_flag("--ir", what.ir, "LLVM IR, regenerated from the source");
  show->add_flag("--asm", what.assembly, "host assembly, regenerated from the source");
  show->add_flag("--ptx", what.ptx, "a CUDA entry's PTX, regenerated from the source with NVRTC");
  show->add_flag("--sass", what.sass, "a CUDA entry's SASS (needs nvdisasm or cuobjdump)");
  auto* stats = app.add_subcommand("stats", "entries, bytes and directory of the cache");
  auto* clear = app.add_subcommand("clear", "remove every entry");
  auto* prune = app.add_subcommand("prune", "evict least-recently-used entries to a size");
  std::string max_size;
  prune->add_option("--max-size", max_size, "the size to keep, as 100M or 2G")->required();

  CLI11_PARSE(app, argc, argv);

  try {
    // The flags are needed only for the default directory and stats' size cap.
    std::optional<hp::Config> settings;
    try {
      settings = hp::config();
    } catch (const hp::Error& e) {
      if (cache_dir.empty()) throw Failure{safe_name(e.what())};
    }
    if (cache_dir.empty()) cache_dir = settings->cache_dir;
    // enabled even under cache=off: the tool inspects, it does not compile.
    hp::cache::DiskCache cache(cache_dir, UINT64_MAX, true);

    if (*list) list_entries(cache);
    if (*show) show_entry(cache, key, what);
    if (*stats) print_stats(cache, settings);
    if (*clear) clear_entries(cache);
    if (*prune) prune_entries(cache, max_size);
  } catch (const Failure& failure) {
    std::cout.flush();
    fmt::print(stderr, "hypatia-dump: {}\n", failure.message);
    return 1;
  }
  return 0;
}
