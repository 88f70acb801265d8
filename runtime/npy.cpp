/// \file .npy and .npz files, byte for byte as numpy writes them.
///
/// Read top to bottom: dtype descriptors, the header (a Python dict
/// literal), reading and writing .npy, files, then the public functions.
/// The zip container around .npz members is runtime/zip_archive.cpp.
#include "hypatia/npy.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <streambuf>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/shapes.hpp"
#include "runtime/zip_archive.hpp"

namespace hypatia {
namespace {

/// One format for every error raised here: "<where>: <what>", where `where`
/// names the function and the file (and the member of an .npz).
template <class E = Error>
[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw E(where + ": " + what);
}

std::string call_site(std::string_view function, const std::string& path) {
  return std::string(function) + "('" + path + "')";
}

// --- dtype descriptors ----------------------------------------------------------

/// numpy's descr of each Hypatia dtype: kind letter and item size. The byte
/// order prefix is '|' for one-byte types and '<' (little endian) otherwise.
struct Descr {
  DType dtype;
  char kind;
  std::size_t size;
};
constexpr std::array<Descr, 8> kDescrs = {{{DType::Bool, 'b', 1},
                                           {DType::Int8, 'i', 1},
                                           {DType::Int16, 'i', 2},
                                           {DType::Int32, 'i', 4},
                                           {DType::Int64, 'i', 8},
                                           {DType::UInt8, 'u', 1},
                                           {DType::Float32, 'f', 4},
                                           {DType::Float64, 'f', 8}}};

std::string descr_of(DType dtype) {
  for (const Descr& d : kDescrs) {
    if (d.dtype != dtype) continue;
    std::string descr(1, d.size == 1 ? '|' : '<');
    descr += d.kind;
    descr += std::to_string(d.size);
    return descr;
  }
  return "<f8";  // unreachable: every DType has a row
}

/// What numpy calls the types of a descr's kind letter, for error messages.
std::string kind_name(char kind) {
  switch (kind) {
    case 'b': return "bool";
    case 'i': return "signed integer";
    case 'u': return "unsigned integer";
    case 'f': return "floating point";
    case 'c': return "complex";
    case 'U': return "unicode string";
    case 'S': return "byte string";
    case 'O': return "Python object";
    case 'V': return "record/void";
    case 'M': return "datetime";
    case 'm': return "timedelta";
    default: return "unknown";
  }
}

/// The element type of a descr string such as "<f8", ">i4", "|b1", "=u1".
struct ElementType {
  DType dtype;
  bool swap_bytes;  ///< the file's byte order differs from this machine's
};

[[noreturn]] void unsupported_dtype(const std::string& descr, const std::string& where) {
  const char kind = descr.size() >= 2 ? descr[1] : '?';
  fail<TypeError>(where, "unsupported dtype '" + descr + "' (" + kind_name(kind) +
                             "); Hypatia reads bool, int8, int16, int32, int64, uint8, float32 "
                             "and float64");
}

ElementType parse_descr(const std::string& descr, const std::string& where) {
  if (descr.size() < 3 || std::string_view("<>|=").find(descr[0]) == std::string_view::npos) {
    unsupported_dtype(descr, where);
  }
  std::size_t size = 0;
  const char* first = descr.data() + 2;
  const char* last = descr.data() + descr.size();
  const auto [end, ec] = std::from_chars(first, last, size);
  if (ec != std::errc() || end != last) unsupported_dtype(descr, where);
  const bool host_big = std::endian::native == std::endian::big;
  for (const Descr& d : kDescrs) {
    if (d.kind != descr[1] || d.size != size) continue;
    const char order = descr[0];
    const bool file_big = order == '>' || (order == '=' && host_big);
    const bool swap = size > 1 && order != '|' && file_big != host_big;
    return {d.dtype, swap};
  }
  unsupported_dtype(descr, where);
}

// --- the header: a Python dict literal ------------------------------------------

/// A Python literal as numpy's header holds them: strings, True/False/None,
/// integers, tuples, lists and dicts (dict items alternate key, value).
struct PyValue {
  enum class Kind { String, Bool, None, Int, Tuple, List, Dict };
  Kind kind = Kind::None;
  std::string text;
  std::int64_t integer = 0;
  std::vector<PyValue> items;
};

/// Recursive descent over the literal; nesting deeper than kMaxDepth (no
/// header numpy writes comes close) is refused rather than overflowing the stack.
class LiteralParser {
 public:
  LiteralParser(std::string_view text, const std::string& where) : text_(text), where_(where) {}

