/// \file What rewrites may ask about a softmax node.
#pragma once

#include "compiler/graph/op.hpp"

namespace hypatia {

bool is_softmax(const Op& op);

}  // namespace hypatia
