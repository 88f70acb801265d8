#include "hypatia/dtype.hpp"

#include <array>
#include <string>

#include "hypatia/error.hpp"

namespace hypatia {
namespace {

constexpr std::array<std::string_view, 8> kNames = {"bool",  "int8",  "int16",   "int32",
                                                    "int64", "uint8", "float32", "float64"};

int index_of(DType d) { return static_cast<int>(d); }

}  // namespace

std::string_view dtype_name(DType dtype) { return kNames[index_of(dtype)]; }

DType dtype_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<DType>(i);
  }
  throw TypeError("unknown dtype '" + std::string(name) +
                  "' (expected one of bool, int8, int16, int32, int64, uint8, float32, float64)");
}

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Bool:
    case DType::Int8:
    case DType::UInt8: return 1;
    case DType::Int16: return 2;
    case DType::Int32:
    case DType::Float32: return 4;
    case DType::Int64:
    case DType::Float64: return 8;
  }
  return 8;
}

bool is_float(DType d) { return d == DType::Float32 || d == DType::Float64; }
bool is_bool(DType d) { return d == DType::Bool; }
bool is_integer(DType d) { return !is_float(d) && !is_bool(d); }

DType upcast(DType a, DType b) {
  if (a == b) return a;
  if (is_bool(a)) return b;
  if (is_bool(b)) return a;
  if (is_float(a) || is_float(b)) {
    if (is_float(a) && is_float(b)) return DType::Float64;  // they differ: one is float64
    const DType f = is_float(a) ? a : b;
    const DType i = is_float(a) ? b : a;
    // float32 holds int8/int16/uint8 exactly; wider integers need float64 (numpy).
    if (f == DType::Float32 && (i == DType::Int32 || i == DType::Int64)) return DType::Float64;
    return f;
  }
  // Both integers, different.
  if (a == DType::UInt8 || b == DType::UInt8) {
    const DType s = a == DType::UInt8 ? b : a;
    return s == DType::Int8 ? DType::Int16 : s;  // uint8 fits every wider signed type
  }
  return dtype_size(a) >= dtype_size(b) ? a : b;
}

DType upgrade_to_float(DType dtype) {
  switch (dtype) {
    case DType::Bool:
    case DType::Int8:
    case DType::Int16:
    case DType::UInt8: return DType::Float32;
    case DType::Int32:
    case DType::Int64: return DType::Float64;
    case DType::Float32:
    case DType::Float64: return dtype;
  }
  return DType::Float64;
}

}  // namespace hypatia
