/// \file The on-disk cache of compiled objects: one directory per key.
///
/// A warm compile in a second process must skip rewriting, codegen and Clang,
/// so every compiled function is stored under its key (a hash of everything
/// that decides the object's bytes) as
///
///   <dir>/<key>/object.o        the relocatable object jit::load_object takes
///   <dir>/<key>/source.cpp      the generated C++ (hypatia-dump shows it)
///   <dir>/<key>/graph.txt       the graph printout
///   <dir>/<key>/metadata.json   name, versions, compile timings and the size
///                               and XXH3-128 checksum of each file above
///
/// Two kinds of entry share the directory. An "object" entry is keyed by the
/// optimised graph and holds the object above. An "index" entry is keyed by
/// the graph as handed to compile (plus mode and passes) and holds, instead
/// of object.o, recipe.cbor: the key of its object entry and what a program
/// needs besides the object (constants, dtypes, node names). A warm compile
/// reads the index, then the object: no rewriting, codegen or Clang. Equal
/// math built differently has other index entries but one object entry.
///
/// Why it is built this way:
///  - No global lock. A store writes a private temp directory
///    `<key>.tmp.<pid>.<random>` and renames it into place; rename is atomic,
///    so a reader sees a whole entry or none, and two processes storing one
///    key both succeed (the first rename wins, the other keeps the winner).
///    A writer killed mid-store leaves only a temp directory, which loads and
///    listings never look at and prune()/clear() remove once it is old.
///  - Nothing read back is trusted. A load checks every file's presence, size
///    and checksum and the stored versions; any mismatch is a miss with a
///    reason (Miss) and a detail, and the next store replaces the bad entry.
///  - Other users cannot plant code. The cache directory and each entry must
///    be real directories (not symlinks) owned by the effective user and not
///    writable by group or others; otherwise they are ignored with a warning
///    and never written through. Directories are created 0700, files 0600.
///    Another user's entry in our directory (root's, after a run under sudo)
///    is never loaded or removed; a store renames it `<key>.foreign.<pid>.<random>`,
///    intact, so that the key can be cached again.
///  - The cache is an optimisation: store() never throws on I/O failure
///    (disk full, read-only or missing directory); it warns once on stderr
///    and returns false, and the caller goes on with the code it compiled.
///  - Recency for least-recently-used eviction is the entry directory's
///    mtime: set when the entry is written, refreshed by every successful load.
///
/// Every member function is safe to call from several threads and processes
/// at once. Internal header: the runtime's, not the public API's.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hypatia::cache {

/// 32 lowercase hex digits of XXH3-128 of `text` (xxHash's canonical byte order).
std::string hash_hex(std::string_view text);

/// What metadata.json holds besides the files' checksums.
struct Metadata {
  std::string key;       ///< the cache key; store() sets it to the entry's directory name
  std::string name;      ///< the function's name: user text, "" allowed; invalid UTF-8 is
                         ///< stored with U+FFFD in place of the bad bytes
  std::string versions;  ///< codegen version + jit::compile_fingerprint() + flags
  std::map<std::string, double> compile_ms;  ///< per phase: rewrite, codegen, frontend, ...
  std::int64_t created_unix = 0;             ///< 0 -> store() sets the current time
  std::string object_checksum;  ///< hash_hex(object): store() computes it, load() checks it
  std::string kind = "object";  ///< "object" or "index" (payload recipe.cbor, not object.o)
  std::string object_key;       ///< for an index entry: the key of its object entry
};

/// One cached compile.
struct Entry {
  std::string object;  ///< relocatable object bytes (object.o), or an index entry's recipe (recipe.cbor)
  std::string source;  ///< generated C++ (source.cpp)
  std::string graph;   ///< graph printout (graph.txt)
  Metadata meta;
};

/// Why a load found nothing usable.
enum class Miss {
  None,           ///< a hit
  Disabled,       ///< cache=off
  NewKey,         ///< no entry under this key (or no cache directory yet)
  Corrupt,        ///< a file missing, truncated, altered, or unparsable metadata
  VersionChange,  ///< stored by another codegen/compiler version or other flags
  NotOwned,       ///< cache dir or entry not owned by us, writable by others, or a symlink
  Unusable,       ///< the cache dir is not a directory or cannot be read
};

/// "hit", "disabled", "new key", "corrupt entry", "version change", "not owned",
/// "unusable cache dir".
std::string_view miss_name(Miss miss);

