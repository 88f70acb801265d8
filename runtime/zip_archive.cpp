/// \file The zip container of .npz files (see zip_archive.hpp): record
/// layouts, CRC-32, reading the central directory and members, and writing
/// stored members as Python's zipfile does.
#include "runtime/zip_archive.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>

#include "hypatia/error.hpp"

namespace hypatia::zip {
namespace {

/// One format for every error raised here: "<where>: <what>".
[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw Error(where + ": " + what);
}

// --- records -------------------------------------------------------------------------

constexpr std::uint32_t kLocalHeaderSig = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kZip64EndSize = 56;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::size_t kMaxCommentSize = 0xffff;
constexpr std::uint16_t kMethodStored = 0;
constexpr std::uint16_t kMethodDeflated = 8;
constexpr std::uint16_t kFlagEncrypted = 0x0001;
constexpr std::uint16_t kFlagUtf8 = 0x0800;
/// A 32-bit field whose value is in the zip64 extra field or record.
constexpr std::uint32_t kInZip64 = 0xffffffffu;

// What Python's zipfile writes for np.savez.
constexpr std::uint16_t kZip64Version = 45;                      ///< "version needed": zip64
constexpr std::uint16_t kMadeByUnix = (3 << 8) | 45;             ///< made on unix by version 4.5
constexpr std::uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  ///< 1980-01-01 (time 00:00)
constexpr std::uint32_t kUnixMode0600 = 0600u << 16;             ///< external attributes rw-------
/// zipfile switches to zip64 records above this size or offset (2 GiB - 1).
constexpr std::uint64_t kZip64Limit = (std::uint64_t{1} << 31) - 1;
constexpr std::uint64_t kFileCountLimit = 0xffff;

void append_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

/// Bounds-checked little-endian reads from one record of the archive.
class ByteCursor {
 public:
  ByteCursor(std::string_view bytes, const std::string& where) : bytes_(bytes), where_(where) {}
  std::uint64_t take(int n) {
    need(n);
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::string_view take_bytes(std::size_t n) {
    need(n);
    const std::string_view s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::size_t left() const { return bytes_.size() - pos_; }

 private:
  void need(std::size_t n) const {
    if (n > left()) fail(where_, "corrupt zip archive: a record runs past its end");
  }
  std::string_view bytes_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

/// n bytes of the archive from `offset`; a short read means a truncated file.
std::string read_block(std::istream& in, std::uint64_t offset, std::uint64_t n,
                       const std::string& where) {
  std::string block(n, '\0');
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(block.data(), static_cast<std::streamsize>(n));
  if (static_cast<std::uint64_t>(in.gcount()) != n) {
    fail(where, "truncated file: a zip record lies past its end");
  }
  return block;
}

// --- CRC-32 --------------------------------------------------------------------------

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();

// --- reading ---------------------------------------------------------------------------

/// Where the central directory lies and how many entries it has.
struct CentralDirectory {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t count = 0;
};

/// Reads the zip64 end record into `dir`, found through the locator just
/// before the end record at `end_offset`; false when there is no locator.
bool read_zip64_end(std::istream& in, std::uint64_t size, std::uint64_t end_offset,
                    CentralDirectory& dir, const std::string& where) {
  if (end_offset < kZip64LocatorSize) return false;
  const std::string locator =
      read_block(in, end_offset - kZip64LocatorSize, kZip64LocatorSize, where);
  ByteCursor loc(locator, where);
  if (loc.take(4) != kZip64LocatorSig) return false;
  loc.take(4);  // disk
  const std::uint64_t record_offset = loc.take(8);
  if (record_offset > size || size - record_offset < kZip64EndSize) {
    fail(where, "corrupt zip archive: the zip64 end record lies outside the file");
  }
  const std::string record = read_block(in, record_offset, kZip64EndSize, where);
  ByteCursor rec(record, where);
  if (rec.take(4) != kZip64EndSig) fail(where, "corrupt zip archive: bad zip64 end record");
  rec.take_bytes(8 + 2 + 2 + 4 + 4 + 8);  // record size, versions, disks, entries on this disk
  dir.count = rec.take(8);
  dir.size = rec.take(8);
  dir.offset = rec.take(8);
  return true;
}

/// Finds the end record (only a comment of at most 64 KiB follows it) and,
/// when its fields defer to them, the zip64 records.
CentralDirectory find_central_directory(std::istream& in, std::uint64_t size,
                                        const std::string& where) {
  const std::uint64_t tail_size = std::min<std::uint64_t>(size, kEndSize + kMaxCommentSize);
  const std::uint64_t tail_offset = size - tail_size;
  const std::string tail = read_block(in, tail_offset, tail_size, where);
  std::size_t end = std::string::npos;
  for (std::size_t i = tail.size() >= kEndSize ? tail.size() - kEndSize + 1 : 0; i-- > 0;) {
    if (ByteCursor(std::string_view(tail).substr(i, 4), where).take(4) == kEndSig) {
      end = i;
      break;
    }
  }
  if (end == std::string::npos) fail(where, "not an .npz file (no zip end-of-directory record)");
  ByteCursor record(std::string_view(tail).substr(end), where);
  record.take_bytes(4 + 2 + 2 + 2);  // signature, disks, entries on this disk
  CentralDirectory dir;
  dir.count = record.take(2);
  dir.size = record.take(4);
  dir.offset = record.take(4);
  const bool deferred = dir.size == kInZip64 || dir.offset == kInZip64;
  // Exactly 65535 members is legal without zip64 records, hence "maybe".
  const bool maybe_deferred = deferred || dir.count == kFileCountLimit;
  if (maybe_deferred && !read_zip64_end(in, size, tail_offset + end, dir, where) && deferred) {
    fail(where, "corrupt zip archive: the zip64 locator is missing");
  }
  return dir;
}

/// Replaces the sizes and offset that a central entry defers to its zip64
/// extra field, which lists only those, in this order.
void apply_zip64_extra(Entry& entry, std::string_view extra, const std::string& where) {
  ByteCursor fields(extra, where);
  while (fields.left() >= 4) {
    const std::uint64_t id = fields.take(2);
    const std::string_view data = fields.take_bytes(fields.take(2));
    if (id != kZip64ExtraId) continue;
    ByteCursor values(data, where);
    if (entry.size == kInZip64) entry.size = values.take(8);
    if (entry.compressed_size == kInZip64) entry.compressed_size = values.take(8);
    if (entry.local_offset == kInZip64) entry.local_offset = values.take(8);
    return;
  }
}

std::vector<Entry> read_central_directory(std::istream& in, std::uint64_t size,
                                          const std::string& where) {
  const CentralDirectory dir = find_central_directory(in, size, where);
  if (dir.offset > size || size - dir.offset < dir.size) {
    fail(where, "corrupt zip archive: the central directory lies outside the file");
  }
  const std::string block = read_block(in, dir.offset, dir.size, where);
  ByteCursor cursor(block, where);
  std::vector<Entry> entries;
  for (std::uint64_t i = 0; i < dir.count; ++i) {
    if (cursor.take(4) != kCentralHeaderSig) {
      fail(where, "corrupt zip archive: bad central directory entry");
    }
    Entry e;
    cursor.take_bytes(2 + 2);  // versions made by and needed
    e.flags = static_cast<std::uint16_t>(cursor.take(2));
    e.method = static_cast<std::uint16_t>(cursor.take(2));
    cursor.take_bytes(2 + 2);  // time, date
    e.crc = static_cast<std::uint32_t>(cursor.take(4));
    e.compressed_size = cursor.take(4);
    e.size = cursor.take(4);
    const std::uint64_t name_len = cursor.take(2);
    const std::uint64_t extra_len = cursor.take(2);
    const std::uint64_t comment_len = cursor.take(2);
    cursor.take_bytes(2 + 2 + 4);  // disk, internal and external attributes
    e.local_offset = cursor.take(4);
    e.name = std::string(cursor.take_bytes(name_len));
    apply_zip64_extra(e, cursor.take_bytes(extra_len), where);
    cursor.take_bytes(comment_len);
    entries.push_back(std::move(e));
  }
  return entries;
}

/// Undoes raw deflate (zip method 8) into exactly `size` bytes.
std::string inflate_member(const std::string& compressed, std::uint64_t size,
                           const std::string& where) {
  // Deflate shrinks data at most about 1032:1; a larger claim is corrupt (or a zip bomb).
  if (size / 1032 > compressed.size() + 1) {
    fail(where, "corrupt zip archive: implausible uncompressed size");
  }
  std::string out(size, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) fail(where, "zlib could not start inflating");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  std::uint64_t in_left = compressed.size();
  std::uint64_t out_left = size;
  constexpr std::uint64_t kStep = std::uint64_t{1} << 30;  // zlib counts in 32 bits
  int status = Z_OK;
  while (status == Z_OK) {
    const auto in_step = static_cast<uInt>(std::min(in_left, kStep));
    const auto out_step = static_cast<uInt>(std::min(out_left, kStep));
    zs.avail_in = in_step;
    zs.avail_out = out_step;
    status = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_step - zs.avail_in;
    out_left -= out_step - zs.avail_out;
  }
  const std::string zlib_message = zs.msg ? zs.msg : "the data ends early";
  inflateEnd(&zs);
  if (status != Z_STREAM_END || out_left != 0) {
    fail(where, "corrupt compressed data (zlib: " + zlib_message + ")");
  }
  return out;
}

/// Python's zipfile writes names as ASCII, or as UTF-8 with flag bit 11.
std::uint16_t name_flags(const std::string& name) {
  const bool ascii = std::all_of(name.begin(), name.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  return ascii ? 0 : kFlagUtf8;
}

/// A central directory entry. zip64 values go into an extra field only past
/// kZip64Limit, as zipfile does.
std::string central_header(const std::string& name, std::uint32_t crc, std::uint64_t size,
                           std::uint64_t offset) {
  std::vector<std::uint64_t> zip64;
  const bool big = size > kZip64Limit;
  if (big) zip64.insert(zip64.end(), {size, size});
  if (offset > kZip64Limit) zip64.push_back(offset);
  std::string h;
  append_le(h, kCentralHeaderSig, 4);
  append_le(h, kMadeByUnix, 2);
  append_le(h, kZip64Version, 2);
  append_le(h, name_flags(name), 2);
  append_le(h, kMethodStored, 2);
  append_le(h, 0, 2);  // time 00:00:00
  append_le(h, kDosDate1980, 2);
  append_le(h, crc, 4);
  append_le(h, big ? kInZip64 : size, 4);  // compressed size
  append_le(h, big ? kInZip64 : size, 4);  // size
  append_le(h, name.size(), 2);
  append_le(h, zip64.empty() ? 0 : 4 + 8 * zip64.size(), 2);
  append_le(h, 0, 2);  // comment length
  append_le(h, 0, 2);  // disk
  append_le(h, 0, 2);  // internal attributes
  append_le(h, kUnixMode0600, 4);
  append_le(h, offset > kZip64Limit ? kInZip64 : offset, 4);
  h += name;
  if (!zip64.empty()) {
    append_le(h, kZip64ExtraId, 2);
    append_le(h, 8 * zip64.size(), 2);
    for (std::uint64_t v : zip64) append_le(h, v, 8);
  }
  return h;
}

/// The end record, after zip64 end records when the directory needs them
/// (more than 65535 members, or past kZip64Limit).
std::string end_records(std::uint64_t count, std::uint64_t dir_offset, std::uint64_t dir_size) {
  std::string e;
  if (count > kFileCountLimit || dir_offset > kZip64Limit || dir_size > kZip64Limit) {
    append_le(e, kZip64EndSig, 4);
    append_le(e, kZip64EndSize - 12, 8);  // the record's size after this field
    append_le(e, kZip64Version, 2);       // made by
    append_le(e, kZip64Version, 2);       // needed
    append_le(e, 0, 4);                   // disks
    append_le(e, 0, 4);
    append_le(e, count, 8);
    append_le(e, count, 8);
    append_le(e, dir_size, 8);
    append_le(e, dir_offset, 8);
    append_le(e, kZip64LocatorSig, 4);
    append_le(e, 0, 4);
    append_le(e, dir_offset + dir_size, 8);  // where the zip64 end record starts
    append_le(e, 1, 4);                      // disks in all
    count = std::min<std::uint64_t>(count, kFileCountLimit);
    dir_size = std::min<std::uint64_t>(dir_size, kInZip64);
    dir_offset = std::min<std::uint64_t>(dir_offset, kInZip64);
  }
  append_le(e, kEndSig, 4);
  append_le(e, 0, 2);  // disks
  append_le(e, 0, 2);
  append_le(e, count, 2);
  append_le(e, count, 2);
  append_le(e, dir_size, 4);
  append_le(e, dir_offset, 4);
  append_le(e, 0, 2);  // comment length
  return e;
}

}  // namespace

std::uint32_t crc32(std::uint32_t crc, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = kCrcTable[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

// ================================================================================
// Reader
// ================================================================================

Reader::Reader(std::istream& in, std::uint64_t size, std::string where)
    : in_(in),
      size_(size),
      where_(std::move(where)),
      entries_(read_central_directory(in, size, where_)) {}

std::string Reader::read(const Entry& e, const std::string& where) {
  if (e.flags & kFlagEncrypted) fail(where, "encrypted zip members are not supported");
  if (e.method != kMethodStored && e.method != kMethodDeflated) {
    fail(where, "zip compression method " + std::to_string(e.method) +
                    " is not supported (only stored, as np.savez writes, and deflated, as "
                    "np.savez_compressed writes)");
  }
  if (e.local_offset > size_ || size_ - e.local_offset < kLocalHeaderSize) {
    fail(where, "truncated file: the member's header lies past the end");
  }
  const std::string local = read_block(in_, e.local_offset, kLocalHeaderSize, where);
  ByteCursor cursor(local, where);
  if (cursor.take(4) != kLocalHeaderSig) fail(where, "corrupt zip archive: bad local header");
  cursor.take_bytes(2 + 2 + 2 + 2 + 2 + 4 + 4 + 4);  // the central directory's copy is used
  const std::uint64_t name_len = cursor.take(2);
  const std::uint64_t extra_len = cursor.take(2);
  const std::uint64_t data_offset = e.local_offset + kLocalHeaderSize + name_len + extra_len;
  if (data_offset > size_ || size_ - data_offset < e.compressed_size) {
    fail(where, "truncated file: the member's " + std::to_string(e.compressed_size) +
                    " bytes of data run past the end");
  }
  std::string bytes = read_block(in_, data_offset, e.compressed_size, where);
  if (e.method == kMethodDeflated) {
    bytes = inflate_member(bytes, e.size, where);
  } else if (e.compressed_size != e.size) {
    fail(where, "corrupt zip archive: a stored member's two sizes differ");
  }
  if (crc32(0, bytes.data(), bytes.size()) != e.crc) {
    fail(where, "corrupt member: its CRC-32 does not match the zip directory's");
  }
  return bytes;
}

// ================================================================================
// Writer
// ================================================================================

void Writer::write(std::string_view bytes) {
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  offset_ += bytes.size();
}

void Writer::add(const std::string& name, const std::vector<std::string_view>& pieces) {
  Written m{name, 0, 0, offset_};
  for (std::string_view piece : pieces) {
    m.crc = crc32(m.crc, piece.data(), piece.size());
    m.size += piece.size();
  }
  // np.savez forces zip64: the sizes go in an extra field, never in the header.
  std::string h;
  append_le(h, kLocalHeaderSig, 4);
  append_le(h, kZip64Version, 2);
  append_le(h, name_flags(name), 2);
  append_le(h, kMethodStored, 2);
  append_le(h, 0, 2);  // time 00:00:00
  append_le(h, kDosDate1980, 2);
  append_le(h, m.crc, 4);
  append_le(h, kInZip64, 4);  // compressed size
  append_le(h, kInZip64, 4);  // size
  append_le(h, name.size(), 2);
  append_le(h, 4 + 8 + 8, 2);  // extra field length
  h += name;
  append_le(h, kZip64ExtraId, 2);
  append_le(h, 8 + 8, 2);
  append_le(h, m.size, 8);
  append_le(h, m.size, 8);
  write(h);
  for (std::string_view piece : pieces) write(piece);
  members_.push_back(std::move(m));
}

void Writer::finish() {
  const std::uint64_t dir_offset = offset_;
  for (const Written& m : members_) write(central_header(m.name, m.crc, m.size, m.offset));
  write(end_records(members_.size(), dir_offset, offset_ - dir_offset));
}

}  // namespace hypatia::zip
