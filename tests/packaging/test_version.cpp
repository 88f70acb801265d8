// hp::version() and hypatia/version.hpp: one version, set by project() in
// CMakeLists.txt, seen the same way by the library, the header and CMake.
#include <doctest/doctest.h>

#include <regex>
#include <string>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

TEST_CASE("hp::version() is the version project() sets in CMakeLists.txt") {
  CHECK(hp::version() == HYPATIA_PROJECT_VERSION);
}

TEST_CASE("the version is semantic: major.minor.patch, three numbers") {
  CHECK(std::regex_match(hp::version(), std::regex(R"(\d+\.\d+\.\d+)")));
}

TEST_CASE("the header's constants and macros spell the version the library reports") {
  const std::string from_constants = std::to_string(hp::version_major) + "." + std::to_string(hp::version_minor) +
                                     "." + std::to_string(hp::version_patch);
  CHECK(from_constants == hp::version());
  CHECK(std::string(HYPATIA_VERSION_STRING) == hp::version());
  static_assert(HYPATIA_VERSION_MAJOR == hp::version_major && HYPATIA_VERSION_MINOR == hp::version_minor &&
                HYPATIA_VERSION_PATCH == hp::version_patch);
}
