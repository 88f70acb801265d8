/// \file Var::eval's cache of compiled functions, one small cache per
/// variable (see eval.cpp for what it keys on and why it cannot leak).
#pragma once

#include <cstddef>

#include "hypatia/graph.hpp"

namespace hypatia {

/// The most functions eval keeps for one variable; the least recently used goes first.
inline constexpr std::size_t kEvalCacheSize = 8;

/// How many compiled functions `v` holds for eval (0 before its first eval).
std::size_t eval_cache_entries(const Var& v);

}  // namespace hypatia
