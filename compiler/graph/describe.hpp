/// \file A variable as error messages name it.
#pragma once

#include <string>

#include "hypatia/graph.hpp"

namespace hypatia {

/// "'foo' (TensorType(float64, scalar))" or "an unnamed TensorType(float64, scalar)".
std::string describe_var(const Var& v);

}  // namespace hypatia