struct LoadResult {
  std::optional<Entry> entry;  ///< set exactly when miss == Miss::None
  Miss miss = Miss::None;
  std::string detail;  ///< for a miss: which file and what is wrong, or which path is refused
};

/// One entry as hypatia-dump lists it.
struct EntryInfo {
  std::string key, name;         ///< name as stored (user text: escape it before printing)
  std::uint64_t bytes = 0;       ///< total size of the entry's files
  std::int64_t age_seconds = 0;  ///< since it was last used (stored or loaded)
  double compile_ms = 0;         ///< sum of the metadata's compile_ms
  std::string problem;           ///< "" or why its metadata cannot be read (load says Corrupt)
  std::string kind = "object";   ///< "object" or "index"
  std::string object_key;        ///< for an index entry: its object entry's key
};

class DiskCache {
 public:
  /// `dir` is created 0700 on the first store (missing parents too). After a
  /// store that takes the total over `max_bytes`, least-recently-used entries
  /// are evicted. enabled = false: load() misses with Miss::Disabled and
  /// store() does nothing.
  DiskCache(std::string dir, std::uint64_t max_bytes, bool enabled = true);

  /// The process-wide cache for hp::config()'s cache_dir, cache_max_size and
  /// cache; when those change, the next call returns a cache for the new
  /// values. References stay valid for the life of the process.
  static DiskCache& from_config();

  /// The entry under `key` if it is whole and was stored with exactly
  /// `expected_versions`; a hit refreshes its recency. Never throws on I/O.
  LoadResult load(const std::string& key, const std::string& expected_versions);

  /// As load() but accepts any stored versions and leaves recency alone
  /// (what hypatia-dump shows).
  LoadResult inspect(const std::string& key) const;

  /// Writes the entry under entry.meta.key atomically. Keeps an existing whole
  /// entry with the same versions; replaces a corrupt one, one of other
  /// versions, or a symlink; moves another user's aside (see above). True
  /// when a whole entry is in place afterwards.
  /// Never throws on I/O failure: warns once on stderr and returns false.
  bool store(const Entry& entry);

  /// Removes our entry under `key`, whole or not: for an entry whose object
  /// turned out unusable (it does not link), which store() would otherwise
  /// keep. Another user's entry is left alone. Never throws on I/O.
  void discard(const std::string& key);

  /// Every entry, most recently used first. Temp directories, symlinks and
  /// directories not owned by us are left out.
  std::vector<EntryInfo> list() const;

  /// Removes every entry and every temp directory (a concurrent store may then fail).
  void clear();

  /// Evicts least-recently-used entries until the total is at most max_bytes,
  /// and removes temp directories older than kStaleTempSeconds.
  void prune(std::uint64_t max_bytes);

  /// The total size of the entries list() shows.
  std::uint64_t total_bytes() const;

  const std::string& dir() const { return dir_; }
  std::uint64_t max_bytes() const { return max_bytes_; }
  bool enabled() const { return enabled_; }

  /// A temp directory this old belongs to a writer that died; a live store
  /// takes milliseconds.
  static constexpr std::int64_t kStaleTempSeconds = 600;

 private:
  /// After a store of `stored_bytes`: when the cache is past max_bytes_,
  /// prunes it to three quarters of max_bytes_ (see prune_over).
  void evict_if_over_cap(std::uint64_t stored_bytes);
  /// prune() returning the bytes left.
  std::uint64_t prune_to(std::uint64_t max_bytes) { return prune_over(max_bytes, max_bytes); }
  /// When the entries hold more than `cap` bytes, removes the least recently
  /// used down to `target` bytes; returns the bytes left.
  std::uint64_t prune_over(std::uint64_t cap, std::uint64_t target);

  std::string dir_;
  std::uint64_t max_bytes_;
  bool enabled_;

  // Scanning the directory costs a stat per file, too much for every store of
  // a large cache: keep a running estimate of the total (this process's
  // stores added to the last scan) and rescan only when it passes the cap or
  // the scan is a minute old (other processes store too). Pruning goes down
  // to three quarters of the cap, so that a full cache is not scanned again
  // for the next quarter's worth of stores: pruning to just under the cap
  // made every following store scan the whole directory (tens of thousands
  // of entries: a compile of milliseconds took a second).
  std::mutex size_mutex_;
  std::uint64_t size_estimate_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_scan_;
};

}  // namespace hypatia::cache
