// The on-disk cache of compiled objects: round trips, miss reasons, and the
// fault-injection cases of the reliability issue (corruption, symlinks,
// foreign owners, open permissions, write failures, concurrent writers,
// writers killed mid-write, LRU eviction).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hypatia/config.hpp"
#include "runtime/cache.hpp"

#include "tests/support/test_support.hpp"

namespace hp = hypatia;
namespace fs = std::filesystem;
using hp::cache::DiskCache;
using hp::cache::Entry;
using hp::cache::Miss;

namespace {

using hypatia_test::TempDir;


/// Redirects stderr (fd 2) into a file for one scope; text() is what was written.
class CaptureStderr {
 public:
  CaptureStderr() {
    std::fflush(stderr);
    saved_ = ::dup(2);
    char name[] = "/tmp/hypatia_test_cache_stderr_XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    path_ = name;
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~CaptureStderr() {
    restore();
    ::unlink(path_.c_str());
  }
  CaptureStderr(const CaptureStderr&) = delete;
  CaptureStderr& operator=(const CaptureStderr&) = delete;

  std::string text() {
    std::fflush(stderr);
    std::ifstream in(path_);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }
  int saved_ = -1;
  std::string path_;
};

const std::string kVersions = "codegen 1; llvm 19.1.7; x86_64-pc-linux-gnu; znver4; -O2";

/// An entry as the compiler would store it; the object holds NUL and high bytes.
Entry make_entry(const std::string& what, const std::string& versions = kVersions,
                 std::size_t object_bytes = 300) {
  Entry entry;
  entry.meta.key = hp::cache::hash_hex(what);
  entry.meta.name = "f_" + what;
  entry.meta.versions = versions;
  entry.meta.compile_ms = {{"codegen", 1.5}, {"frontend", 20.25}, {"optimize", 8.0}};
  for (std::size_t i = 0; i < object_bytes; ++i) entry.object += static_cast<char>(i * 7);
  entry.source = "// " + what + "\nextern \"C\" void entry() {}\n";
  entry.graph = "Elemwise{add}(x, y)  # " + what + "\n";
  return entry;
}

using hypatia_test::read_text;
using hypatia_test::write_text;

/// Rewrites an entry's metadata.json through `edit`, as a tamperer would.
template <class Edit>
void edit_metadata(const fs::path& dir, Edit edit) {
  auto metadata = nlohmann::json::parse(read_text(dir / "metadata.json"));
  edit(metadata);
  write_text(dir / "metadata.json", metadata.dump());
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

fs::path entry_dir(const DiskCache& cache, const Entry& entry) {
  return fs::path(cache.dir()) / entry.meta.key;
}

/// The names in the cache directory that are writers' temp directories.
std::vector<std::string> temp_dirs(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ignored;
  for (const auto& item : fs::directory_iterator(dir, ignored)) {
    const std::string name = item.path().filename().string();
    if (contains(name, ".tmp.")) names.push_back(name);
  }
  return names;
}

/// Sets a path's modification time to `seconds_ago` before now.
void set_age(const fs::path& path, int seconds_ago) {
  const timespec now{std::time(nullptr) - seconds_ago, 0};
  const timespec times[2] = {now, now};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

void check_same(const Entry& loaded, const Entry& stored) {
  CHECK(loaded.object == stored.object);
  CHECK(loaded.source == stored.source);
  CHECK(loaded.graph == stored.graph);
  CHECK(loaded.meta.key == stored.meta.key);
  CHECK(loaded.meta.name == stored.meta.name);
  CHECK(loaded.meta.versions == stored.meta.versions);
  CHECK(loaded.meta.compile_ms == stored.meta.compile_ms);
}

/// Stores an entry, damages it with `corrupt`, and checks that the load is a
/// Corrupt miss whose detail contains `detail`, then that a new store repairs it.
template <class Corrupt>
void check_corruption_is_detected_and_repaired(Corrupt corrupt, const std::string& detail) {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("corrupted");
  REQUIRE(cache.store(entry));
  corrupt(entry_dir(cache, entry));

  const auto damaged = cache.load(entry.meta.key, kVersions);
  CHECK_FALSE(damaged.entry);
  CHECK(damaged.miss == Miss::Corrupt);
  CHECK_MESSAGE(contains(damaged.detail, detail), damaged.detail);

  CHECK(cache.store(entry));
  const auto repaired = cache.load(entry.meta.key, kVersions);
  REQUIRE(repaired.entry);
  check_same(*repaired.entry, entry);
  CHECK(temp_dirs(cache.dir()).empty());
}

}  // namespace

// --- keys --------------------------------------------------------------------------

TEST_CASE("hash_hex is the 32 lowercase hex digits of XXH3-128") {
  CHECK(hp::cache::hash_hex("") == "99aa06d3014798d86001c324468d497f");
  CHECK(hp::cache::hash_hex("hypatia") == "34cb3a4835d9378f44e6b9cc3a6c6ae4");
}

TEST_CASE("miss_name names every miss reason") {
  CHECK(hp::cache::miss_name(Miss::None) == "hit");
  CHECK(hp::cache::miss_name(Miss::Disabled) == "disabled");
  CHECK(hp::cache::miss_name(Miss::NewKey) == "new key");
  CHECK(hp::cache::miss_name(Miss::Corrupt) == "corrupt entry");
  CHECK(hp::cache::miss_name(Miss::VersionChange) == "version change");
  CHECK(hp::cache::miss_name(Miss::NotOwned) == "not owned");
  CHECK(hp::cache::miss_name(Miss::Unusable) == "unusable cache dir");
}

// --- round trip and miss reasons --------------------------------------------------------

TEST_CASE("a stored entry loads back byte for byte, with its checksum and creation time") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("round trip");
  const std::int64_t before = std::time(nullptr);
  REQUIRE(cache.store(entry));

  const auto result = cache.load(entry.meta.key, kVersions);
  REQUIRE(result.entry);
  CHECK(result.miss == Miss::None);
  check_same(*result.entry, entry);
  CHECK(result.entry->meta.object_checksum == hp::cache::hash_hex(entry.object));
  CHECK(result.entry->meta.created_unix >= before);
  for (const char* file : {"object.o", "source.cpp", "graph.txt", "metadata.json"}) {
    CHECK(fs::is_regular_file(entry_dir(cache, entry) / file));
  }
}

TEST_CASE("a key never stored misses with NewKey, before and after the directory exists") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  CHECK(cache.load(hp::cache::hash_hex("absent"), kVersions).miss == Miss::NewKey);
  REQUIRE(cache.store(make_entry("present")));
  const auto result = cache.load(hp::cache::hash_hex("absent"), kVersions);
  CHECK_FALSE(result.entry);
  CHECK(result.miss == Miss::NewKey);
}

TEST_CASE("an entry stored with other versions misses with VersionChange naming the difference") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry old_entry = make_entry("versions", "codegen 1; llvm 18.1.8");
  REQUIRE(cache.store(old_entry));

