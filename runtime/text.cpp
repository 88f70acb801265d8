#include "runtime/text.hpp"

#include <fmt/format.h>

namespace hypatia {
namespace {

constexpr std::size_t kMaxNameBytes = 200;

/// Appends `text` escaped as `mode` says to `out`, stopping at the first
/// character that starts at or past byte `limit`; returns where it stopped.
std::size_t append_escaped(std::string& out, std::string_view text, Escape mode, std::size_t limit) {
  std::size_t i = 0;
  while (i < text.size() && i < limit) {
    char32_t c = 0;
    const std::size_t length = decode_utf8(text.substr(i), c);
    if (length == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      i += 1;
      continue;
    }
    const std::string_view character = text.substr(i, length);
    i += length;
    if (mode == Escape::Block && (c == '\n' || c == '\t')) {
      out += character;
    } else if (mode == Escape::Name && c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (is_terminal_control(c)) {
      out += c < 0x80 ? fmt::format("\\x{:02x}", static_cast<unsigned>(c))
                      : fmt::format("\\u{{{:04x}}}", static_cast<unsigned>(c));
    } else {
      out += character;
    }
  }
  return i;
}

}  // namespace

std::size_t decode_utf8(std::string_view text, char32_t& code_point) {
  if (text.empty()) return 0;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  char32_t minimum = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, code_point = lead & 0x1f, minimum = 0x80;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, code_point = lead & 0x0f, minimum = 0x800;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3f);
  }
  const bool surrogate = code_point >= 0xd800 && code_point <= 0xdfff;
  if (code_point < minimum || code_point > 0x10ffff || surrogate) return 0;
  return length;
}

bool is_terminal_control(char32_t c) {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
         (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

std::string escape_text(std::string_view text, Escape mode) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, mode, text.size());
  return out;
}

std::string printable(std::string_view text) { return escape_text(text, Escape::Line); }

std::string quoted_name(std::string_view name) {
  std::string out = "'";
  if (append_escaped(out, name, Escape::Line, kMaxNameBytes) < name.size()) {
    return fmt::format("{}...' (a name of {} bytes)", out, name.size());
  }
  return out + "'";
}

}  // namespace hypatia
