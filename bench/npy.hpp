/// \file Reads and writes hp::Arrays as NumPy .npy files (format 1.0, C
/// order), so that the Python peers and the crosscheck oracle exchange exactly
/// the data Hypatia uses.
#pragma once

#include <filesystem>

#include <hypatia/hypatia.hpp>

namespace hypatia_bench {

/// Writes `array` (any Hypatia dtype) to `path`; throws std::runtime_error
/// naming the file when it cannot.
void write_npy(const std::filesystem::path& path, const hypatia::Array& array);

/// Reads a little-endian, C-order .npy file of one of Hypatia's dtypes
/// (|b1 |i1 <i2 <i4 <i8 |u1 <f4 <f8); throws std::runtime_error naming the
/// file and what is wrong with it (fortran order, another dtype, truncated).
hypatia::Array read_npy(const std::filesystem::path& path);

}  // namespace hypatia_bench
