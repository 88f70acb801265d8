/// \file numpy's spelling of shapes and its broadcasting rule, for the host
/// array code (array_ops, npy, host_random) so that their messages agree.
#pragma once

#include <string>
#include <string_view>

#include "hypatia/array.hpp"

namespace hypatia::shapes {

/// numpy's spelling of a shape, a Python tuple: (), (3,), (2, 3).
std::string str(const Shape& shape);

/// numpy's broadcast of two shapes (aligned on the right, 1 stretches);
/// hp::ShapeError "<where>: shapes (2, 3) and (4,) do not broadcast" otherwise.
Shape broadcast(const Shape& a, const Shape& b, std::string_view where);

}  // namespace hypatia::shapes