  const auto result = cache.load(old_entry.meta.key, "codegen 1; llvm 19.1.7");
  CHECK_FALSE(result.entry);
  CHECK(result.miss == Miss::VersionChange);
  CHECK(contains(result.detail, "llvm 18.1.8"));
  CHECK(contains(result.detail, "llvm 19.1.7"));

  // The recompiled code replaces it.
  Entry new_entry = make_entry("versions", "codegen 1; llvm 19.1.7");
  new_entry.object = "new object";
  CHECK(cache.store(new_entry));
  const auto reloaded = cache.load(new_entry.meta.key, "codegen 1; llvm 19.1.7");
  REQUIRE(reloaded.entry);
  CHECK(reloaded.entry->object == "new object");
}

TEST_CASE("cache=off: load misses with Disabled and store writes nothing") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30, false);
  const Entry entry = make_entry("disabled");
  CHECK_FALSE(cache.store(entry));
  CHECK_FALSE(fs::exists(tmp.cache()));
  const auto result = cache.load(entry.meta.key, kVersions);
  CHECK_FALSE(result.entry);
  CHECK(result.miss == Miss::Disabled);
}

TEST_CASE("a second store of a key keeps the whole entry already there") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry first = make_entry("twice");
  Entry second = first;
  second.object = "another object";
  REQUIRE(cache.store(first));
  CHECK(cache.store(second));
  const auto result = cache.load(first.meta.key, kVersions);
  REQUIRE(result.entry);
  CHECK(result.entry->object == first.object);
}

