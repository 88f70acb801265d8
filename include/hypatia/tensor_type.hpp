/// \file The type of a tensor variable: a dtype and a broadcast pattern, as
/// Theano's TensorType. Shared by the symbolic graph and the runtime, which
/// checks each argument of a compiled function against its input's type.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "hypatia/dtype.hpp"

namespace hypatia {

/// A tensor type: dtype plus broadcast pattern, as Theano's TensorType.
/// broadcastable[i] == true means axis i always has size 1 and broadcasts.
struct TensorType {
  DType dtype = DType::Float64;
  std::vector<bool> broadcastable;

  TensorType() = default;
  TensorType(DType d, std::vector<bool> bc) : dtype(d), broadcastable(std::move(bc)) {}

  int ndim() const { return static_cast<int>(broadcastable.size()); }
  /// "TensorType(float64, matrix)"; patterns without a name print as (False, True, ...).
  std::string str() const;
  bool operator==(const TensorType&) const = default;
};

}  // namespace hypatia
