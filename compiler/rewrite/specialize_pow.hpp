/// \file specialize_pow: powers by small constant exponents as cheaper ops.
///
/// Identities: x ** 1 -> x; x ** 2 -> sqr(x) (x * x, exact where pow rounds
/// twice). Applied only where the result has exactly the node's type (an
/// integer x with a float exponent keeps its pow, which converts). Gradients
/// produce these (d/dx x**2 = 2 * x**(2 - 1)).
#pragma once

#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

std::vector<Var> specialize_pow(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