TEST_CASE("a key that is not a plain name is neither stored nor loaded") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  CaptureStderr captured;
  for (const char* bad : {"", "..", "../escape", "a/b", "abc.tmp.1.2", "x y"}) {
    CAPTURE(bad);
    Entry entry = make_entry("bad key");
    entry.meta.key = bad;
    CHECK_FALSE(cache.store(entry));
    CHECK(cache.load(bad, kVersions).miss == Miss::NewKey);
  }
  CHECK_FALSE(fs::exists(tmp.path() / "escape"));
  CHECK(contains(captured.text(), "is not a cache key"));
}

TEST_CASE("a name with control characters, quotes and invalid UTF-8 is stored safely") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  Entry entry = make_entry("hostile name");
  entry.meta.name = "a\"b\n*/ #include <x>\x1b[31m \xce\xb1 \xff";
  REQUIRE(cache.store(entry));
  const std::string metadata = read_text(entry_dir(cache, entry) / "metadata.json");
  CHECK_FALSE(contains(metadata, "\x1b"));
  CHECK(nlohmann::json::accept(metadata));
  const auto result = cache.load(entry.meta.key, kVersions);
  REQUIRE(result.entry);
  // Valid UTF-8 comes back as is; the invalid byte 0xff as U+FFFD.
  CHECK(result.entry->meta.name == "a\"b\n*/ #include <x>\x1b[31m \xce\xb1 \xef\xbf\xbd");
}

TEST_CASE("compile timings that are not finite are left out of the metadata") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  Entry entry = make_entry("nan timing");
  entry.meta.compile_ms["link"] = std::numeric_limits<double>::quiet_NaN();
  REQUIRE(cache.store(entry));
  const auto result = cache.load(entry.meta.key, kVersions);
  REQUIRE(result.entry);
  CHECK(result.entry->meta.compile_ms.count("link") == 0);
  CHECK(result.entry->meta.compile_ms.at("frontend") == 20.25);
}

// --- corruption: every case misses with Corrupt, and the next store repairs it -------------

TEST_CASE("a truncated object is Corrupt, and the next store repairs the entry") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) { fs::resize_file(dir / "object.o", 100); },
      "object.o is truncated: 100 of 300 bytes");
}

TEST_CASE("an empty object is Corrupt, and the next store repairs the entry") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) { fs::resize_file(dir / "object.o", 0); },
      "object.o is truncated: 0 of 300 bytes");
}

TEST_CASE("a flipped byte in the object is Corrupt, and the next store repairs the entry") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) {
        std::string object = read_text(dir / "object.o");
        object[150] = static_cast<char>(object[150] ^ 0x10);
        write_text(dir / "object.o", object);
      },
      "object.o checksum mismatch");
}

TEST_CASE("a wrong checksum in the metadata is Corrupt, and the next store repairs the entry") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) {
        edit_metadata(dir, [](nlohmann::json& metadata) {
          metadata["files"]["object.o"]["xxh3_128"] = hp::cache::hash_hex("something else");
        });
      },
      "object.o checksum mismatch");
}

TEST_CASE("missing metadata is Corrupt, and the next store repairs the entry") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) { fs::remove(dir / "metadata.json"); }, "metadata.json is missing");
}

TEST_CASE("unparsable metadata is Corrupt, and the next store repairs the entry") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) { write_text(dir / "metadata.json", "{\"format\": 1, garbage"); },
      "metadata.json is unparsable");
}

TEST_CASE("metadata without a required field is Corrupt, and the next store repairs the entry") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) {
        edit_metadata(dir, [](nlohmann::json& metadata) { metadata.erase("files"); });
      },
      "metadata.json is unparsable");
}

TEST_CASE("a missing source is Corrupt, and the next store repairs the entry") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) { fs::remove(dir / "source.cpp"); }, "source.cpp is missing");
}

TEST_CASE("a graph printout with bytes appended is Corrupt, and the next store repairs it") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) { std::ofstream(dir / "graph.txt", std::ios::app) << "extra"; },
      "graph.txt has");
}

TEST_CASE("an object replaced by a symlink is Corrupt, and the next store repairs the entry") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) {
        fs::rename(dir / "object.o", dir / "moved.o");
        fs::create_symlink(dir / "moved.o", dir / "object.o");
      },
      "object.o is a symbolic link");
}

TEST_CASE("an entry moved under another key is Corrupt, and the next store repairs it") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) {
        edit_metadata(dir, [](nlohmann::json& metadata) {
          metadata["key"] = hp::cache::hash_hex("another key");
        });
      },
      "names key");
}

