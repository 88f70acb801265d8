/// \file The on-disk cache: verified loads, atomic stores, LRU eviction.
///
/// Every path below the cache directory is reached through directory file
/// descriptors opened with O_NOFOLLOW, so a check made on a directory (owner,
/// mode, not a symlink) still holds for the files read or written in it: a
/// path swapped for a symlink between the check and the use cannot redirect
/// us. See cache.hpp for the layout and the guarantees.
#include "runtime/cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <system_error>
#include <tuple>
#include <utility>

#include "hypatia/config.hpp"

// Header-only xxHash: nothing to link, and XXH3 inlines into hash_hex.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace hypatia::cache {
namespace {

using json = nlohmann::json;

constexpr const char* kObjectFile = "object.o";
/// An index entry's payload: what a compile of the graph as given needs.
constexpr const char* kRecipeFile = "recipe.cbor";
constexpr const char* kSourceFile = "source.cpp";
constexpr const char* kGraphFile = "graph.txt";
constexpr const char* kMetadataFile = "metadata.json";
/// The layout of an entry; a different number is a Miss::VersionChange.
constexpr int kFormat = 1;
/// What separates a key from the rest of a temp directory's name.
constexpr std::string_view kTempInfix = ".tmp.";
/// What separates a key from the rest of the name another user's entry is moved to.
constexpr std::string_view kForeignInfix = ".foreign.";

// --- small system helpers ------------------------------------------------------

/// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  /// Gives up ownership (to fdopendir, or to a close whose result matters).
  int release() { return std::exchange(fd_, -1); }

 private:
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_;
};

std::string error_text(int error) { return std::generic_category().message(error); }

/// Prints "hypatia: warning: <message>" on stderr the first time this process sees `message`.
void warn_once(const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> warned;
  std::lock_guard lock(mutex);
  if (!warned.insert(message).second) return;
  const std::string line = "hypatia: warning: " + message + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

/// Text read from disk, quoted and escaped for a message (JSON string syntax, ASCII only).
std::string escaped_quote(std::string_view text) {
  return json(std::string(text)).dump(-1, ' ', true, json::error_handler_t::replace);
}

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Keys name directories: letters, digits, '-' and '_' only, so that no key
/// is ".", "..", contains a '/', or looks like a temp directory.
bool valid_key(std::string_view key) {
  if (key.empty() || key.size() > 128) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '_';
  });
}

/// "<key><infix><pid>.<random>" ("<key>.tmp.<pid>.<random>" by default):
/// unique across processes and threads.
std::string temp_name(const std::string& key, std::string_view infix = kTempInfix) {
  static std::mutex mutex;
  static std::mt19937_64 random{std::random_device{}()};
  std::uint64_t nonce = 0;
  {
    std::lock_guard lock(mutex);
    nonce = random();
  }
  return fmt::format("{}{}{}.{:016x}", key, infix, ::getpid(), nonce);
}

bool is_temp_name(std::string_view name) {
  const auto infix = name.find(kTempInfix);
  return infix != std::string_view::npos && valid_key(name.substr(0, infix));
}

/// Why a directory we found may not be trusted, or "" when it may: it must be
/// ours and writable by nobody else.
std::string distrust(const struct stat& st, const std::string& what) {
  if (st.st_uid != ::geteuid()) {
    return fmt::format("{} is owned by uid {}, not by this user (uid {})", what, st.st_uid,
                       ::geteuid());
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return fmt::format("{} is writable by group or others (mode {:04o}; chmod go-w it to use it)",
                       what, st.st_mode & 07777);
  }
  return "";
}

/// Removes `name` in the cache directory: a directory tree, or a file or
/// symlink itself (never what a symlink points to).
void remove_entry(const std::string& dir, const std::string& name) {
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(dir) / name, ignored);
}

