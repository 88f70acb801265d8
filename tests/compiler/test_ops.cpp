#include <doctest/doctest.h>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

TEST_CASE("placeholder") { CHECK(true); }
