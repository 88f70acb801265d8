/// \file hp::Array's str() and operator<<: a port of numpy's array2string for
/// str(ndarray) with the default print options (precision 8, linewidth 75,
/// threshold 1000, edgeitems 3).
#include "hypatia/array.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace hypatia {
namespace {

constexpr int kPrecision = 8;
constexpr std::int64_t kLineWidth = 75;
constexpr std::int64_t kThreshold = 1000;
constexpr std::int64_t kEdgeItems = 3;

/// to_chars of v in `format`: the shortest round-trip text when precision < 0,
/// else rounded to `precision` digits. float32 values use the float overload
/// so that float32 0.1 prints "0.1".
std::string chars(double v, bool single, std::chars_format format, int precision = -1) {
  char buf[512];  // a fixed-format double needs at most 309 integer digits
  std::to_chars_result r{};
  if (single) {
    const auto f = static_cast<float>(v);
    r = precision < 0 ? std::to_chars(buf, buf + sizeof buf, f, format)
                      : std::to_chars(buf, buf + sizeof buf, f, format, precision);
  } else {
    r = precision < 0 ? std::to_chars(buf, buf + sizeof buf, v, format)
                      : std::to_chars(buf, buf + sizeof buf, v, format, precision);
  }
  return std::string(buf, r.ptr);
}

/// str() of a float scalar, as Python's repr of a float: positional for
/// 1e-4 <= |v| < 1e16 (with at least one fractional digit), else scientific.
/// float32 switches at 1e6 already, as numpy >= 2.3 does.
std::string scalar_float_str(double v, bool single) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  const double mag = std::fabs(v);
  const double large = single ? 1e6 : 1e16;
  if (mag == 0 || (mag >= 1e-4 && mag < large)) {
    std::string s = chars(v, single, std::chars_format::fixed);
    return s.find('.') == std::string::npos ? s + ".0" : s;
  }
  return chars(v, single, std::chars_format::scientific);
}

/// A finite float's text in pieces: "-12.5e+03" -> {"-12", "5", "+03"}.
struct FloatParts {
  std::string int_part;
  std::string frac_part;
  std::string exp_part;  // sign and digits; empty in positional form
};

/// Splits to_chars output at its "." and "e".
FloatParts split(const std::string& text) {
  const auto e = text.find('e');
  const std::string mantissa = text.substr(0, e);
  const std::string exp = e == std::string::npos ? "" : text.substr(e + 1);
  const auto dot = mantissa.find('.');
  if (dot == std::string::npos) return {mantissa, "", exp};
  return {mantissa.substr(0, dot), mantissa.substr(dot + 1), exp};
}

/// The shortest round-trip digits, or, when those need more than kPrecision
/// fractional digits, the value rounded to kPrecision with zeros trimmed.
FloatParts float_parts(double v, bool single, std::chars_format format) {
  FloatParts p = split(chars(v, single, format));
  if (p.frac_part.size() <= static_cast<std::size_t>(kPrecision)) return p;
  p = split(chars(v, single, format, kPrecision));
  p.frac_part.erase(p.frac_part.find_last_not_of('0') + 1);
  return p;
}

std::string pad_left(const std::string& s, std::size_t width, char fill = ' ') {
  return s.size() >= width ? s : std::string(width - s.size(), fill) + s;
}

std::string pad_right(const std::string& s, std::size_t width, char fill = ' ') {
  return s.size() >= width ? s : s + std::string(width - s.size(), fill);
}

/// numpy's FloatingFormat (floatmode 'maxprec'): one layout for all elements,
/// positional unless the magnitudes call for scientific, dots aligned.
class FloatFormat {
 public:
  FloatFormat(const std::vector<double>& values, bool single) : single_(single) {
    std::vector<double> finite;
    for (double v : values) {
      if (std::isfinite(v)) finite.push_back(v);
    }
    choose_notation(finite);
    measure(finite);
    widen_for_non_finite(values, finite.size());
  }

