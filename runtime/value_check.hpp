/// \file Checking a value against the type of the variable it is given for
/// (eval's givens, a function's arguments), and the spellings of types and
/// shapes those messages use.
#pragma once

#include <string>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/tensor_type.hpp"

namespace hypatia {

/// Converts `value` to `type` for the variable described by `what`, or throws:
/// rank mismatch -> TypeError; a broadcastable axis of size != 1 ->
/// ShapeError; a dtype that would narrow -> TypeError (0-d values convert
/// when exact, and floats to floats, as Theano lets Python numbers in).
/// With `allow_downcast`, any dtype converts.
Array fit_value_to_type(const TensorType& type, const Array& value, const std::string& what,
                        bool allow_downcast = false);

/// "(False, True)": a broadcast pattern as Theano prints it (a Python tuple).
std::string pattern_str(const std::vector<bool>& pattern);

/// "(2, 3)", "(3,)", "()".
std::string shape_text(const Shape& shape);

}  // namespace hypatia
