#include "npy.hpp"

#include <array>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>

namespace hypatia_bench {
namespace hp = hypatia;

namespace {

/// numpy's type strings of Hypatia's dtypes (little-endian; one-byte types take '|').
constexpr std::array<std::pair<hp::DType, const char*>, 8> kDescrs{{
    {hp::DType::Bool, "|b1"},
    {hp::DType::Int8, "|i1"},
    {hp::DType::Int16, "<i2"},
    {hp::DType::Int32, "<i4"},
    {hp::DType::Int64, "<i8"},
    {hp::DType::UInt8, "|u1"},
    {hp::DType::Float32, "<f4"},
    {hp::DType::Float64, "<f8"},
}};

std::string npy_descr(hp::DType dtype) {
  for (const auto& [d, descr] : kDescrs) {
    if (d == dtype) return descr;
  }
  throw std::runtime_error("write_npy: unsupported dtype " + std::string(hp::dtype_name(dtype)));
}

hp::DType dtype_of_descr(const std::string& descr, const std::filesystem::path& path) {
  for (const auto& [d, text] : kDescrs) {
    if (descr == text) return d;
  }
  throw std::runtime_error("read_npy: " + path.string() + " has dtype '" + descr + "', which Hypatia lacks");
}

/// The header dict, padded with spaces so that the data starts at a multiple of 64 bytes.
std::string npy_header(const hp::Array& array) {
  // Python's tuple syntax: (), (3,), (2, 3).
  std::string shape = "(";
  for (int axis = 0; axis < array.ndim(); ++axis) {
    shape += std::to_string(array.shape()[axis]) + (axis + 1 < array.ndim() ? ", " : array.ndim() == 1 ? "," : "");
  }
  shape += ")";
  std::string dict = "{'descr': '" + npy_descr(array.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t preamble = 10;  // magic (6), version (2), header length (2)
  const std::size_t total = (preamble + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - preamble - dict.size() - 1, ' ');
  dict += '\n';
  return dict;
}

/// The value of `key` in the header dict, as the text between its quotes or parentheses.
std::string header_field(const std::string& header, const std::string& key, const std::filesystem::path& path) {
  const std::regex pattern("'" + key + "'\\s*:\\s*('([^']*)'|\\(([^)]*)\\)|(True|False))");
  std::smatch match;
  if (!std::regex_search(header, match, pattern)) {
    throw std::runtime_error("read_npy: " + path.string() + " has no '" + key + "' in its header");
  }
  for (int group : {2, 3, 4}) {
    if (match[group].matched) return match[group].str();
  }
  return {};
}

hp::Shape parse_shape(const std::string& tuple) {
  hp::Shape shape;
  std::size_t pos = 0;
  while (pos < tuple.size()) {
    const std::size_t comma = tuple.find(',', pos);
    const std::string item = tuple.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (item.find_first_not_of(" ") != std::string::npos) shape.push_back(std::stoll(item));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return shape;
}

}  // namespace

void write_npy(const std::filesystem::path& path, const hp::Array& array) {
  const hp::Array data = array.contiguous();
  const std::string header = npy_header(data);
  std::ofstream file(path, std::ios::binary);
  const unsigned char length[2] = {static_cast<unsigned char>(header.size() & 0xff),
                                   static_cast<unsigned char>(header.size() >> 8)};
  file.write("\x93NUMPY\x01\x00", 8);
  file.write(reinterpret_cast<const char*>(length), 2);
  file << header;
  file.write(static_cast<const char*>(data.raw_data()),
             static_cast<std::streamsize>(data.size() * static_cast<std::int64_t>(hp::dtype_size(data.dtype()))));
  if (!file) throw std::runtime_error("write_npy: cannot write " + path.string());
}

hp::Array read_npy(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("read_npy: cannot open " + path.string());
  char preamble[10];
  file.read(preamble, sizeof preamble);
  if (!file || std::string(preamble, 6) != "\x93NUMPY") {
    throw std::runtime_error("read_npy: " + path.string() + " is not a .npy file");
  }
  const int major = static_cast<unsigned char>(preamble[6]);
  std::size_t header_length = static_cast<unsigned char>(preamble[8]) | static_cast<unsigned char>(preamble[9]) << 8;
  if (major >= 2) {  // versions 2 and 3 have a 4-byte length
    unsigned char high[2];
    file.read(reinterpret_cast<char*>(high), 2);
    header_length |= static_cast<std::size_t>(high[0]) << 16 | static_cast<std::size_t>(high[1]) << 24;
  }
  std::string header(header_length, '\0');
  file.read(header.data(), static_cast<std::streamsize>(header_length));
  if (header_field(header, "fortran_order", path) != "False") {
    throw std::runtime_error("read_npy: " + path.string() + " is in Fortran order");
  }
  const hp::DType dtype = dtype_of_descr(header_field(header, "descr", path), path);
  hp::Array array(parse_shape(header_field(header, "shape", path)), dtype);
  file.read(static_cast<char*>(array.raw_data()),
            static_cast<std::streamsize>(array.size() * static_cast<std::int64_t>(hp::dtype_size(dtype))));
  if (!file) throw std::runtime_error("read_npy: " + path.string() + " is truncated");
  return array;
}

}  // namespace hypatia_bench