  std::string operator()(double v) const {
    const std::size_t width = static_cast<std::size_t>(pad_left_ + pad_right_ + 1);
    if (std::isnan(v)) return pad_left("nan", width);
    if (std::isinf(v)) return pad_left(v < 0 ? "-inf" : "inf", width);
    if (!exp_format_) {
      const FloatParts p = float_parts(v, single_, std::chars_format::fixed);
      return pad_left(p.int_part, pad_left_) + "." + pad_right(p.frac_part, pad_right_);
    }
    // Every mantissa gets precision_ digits: numpy's min_digits continues with
    // the value's exact digits, rounded, rather than padding with zeros (this
    // differs for float32, whose shortest form is often 7 digits).
    const FloatParts p = split(chars(v, single_, std::chars_format::scientific, precision_));
    const std::string exp_digits = pad_left(p.exp_part.substr(1), exp_size_, '0');
    return pad_left(p.int_part, pad_left_) + "." + p.frac_part + "e" + p.exp_part[0] + exp_digits;
  }

 private:
  std::chars_format notation() const {
    return exp_format_ ? std::chars_format::scientific : std::chars_format::fixed;
  }

  // Scientific when the nonzero magnitudes are very large, very small, or
  // span more than three decades. "Very large" is 1e8 for float64 and 1e6
  // for float32, whose 7 significant digits would print as noise beyond it
  // (numpy >= 2.3; older numpy used 1e8 for both).
  void choose_notation(const std::vector<double>& finite) {
    double max_val = 0;
    double min_val = std::numeric_limits<double>::infinity();
    for (double v : finite) {
      if (v == 0) continue;
      max_val = std::max(max_val, std::fabs(v));
      min_val = std::min(min_val, std::fabs(v));
    }
    if (max_val == 0) return;
    const double large = single_ ? 1e6 : 1e8;
    exp_format_ = max_val >= large || min_val < 1e-4 || max_val / min_val > 1000.;
  }

  void measure(const std::vector<double>& finite) {
    std::size_t int_width = 0;
    std::size_t frac_width = 0;
    std::size_t exp_width = 0;
    for (double v : finite) {
      const FloatParts p = float_parts(v, single_, notation());
      int_width = std::max(int_width, p.int_part.size());
      frac_width = std::max(frac_width, p.frac_part.size());
      exp_width = std::max(exp_width, p.exp_part.size() - (exp_format_ ? 1 : 0));
    }
    pad_left_ = static_cast<int>(int_width);
    if (exp_format_) {
      precision_ = static_cast<int>(frac_width);
      exp_size_ = static_cast<int>(exp_width);
      pad_right_ = exp_size_ + 2 + precision_;  // "e", sign, digits after the fraction
    } else {
      pad_right_ = static_cast<int>(frac_width);
    }
  }

  // nan, inf and -inf are right-aligned to the width of the finite values,
  // which grows if they do not fit.
  void widen_for_non_finite(const std::vector<double>& values, std::size_t finite_count) {
    if (finite_count == values.size()) return;
    const bool neg_inf =
        std::any_of(values.begin(), values.end(), [](double v) { return std::isinf(v) && v < 0; });
    const int offset = pad_right_ + 1;
    pad_left_ = std::max({pad_left_, 3 - offset, 3 + (neg_inf ? 1 : 0) - offset});
  }

  bool single_;
  bool exp_format_ = false;
  int pad_left_ = 0;
  int pad_right_ = 0;
  int precision_ = 0;
  int exp_size_ = 0;
};

/// The positions shown along an axis of length `len`: all of them, or the
/// first and last kEdgeItems when the array is summarised.
std::vector<std::int64_t> shown_positions(std::int64_t len, bool summarise) {
  std::vector<std::int64_t> pos;
  if (!summarise || len <= 2 * kEdgeItems) {
    for (std::int64_t i = 0; i < len; ++i) pos.push_back(i);
    return pos;
  }
  for (std::int64_t i = 0; i < kEdgeItems; ++i) pos.push_back(i);
  for (std::int64_t i = len - kEdgeItems; i < len; ++i) pos.push_back(i);
  return pos;
}

/// C-order flat indices of the elements that will be printed.
void collect_shown(const Shape& shape, bool summarise, std::size_t axis, std::int64_t flat,
                   std::vector<std::int64_t>& out) {
  if (axis == shape.size()) {
    out.push_back(flat);
    return;
  }
  for (std::int64_t i : shown_positions(shape[axis], summarise)) {
    collect_shown(shape, summarise, axis + 1, flat * shape[axis] + i, out);
  }
}

