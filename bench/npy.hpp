/// \file Writes hp::Arrays as NumPy .npy files (format 1.0, C order), so the
/// Python peers load exactly the data hypatia-bench used.
#pragma once

#include <filesystem>

#include <hypatia/hypatia.hpp>

namespace hypatia_bench {

/// Writes `array` (float32, float64, int32 or int64) to `path`; throws
/// std::runtime_error naming the file when it cannot.
void write_npy(const std::filesystem::path& path, const hypatia::Array& array);

}  // namespace hypatia_bench