  PyValue parse() {
    PyValue v = value(0);
    skip_space();
    if (pos_ != text_.size()) bad("unexpected text after the header dict");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 16;

  [[noreturn]] void bad(const std::string& what) const {
    fail(where_, "malformed .npy header (" + what + " at offset " + std::to_string(pos_) +
                     "): " + std::string(text_));
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           std::string_view(" \t\r\n").find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
  }

  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool consume_word(std::string_view word) {
    skip_space();
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  PyValue value(int depth) {
    if (depth > kMaxDepth) bad("nesting too deep");
    skip_space();
    if (pos_ >= text_.size()) bad("unexpected end");
    const char c = text_[pos_];
    if (c == '\'' || c == '"') return string();
    if (c == '(') return sequence(PyValue::Kind::Tuple, ')', depth);
    if (c == '[') return sequence(PyValue::Kind::List, ']', depth);
    if (c == '{') return sequence(PyValue::Kind::Dict, '}', depth);
    if (c == '-' || (c >= '0' && c <= '9')) return integer();
    PyValue v;
    if (consume_word("True")) {
      v.kind = PyValue::Kind::Bool;
      v.integer = 1;
      return v;
    }
    if (consume_word("False")) {
      v.kind = PyValue::Kind::Bool;
      return v;
    }
    if (consume_word("None")) return v;
    bad("unexpected character '" + std::string(1, c) + "'");
  }

  PyValue string() {
    const char quote = text_[pos_++];
    PyValue v;
    v.kind = PyValue::Kind::String;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;  // \' \" \\ stand for themselves
      v.text += text_[pos_++];
    }
    if (pos_ >= text_.size()) bad("unterminated string");
    ++pos_;
    return v;
  }

  PyValue integer() {
    PyValue v;
    v.kind = PyValue::Kind::Int;
    const auto [end, ec] =
        std::from_chars(text_.data() + pos_, text_.data() + text_.size(), v.integer);
    if (ec != std::errc()) bad("integer out of range");
    pos_ = static_cast<std::size_t>(end - text_.data());
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 longs: (3L,)
    return v;
  }

  /// Items separated by commas, an optional trailing comma, then `close`.
  /// Dict items are "key: value" and stored as two entries.
  PyValue sequence(PyValue::Kind kind, char close, int depth) {
    ++pos_;
    PyValue v;
    v.kind = kind;
    while (!consume(close)) {
      v.items.push_back(value(depth + 1));
      if (kind == PyValue::Kind::Dict) {
        if (!consume(':')) bad("expected ':'");
        v.items.push_back(value(depth + 1));
      }
      if (!consume(',')) {
        if (!consume(close)) bad("expected ',' or '" + std::string(1, close) + "'");
        break;
      }
    }
    return v;
  }

  std::string_view text_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

/// What an .npy header says about the data that follows it.
struct NpyHeader {
  ElementType element;
  bool fortran_order = false;
  Shape shape;
};

[[noreturn]] void malformed_header(const std::string& where, const std::string& text,
                                   const std::string& what) {
  fail(where, "malformed .npy header (" + what + "): " + text);
}

/// The header dict must have exactly numpy's three keys (numpy refuses others too).
NpyHeader interpret_header(const PyValue& dict, const std::string& text, const std::string& where) {
  const auto bad = [&](const std::string& what) { malformed_header(where, text, what); };
  if (dict.kind != PyValue::Kind::Dict) bad("not a dict");
  const PyValue* descr = nullptr;
  const PyValue* fortran_order = nullptr;
  const PyValue* shape = nullptr;
  for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
    const PyValue& key = dict.items[i];
    const PyValue* value = &dict.items[i + 1];
    if (key.kind != PyValue::Kind::String) bad("a key is not a string");
    if (key.text == "descr") {
      descr = value;
    } else if (key.text == "fortran_order") {
      fortran_order = value;
    } else if (key.text == "shape") {
      shape = value;
    } else {
      bad("unexpected key '" + key.text + "'");
    }
  }
  if (!descr || !fortran_order || !shape) {
    bad("it needs the keys 'descr', 'fortran_order' and 'shape'");
  }
  if (descr->kind != PyValue::Kind::String) {
    fail<TypeError>(where, "unsupported dtype: structured (record) arrays are not Hypatia arrays");
  }
  if (fortran_order->kind != PyValue::Kind::Bool) bad("'fortran_order' is not True or False");
  if (shape->kind != PyValue::Kind::Tuple) bad("'shape' is not a tuple");

  NpyHeader header;
  header.element = parse_descr(descr->text, where);
  header.fortran_order = fortran_order->integer != 0;
  for (const PyValue& dim : shape->items) {
    if (dim.kind != PyValue::Kind::Int || dim.integer < 0) {
      bad("'shape' holds a non-negative integer per axis");
    }
    header.shape.push_back(dim.integer);
  }
  return header;
}

// --- reading .npy -----------------------------------------------------------------

constexpr std::string_view kMagic = "\x93NUMPY";
/// numpy pads the header so that the data starts on a multiple of 64 bytes.
constexpr std::size_t kHeaderAlign = 64;
/// np.save leaves room for the first axis to grow to this many digits.
constexpr std::size_t kGrowthAxisMaxDigits = 21;
/// Larger headers are refused (numpy's own limit is 10000 bytes by default).
constexpr std::uint64_t kMaxHeaderBytes = std::uint64_t{1} << 20;

std::uint64_t read_le(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

/// Reads exactly n bytes or reports the file as truncated.
void read_exact(std::istream& in, void* dst, std::uint64_t n, const std::string& where,
                std::string_view what) {
  in.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
  if (static_cast<std::uint64_t>(in.gcount()) != n) {
    fail(where, "truncated file: " + std::string(what) + " needs " + std::to_string(n) +
                    " bytes, only " + std::to_string(in.gcount()) + " remain");
  }
}

/// Reads the magic string, version and header; returns the header and the
/// number of bytes they took.
std::pair<NpyHeader, std::uint64_t> read_npy_header(std::istream& in, const std::string& where) {
  unsigned char prefix[8];
  in.read(reinterpret_cast<char*>(prefix), sizeof prefix);
  if (in.gcount() < static_cast<std::streamsize>(kMagic.size()) ||
      std::memcmp(prefix, kMagic.data(), kMagic.size()) != 0) {
    fail(where, "not an .npy file (it does not start with numpy's magic string \"\\x93NUMPY\")");
  }
  if (in.gcount() != sizeof prefix) fail(where, "truncated file: it ends inside the .npy version");
  const int major = prefix[6];
  const int minor = prefix[7];
  if (major < 1 || major > 3 || minor != 0) {
    fail(where, "unsupported .npy format version " + std::to_string(major) + "." +
                    std::to_string(minor) + " (Hypatia reads 1.0, 2.0 and 3.0)");
  }
  // Version 1.0 counts the header in two bytes, 2.0 and 3.0 (UTF-8 text) in four.
  const int length_bytes = major == 1 ? 2 : 4;
  unsigned char length_field[4];
  read_exact(in, length_field, length_bytes, where, "the header length");
  const std::uint64_t header_len = read_le(length_field, length_bytes);
  if (header_len > kMaxHeaderBytes) {
    fail(where, "the .npy header claims " + std::to_string(header_len) + " bytes, more than the " +
                    std::to_string(kMaxHeaderBytes) + " Hypatia accepts");
  }
  std::string text(header_len, '\0');
  read_exact(in, text.data(), header_len, where, "the header");
  const PyValue dict = LiteralParser(text, where).parse();
  return {interpret_header(dict, text, where), sizeof prefix + length_bytes + header_len};
}

void swap_bytes(void* data, std::int64_t count, std::size_t item_size) {
  auto* p = static_cast<unsigned char*>(data);
  for (std::int64_t i = 0; i < count; ++i, p += item_size) std::reverse(p, p + item_size);
}

/// The bytes of an array of `shape`, or an error naming the shape when they overflow.
std::uint64_t data_bytes(const Shape& shape, std::size_t item_size, const std::string& where) {
  std::uint64_t n = item_size;
  for (std::int64_t d : shape) {
    if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(d), &n)) {
      fail<ShapeError>(where, "shape " + shapes::str(shape) + " is too large to hold in memory");
    }
  }
  return n;
}

/// Reads one .npy from `in`, which holds `total` bytes from its start.
/// The data is checked to be present before anything is allocated for it.
Array read_npy(std::istream& in, std::uint64_t total, const std::string& where) {
  const auto [header, header_bytes] = read_npy_header(in, where);
  const DType dtype = header.element.dtype;
  const std::size_t item_size = dtype_size(dtype);
  const std::uint64_t nbytes = data_bytes(header.shape, item_size, where);
  const std::uint64_t available = total - header_bytes;
  if (nbytes > available) {
    fail(where, "truncated file: shape " + shapes::str(header.shape) + " of " +
                    std::string(dtype_name(dtype)) + " needs " + std::to_string(nbytes) +
                    " bytes of data, only " + std::to_string(available) + " remain");
  }
  // Fortran order stores the transpose's C order: read it as the reversed
  // shape, then transpose back (as numpy does) and copy into C order.
  Shape stored_shape = header.shape;
  if (header.fortran_order) std::reverse(stored_shape.begin(), stored_shape.end());
  Array stored = Array::uninitialized(stored_shape, dtype);
  read_exact(in, stored.raw_data(), nbytes, where, "the array data");
  if (header.element.swap_bytes) swap_bytes(stored.raw_data(), stored.size(), item_size);
  if (dtype == DType::Bool) {
    // Any nonzero byte is true (numpy reads it so); a C++ bool must be 0 or 1.
    auto* p = static_cast<unsigned char*>(stored.raw_data());
    for (std::int64_t i = 0; i < stored.size(); ++i) p[i] = p[i] != 0;
  }
  if (!header.fortran_order) return stored;
  return stored.transpose().copy();
}

// --- writing .npy -----------------------------------------------------------------

void append_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

/// The magic string, version, length and header text exactly as
/// numpy.lib.format writes them: the dict's keys in sorted order, spaces
/// for the first axis to grow, padding to a multiple of 64 bytes, '\n'.
std::string npy_header(const Array& a) {
  std::string dict = "{'descr': '" + descr_of(a.dtype()) +
                     "', 'fortran_order': False, 'shape': " + shapes::str(a.shape()) + ", }";
  if (!a.shape().empty()) {
    const std::size_t digits = std::to_string(a.shape()[0]).size();
    if (digits < kGrowthAxisMaxDigits) dict.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  const std::size_t text_len = dict.size() + 1;  // with the final '\n'
  // Version 1.0 when the length fits its two bytes, else 2.0 (four bytes).
  int major = 1;
  std::size_t prefix_len = kMagic.size() + 2 + 2;
  std::size_t pad = kHeaderAlign - (prefix_len + text_len) % kHeaderAlign;
  if (text_len + pad > 0xffff) {
    major = 2;
    prefix_len = kMagic.size() + 2 + 4;
    pad = kHeaderAlign - (prefix_len + text_len) % kHeaderAlign;
  }
  std::string out(kMagic);
  out += static_cast<char>(major);
  out += '\0';
  append_le(out, text_len + pad, major == 1 ? 2 : 4);
  out += dict;
  out.append(pad, ' ');
  out += '\n';
  return out;
}

/// The bytes of a contiguous array in little-endian order, as .npy stores
/// them: its own storage on little-endian machines, else a swapped copy in `scratch`.
std::string_view little_endian_bytes(const Array& contiguous, std::string& scratch) {
  const std::size_t item_size = dtype_size(contiguous.dtype());
  const std::size_t n = static_cast<std::size_t>(contiguous.size()) * item_size;
  const std::string_view bytes(static_cast<const char*>(contiguous.raw_data()), n);
  if (std::endian::native == std::endian::little || item_size == 1) return bytes;
  scratch.assign(bytes);
  swap_bytes(scratch.data(), contiguous.size(), item_size);
  return scratch;
}

/// A read-only std::streambuf over bytes in memory, so that .npz members are
/// read by the same code as .npy files.
class MemoryBuffer : public std::streambuf {
 public:
  explicit MemoryBuffer(std::string& bytes) {
    setg(bytes.data(), bytes.data(), bytes.data() + bytes.size());
  }
};

// --- files ----------------------------------------------------------------------

/// Opens `path` for binary reading and returns its size; missing files and
/// directories get messages of their own.
std::uint64_t open_for_reading(std::ifstream& in, const std::string& path,
                               const std::string& where) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) fail(where, "no such file");
  if (std::filesystem::is_directory(status)) fail(where, "is a directory, not a file");
  in.open(path, std::ios::binary);
  if (!in) fail(where, "cannot open the file for reading");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  return size;
}

std::ofstream open_for_writing(const std::string& path, const std::string& where) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(where, "cannot open the file for writing");
  return out;
}