/// Creates `dir` and its missing parents with mode 0700; returns "" or what failed.
std::string make_directories(const std::string& dir) {
  if (dir.empty()) return "the cache directory name is empty";
  std::filesystem::path prefix;
  for (const auto& part : std::filesystem::path(dir)) {
    prefix /= part;
    if (part == "/" || part.empty()) continue;
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return fmt::format("cannot create {}: {}", prefix.string(), error_text(errno));
    }
  }
  return "";
}

// --- opening directories -----------------------------------------------------------

/// A directory opened for use, or why it may not be used.
struct OpenedDir {
  Fd fd;
  Miss miss = Miss::None;
  std::string detail;
  /// For an entry that fails: whether a store may put a new entry in its place
  /// (ours, or a symlink or file in our directory); never for another user's.
  bool replaceable = false;
};

OpenedDir refused(Miss miss, std::string detail, bool replaceable = false) {
  OpenedDir result;
  result.miss = miss;
  result.detail = std::move(detail);
  result.replaceable = replaceable;
  return result;
}

/// Opens the cache directory itself. Its parents are not checked: ~/.cache may
/// well be a symlink, and an owner check on the directory is what matters.
OpenedDir open_cache_dir(const std::string& dir) {
  if (dir.empty()) return refused(Miss::Unusable, "the cache directory name is empty");
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    const int error = errno;
    struct stat st {};
    const bool exists = ::lstat(dir.c_str(), &st) == 0;
    if (error == ENOENT) return refused(Miss::NewKey, fmt::format("no cache directory {}", dir));
    if (exists && S_ISLNK(st.st_mode)) {
      return refused(Miss::NotOwned,
                     fmt::format("cache directory {} is a symbolic link; set cache_dir to the "
                                 "directory it points to",
                                 dir));
    }
    if (exists && !S_ISDIR(st.st_mode)) {
      return refused(Miss::Unusable, fmt::format("cache directory {} is not a directory", dir));
    }
    return refused(Miss::Unusable,
                   fmt::format("cannot open cache directory {}: {}", dir, error_text(error)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return refused(Miss::Unusable,
                   fmt::format("cannot stat cache directory {}: {}", dir, error_text(errno)));
  }
  if (auto why = distrust(st, "cache directory " + dir); !why.empty()) {
    return refused(Miss::NotOwned, why + "; ignoring it");
  }
  OpenedDir result;
  result.fd = std::move(fd);
  return result;
}

/// Opens the entry `key` inside the opened cache directory.
OpenedDir open_entry_dir(int cache_fd, const std::string& dir, const std::string& key) {
  const std::string what = fmt::format("cache entry {}/{}", dir, key);
  Fd fd(::openat(cache_fd, key.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    const int error = errno;
    if (error == ENOENT) return refused(Miss::NewKey, "no entry under this key");
    struct stat st {};
    if (::fstatat(cache_fd, key.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return refused(Miss::NewKey, "no entry under this key");
    }
    if (S_ISLNK(st.st_mode)) {
      return refused(Miss::NotOwned, what + " is a symbolic link; ignoring it", true);
    }
    if (!S_ISDIR(st.st_mode)) return refused(Miss::Corrupt, what + " is not a directory", true);
    if (st.st_uid != ::geteuid()) return refused(Miss::NotOwned, distrust(st, what));
    return refused(Miss::Corrupt, fmt::format("cannot open {}: {}", what, error_text(error)), true);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return refused(Miss::Corrupt, fmt::format("cannot stat {}: {}", what, error_text(errno)), true);
  }
  if (auto why = distrust(st, what); !why.empty()) {
    // Ours but writable by others: replace it; another user's: leave it alone.
    return refused(Miss::NotOwned, why + "; ignoring it", st.st_uid == ::geteuid());
  }
  OpenedDir result;
  result.fd = std::move(fd);
  return result;
}

// --- files -------------------------------------------------------------------------

/// The whole of a regular file in `dir_fd`, or nullopt with `problem` saying why not.
std::optional<std::string> read_file_at(int dir_fd, const char* name, std::string& problem) {
  // O_NONBLOCK: a FIFO planted under the name must not block the open.
  Fd fd(::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    const int error = errno;
    if (error == ENOENT) {
      problem = fmt::format("{} is missing", name);
    } else if (error == ELOOP) {
      problem = fmt::format("{} is a symbolic link", name);
    } else {
      problem = fmt::format("cannot open {}: {}", name, error_text(error));
    }
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    problem = fmt::format("{} is not a regular file", name);
    return std::nullopt;
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t size = 0;
  for (;;) {
    if (size == text.size()) text.resize(text.size() + 4096);  // the file may have grown
    const ssize_t n = ::read(fd.get(), text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      problem = fmt::format("cannot read {}: {}", name, error_text(errno));
      return std::nullopt;
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  text.resize(size);
  return text;
}

/// Creates `name` (0600, must not exist) in `dir_fd` holding `bytes`; returns "" or the error.
std::string write_file_at(int dir_fd, const char* name, std::string_view bytes) {
  Fd fd(::openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return fmt::format("cannot create {}: {}", name, error_text(errno));
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fmt::format("cannot write {}: {}", name, error_text(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  // Delayed write errors (NFS, quota) surface at close.
  if (::close(fd.release()) != 0)
    return fmt::format("cannot write {}: {}", name, error_text(errno));
  return "";
}

// --- metadata ----------------------------------------------------------------------

/// One data file as metadata.json describes it.
struct FileRecord {
  std::uint64_t bytes = 0;
  std::string checksum;
};

struct StoredMetadata {
  Metadata meta;
  std::map<std::string, FileRecord> files;  ///< by file name
};

/// The file holding an entry's `object` bytes.
const char* payload_file(const std::string& kind) { return kind == "index" ? kRecipeFile : kObjectFile; }

json file_record(const std::string& bytes) {
  return {{"bytes", bytes.size()}, {"xxh3_128", hash_hex(bytes)}};
}

std::string metadata_text(const Entry& entry) {
  json compile_ms = json::object();
  for (const auto& [phase, ms] : entry.meta.compile_ms) {
    if (std::isfinite(ms)) compile_ms[phase] = ms;  // JSON has no nan or inf
  }
  const json metadata = {
      {"format", kFormat},
      {"key", entry.meta.key},
      {"name", entry.meta.name},
      {"versions", entry.meta.versions},
      {"kind", entry.meta.kind},
      {"object_key", entry.meta.object_key},
      {"compile_ms", compile_ms},
      {"created_unix", entry.meta.created_unix != 0 ? entry.meta.created_unix : now_unix()},
      {"files",
       {{payload_file(entry.meta.kind), file_record(entry.object)},
        {kSourceFile, file_record(entry.source)},
        {kGraphFile, file_record(entry.graph)}}},
  };
  // replace: a name that is not valid UTF-8 is stored with U+FFFD, not refused.
  return metadata.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

/// Parses metadata.json; throws json::exception naming what is missing or mistyped.
StoredMetadata parse_metadata(const std::string& text, int& format) {
  const json j = json::parse(text);
  format = j.at("format").get<int>();
  StoredMetadata stored;
  stored.meta.key = j.at("key").get<std::string>();
  stored.meta.name = j.at("name").get<std::string>();
  stored.meta.versions = j.at("versions").get<std::string>();
  stored.meta.compile_ms = j.at("compile_ms").get<std::map<std::string, double>>();
  stored.meta.created_unix = j.at("created_unix").get<std::int64_t>();
  stored.meta.kind = j.value("kind", std::string("object"));
  if (stored.meta.kind != "object" && stored.meta.kind != "index") {
    throw json::other_error::create(501, "unknown entry kind '" + stored.meta.kind + "'", &j);
  }
  stored.meta.object_key = j.value("object_key", std::string());
  for (const char* name : {payload_file(stored.meta.kind), kSourceFile, kGraphFile}) {
    const json& record = j.at("files").at(name);
    stored.files[name] = {record.at("bytes").get<std::uint64_t>(),
                          record.at("xxh3_128").get<std::string>()};
  }
  stored.meta.object_checksum = stored.files[payload_file(stored.meta.kind)].checksum;
  return stored;
}

/// "stored 'llvm 18…', expected 'llvm 19…' (first difference at character 5)".
std::string describe_version_change(const std::string& stored, const std::string& expected) {
  const auto [a, b] = std::mismatch(stored.begin(), stored.end(), expected.begin(), expected.end());
  const std::size_t at = static_cast<std::size_t>(a - stored.begin());
  const std::size_t from = at > 24 ? at - 24 : 0;
  const auto excerpt = [&](const std::string& text) {
    return fmt::format("{}{}{}", from > 0 ? "..." : "", text.substr(from, 72),
                       from + 72 < text.size() ? "..." : "");
  };
  return fmt::format(
      "stored with versions {}, this process has {} (first difference at "
      "character {})",
      escaped_quote(excerpt(stored)), escaped_quote(excerpt(expected)), at);
}

// --- reading an entry --------------------------------------------------------------

struct Inspection {
  LoadResult result;
  bool replaceable = false;  ///< see OpenedDir::replaceable
};

Inspection miss(Miss why, std::string detail, bool replaceable) {
  Inspection inspection;
  inspection.result.miss = why;
  inspection.result.detail = std::move(detail);
  inspection.replaceable = replaceable;
  return inspection;
}

/// Reads and verifies the entry `key`; `expected_versions` null accepts any.
/// `touch` refreshes the entry's recency on a hit.
Inspection read_entry(int cache_fd, const std::string& dir, const std::string& key,
                      const std::string* expected_versions, bool touch) {
  OpenedDir entry_dir = open_entry_dir(cache_fd, dir, key);
  if (!entry_dir.fd) {
    if (entry_dir.miss == Miss::NotOwned) warn_once(entry_dir.detail);
    return miss(entry_dir.miss, entry_dir.detail, entry_dir.replaceable);
  }
  const int fd = entry_dir.fd.get();

  std::string problem;
  const auto metadata_text = read_file_at(fd, kMetadataFile, problem);
  if (!metadata_text) return miss(Miss::Corrupt, problem, true);
  StoredMetadata stored;
  int format = 0;
  try {
    stored = parse_metadata(*metadata_text, format);
  } catch (const json::exception& e) {
    return miss(Miss::Corrupt, fmt::format("{} is unparsable: {}", kMetadataFile, e.what()), true);
  }
  if (format != kFormat) {
    return miss(Miss::VersionChange,
                fmt::format("entry format {} (this library reads format {})", format, kFormat),
                true);
  }
  if (stored.meta.key != key) {
    return miss(Miss::Corrupt,
                fmt::format("{} names key {}, but the entry is under {}", kMetadataFile,
                            escaped_quote(stored.meta.key), key),
                true);
  }
  if (expected_versions != nullptr && stored.meta.versions != *expected_versions) {
    return miss(Miss::VersionChange,
                describe_version_change(stored.meta.versions, *expected_versions), true);
  }

  Entry entry;
  entry.meta = std::move(stored.meta);
  for (auto [name, bytes] :
       {std::pair{payload_file(entry.meta.kind), &entry.object}, std::pair{kSourceFile, &entry.source},
        std::pair{kGraphFile, &entry.graph}}) {
    auto content = read_file_at(fd, name, problem);
    if (!content) return miss(Miss::Corrupt, problem, true);
    const FileRecord& record = stored.files[name];
    if (content->size() < record.bytes) {
      return miss(
          Miss::Corrupt,
          fmt::format("{} is truncated: {} of {} bytes", name, content->size(), record.bytes),
          true);
    }
    if (content->size() > record.bytes) {
      return miss(Miss::Corrupt,
                  fmt::format("{} has {} bytes, {} says {}", name, content->size(), kMetadataFile,
                              record.bytes),
                  true);
    }
    if (const std::string actual = hash_hex(*content); actual != record.checksum) {
      return miss(Miss::Corrupt,
                  fmt::format("{} checksum mismatch: {} says {}, the file hashes to {}", name,
                              kMetadataFile, escaped_quote(record.checksum), actual),
                  true);
    }
    *bytes = std::move(*content);
  }
  // Best effort: a read-only cache still serves hits.
  if (touch) std::ignore = ::futimens(fd, nullptr);
  Inspection hit;
  hit.result.entry = std::move(entry);
  return hit;
}

// --- scanning the cache directory ----------------------------------------------------

/// A name in the cache directory that the cache manages.
struct Item {
  std::string name;
  bool temp = false;     ///< a writer's temp directory (or a replaced entry on its way out)
  bool symlink = false;  ///< a symlink or other non-directory under a key name
  std::uint64_t bytes = 0;
  std::int64_t mtime_ns = 0;
};

std::int64_t mtime_ns(const struct stat& st) {
  return std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

/// The total size of the regular files directly in the directory `name`.
std::uint64_t directory_bytes(int cache_fd, const std::string& name) {
  Fd fd(::openat(cache_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return 0;
  DIR* stream = ::fdopendir(fd.get());
  if (stream == nullptr) return 0;
  fd.release();  // closedir closes it now
  std::uint64_t total = 0;
  while (const dirent* item = ::readdir(stream)) {
    struct stat st {};
    if (::fstatat(::dirfd(stream), item->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(st.st_mode)) {
      total += static_cast<std::uint64_t>(st.st_size);
    }
  }
  ::closedir(stream);
  return total;
}

/// Every entry and temp directory in the opened cache directory. Directories
/// of other users are left out: we neither count, list nor remove them.
std::vector<Item> scan(int cache_fd) {
  std::vector<Item> items;
  const int fd = ::dup(cache_fd);
  if (fd < 0) return items;
  DIR* stream = ::fdopendir(fd);
  if (stream == nullptr) {
    ::close(fd);
    return items;
  }
  ::rewinddir(stream);
  while (const dirent* entry = ::readdir(stream)) {
    Item item;
    item.name = entry->d_name;
    item.temp = is_temp_name(item.name);
    if (!item.temp && !valid_key(item.name)) continue;
    struct stat st {};
    if (::fstatat(cache_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    item.mtime_ns = mtime_ns(st);
    item.symlink = !S_ISDIR(st.st_mode);
    if (!item.symlink && st.st_uid != ::geteuid()) continue;
    if (!item.symlink) item.bytes = directory_bytes(cache_fd, item.name);
    items.push_back(std::move(item));
  }
  ::closedir(stream);
  return items;
}

bool is_entry(const Item& item) { return !item.temp && !item.symlink; }

// --- writing an entry ----------------------------------------------------------------

/// Creates the directory `temp` (0700) and writes the entry's four files into
/// it; returns "" or what failed, and adds the bytes written to `bytes`.
std::string write_temp_entry(int cache_fd, const std::string& temp, const Entry& entry,
                             std::uint64_t& bytes) {
  if (::mkdirat(cache_fd, temp.c_str(), 0700) != 0) {
    return fmt::format("cannot create {}: {}", temp, error_text(errno));
  }
  Fd temp_fd(::openat(cache_fd, temp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!temp_fd) return fmt::format("cannot open {}: {}", temp, error_text(errno));
  const std::string metadata = metadata_text(entry);
  for (auto [name, content] : {std::pair{payload_file(entry.meta.kind), std::string_view(entry.object)},
                               std::pair{kSourceFile, std::string_view(entry.source)},
                               std::pair{kGraphFile, std::string_view(entry.graph)},
                               std::pair{kMetadataFile, std::string_view(metadata)}}) {
    if (auto error = write_file_at(temp_fd.get(), name, content); !error.empty()) return error;
    bytes += content.size();
  }
  return "";
}

enum class Published {
  Ours,     ///< our temp directory is the entry now
  Theirs,   ///< a whole entry with the same versions was there: kept
  Refused,  ///< another user's entry is in the way: left alone
  Failed,   ///< an I/O error
};

struct Publication {
  Published outcome;
  std::string detail = {};  ///< for Refused and Failed
};

/// Renames the written temp directory to the entry's key. rename() never
/// replaces a non-empty directory, so an entry already there is kept when
/// whole, else (corrupt, other versions, a symlink, a file) moved aside and
/// removed, and the rename retried; a few rounds settle any race. Another
/// user's entry (root's, left by a program run with sudo) is neither loaded
/// nor removed, but it must not keep its key from being cached for good:
/// it is renamed "<key>.foreign.<pid>.<random>", intact, for its owner to
/// delete (our directory, so we may rename in it; list and prune skip it).
Publication publish(int cache_fd, const std::string& dir, const std::string& temp,
                    const Entry& entry) {
  const std::string& key = entry.meta.key;
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (::renameat(cache_fd, temp.c_str(), cache_fd, key.c_str()) == 0) return {Published::Ours};
    const int error = errno;
    if (error != EEXIST && error != ENOTEMPTY && error != ENOTDIR && error != EISDIR) {
      return {Published::Failed,
              fmt::format("cannot rename {} to {}/{}: {}", temp, dir, key, error_text(error))};
    }
    const Inspection existing = read_entry(cache_fd, dir, key, &entry.meta.versions, true);
    if (existing.result.entry) return {Published::Theirs};
    if (existing.result.miss == Miss::NewKey) continue;  // it went away meanwhile
    if (!existing.replaceable) {
      const std::string foreign = temp_name(key, kForeignInfix);
      if (::renameat(cache_fd, key.c_str(), cache_fd, foreign.c_str()) == 0) {
        warn_once(fmt::format("cache entry {}/{} belongs to another user: renamed it {} (its owner may "
                              "delete it) to store this user's entry",
                              dir, key, foreign));
        continue;
      }
      return {Published::Refused, existing.result.detail};
    }
    const std::string aside = temp_name(key);
    if (::renameat(cache_fd, key.c_str(), cache_fd, aside.c_str()) == 0) remove_entry(dir, aside);
  }
  return {Published::Failed, fmt::format("{}/{} keeps changing under us", dir, key)};
}

/// The cache directory for a maintenance operation; warns when it is refused.
OpenedDir open_for_maintenance(const std::string& dir) {
  OpenedDir cache_dir = open_cache_dir(dir);
  if (!cache_dir.fd && cache_dir.miss != Miss::NewKey) warn_once(cache_dir.detail);
  return cache_dir;
}

}  // namespace

// --- public interface ------------------------------------------------------------------

std::string hash_hex(std::string_view text) {
  const XXH128_hash_t hash = XXH3_128bits(text.data(), text.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, hash);
  std::string hex;
  hex.reserve(2 * sizeof canonical.digest);
  for (unsigned char byte : canonical.digest) hex += fmt::format("{:02x}", byte);
  return hex;
}

std::string_view miss_name(Miss miss) {
  switch (miss) {
    case Miss::None: return "hit";
    case Miss::Disabled: return "disabled";
    case Miss::NewKey: return "new key";
    case Miss::Corrupt: return "corrupt entry";
    case Miss::VersionChange: return "version change";
    case Miss::NotOwned: return "not owned";
    case Miss::Unusable: return "unusable cache dir";
  }
  return "unknown";
}

DiskCache::DiskCache(std::string dir, std::uint64_t max_bytes, bool enabled)
    : dir_(std::move(dir)), max_bytes_(max_bytes), enabled_(enabled) {}

DiskCache& DiskCache::from_config() {
  static std::mutex mutex;
  // Never erased, so references handed out stay valid; one per configuration seen.
  static std::map<std::tuple<std::string, std::uint64_t, bool>, DiskCache> caches;
  const Config& settings = config();
  auto key = std::make_tuple(settings.cache_dir, settings.cache_max_size, settings.cache);
  std::lock_guard lock(mutex);
  auto it = caches.find(key);
  if (it == caches.end()) {
    it = caches.try_emplace(key, settings.cache_dir, settings.cache_max_size, settings.cache).first;
  }
  return it->second;
}

LoadResult DiskCache::load(const std::string& key, const std::string& expected_versions) {
  if (!enabled_) return {std::nullopt, Miss::Disabled, "cache=off"};
  if (!valid_key(key))
    return {std::nullopt, Miss::NewKey, "not a cache key: " + escaped_quote(key)};
  OpenedDir cache_dir = open_cache_dir(dir_);
  if (!cache_dir.fd) {
    if (cache_dir.miss != Miss::NewKey) warn_once(cache_dir.detail);
    return {std::nullopt, cache_dir.miss, cache_dir.detail};
  }
  return read_entry(cache_dir.fd.get(), dir_, key, &expected_versions, true).result;
}

LoadResult DiskCache::inspect(const std::string& key) const {
  if (!valid_key(key))
    return {std::nullopt, Miss::NewKey, "not a cache key: " + escaped_quote(key)};
  OpenedDir cache_dir = open_for_maintenance(dir_);
  if (!cache_dir.fd) return {std::nullopt, cache_dir.miss, cache_dir.detail};
  return read_entry(cache_dir.fd.get(), dir_, key, nullptr, false).result;
}

bool DiskCache::store(const Entry& entry) {
  if (!enabled_) return false;
  const std::string& key = entry.meta.key;
  if (!valid_key(key)) {
    warn_once(fmt::format("not storing compiled code: {} is not a cache key", escaped_quote(key)));
    return false;
  }
  const auto fail = [](const std::string& why) {
    warn_once(fmt::format(
        "cannot store compiled code in the cache ({}); it will be recompiled next time", why));
    return false;
  };

  try {
    if (auto error = make_directories(dir_); !error.empty()) return fail(error);
    OpenedDir cache_dir = open_cache_dir(dir_);
    if (!cache_dir.fd) return fail(cache_dir.detail);
    const int cache_fd = cache_dir.fd.get();

    const std::string temp = temp_name(key);
    std::uint64_t bytes = 0;
    if (auto error = write_temp_entry(cache_fd, temp, entry, bytes); !error.empty()) {
      remove_entry(dir_, temp);
      return fail(fmt::format("{} in {}", error, dir_));
    }
    const Publication publication = publish(cache_fd, dir_, temp, entry);
    if (publication.outcome != Published::Ours) remove_entry(dir_, temp);
    switch (publication.outcome) {
      case Published::Ours: break;
      case Published::Theirs: return true;
      case Published::Refused: warn_once(publication.detail); return false;
      case Published::Failed: return fail(publication.detail);
    }
    evict_if_over_cap(bytes);
    return true;
  } catch (const std::exception& e) {  // bad_alloc, fmt or filesystem errors
    return fail(e.what());
  }
}

void DiskCache::discard(const std::string& key) {
  if (!enabled_ || !valid_key(key)) return;
  OpenedDir cache_dir = open_cache_dir(dir_);
  if (!cache_dir.fd) return;
  const int cache_fd = cache_dir.fd.get();
  const OpenedDir entry_dir = open_entry_dir(cache_fd, dir_, key);
  if (!entry_dir.fd && !entry_dir.replaceable) return;  // missing, or another user's
  // Renamed aside first, as publish() does: a reader sees the whole entry or none.
  const std::string aside = temp_name(key);
  if (::renameat(cache_fd, key.c_str(), cache_fd, aside.c_str()) == 0) remove_entry(dir_, aside);
}

void DiskCache::evict_if_over_cap(std::uint64_t stored_bytes) {
  std::lock_guard lock(size_mutex_);
  const auto now = std::chrono::steady_clock::now();
  size_estimate_ += stored_bytes;
  const bool scan_is_old = !last_scan_ || now - *last_scan_ > std::chrono::minutes(1);
  if (!scan_is_old && size_estimate_ <= max_bytes_) return;
  last_scan_ = now;
  size_estimate_ = prune_over(max_bytes_, max_bytes_ - max_bytes_ / 4);
}

std::vector<EntryInfo> DiskCache::list() const {
  std::vector<EntryInfo> infos;
  OpenedDir cache_dir = open_for_maintenance(dir_);
  if (!cache_dir.fd) return infos;
  std::vector<Item> items = scan(cache_dir.fd.get());
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(b.mtime_ns, a.name) < std::tie(a.mtime_ns, b.name);
  });
  const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  for (const Item& item : items) {
    if (!is_entry(item)) continue;
    EntryInfo info;
    info.key = item.name;
    info.bytes = item.bytes;
    info.age_seconds = std::max<std::int64_t>(0, (now_ns - item.mtime_ns) / 1'000'000'000);
    OpenedDir entry_dir = open_entry_dir(cache_dir.fd.get(), dir_, item.name);
    std::string problem;
    std::optional<std::string> text;
    if (entry_dir.fd) text = read_file_at(entry_dir.fd.get(), kMetadataFile, problem);
    if (!entry_dir.fd) problem = entry_dir.detail;
    if (text) {
      try {
        int format = 0;
        const StoredMetadata stored = parse_metadata(*text, format);
        info.name = stored.meta.name;
        info.kind = stored.meta.kind;
        info.object_key = stored.meta.object_key;
        for (const auto& [phase, ms] : stored.meta.compile_ms) info.compile_ms += ms;
      } catch (const json::exception& e) {
        problem = fmt::format("{} is unparsable: {}", kMetadataFile, e.what());
      }
    }
    info.problem = problem;
    infos.push_back(std::move(info));
  }
  return infos;
}

void DiskCache::clear() {
  OpenedDir cache_dir = open_for_maintenance(dir_);
  if (!cache_dir.fd) return;
  for (const Item& item : scan(cache_dir.fd.get())) remove_entry(dir_, item.name);
}

void DiskCache::prune(std::uint64_t max_bytes) { prune_to(max_bytes); }

std::uint64_t DiskCache::prune_over(std::uint64_t cap, std::uint64_t target) {
  OpenedDir cache_dir = open_for_maintenance(dir_);
  if (!cache_dir.fd) return 0;
  std::vector<Item> items = scan(cache_dir.fd.get());
  const std::int64_t stale_before_ns =
      (now_unix() - kStaleTempSeconds) * std::int64_t{1'000'000'000};
  std::uint64_t total = 0;
  std::vector<const Item*> entries;
  for (const Item& item : items) {
    if (item.temp && item.mtime_ns < stale_before_ns) remove_entry(dir_, item.name);
    if (!is_entry(item)) continue;
    entries.push_back(&item);
    total += item.bytes;
  }
  std::sort(entries.begin(), entries.end(), [](const Item* a, const Item* b) {
    return std::tie(a->mtime_ns, a->name) < std::tie(b->mtime_ns, b->name);
  });
  if (total <= cap) return total;
  for (const Item* item : entries) {
    if (total <= target) break;
    remove_entry(dir_, item->name);
    total -= item->bytes;
  }
  return total;
}

std::uint64_t DiskCache::total_bytes() const {
  OpenedDir cache_dir = open_cache_dir(dir_);
  if (!cache_dir.fd) return 0;
  std::uint64_t total = 0;
  for (const Item& item : scan(cache_dir.fd.get())) {
    if (is_entry(item)) total += item.bytes;
  }
  return total;
}

}  // namespace hypatia::cache
