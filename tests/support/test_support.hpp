/// \file Helpers the doctest suites share: temporary directories, printed
/// arrays, and the message of an expected exception.
#pragma once

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <hypatia/hypatia.hpp>

namespace hypatia_test {

/// A fresh directory under /tmp (mkdtemp), removed with everything in it at
/// the end of the scope, even where a test made parts read-only or gave them
/// to another user.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/hypatia_test_XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    namespace fs = std::filesystem;
    std::error_code ignored;
    for (auto it = fs::recursive_directory_iterator(path_, ignored); it != fs::recursive_directory_iterator();
         it.increment(ignored)) {
      if (!it->is_symlink()) {
        ::chmod(it->path().c_str(), 0700);
        std::ignore = ::chown(it->path().c_str(), ::getuid(), ::getgid());
      }
    }
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path path() const { return path_; }
  /// A cache directory inside it, not created yet (as a user's first run finds it).
  std::string cache() const { return (path_ / "cache").string(); }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

/// "float64 shape (2, 3) [[...]]": an array for failure messages.
inline std::string describe(const hypatia::Array& a) {
  std::ostringstream os;
  os << hypatia::dtype_name(a.dtype()) << " shape (";
  for (std::size_t i = 0; i < a.shape().size(); ++i) os << (i ? ", " : "") << a.shape()[i];
  os << ") " << a;
  return os.str();
}

/// What `std::cout << a` prints.
inline std::string printed(const hypatia::Array& a) {
  std::ostringstream os;
  os << a;
  return os.str();
}

/// Sets hypatia::config() fields for the scope, restoring the whole config after.
class ConfigScope {
 public:
  ConfigScope() : saved_(hypatia::config()) {}
  ~ConfigScope() { hypatia::config() = saved_; }
  ConfigScope(const ConfigScope&) = delete;
  ConfigScope& operator=(const ConfigScope&) = delete;

 private:
  hypatia::Config saved_;
};

/// "" when `got` has this dtype, shape and exactly these C-order values (NaN
/// matches NaN, -0.0 matches 0.0), else what differs: for CHECK(... == "").
inline std::string exact(const hypatia::Array& got, hypatia::DType dtype, const hypatia::Shape& shape,
                         const std::vector<double>& values) {
  if (got.dtype() != dtype || got.shape() != shape) {
    return "got " + describe(got) + ", expected dtype " + std::string(hypatia::dtype_name(dtype));
  }
  const std::vector<double> v = got.to_vector<double>();
  if (v.size() != values.size()) return "got " + describe(got) + ", wrong number of expected values";
  for (std::size_t i = 0; i < v.size(); ++i) {
    const bool same = v[i] == values[i] || (v[i] != v[i] && values[i] != values[i]);
    if (!same) return "got " + describe(got) + ", element " + std::to_string(i) + " differs";
  }
  return "";
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// How many times `part` occurs in `text`, not overlapping.
inline std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

/// Runs `f`, expects exception type E, and returns its message ("" and a
/// failed check otherwise).
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL_CHECK("wrong exception type: " << e.what());
    return "";
  }
  FAIL_CHECK("no exception");
  return "";
}

}  // namespace hypatia_test
