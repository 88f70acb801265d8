/// \file The storage of a shared variable's value.
#pragma once

#include <mutex>
#include <string>

#include "hypatia/array.hpp"

namespace hypatia {

/// The value of a shared variable. Whoever reads or replaces `value` holds
/// `mutex`; values are replaced by new arrays, never written in place, so an
/// array read under the lock stays valid after it is released.
struct SharedValue {
  std::mutex mutex;
  Array value;
  /// Which update last changed the value's shape ("update 0 of function
  /// 'train' changed its shape from (4, 3) to (5, 3)"); empty once
  /// set_value replaces it. A later call's shape error names it.
  std::string reshaped_by;
};

}  // namespace hypatia
