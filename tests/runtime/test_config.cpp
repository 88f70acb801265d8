// hp::config(): flags by name, $HYPATIA_FLAGS and the rc file, as theano.config.
#include <doctest/doctest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "hypatia/config.hpp"
#include "hypatia/error.hpp"

namespace hp = hypatia;

namespace {

/// Sets (or unsets, with nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

/// A file under the temp dir holding `text`, removed at the end of the scope.
class TempFile {
 public:
  explicit TempFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("hypatia_test_config_" + std::to_string(getpid()) + "_" +
               std::to_string(counter_++) + ".rc")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

/// The message of the hp::Error that `f` throws ("" when it throws none).
template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const hp::Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

hp::Config defaults() { return hp::Config::from_sources("", ""); }

}  // namespace

// config() is initialised once per process, so its first use is checked in a
// fresh copy of this executable that runs only this test with a bad
// HYPATIA_FLAGS (the child role); the parent role spawns it and reads its status.
TEST_CASE("config() throws hp::Error on its first use when HYPATIA_FLAGS is bad and retries") {
  constexpr const char* kChildRole = "HYPATIA_TEST_CONFIG_FIRST_USE";
  if (std::getenv(kChildRole) != nullptr) {
    const std::string message = error_message([] { hp::config(); });
    CHECK(contains(message, "bad value 'float16' for flag 'floatX'"));
    ScopedEnv fixed("HYPATIA_FLAGS", "floatX=float32");
    CHECK(hp::config().floatX == hp::float32);
    return;
  }
  ScopedEnv child_role(kChildRole, "1");
  ScopedEnv flags("HYPATIA_FLAGS", "floatX=float16");
  ScopedEnv rc("HYPATIARC", "/nonexistent");
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string filter = "--test-case=config() throws hp::Error on its first use*";
  std::string quiet = "--minimal";
  char* argv[] = {self.data(), filter.data(), quiet.data(), nullptr};
  pid_t child = 0;
  REQUIRE(posix_spawn(&child, self.c_str(), nullptr, nullptr, argv, environ) == 0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

// --- defaults ----------------------------------------------------------------

TEST_CASE("default floatX is float64") { CHECK(defaults().floatX == hp::float64); }

TEST_CASE("default device is cpu") { CHECK(defaults().device == "cpu"); }

TEST_CASE("default mode is FastRun") { CHECK(defaults().mode == hp::Mode::FastRun); }

TEST_CASE("default cache is on") { CHECK(defaults().cache); }

TEST_CASE("default threads is at least 1") { CHECK(defaults().threads >= 1); }

TEST_CASE("default cache_dir is $XDG_CACHE_HOME/hypatia when XDG_CACHE_HOME is set") {
  ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg-cache");
  CHECK(defaults().cache_dir == "/tmp/xdg-cache/hypatia");
}

TEST_CASE("default cache_dir is $HOME/.cache/hypatia when XDG_CACHE_HOME is unset") {
  ScopedEnv xdg("XDG_CACHE_HOME", std::nullopt);
  ScopedEnv home("HOME", "/home/ada");
  CHECK(defaults().cache_dir == "/home/ada/.cache/hypatia");
}

TEST_CASE("default cache_dir ignores an empty XDG_CACHE_HOME") {
  ScopedEnv xdg("XDG_CACHE_HOME", "");
  ScopedEnv home("HOME", "/home/ada");
  CHECK(defaults().cache_dir == "/home/ada/.cache/hypatia");
}

TEST_CASE("default cache_dir ignores a relative XDG_CACHE_HOME, as the XDG spec says") {
  ScopedEnv xdg("XDG_CACHE_HOME", "relative/cache");
  ScopedEnv home("HOME", "/home/ada");
  CHECK(defaults().cache_dir == "/home/ada/.cache/hypatia");
}

TEST_CASE("names() lists every flag in a fixed order") {
  CHECK(hp::Config::names() == std::vector<std::string>{"floatX", "device", "cache_dir", "mode",
                                                        "threads", "cache", "cache_max_size",
                                                        "dump_dir", "optimizer_including",
                                                        "optimizer_excluding", "profile"});
}

TEST_CASE("mode_name gives each mode's canonical name") {
  CHECK(hp::mode_name(hp::Mode::FastRun) == "FastRun");
  CHECK(hp::mode_name(hp::Mode::FastCompile) == "FastCompile");
  CHECK(hp::mode_name(hp::Mode::Debug) == "Debug");
}

// --- set / get by name ---------------------------------------------------------

TEST_CASE("set and get floatX by name") {
  hp::Config c = defaults();
  c.set("floatX", "float32");
  CHECK(c.floatX == hp::float32);
  CHECK(c.get("floatX") == "float32");
  c.set("floatX", "float64");
  CHECK(c.get("floatX") == "float64");
}

TEST_CASE("set and get device by name") {
  hp::Config c = defaults();
  c.set("device", "cuda");
  CHECK(c.device == "cuda");
  CHECK(c.get("device") == "cuda");
}

TEST_CASE("set and get cache_dir by name") {
  hp::Config c = defaults();
  c.set("cache_dir", "/var/tmp/hp");
  CHECK(c.cache_dir == "/var/tmp/hp");
  CHECK(c.get("cache_dir") == "/var/tmp/hp");
}

TEST_CASE("an empty cache_dir means the default directory") {
  ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg-cache");
  hp::Config c = defaults();
  c.set("cache_dir", "/elsewhere");
  c.set("cache_dir", "");
  CHECK(c.cache_dir == "/tmp/xdg-cache/hypatia");
}

TEST_CASE("a cache_dir starting with ~/ is under $HOME") {
  ScopedEnv home("HOME", "/home/ada");
  hp::Config c = defaults();
  c.set("cache_dir", "~/hp-cache");
  CHECK(c.cache_dir == "/home/ada/hp-cache");
}

TEST_CASE("set and get mode by name, canonical spellings") {
  hp::Config c = defaults();
  c.set("mode", "Debug");
  CHECK(c.mode == hp::Mode::Debug);
  CHECK(c.get("mode") == "Debug");
  c.set("mode", "FastCompile");
  CHECK(c.get("mode") == "FastCompile");
  c.set("mode", "FastRun");
  CHECK(c.get("mode") == "FastRun");
}

TEST_CASE("mode accepts Theano's spellings and gets back the canonical one") {
  hp::Config c = defaults();
  c.set("mode", "FAST_COMPILE");
  CHECK(c.get("mode") == "FastCompile");
  c.set("mode", "DebugMode");
  CHECK(c.get("mode") == "Debug");
  c.set("mode", "FAST_RUN");
  CHECK(c.get("mode") == "FastRun");
}

TEST_CASE("set and get threads by name") {
  hp::Config c = defaults();
  c.set("threads", "4");
  CHECK(c.threads == 4);
  CHECK(c.get("threads") == "4");
}

TEST_CASE("set and get cache by name; on/off, true/false and 1/0 are accepted") {
  hp::Config c = defaults();
  c.set("cache", "off");
  CHECK_FALSE(c.cache);
  CHECK(c.get("cache") == "off");
  c.set("cache", "true");
  CHECK(c.get("cache") == "on");
  c.set("cache", "0");
  CHECK(c.get("cache") == "off");
  c.set("cache", "1");
  CHECK(c.get("cache") == "on");
  c.set("cache", "False");
  CHECK(c.get("cache") == "off");
}

TEST_CASE("every flag's get() text is accepted by set() and round-trips") {
  hp::Config c = hp::Config::from_sources("",
                                          "floatX=float32,device=cuda,cache_dir=/x,"
                                          "mode=Debug,threads=3,cache=off,"
                                          "cache_max_size=5M,dump_dir=/d,"
                                          "optimizer_including=a:b,optimizer_excluding=c,profile=True");
  hp::Config copy = defaults();
  for (const std::string& name : hp::Config::names()) copy.set(name, c.get(name));
  CHECK(copy == c);
}

TEST_CASE("str() writes every flag in HYPATIA_FLAGS form") {
  hp::Config c = hp::Config::from_sources("", "cache_dir=/x,threads=2");
  CHECK(c.str() ==
        "floatX=float64,device=cpu,cache_dir=/x,mode=FastRun,threads=2,cache=on,"
        "cache_max_size=1G,dump_dir=,optimizer_including=,optimizer_excluding=,profile=False");
  CHECK(hp::Config::from_sources("", c.str()) == c);
}

// --- direct field assignment on the process-wide config ---------------------------------

TEST_CASE("hp::config().floatX can be assigned directly and is seen by the next call") {
  const hp::DType saved = hp::config().floatX;
  hp::config().floatX = hp::float32;
  CHECK(hp::config().floatX == hp::float32);
  CHECK(hp::config().get("floatX") == "float32");
  hp::config().floatX = saved;
}

TEST_CASE("hp::config().set changes the process-wide config") {
  const hp::Mode saved = hp::config().mode;
  hp::config().set("mode", "Debug");
  CHECK(hp::config().mode == hp::Mode::Debug);
  hp::config().mode = saved;
}

TEST_CASE("hp::config() returns the same instance every time") {
  CHECK(&hp::config() == &hp::config());
}

// --- HYPATIA_FLAGS text ---------------------------------------------------------------------

TEST_CASE("flags text sets several flags") {
  hp::Config c = hp::Config::from_sources("", "floatX=float32,device=cuda,threads=8");
  CHECK(c.floatX == hp::float32);
  CHECK(c.device == "cuda");
  CHECK(c.threads == 8);
  CHECK(c.mode == hp::Mode::FastRun);  // untouched flags keep their defaults
}

TEST_CASE("flags text ignores blanks around tokens and empty items") {
  hp::Config c = hp::Config::from_sources("", " , floatX = float32 ,, mode=\tDebug ,");
  CHECK(c.floatX == hp::float32);
  CHECK(c.mode == hp::Mode::Debug);
}

TEST_CASE("empty flags text gives the defaults") {
  CHECK(hp::Config::from_sources("", "") == hp::Config::from_sources("", " , "));
}

TEST_CASE("a flag given twice in flags text takes the last value") {
  CHECK(hp::Config::from_sources("", "threads=2,threads=5").threads == 5);
}

// --- rc text ------------------------------------------------------------------------------

TEST_CASE("rc text sets flags from the [global] section") {
  hp::Config c = hp::Config::from_sources(
      "[global]\n"
      "floatX = float32\n"
      "device = cuda\n"
      "cache = off\n",
      "");
  CHECK(c.floatX == hp::float32);
  CHECK(c.device == "cuda");
  CHECK_FALSE(c.cache);
}

TEST_CASE("rc text skips comments and blank lines, and cuts trailing comments") {
  hp::Config c = hp::Config::from_sources(
      "# a comment\n"
      "; another comment\n"
      "\n"
      "[global]   # the section\n"
      "  threads = 6   ; why six\n"
      "cache_dir = /tmp/a#b\n",
      "");
  CHECK(c.threads == 6);
  CHECK(c.cache_dir == "/tmp/a#b");
}

TEST_CASE("rc text accepts 'key: value' and CRLF line ends") {
  hp::Config c = hp::Config::from_sources("[global]\r\nmode: DebugMode\r\nthreads=3\r\n", "");
  CHECK(c.mode == hp::Mode::Debug);
  CHECK(c.threads == 3);
}

TEST_CASE("rc keys before any section header are global") {
  CHECK(hp::Config::from_sources("floatX = float32\n", "").floatX == hp::float32);
}

TEST_CASE("rc keys in another [section] are prefixed section__key") {
  const std::string message = error_message([] {
    hp::Config::from_sources("[global]\nfloatX = float32\n[gpuarray]\npreallocate = 1\n", "");
  });
  CHECK(contains(message, "unknown flag 'gpuarray__preallocate'"));
  CHECK(contains(message, "line 4"));
}

TEST_CASE("a [global] header after another section returns to unprefixed keys") {
  hp::Config c = hp::Config::from_sources("[nvcc]\n[global]\nthreads = 2\n", "");
  CHECK(c.threads == 2);
}

// --- flags override rc ------------------------------------------------------------------------

TEST_CASE("flags text overrides rc text") {
  hp::Config c =
      hp::Config::from_sources("[global]\nfloatX = float32\nthreads = 2\n", "floatX=float64");
  CHECK(c.floatX == hp::float64);
  CHECK(c.threads == 2);  // rc value not overridden stays
}

// --- errors -------------------------------------------------------------------------------------

TEST_CASE("set() with an unknown flag names it and lists the known flags") {
  hp::Config c = defaults();
  const std::string message = error_message([&] { c.set("foo", "1"); });
  CHECK(message ==
        "unknown flag 'foo' (known flags: floatX, device, cache_dir, mode, threads, cache, "
        "cache_max_size, dump_dir, optimizer_including, optimizer_excluding, profile)");
}

TEST_CASE("get() with an unknown flag throws hp::Error") {
  CHECK_THROWS_AS(defaults().get("floatx"), hp::Error);
}

TEST_CASE("a bad floatX value names the flag, the value and the accepted values") {
  hp::Config c = defaults();
  const std::string message = error_message([&] { c.set("floatX", "float16"); });
  CHECK(message == "bad value 'float16' for flag 'floatX' (expected float32 or float64)");
  CHECK(c.floatX == hp::float64);  // unchanged
}

TEST_CASE("floatX rejects a dtype that is not a float") {
  CHECK_THROWS_AS(defaults().set("floatX", "int32"), hp::Error);
}

TEST_CASE("a bad device value names the flag and the value") {
  const std::string message = error_message([] { defaults().set("device", "gpu"); });
  CHECK(message == "bad value 'gpu' for flag 'device' (expected cpu or cuda)");
}

TEST_CASE("a bad mode value names the flag and the value") {
  const std::string message = error_message([] { defaults().set("mode", "fast"); });
  CHECK(contains(message, "bad value 'fast' for flag 'mode'"));
}

TEST_CASE("threads must be a positive integer: 0, -1, abc, 4x and empty are errors") {
  for (const char* bad : {"0", "-1", "abc", "4x", "", "99999999999"}) {
    CAPTURE(bad);
    const std::string message = error_message([&] { defaults().set("threads", bad); });
    CHECK(message ==
          "bad value '" + std::string(bad) + "' for flag 'threads' (expected a positive integer)");
  }
}

TEST_CASE("a bad cache value names the flag and the value") {
  const std::string message = error_message([] { defaults().set("cache", "maybe"); });
  CHECK(contains(message, "bad value 'maybe' for flag 'cache'"));
}

TEST_CASE("errors from set() are hp::Error") {
  CHECK_THROWS_AS(defaults().set("device", "tpu"), hp::Error);
  CHECK_THROWS_AS(defaults().set("nope", "x"), hp::Error);
}

TEST_CASE("a flags item without '=' is an error naming the item") {
  const std::string message =
      error_message([] { hp::Config::from_sources("", "floatX=float32, device"); });
  CHECK(message == "HYPATIA_FLAGS: item 'device' has no '=' (expected name=value)");
}

TEST_CASE("an unknown flag in flags text names HYPATIA_FLAGS and the flag") {
  const std::string message = error_message([] { hp::Config::from_sources("", "foo=1"); });
  CHECK(contains(message, "HYPATIA_FLAGS: unknown flag 'foo'"));
}

TEST_CASE("a bad value in flags text names HYPATIA_FLAGS, the flag and the value") {
  const std::string message = error_message([] { hp::Config::from_sources("", "threads=0"); });
  CHECK(contains(message, "HYPATIA_FLAGS: bad value '0' for flag 'threads'"));
}

TEST_CASE("an unknown key in rc text names the line") {
  const std::string message = error_message(
      [] { hp::Config::from_sources("[global]\n# comment\nfloatX = float32\nfoo = 1\n", ""); });
  CHECK(contains(message, "rc file, line 4: unknown flag 'foo'"));
}

TEST_CASE("a bad value in rc text names the line, the flag and the value") {
  const std::string message =
      error_message([] { hp::Config::from_sources("[global]\ndevice = gpu\n", ""); });
  CHECK(contains(message, "rc file, line 2: bad value 'gpu' for flag 'device'"));
}

TEST_CASE("an rc line that is not key = value is an error naming the line") {
  const std::string message =
      error_message([] { hp::Config::from_sources("[global]\nfloatX float32\n", ""); });
  CHECK(contains(message, "rc file, line 2:"));
  CHECK(contains(message, "floatX float32"));
}

TEST_CASE("a malformed rc section header is an error naming the line") {
  const std::string message = error_message([] { hp::Config::from_sources("[global\n", ""); });
  CHECK(contains(message, "rc file, line 1: malformed section header"));
}

// --- from_environment ---------------------------------------------------------------------------

TEST_CASE("from_environment reads HYPATIA_FLAGS") {
  ScopedEnv rc("HYPATIARC", "/nonexistent");
  ScopedEnv flags("HYPATIA_FLAGS", "floatX=float32,mode=FAST_COMPILE");
  hp::Config c = hp::Config::from_environment();
  CHECK(c.floatX == hp::float32);
  CHECK(c.mode == hp::Mode::FastCompile);
}

TEST_CASE("from_environment with no flags and a missing rc file gives the defaults") {
  ScopedEnv rc("HYPATIARC", "/nonexistent");
  ScopedEnv flags("HYPATIA_FLAGS", std::nullopt);
  CHECK(hp::Config::from_environment() == defaults());
}

TEST_CASE("from_environment reads the rc file named by HYPATIARC") {
  TempFile file("[global]\nthreads = 7\ndevice = cuda\n");
  ScopedEnv rc("HYPATIARC", file.path());
  ScopedEnv flags("HYPATIA_FLAGS", std::nullopt);
  hp::Config c = hp::Config::from_environment();
  CHECK(c.threads == 7);
  CHECK(c.device == "cuda");
}

TEST_CASE("from_environment: HYPATIA_FLAGS overrides the rc file") {
  TempFile file("[global]\nthreads = 7\ndevice = cuda\n");
  ScopedEnv rc("HYPATIARC", file.path());
  ScopedEnv flags("HYPATIA_FLAGS", "threads=2");
  hp::Config c = hp::Config::from_environment();
  CHECK(c.threads == 2);
  CHECK(c.device == "cuda");
}

TEST_CASE("from_environment: an error in the rc file names the file and the line") {
  TempFile file("[global]\n\nbogus = 1\n");
  ScopedEnv rc("HYPATIARC", file.path());
  ScopedEnv flags("HYPATIA_FLAGS", std::nullopt);
  const std::string message = error_message([] { hp::Config::from_environment(); });
  CHECK(contains(message, file.path() + ", line 3: unknown flag 'bogus'"));
}

TEST_CASE("from_environment: HYPATIARC may list several files, later ones winning") {
  TempFile first("threads = 3\ncache = off\n");
  TempFile second("threads = 5\n");
  ScopedEnv rc("HYPATIARC", first.path() + ":/nonexistent:" + second.path());
  ScopedEnv flags("HYPATIA_FLAGS", std::nullopt);
  hp::Config c = hp::Config::from_environment();
  CHECK(c.threads == 5);
  CHECK_FALSE(c.cache);
}

TEST_CASE("from_environment reads ~/.hypatiarc when HYPATIARC is unset") {
  const auto home =
      std::filesystem::temp_directory_path() / ("hypatia_test_home_" + std::to_string(getpid()));
  std::filesystem::create_directories(home);
  std::ofstream(home / ".hypatiarc") << "[global]\nfloatX = float32\n";
  {
    ScopedEnv home_env("HOME", home.string());
    ScopedEnv rc("HYPATIARC", std::nullopt);
    ScopedEnv flags("HYPATIA_FLAGS", std::nullopt);
    CHECK(hp::Config::from_environment().floatX == hp::float32);
  }
  std::filesystem::remove_all(home);
}

TEST_CASE("from_environment: a bad HYPATIA_FLAGS throws hp::Error") {
  ScopedEnv rc("HYPATIARC", "/nonexistent");
  ScopedEnv flags("HYPATIA_FLAGS", "device=tpu");
  CHECK_THROWS_AS(hp::Config::from_environment(), hp::Error);
}

// --- cache_max_size and dump_dir ---------------------------------------------------

TEST_CASE("default cache_max_size is 1 GiB") {
  CHECK(defaults().cache_max_size == 1073741824u);
  CHECK(defaults().get("cache_max_size") == "1G");
}

TEST_CASE("cache_max_size accepts bytes and K, M, G suffixes in either case, as powers of 1024") {
  hp::Config c = defaults();
  c.set("cache_max_size", "4096");
  CHECK(c.cache_max_size == 4096u);
  c.set("cache_max_size", "64K");
  CHECK(c.cache_max_size == 65536u);
  c.set("cache_max_size", "512m");
  CHECK(c.cache_max_size == 536870912u);
  c.set("cache_max_size", "3G");
  CHECK(c.cache_max_size == 3221225472u);
  c.set("cache_max_size", "0");
  CHECK(c.cache_max_size == 0u);
}

TEST_CASE("cache_max_size prints the largest exact suffix, which set() reads back") {
  hp::Config c = defaults();
  c.set("cache_max_size", "2048M");
  CHECK(c.get("cache_max_size") == "2G");
  c.set("cache_max_size", "1536K");
  CHECK(c.get("cache_max_size") == "1536K");
  c.set("cache_max_size", "1000");
  CHECK(c.get("cache_max_size") == "1000");
}

TEST_CASE("a bad cache_max_size names the flag, the value and the accepted form") {
  hp::Config c = defaults();
  for (const char* bad : {"", "K", "-1", "1.5G", "1T", "1KB", "1MK", "12 M", "99999999999G"}) {
    CAPTURE(bad);
    const std::string message = error_message([&] { c.set("cache_max_size", bad); });
    CHECK(contains(message, "flag 'cache_max_size'"));
    CHECK(contains(message, "K, M or G suffix"));
  }
  CHECK(c.cache_max_size == 1073741824u);
}

TEST_CASE("cache_max_size can be set from flags text and the rc file") {
  CHECK(hp::Config::from_sources("", "cache_max_size=100M").cache_max_size == 104857600u);
  CHECK(hp::Config::from_sources("[global]\ncache_max_size = 2G\n", "").cache_max_size ==
        2147483648u);
}

TEST_CASE("default dump_dir is empty: nothing is dumped") { CHECK(defaults().dump_dir.empty()); }

TEST_CASE("set and get dump_dir by name; ~/ is under $HOME and empty turns it off") {
  ScopedEnv home("HOME", "/home/ada");
  hp::Config c = defaults();
  c.set("dump_dir", "/tmp/dumps");
  CHECK(c.dump_dir == "/tmp/dumps");
  CHECK(c.get("dump_dir") == "/tmp/dumps");
  c.set("dump_dir", "~/dumps");
  CHECK(c.dump_dir == "/home/ada/dumps");
  c.set("dump_dir", "");
  CHECK(c.dump_dir.empty());
}

// --- profile (Theano's config.profile) ---------------------------------------------------

TEST_CASE("default profile is False") {
  CHECK_FALSE(defaults().profile);
  CHECK(defaults().get("profile") == "False");
}

TEST_CASE("set and get profile by name: True/False, on/off and 1/0 in any case, printed as True or False") {
  hp::Config c = defaults();
  c.set("profile", "True");
  CHECK(c.profile);
  CHECK(c.get("profile") == "True");
  c.set("profile", "false");
  CHECK_FALSE(c.profile);
  CHECK(c.get("profile") == "False");
  c.set("profile", "1");
  CHECK(c.profile);
  c.set("profile", "0");
  CHECK_FALSE(c.profile);
  c.set("profile", "ON");
  CHECK(c.profile);
  c.set("profile", "off");
  CHECK_FALSE(c.profile);
}

TEST_CASE("profile can be set from flags text and the rc file") {
  CHECK(hp::Config::from_sources("", "profile=True").profile);
  CHECK(hp::Config::from_sources("[global]\nprofile = True\n", "").profile);
  CHECK_FALSE(hp::Config::from_sources("profile = True\n", "profile=False").profile);
}

TEST_CASE("a bad profile value names the flag, the value and the accepted values") {
  hp::Config c = defaults();
  const std::string message = error_message([&] { c.set("profile", "yes please"); });
  CHECK(contains(message, "bad value 'yes please' for flag 'profile'"));
  CHECK(contains(message, "True or False"));
  CHECK(contains(error_message([] { hp::Config::from_sources("", "profile=2"); }), "HYPATIA_FLAGS"));
}
