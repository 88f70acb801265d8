#include "runtime/value_check.hpp"

#include <cmath>

#include <fmt/format.h>

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

/// The length (1 to 4) of the well-formed UTF-8 sequence that starts at
/// text[i], or 0 when the bytes there are not one (RFC 3629: no overlong
/// forms, no surrogates, nothing past U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
  const unsigned lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t n = 0;
  unsigned low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  for (std::size_t k = 1; k < n; ++k) {
    const unsigned c = byte(i + k);
    if (c < (k == 1 ? low : 0x80u) || c > (k == 1 ? high : 0xBFu)) return 0;
  }
  return n;
}

std::string escaped_byte(unsigned char c) {
  switch (c) {
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: return fmt::format("\\x{:02x}", c);
  }
}

constexpr std::size_t kMaxNameBytes = 200;

/// Appends `text` to `out` with control characters and bytes that are not
/// UTF-8 escaped, stopping at the first character that starts at or past
/// byte `limit`; returns where it stopped.
std::size_t append_printable(std::string& out, std::string_view text, std::size_t limit) {
  std::size_t i = 0;
  while (i < text.size() && i < limit) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0 || c < 0x20 || c == 0x7f) {
      out += escaped_byte(c);
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return i;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  append_printable(out, text, text.size());
  return out;
}

std::string quoted_name(std::string_view name) {
  std::string out = "'";
  if (append_printable(out, name, kMaxNameBytes) < name.size()) {
    return fmt::format("{}...' (a name of {} bytes)", out, name.size());
  }
  return out + "'";
}

std::string describe_var(const Var& v) {
  if (!v.name().empty()) return fmt::format("{} ({})", quoted_name(v.name()), v.type().str());
  return fmt::format("an unnamed {}", v.type().str());
}

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

std::string shape_text(const Shape& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

}  // namespace hypatia
