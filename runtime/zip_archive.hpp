/// \file The zip container of .npz files: reading stored and deflated
/// members, and writing stored members exactly as Python's zipfile writes
/// them for np.savez.
///
/// np.savez's archives are deterministic: zipfile gives each member a zip64
/// extra field in its local header (savez forces zip64), a 1980-01-01 00:00
/// timestamp and unix permissions 0600, and uses zip64 records in the central
/// directory only past 2 GiB. Writer reproduces those bytes, so save_npz and
/// np.savez agree byte for byte. Reader accepts any archive of stored or
/// deflated (np.savez_compressed) members, zip64 included, and checks every
/// member's CRC-32.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace hypatia::zip {

/// CRC-32 as zip uses it (reflected polynomial 0xEDB88320), continued from
/// `crc` (0 to start) over n more bytes.
std::uint32_t crc32(std::uint32_t crc, const void* data, std::size_t n);

/// One member as the central directory describes it.
struct Entry {
  std::string name;
  std::uint16_t flags = 0;
  std::uint16_t method = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;
  std::uint64_t local_offset = 0;
};

/// An archive being read from `in`, which holds `size` bytes. Errors are
/// hp::Errors starting with `where` (the function and the file).
class Reader {
 public:
  Reader(std::istream& in, std::uint64_t size, std::string where);
  const std::vector<Entry>& entries() const { return entries_; }
  /// The member's uncompressed bytes, CRC-checked; errors start with `where`
  /// (which names the member).
  std::string read(const Entry& entry, const std::string& where);

 private:
  std::istream& in_;
  std::uint64_t size_;
  std::string where_;
  std::vector<Entry> entries_;
};

/// An archive written to `out` member by member, stored (uncompressed).
class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) {}
  /// Writes a member whose bytes are the concatenation of `pieces`.
  void add(const std::string& name, const std::vector<std::string_view>& pieces);
  /// Writes the central directory and the end records.
  void finish();

 private:
  struct Written {
    std::string name;
    std::uint32_t crc = 0;
    std::uint64_t size = 0;
    std::uint64_t offset = 0;
  };
  void write(std::string_view bytes);

  std::ostream& out_;
  std::uint64_t offset_ = 0;
  std::vector<Written> members_;
};

}  // namespace hypatia::zip