TEST_CASE("a regular file where an entry's directory belongs is Corrupt, and a store replaces it") {
  check_corruption_is_detected_and_repaired(
      [](const fs::path& dir) {
        fs::remove_all(dir);
        write_text(dir, "not a directory");
      },
      "is not a directory");
}

// --- trust: symlinks, permissions, owners ---------------------------------------------------

TEST_CASE("an entry directory replaced by a symlink is ignored and never written through") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("symlinked");
  REQUIRE(cache.store(entry));
  // Move the real entry elsewhere (an attacker's copy) and link to it.
  const fs::path elsewhere = tmp.path() / "elsewhere";
  fs::rename(entry_dir(cache, entry), elsewhere);
  fs::create_directory_symlink(elsewhere, entry_dir(cache, entry));

  CaptureStderr captured;
  const auto result = cache.load(entry.meta.key, kVersions);
  CHECK_FALSE(result.entry);
  CHECK(result.miss == Miss::NotOwned);
  CHECK(contains(result.detail, "is a symbolic link"));
  CHECK(contains(captured.text(), "is a symbolic link"));

  // A store replaces the link itself and leaves what it pointed to alone.
  CHECK(cache.store(entry));
  CHECK_FALSE(fs::is_symlink(entry_dir(cache, entry)));
  CHECK(fs::exists(elsewhere / "object.o"));
  REQUIRE(cache.load(entry.meta.key, kVersions).entry);
}

TEST_CASE("a cache directory with mode 0777 is ignored with a warning and never written") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("open to all");
  REQUIRE(cache.store(entry));
  REQUIRE(::chmod(tmp.cache().c_str(), 0777) == 0);

  CaptureStderr captured;
  const auto result = cache.load(entry.meta.key, kVersions);
  CHECK_FALSE(result.entry);
  CHECK(result.miss == Miss::NotOwned);
  CHECK(contains(result.detail, "writable by group or others (mode 0777; chmod go-w it"));
  CHECK(contains(captured.text(), "hypatia: warning: cache directory " + tmp.cache()));

  const Entry other = make_entry("not written");
  CHECK_FALSE(cache.store(other));
  CHECK_FALSE(fs::exists(entry_dir(cache, other)));
  CHECK(temp_dirs(cache.dir()).empty());
  CHECK(cache.list().empty());
}

TEST_CASE("a warning is printed once, however often the same problem is met") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  REQUIRE(cache.store(make_entry("warn once")));
  REQUIRE(::chmod(tmp.cache().c_str(), 0775) == 0);
  CaptureStderr captured;
  for (int i = 0; i < 3; ++i) cache.load(hp::cache::hash_hex("warn once"), kVersions);
  const std::string text = captured.text();
  const auto first = text.find("writable by group");
  REQUIRE(first != std::string::npos);
  CHECK(text.find("writable by group", first + 1) == std::string::npos);
}

TEST_CASE("a cache directory that is a symlink is ignored and never written through") {
  TempDir tmp;
  const fs::path target = tmp.path() / "target";
  fs::create_directory(target);
  fs::permissions(target, fs::perms::owner_all, fs::perm_options::replace);
  fs::create_directory_symlink(target, tmp.cache());
  DiskCache cache(tmp.cache(), 1u << 30);
  CaptureStderr captured;
  const Entry entry = make_entry("through a link");
  CHECK_FALSE(cache.store(entry));
  CHECK(fs::is_empty(target));
  const auto result = cache.load(entry.meta.key, kVersions);
  CHECK(result.miss == Miss::NotOwned);
  CHECK(contains(captured.text(), "is a symbolic link"));
}

