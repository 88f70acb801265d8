/// \file numpy's file formats: .npy (one array) and .npz (a zip of .npy files).
///
/// Arrays move between Hypatia and Python through the files numpy itself
/// reads and writes, so that neither side needs the other's code:
/// `np.save("w.npy", w)` in Python, `hp::load_npy("w.npy")` in C++, and back.
/// save_npy writes exactly the bytes np.save writes (format version 1.0, the
/// same header text and padding), and save_npz exactly the bytes np.savez
/// writes for the same members in name order, so files can be compared
/// byte for byte with numpy's.
///
/// Loading accepts format versions 1.0, 2.0 and 3.0, every byte order, and
/// Fortran-ordered data (returned in C order). The dtypes are Hypatia's own
/// (bool, int8, int16, int32, int64, uint8, float32, float64); any other
/// (complex, uint16, float16, strings, objects, records) is an hp::TypeError.
/// An .npz may hold stored members (np.savez) or deflated ones
/// (np.savez_compressed). Every error names the file (and the member).
#pragma once

#include <map>
#include <string>

#include "hypatia/array.hpp"

namespace hypatia {

/// Reads one array from an .npy file; the result is C-contiguous.
/// hp::Error when the file is missing, is not an .npy file or is truncated;
/// hp::TypeError when its dtype is not one of Hypatia's.
Array load_npy(const std::string& path);

/// Writes `a` (any strides) as np.save does: little-endian, C order, version 1.0.
void save_npy(const std::string& path, const Array& a);

/// Reads every member `<name>.npy` of an .npz file, keyed by `<name>`
/// (np.load(path)[name]). A member that is not an .npy file is an hp::Error.
std::map<std::string, Array> load_npz(const std::string& path);

/// Writes the arrays as np.savez(path, **arrays) does: one stored
/// (uncompressed) member `<name>.npy` each, in name order. Archives of 4 GiB
/// or more (which need zip64 records numpy writes only then) are an hp::Error.
void save_npz(const std::string& path, const std::map<std::string, Array>& arrays);

}  // namespace hypatia
