#include "runtime/value_check.hpp"

#include <cmath>

#include <fmt/format.h>

#include "runtime/text.hpp"

namespace hypatia {
namespace {

/// True when converting the single element of `value` to `dtype` and back gives it exactly.
bool converts_exactly(const Array& value, DType dtype) {
  const Array there = value.astype(dtype);
  const Array back = there.astype(value.dtype());
  if (is_float(value.dtype())) {
    const double a = value.item<double>(), b = back.item<double>();
    return a == b || (std::isnan(a) && std::isnan(b) && is_float(dtype));
  }
  return value.item<std::int64_t>() == back.item<std::int64_t>();
}

/// Theano's name of a broadcast pattern: "matrix", "row", or (False, True, ...).
std::string pattern_name(const std::vector<bool>& bc) {
  using P = std::vector<bool>;
  if (bc.empty()) return "scalar";
  if (bc == P{false}) return "vector";
  if (bc == P{false, false}) return "matrix";
  if (bc == P{true, false}) return "row";
  if (bc == P{false, true}) return "col";
  if (bc == P{false, false, false}) return "tensor3";
  if (bc == P{false, false, false, false}) return "tensor4";
  return pattern_str(bc);
}

}  // namespace

Array fit_value_to_type(const TensorType& type, const Array& value, const std::string& what,
                        bool allow_downcast) {
  if (value.ndim() != type.ndim()) {
    throw TypeError(fmt::format("{} expects {} (rank {}), got a value of rank {} with shape {}",
                                what, type.str(), type.ndim(), value.ndim(),
                                shape_text(value.shape())));
  }
  for (int i = 0; i < type.ndim(); ++i) {
    if (type.broadcastable[i] && value.shape()[i] != 1) {
      throw ShapeError(fmt::format(
          "{} expects {}, whose axis {} is broadcastable (size 1), got shape {}", what, type.str(),
          i, shape_text(value.shape())));
    }
  }
  if (value.dtype() == type.dtype) return value;
  if (allow_downcast || upcast(type.dtype, value.dtype()) == type.dtype) {
    return value.astype(type.dtype);
  }
  // A single number converts when nothing is lost, or float to float (as
  // Theano lets a Python float into a floatX scalar).
  const bool float_to_float = is_float(value.dtype()) && is_float(type.dtype);
  if (value.ndim() == 0 && (float_to_float || converts_exactly(value, type.dtype))) {
    return value.astype(type.dtype);
  }
  throw TypeError(fmt::format(
      "{} expects dtype {} ({}), got a value of dtype {}: converting would lose precision; "
      "convert the value first (Array::astype)",
      what, dtype_name(type.dtype), type.str(), dtype_name(value.dtype())));
}

std::string pattern_str(const std::vector<bool>& pattern) {
  std::string s = "(";
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    s += i ? ", " : "";
    s += pattern[i] ? "True" : "False";
  }
  return s + (pattern.size() == 1 ? ",)" : ")");
}

std::string TensorType::str() const {
  return fmt::format("TensorType({}, {})", dtype_name(dtype), pattern_name(broadcastable));
}

std::string shape_text(const Shape& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

}  // namespace hypatia