TEST_CASE("an entry owned by another user is ignored with a warning, and a store moves it aside intact") {
  if (::getuid() != 0) {
    MESSAGE("skipped: chown to another user needs root");
    return;
  }
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("foreign");
  REQUIRE(cache.store(entry));
  const fs::path dir = entry_dir(cache, entry);
  for (const auto& item : fs::recursive_directory_iterator(dir)) {
    REQUIRE(::chown(item.path().c_str(), 65534, 65534) == 0);
  }
  REQUIRE(::chown(dir.c_str(), 65534, 65534) == 0);

  CaptureStderr captured;
  const auto result = cache.load(entry.meta.key, kVersions);
  CHECK_FALSE(result.entry);
  CHECK(result.miss == Miss::NotOwned);
  CHECK(contains(result.detail, "owned by uid 65534"));
  CHECK(contains(captured.text(), "owned by uid 65534"));

  // Not listed, not counted, not removed.
  CHECK(cache.list().empty());
  CHECK(cache.total_bytes() == 0);
  cache.prune(0);
  CHECK(fs::exists(dir));
  cache.discard(entry.meta.key);
  CHECK(fs::exists(dir));

  // A store renames it "<key>.foreign.<pid>.<random>", its files intact and
  // still its owner's, and puts ours in its place: the key is cached again.
  const std::string original_object = read_text(dir / "object.o");
  CHECK(cache.store(entry));
  CHECK(contains(captured.text(), "belongs to another user"));
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK(st.st_uid == ::geteuid());
  CHECK(cache.load(entry.meta.key, kVersions).entry);
  std::vector<fs::path> aside;
  for (const auto& item : fs::directory_iterator(cache.dir())) {
    if (contains(item.path().filename().string(), ".foreign.")) aside.push_back(item.path());
  }
  REQUIRE(aside.size() == 1);
  CHECK(aside[0].filename().string().starts_with(entry.meta.key + ".foreign."));
  REQUIRE(::stat(aside[0].c_str(), &st) == 0);
  CHECK(st.st_uid == 65534u);
  CHECK(read_text(aside[0] / "object.o") == original_object);
  // Still neither listed nor removed.
  CHECK(cache.list().size() == 1);
  cache.clear();
  CHECK(fs::exists(aside[0]));
}

TEST_CASE("a cache directory owned by another user is ignored and never written") {
  if (::getuid() != 0) {
    MESSAGE("skipped: chown to another user needs root");
    return;
  }
  TempDir tmp;
  fs::create_directory(tmp.cache());
  fs::permissions(tmp.cache(), fs::perms::owner_all, fs::perm_options::replace);
  REQUIRE(::chown(tmp.cache().c_str(), 65534, 65534) == 0);
  DiskCache cache(tmp.cache(), 1u << 30);
  CaptureStderr captured;
  const Entry entry = make_entry("foreign dir");
  CHECK_FALSE(cache.store(entry));
  CHECK(fs::is_empty(tmp.cache()));
  CHECK(cache.load(entry.meta.key, kVersions).miss == Miss::NotOwned);
  CHECK(contains(captured.text(), "owned by uid 65534"));
}

TEST_CASE("an entry directory writable by others is ignored, and a store replaces it") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("group writable");
  REQUIRE(cache.store(entry));
  REQUIRE(::chmod(entry_dir(cache, entry).c_str(), 0770) == 0);
  CaptureStderr captured;
  CHECK(cache.load(entry.meta.key, kVersions).miss == Miss::NotOwned);
  CHECK(cache.store(entry));
  CHECK(mode_of(entry_dir(cache, entry)) == 0700);
  CHECK(cache.load(entry.meta.key, kVersions).entry);
}

TEST_CASE("directories are created 0700 (missing parents too) and files 0600, whatever the umask") {
  TempDir tmp;
  const std::string dir = (tmp.path() / "a" / "b" / "cache").string();
  DiskCache cache(dir, 1u << 30);
  const mode_t saved = ::umask(0);
  const Entry entry = make_entry("modes");
  const bool stored = cache.store(entry);
  ::umask(saved);
  REQUIRE(stored);
  CHECK(mode_of(tmp.path() / "a") == 0700);
  CHECK(mode_of(tmp.path() / "a" / "b") == 0700);
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(entry_dir(cache, entry)) == 0700);
  for (const char* file : {"object.o", "source.cpp", "graph.txt", "metadata.json"}) {
    CAPTURE(file);
    CHECK(mode_of(entry_dir(cache, entry) / file) == 0600);
  }
}

// --- write failures -----------------------------------------------------------------------

TEST_CASE("a cache_dir under a regular file: store returns false with a warning, loads miss") {
  TempDir tmp;
  write_text(tmp.path() / "file", "x");
  DiskCache cache((tmp.path() / "file" / "cache").string(), 1u << 30);
  CaptureStderr captured;
  const Entry entry = make_entry("under a file");
  CHECK_FALSE(cache.store(entry));
  CHECK(contains(captured.text(), "cannot store compiled code in the cache"));
  const auto result = cache.load(entry.meta.key, kVersions);
  CHECK_FALSE(result.entry);
  CHECK(result.miss == Miss::Unusable);
}

