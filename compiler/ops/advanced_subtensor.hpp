/// \file What the CUDA backend asks of an advanced subtensor x[idx] when it
/// launches its gather kernel: the shapes the kernel's output and slices take.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

/// The result's shape, and the first element of each sliced axis of x (0
/// for the axes index tensors pick), from x's and the index tensors' shapes.
struct GatherShape {
  Shape out;
  std::vector<std::int64_t> first;
};

/// nullopt where `node` is not an advanced subtensor; hp::IndexError where
/// the index shapes do not broadcast together.
std::optional<GatherShape> gather_shape(const Apply& node, const Shape& x, const std::vector<Shape>& indices);

}  // namespace hypatia
