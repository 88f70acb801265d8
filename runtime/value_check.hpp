/// \file Checking a value against the type of the variable it is given for
/// (eval's givens, a function's arguments), with messages naming the variable.
#pragma once

#include <string>
#include <string_view>

#include "hypatia/array.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

/// Converts `value` to `type` for the variable described by `what`, or throws:
/// rank mismatch -> TypeError; a broadcastable axis of size != 1 ->
/// ShapeError; a dtype that would narrow -> TypeError (0-d values convert
/// when exact, and floats to floats, as Theano lets Python numbers in).
/// With `allow_downcast`, any dtype converts.
Array fit_value_to_type(const TensorType& type, const Array& value, const std::string& what,
                        bool allow_downcast = false);

/// "'foo' (TensorType(float64, scalar))" or "an unnamed TensorType(float64, scalar)".
std::string describe_var(const Var& v);

/// `text` with control characters and bytes that are not UTF-8 written as
/// escapes (\n, \x1b), for messages that quote user text (names, printed nodes).
std::string printable(std::string_view text);

/// A user's name as error messages show it, in single quotes: control
/// characters and bytes that are not UTF-8 written as escapes (\n, \x1b), so
/// that a NUL cannot cut the message short nor an escape sequence drive the
/// terminal; past 200 bytes cut, with the full length stated.
std::string quoted_name(std::string_view name);

/// "(2, 3)", "(3,)", "()".
std::string shape_text(const Shape& shape);

}  // namespace hypatia