TEST_CASE("a cache_dir that is a regular file: store returns false, loads miss as Unusable") {
  TempDir tmp;
  write_text(tmp.cache(), "x");
  DiskCache cache(tmp.cache(), 1u << 30);
  CaptureStderr captured;
  const Entry entry = make_entry("a file");
  CHECK_FALSE(cache.store(entry));
  const auto result = cache.load(entry.meta.key, kVersions);
  CHECK(result.miss == Miss::Unusable);
  CHECK(contains(result.detail, "is not a directory"));
  CHECK(cache.list().empty());
  CHECK(read_text(tmp.cache()) == "x");
}

TEST_CASE("a read-only cache directory: store returns false, existing entries still load") {
  if (::geteuid() == 0) {
    MESSAGE(
        "skipped: root writes through permission bits (the tmpfs and file-size cases cover "
        "write failures)");
    return;
  }
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("read only");
  REQUIRE(cache.store(entry));
  REQUIRE(::chmod(tmp.cache().c_str(), 0500) == 0);
  CaptureStderr captured;
  CHECK_FALSE(cache.store(make_entry("new")));
  CHECK(cache.load(entry.meta.key, kVersions).entry);
}

TEST_CASE("a full disk (a 64 KiB tmpfs): store returns false, leaves nothing, loads miss") {
  TempDir tmp;
  const fs::path mount_point = tmp.path() / "small";
  fs::create_directory(mount_point);
  if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=64k,mode=0700") != 0) {
    const std::string why = std::strerror(errno);
    MESSAGE("skipped: cannot mount a tmpfs here (" << why << ")");
    return;
  }
  struct Unmount {
    fs::path path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mount_point};

  DiskCache cache((mount_point / "cache").string(), 1u << 30);
  const Entry small = make_entry("fits");
  REQUIRE(cache.store(small));
  CaptureStderr captured;
  const Entry big = make_entry("too big", kVersions, 1 << 20);
  CHECK_FALSE(cache.store(big));
  CHECK(contains(captured.text(), "No space left on device"));
  CHECK(temp_dirs(cache.dir()).empty());
  CHECK(cache.load(big.meta.key, kVersions).miss == Miss::NewKey);
  // The cache is still usable.
  CHECK(cache.load(small.meta.key, kVersions).entry);
  const Entry another = make_entry("fits too");
  CHECK(cache.store(another));
  CHECK(cache.load(another.meta.key, kVersions).entry);
}

TEST_CASE("a write that fails (file size limit): store returns false, leaves nothing, loads miss") {
  TempDir tmp;
  const std::string dir = tmp.cache();
  const Entry big = make_entry("limited", kVersions, 1 << 20);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing us
    const rlimit limit{64 * 1024, 64 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    ::close(2);  // keep the expected warning out of the test log
    DiskCache cache(dir, 1u << 30);
    _exit(cache.store(big) ? 1 : 0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // store returned false
  DiskCache cache(dir, 1u << 30);
  CHECK(temp_dirs(dir).empty());
  CHECK(cache.load(big.meta.key, kVersions).miss == Miss::NewKey);
  CHECK(cache.store(big));
  CHECK(cache.load(big.meta.key, kVersions).entry);
}

// --- concurrent and interrupted writers --------------------------------------------------------

TEST_CASE("8 processes storing one shared key and their own keys at once all succeed") {
  TempDir tmp;
  const std::string dir = tmp.cache();
  constexpr int kProcesses = 8;
  constexpr int kRounds = 20;
  int start[2];
  REQUIRE(::pipe(start) == 0);
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(start[1]);
      char byte;
      std::ignore = ::read(start[0], &byte, 1);  // returns when the parent closes the pipe
      DiskCache cache(dir, 1u << 30);
      bool ok = true;
      for (int round = 0; round < kRounds; ++round) {
        ok = cache.store(make_entry("shared", kVersions, 200 * 1024)) && ok;
        ok =
            cache.store(make_entry("own " + std::to_string(p) + " " + std::to_string(round))) && ok;
        ok = cache.load(hp::cache::hash_hex("shared"), kVersions).entry.has_value() && ok;
      }
      _exit(ok ? 0 : 1);
    }
    children.push_back(child);
  }
  ::close(start[0]);
  ::close(start[1]);  // go
  for (const pid_t child : children) {
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  DiskCache cache(dir, 1u << 30);
  const auto shared = cache.load(hp::cache::hash_hex("shared"), kVersions);
  REQUIRE(shared.entry);
  check_same(*shared.entry, make_entry("shared", kVersions, 200 * 1024));
  for (int p = 0; p < kProcesses; ++p) {
    for (int round = 0; round < kRounds; ++round) {
      const Entry own = make_entry("own " + std::to_string(p) + " " + std::to_string(round));
      CHECK(cache.load(own.meta.key, kVersions).entry);
    }
  }
  CHECK(cache.list().size() == 1 + kProcesses * kRounds);
  CHECK(temp_dirs(dir).empty());
}

TEST_CASE("8 threads storing one shared key at once all succeed") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("threads", kVersions, 64 * 1024);
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round) ok[t] += cache.store(entry) ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(ok == std::vector<int>(8, 10));
  CHECK(cache.load(entry.meta.key, kVersions).entry);
  CHECK(temp_dirs(cache.dir()).empty());
}