/// The printed text of each shown element, all of one width.
std::vector<std::string> format_elements(const Array& a, const std::vector<std::int64_t>& shown) {
  std::vector<std::string> words;
  if (is_float(a.dtype())) {
    std::vector<double> values;
    for (std::int64_t i : shown) values.push_back(a.get_flat_double(i));
    const FloatFormat format(values, a.dtype() == DType::Float32);
    for (double v : values) words.push_back(format(v));
    return words;
  }
  if (is_bool(a.dtype())) {
    // " True" so that True and False line up.
    for (std::int64_t i : shown) words.push_back(a.get_flat_int(i) ? " True" : "False");
    return words;
  }
  std::size_t width = 0;
  for (std::int64_t i : shown) {
    words.push_back(std::to_string(a.get_flat_int(i)));
    width = std::max(width, words.back().size());
  }
  for (auto& w : words) w = pad_left(w, width);
  return words;
}

/// numpy's _formatArray: nested brackets, a hanging indent per level, rows
/// wrapped at the line width, blank lines between blocks of 3-d and up.
class Layout {
 public:
  Layout(const Shape& shape, bool summarise, std::vector<std::string> words)
      : shape_(shape), summarise_(summarise), words_(std::move(words)) {}

  std::string format() { return nest(0, " ", kLineWidth); }

 private:
  std::string nest(std::size_t axis, const std::string& indent, std::int64_t width) {
    if (axis == shape_.size()) return words_[next_word_++];
    const std::vector<std::int64_t> pos = shown_positions(shape_[axis], summarise_);
    const bool gap = pos.size() < static_cast<std::size_t>(shape_[axis]);
    std::string s = axis + 1 == shape_.size() ? row(axis, indent, width, pos, gap)
                                              : block(axis, indent, width, pos, gap);
    std::string bracketed = "[";  // built by append: g++ 12 warns falsely on "[" + std::string&&
    bracketed.append(s, indent.size());
    bracketed += ']';
    return bracketed;
  }

  // The last axis: elements separated by spaces, wrapped at `width`.
  std::string row(std::size_t axis, const std::string& indent, std::int64_t width,
                  const std::vector<std::int64_t>& pos, bool gap) {
    const std::int64_t elem_width = width - 1;  // room for the closing "]"
    std::string s;
    std::string line = indent;
    for (std::size_t k = 0; k < pos.size(); ++k) {
      extend_line(s, line, nest(axis + 1, indent + " ", width - 1), elem_width, indent);
      if (k + 1 == pos.size()) break;
      line += " ";
      if (gap && k + 1 == static_cast<std::size_t>(kEdgeItems)) {
        extend_line(s, line, "...", elem_width, indent);
        line += " ";
      }
    }
    return s + line;
  }

  // Outer axes: one sub-array per line, blank lines between deeper blocks.
  std::string block(std::size_t axis, const std::string& indent, std::int64_t width,
                    const std::vector<std::int64_t>& pos, bool gap) {
    const std::string line_sep(shape_.size() - axis - 1, '\n');
    std::string s;
    for (std::size_t k = 0; k < pos.size(); ++k) {
      s += indent + nest(axis + 1, indent + " ", width - 1);
      if (k + 1 == pos.size()) break;
      s += line_sep;
      if (gap && k + 1 == static_cast<std::size_t>(kEdgeItems)) s += indent + "..." + line_sep;
    }
    return s;
  }

  static void extend_line(std::string& s, std::string& line, const std::string& word,
                          std::int64_t width, const std::string& indent) {
    const bool too_long = static_cast<std::int64_t>(line.size() + word.size()) > width;
    // Wrapping a line that holds only the indent would not help.
    if (too_long && line.size() > indent.size()) {
      s += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
      line = indent;
    }
    line += word;
  }

  const Shape& shape_;
  bool summarise_;
  std::vector<std::string> words_;
  std::size_t next_word_ = 0;
};

/// str() of a 0-d array: like the scalar it holds.
std::string scalar_str(const Array& a) {
  if (is_float(a.dtype()))
    return scalar_float_str(a.get_flat_double(0), a.dtype() == DType::Float32);
  if (is_bool(a.dtype())) return a.get_flat_int(0) ? "True" : "False";
  return std::to_string(a.get_flat_int(0));
}

}  // namespace

std::string Array::str() const {
  if (ndim() == 0) return scalar_str(*this);
  if (size() == 0) return "[]";
  const bool summarise = size() > kThreshold;
  std::vector<std::int64_t> shown;
  collect_shown(shape_, summarise, 0, 0, shown);
  return Layout(shape_, summarise, format_elements(*this, shown)).format();
}

std::ostream& operator<<(std::ostream& os, const Array& a) { return os << a.str(); }

}  // namespace hypatia
