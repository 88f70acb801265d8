/// \file User text made safe to print: names, error messages and cached files
/// pass through here before they reach a terminal, so that a NUL cannot cut a
/// message short nor an escape sequence drive the terminal. One module for
/// the library's errors and the tools (hypatia-dump).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hypatia {

enum class Escape {
  Line,   ///< one line: newlines and tabs escaped (\n, \t); backslashes left alone
  Name,   ///< as Line, and '\' doubled so that escapes are unambiguous
  Block,  ///< a file shown as is: newlines and tabs kept, backslashes left alone
};

/// The length (1 to 4) of the well-formed UTF-8 sequence at the start of
/// `text` and its code point, or 0 when the bytes there are not one (RFC 3629:
/// bad lead byte, truncated, overlong, surrogate, past U+10FFFF).
std::size_t decode_utf8(std::string_view text, char32_t& code_point);

/// True for code points that move the cursor, change colours or reorder text
/// on a terminal: C0 and C1 controls, DEL, and Unicode's bidirectional and
/// line-separator format characters.
bool is_terminal_control(char32_t c);

/// `text` with every control character and invalid byte written as an escape
/// (\n, \t, \r, \x1b, \u{202e}, \xff) as `mode` says; other characters,
/// non-ASCII included, as they are.
std::string escape_text(std::string_view text, Escape mode);

/// escape_text(text, Escape::Line): for messages that quote user text (names, printed nodes).
std::string printable(std::string_view text);

/// A user's name as error messages show it, in single quotes, escaped as
/// printable(); past 200 bytes cut, with the full length stated.
std::string quoted_name(std::string_view name);

}  // namespace hypatia