TEST_CASE("a writer killed mid-write leaves a temp dir that loads ignore and prune removes") {
  TempDir tmp;
  const std::string dir = tmp.cache();
  const Entry big = make_entry("killed", kVersions, 1 << 20);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Exceeding the file size limit kills the writer with SIGXFSZ inside write().
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::signal(SIGXFSZ, SIG_DFL);
    const rlimit limit{64 * 1024, 64 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    DiskCache cache(dir, 1u << 30);
    cache.store(big);
    _exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGXFSZ);

  const auto leftovers = temp_dirs(dir);
  REQUIRE(leftovers.size() == 1);
  DiskCache cache(dir, 1u << 30);
  CHECK(cache.load(big.meta.key, kVersions).miss == Miss::NewKey);
  CHECK(cache.list().empty());
  CHECK(cache.total_bytes() == 0);

  cache.prune(1u << 30);  // a young temp dir may be a live writer's: kept
  CHECK(temp_dirs(dir).size() == 1);
  set_age(fs::path(dir) / leftovers[0], DiskCache::kStaleTempSeconds + 60);
  cache.prune(1u << 30);
  CHECK(temp_dirs(dir).empty());

  CHECK(cache.store(big));
  CHECK(cache.load(big.meta.key, kVersions).entry);
}

TEST_CASE("a stray temp dir holding a whole entry is ignored by load and list") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("stray");
  REQUIRE(cache.store(entry));
  const fs::path stray = fs::path(cache.dir()) / (entry.meta.key + ".tmp.12345.00000000deadbeef");
  fs::rename(entry_dir(cache, entry), stray);

  CHECK(cache.load(entry.meta.key, kVersions).miss == Miss::NewKey);
  CHECK(cache.list().empty());
  CHECK(cache.total_bytes() == 0);
  set_age(stray, 2 * 3600);
  cache.prune(1u << 30);
  CHECK_FALSE(fs::exists(stray));
}

// --- size cap and maintenance ----------------------------------------------------------------

TEST_CASE("prune removes the least recently used entries first; a load counts as a use") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry a = make_entry("a"), b = make_entry("b"), c = make_entry("c");
  for (const Entry* entry : {&a, &b, &c}) REQUIRE(cache.store(*entry));
  set_age(entry_dir(cache, a), 300);
  set_age(entry_dir(cache, b), 200);
  set_age(entry_dir(cache, c), 100);
  REQUIRE(cache.load(a.meta.key, kVersions).entry);  // now a is the most recent

  const std::uint64_t one = cache.total_bytes() / 3;
  cache.prune(2 * one);
  CHECK(cache.load(a.meta.key, kVersions).entry);
  CHECK(cache.load(b.meta.key, kVersions).miss == Miss::NewKey);
  CHECK(cache.load(c.meta.key, kVersions).entry);

  cache.prune(0);
  CHECK(cache.list().empty());
}

