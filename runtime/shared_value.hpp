/// \file The storage of a shared variable's value.
#pragma once

#include <mutex>

#include "hypatia/array.hpp"

namespace hypatia {

/// The value of a shared variable. Whoever reads or replaces `value` holds
/// `mutex`; values are replaced by new arrays, never written in place, so an
/// array read under the lock stays valid after it is released.
struct SharedValue {
  std::mutex mutex;
  Array value;
};

}  // namespace hypatia
