#include "npy.hpp"

#include <fstream>
#include <stdexcept>
#include <string>

namespace hypatia_bench {
namespace hp = hypatia;

namespace {

std::string npy_descr(hp::DType dtype) {
  switch (dtype) {
    case hp::DType::Float64: return "<f8";
    case hp::DType::Float32: return "<f4";
    case hp::DType::Int64: return "<i8";
    case hp::DType::Int32: return "<i4";
    default: throw std::runtime_error("write_npy: unsupported dtype " + std::string(hp::dtype_name(dtype)));
  }
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

}  // namespace hypatia_bench