TEST_CASE("a store past max_bytes evicts the least recently used entries down to 3/4 of the cap") {
  // Down to three quarters, not just under the cap: a full cache then takes
  // a quarter of the cap in stores before it is scanned again, where pruning
  // to just under it made every store scan the whole directory.
  TempDir tmp;
  const Entry a = make_entry("a"), b = make_entry("b"), c = make_entry("c"), d = make_entry("d"),
              e = make_entry("e");
  std::uint64_t one = 0;
  {
    DiskCache probe(tmp.cache(), 1u << 30);
    REQUIRE(probe.store(a));
    one = probe.total_bytes();
    probe.clear();
  }
  DiskCache cache(tmp.cache(), 3 * one + one / 2);  // three entries fit, four do not
  REQUIRE(cache.store(a));
  REQUIRE(cache.store(b));
  REQUIRE(cache.store(c));
  set_age(entry_dir(cache, a), 300);
  set_age(entry_dir(cache, b), 200);
  set_age(entry_dir(cache, c), 100);
  REQUIRE(cache.store(d));  // 4 entries > 3.5: down to <= 2.625, the two oldest go
  CHECK(cache.list().size() == 2);
  CHECK(cache.load(a.meta.key, kVersions).miss == Miss::NewKey);
  CHECK(cache.load(b.meta.key, kVersions).miss == Miss::NewKey);
  CHECK(cache.load(c.meta.key, kVersions).entry);
  CHECK(cache.load(d.meta.key, kVersions).entry);
  REQUIRE(cache.store(e));  // 3 entries: under the cap, nothing goes
  CHECK(cache.list().size() == 3);
  CHECK(cache.total_bytes() <= cache.max_bytes());
}

TEST_CASE("list shows key, name, size, age and compile time, most recently used first") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry old_entry = make_entry("old"), new_entry = make_entry("new");
  REQUIRE(cache.store(old_entry));
  REQUIRE(cache.store(new_entry));
  set_age(entry_dir(cache, old_entry), 7200);
  set_age(entry_dir(cache, new_entry), 60);

  const auto entries = cache.list();
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].key == new_entry.meta.key);
  CHECK(entries[0].name == "f_new");
  CHECK(entries[0].compile_ms == 29.75);
  CHECK(entries[0].problem.empty());
  CHECK(entries[0].age_seconds >= 60);
  CHECK(entries[0].age_seconds < 120);
  CHECK(entries[1].key == old_entry.meta.key);
  CHECK(entries[1].age_seconds >= 7200);
  std::uint64_t files = 0;
  for (const auto& item : fs::directory_iterator(entry_dir(cache, new_entry))) {
    files += item.file_size();
  }
  CHECK(entries[0].bytes == files);
  CHECK(cache.total_bytes() == entries[0].bytes + entries[1].bytes);
}

TEST_CASE("list reports an entry whose metadata cannot be read") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("bad metadata");
  REQUIRE(cache.store(entry));
  write_text(entry_dir(cache, entry) / "metadata.json", "garbage");
  const auto entries = cache.list();
  REQUIRE(entries.size() == 1);
  CHECK(contains(entries[0].problem, "metadata.json is unparsable"));
}

TEST_CASE("clear removes entries and temp dirs, and nothing else") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  REQUIRE(cache.store(make_entry("one")));
  REQUIRE(cache.store(make_entry("two")));
  fs::create_directory(fs::path(cache.dir()) / (hp::cache::hash_hex("x") + ".tmp.1.2"));
  write_text(fs::path(cache.dir()) / "README.txt", "mine");
  cache.clear();
  CHECK(cache.list().empty());
  CHECK(temp_dirs(cache.dir()).empty());
  CHECK(fs::exists(fs::path(cache.dir()) / "README.txt"));
}

TEST_CASE("inspect accepts any versions and does not refresh recency") {
  TempDir tmp;
  DiskCache cache(tmp.cache(), 1u << 30);
  const Entry entry = make_entry("inspected", "some other versions");
  REQUIRE(cache.store(entry));
  set_age(entry_dir(cache, entry), 500);
  const auto result = cache.inspect(entry.meta.key);
  REQUIRE(result.entry);
  CHECK(result.entry->meta.versions == "some other versions");
  CHECK(cache.list().at(0).age_seconds >= 500);
}

TEST_CASE("from_config follows hp::config()'s cache_dir, cache_max_size and cache") {
  TempDir tmp;
  const hp::Config saved = hp::config();
  hp::config().cache_dir = tmp.cache();
  hp::config().cache_max_size = 12345;
  hp::config().cache = true;
  DiskCache& first = DiskCache::from_config();
  CHECK(first.dir() == tmp.cache());
  CHECK(first.max_bytes() == 12345u);
  CHECK(first.enabled());
  CHECK(&DiskCache::from_config() == &first);

  hp::config().set("cache", "off");
  DiskCache& off = DiskCache::from_config();
  CHECK_FALSE(off.enabled());
  CHECK(first.enabled());  // the earlier reference is still valid
  hp::config() = saved;
}