void finish_writing(std::ofstream& out, const std::string& where) {
  out.flush();
  if (!out) fail(where, "writing the file failed (disk full?)");
}

constexpr std::string_view kNpySuffix = ".npy";

}  // namespace

// ================================================================================
// Public functions
// ================================================================================

Array load_npy(const std::string& path) {
  const std::string where = call_site("hp::load_npy", path);
  std::ifstream in;
  const std::uint64_t size = open_for_reading(in, path, where);
  return read_npy(in, size, where);
}

void save_npy(const std::string& path, const Array& a) {
  const std::string where = call_site("hp::save_npy", path);
  const Array data = a.contiguous();
  std::string scratch;
  std::ofstream out = open_for_writing(path, where);
  const std::string header = npy_header(data);
  const std::string_view bytes = little_endian_bytes(data, scratch);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  finish_writing(out, where);
}

std::map<std::string, Array> load_npz(const std::string& path) {
  const std::string where = call_site("hp::load_npz", path);
  std::ifstream in;
  const std::uint64_t size = open_for_reading(in, path, where);
  zip::Reader archive(in, size, where);
  std::map<std::string, Array> arrays;
  for (const zip::Entry& entry : archive.entries()) {
    const std::string member_where = where + ", member '" + entry.name + "'";
    if (!entry.name.ends_with(kNpySuffix) || entry.name.size() == kNpySuffix.size()) {
      fail(member_where, "not an .npy array (an .npz holds only <name>.npy members)");
    }
    std::string key = entry.name.substr(0, entry.name.size() - kNpySuffix.size());
    if (arrays.count(key)) fail(member_where, "the archive holds two members of this name");
    std::string bytes = archive.read(entry, member_where);
    MemoryBuffer buffer(bytes);
    std::istream member(&buffer);
    arrays.emplace(std::move(key), read_npy(member, bytes.size(), member_where));
  }
  return arrays;
}

void save_npz(const std::string& path, const std::map<std::string, Array>& arrays) {
  const std::string where = call_site("hp::save_npz", path);
  std::ofstream out = open_for_writing(path, where);
  zip::Writer archive(out);
  for (const auto& [name, array] : arrays) {
    const Array data = array.contiguous();
    std::string scratch;
    archive.add(name + std::string(kNpySuffix),
                {npy_header(data), little_endian_bytes(data, scratch)});
  }
  archive.finish();
  finish_writing(out, where);
}

}  // namespace hypatia
