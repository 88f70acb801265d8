/// \file Element types and numpy's promotion rules between them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace hypatia {

enum class DType : std::uint8_t { Bool, Int8, Int16, Int32, Int64, UInt8, Float32, Float64 };

inline constexpr DType bool_ = DType::Bool;
inline constexpr DType int8 = DType::Int8;
inline constexpr DType int16 = DType::Int16;
inline constexpr DType int32 = DType::Int32;
inline constexpr DType int64 = DType::Int64;
inline constexpr DType uint8 = DType::UInt8;
inline constexpr DType float32 = DType::Float32;
inline constexpr DType float64 = DType::Float64;

/// "float64", "int8", "bool", ...
std::string_view dtype_name(DType dtype);
/// Inverse of dtype_name; throws hp::TypeError naming the unknown dtype.
DType dtype_from_name(std::string_view name);
std::size_t dtype_size(DType dtype);
bool is_float(DType dtype);
/// Integer dtypes, not counting bool.
bool is_integer(DType dtype);
bool is_bool(DType dtype);

/// numpy's result type of a binary operation between two arrays
/// (int8+float32 -> float32, int32+float32 -> float64, uint8+int8 -> int16).
DType upcast(DType a, DType b);
/// Theano's upgrade_to_float: the float dtype an integer is divided in
/// (bool/int8/int16/uint8 -> float32, int32/int64 -> float64; floats stay).
DType upgrade_to_float(DType dtype);

/// The dtype of a C++ arithmetic type: double -> float64, int -> int32, ...
/// Unsigned types wider than 8 bits map to int64.
template <class T>
constexpr DType dtype_of() {
  static_assert(std::is_arithmetic_v<T>, "dtype_of needs an arithmetic type");
  if constexpr (std::is_same_v<T, bool>) return DType::Bool;
  else if constexpr (std::is_floating_point_v<T>) return sizeof(T) == 4 ? DType::Float32 : DType::Float64;
  else if constexpr (std::is_unsigned_v<T>) return sizeof(T) == 1 ? DType::UInt8 : DType::Int64;
  else if constexpr (sizeof(T) == 1) return DType::Int8;
  else if constexpr (sizeof(T) == 2) return DType::Int16;
  else if constexpr (sizeof(T) == 4) return DType::Int32;
  else return DType::Int64;
}

/// Calls f with a value-initialised object of the C++ type of `dtype`
/// (bool, int8_t, ..., uint8_t, float, double) and returns its result.
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Bool: return f(bool{});
    case DType::Int8: return f(std::int8_t{});
    case DType::Int16: return f(std::int16_t{});
    case DType::Int32: return f(std::int32_t{});
    case DType::Int64: return f(std::int64_t{});
    case DType::UInt8: return f(std::uint8_t{});
    case DType::Float32: return f(float{});
    case DType::Float64: break;
  }
  return f(double{});
}

}  // namespace hypatia
