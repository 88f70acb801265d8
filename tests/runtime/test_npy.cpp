// hp::load_npy / save_npy / load_npz / save_npz against files numpy wrote
// (tests/runtime/data/, made by make_npy_files.py there). Values are written
// out by hand; round trips must reproduce numpy's bytes exactly.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/npy.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::contains;
using hypatia_test::message_of;
using hypatia_test::read_text;
using hypatia_test::TempDir;
using hypatia_test::write_text;

namespace {

// The reference files lie beside this test (CMake passes sources by absolute path).
std::string data(const std::string& name) {
  return (std::filesystem::path(__FILE__).parent_path() / "data" / name).string();
}

/// save_npy of what load_npy read gives numpy's file back, byte for byte.
void check_npy_round_trip(const std::string& name) {
  TempDir dir;
  const std::string copy = (dir.path() / name).string();
  hp::save_npy(copy, hp::load_npy(data(name)));
  CHECK_MESSAGE(read_text(copy) == read_text(data(name)), name << " differs from numpy's bytes");
}

const double kInf = std::numeric_limits<double>::infinity();

}  // namespace

// --- one file per dtype ------------------------------------------------------------

TEST_CASE("load_npy reads every dtype Hypatia has, with its extreme values") {
  const hp::Array b = hp::load_npy(data("bool.npy"));
  CHECK(b.dtype() == hp::bool_);
  CHECK(b.to_vector<bool>() == std::vector<bool>{true, false, true});

  const hp::Array i8 = hp::load_npy(data("int8.npy"));
  CHECK(i8.dtype() == hp::int8);
  CHECK(i8.to_vector<int>() == std::vector<int>{-128, 0, 127});

  const hp::Array i16 = hp::load_npy(data("int16.npy"));
  CHECK(i16.dtype() == hp::int16);
  CHECK(i16.to_vector<int>() == std::vector<int>{-32768, 1, 32767});

  const hp::Array i32 = hp::load_npy(data("int32.npy"));
  CHECK(i32.dtype() == hp::int32);
  CHECK(i32.to_vector<std::int64_t>() == std::vector<std::int64_t>{-2147483648LL, 2, 2147483647});

  const hp::Array i64 = hp::load_npy(data("int64.npy"));
  CHECK(i64.dtype() == hp::int64);
  CHECK(i64.to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 3,
                                  std::numeric_limits<std::int64_t>::max()});

  const hp::Array u8 = hp::load_npy(data("uint8.npy"));
  CHECK(u8.dtype() == hp::uint8);
  CHECK(u8.to_vector<int>() == std::vector<int>{0, 128, 255});

  const hp::Array f32 = hp::load_npy(data("float32.npy"));
  CHECK(f32.dtype() == hp::float32);
  CHECK(f32.to_vector<float>() == std::vector<float>{1.5f, -0.25f, static_cast<float>(kInf)});

  const hp::Array f64 = hp::load_npy(data("float64.npy"));
  CHECK(f64.dtype() == hp::float64);
  CHECK(f64.shape() == hp::Shape{3});
  CHECK(f64.item<double>(0) == 0.1);
  CHECK(f64.item<double>(1) == -2.5e300);
  CHECK(std::isnan(f64.item<double>(2)));
}

TEST_CASE("save_npy of every dtype reproduces np.save's bytes") {
  for (const char* name : {"bool.npy", "int8.npy", "int16.npy", "int32.npy", "int64.npy",
                           "uint8.npy", "float32.npy", "float64.npy"}) {
    check_npy_round_trip(name);
  }
}

// --- ranks and shapes ----------------------------------------------------------------

TEST_CASE("load_npy reads a 0-d array") {
  const hp::Array s = hp::load_npy(data("scalar.npy"));
  CHECK(s.shape() == hp::Shape{});
  CHECK(s.item<double>() == 3.25);
}

TEST_CASE("load_npy reads 2-d and 3-d arrays in C order") {
  const hp::Array m = hp::load_npy(data("matrix.npy"));
  CHECK(m.shape() == hp::Shape{2, 3});
  CHECK(m.dtype() == hp::int32);
  CHECK(m.to_vector<int>() == std::vector<int>{1, 2, 3, 4, 5, 6});

  const hp::Array t = hp::load_npy(data("tensor3.npy"));
  CHECK(t.shape() == hp::Shape{2, 3, 4});
  CHECK(t.dtype() == hp::float32);
  for (int i = 0; i < 24; ++i) CHECK(t.item<float>(i) == static_cast<float>(i));
}

TEST_CASE("load_npy reads empty arrays") {
  const hp::Array e = hp::load_npy(data("empty.npy"));
  CHECK(e.shape() == hp::Shape{0, 3});
  CHECK(e.size() == 0);
  const hp::Array l = hp::load_npy(data("long_axis.npy"));
  CHECK(l.shape() == hp::Shape{1234567, 0});
  CHECK(l.dtype() == hp::int16);
}

TEST_CASE("save_npy of 0-d to 3-d and empty arrays reproduces np.save's header padding") {
  for (const char* name :
       {"scalar.npy", "matrix.npy", "tensor3.npy", "empty.npy", "long_axis.npy"}) {
    check_npy_round_trip(name);
  }
}

// --- layouts numpy keeps --------------------------------------------------------------

TEST_CASE("load_npy returns Fortran-ordered data in C order") {
  const hp::Array f = hp::load_npy(data("fortran.npy"));
  CHECK(f.shape() == hp::Shape{2, 3});
  CHECK(f.dtype() == hp::int64);
  CHECK(f.is_contiguous());
  CHECK(f.to_vector<int>() == std::vector<int>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("load_npy swaps big-endian data into this machine's order") {
  const hp::Array d = hp::load_npy(data("big_endian.npy"));
  CHECK(d.dtype() == hp::float64);
  CHECK(d.to_vector<double>() == std::vector<double>{1.0, -2.0, 3.5, 1e10});
  const hp::Array i = hp::load_npy(data("big_endian_int32.npy"));
  CHECK(i.dtype() == hp::int32);
  CHECK(i.to_vector<int>() == std::vector<int>{1, -2, 65536});
}

TEST_CASE("load_npy reads header versions 2.0 and 3.0") {
  for (const char* name : {"version2.npy", "version3.npy"}) {
    const hp::Array v = hp::load_npy(data(name));
    CHECK(v.shape() == hp::Shape{2, 2});
    CHECK(v.dtype() == hp::int16);
    CHECK(v.to_vector<int>() == std::vector<int>{7, 8, 9, 10});
  }
}

TEST_CASE("save_npy of a Fortran or big-endian file writes numpy's C-order little-endian form") {
  TempDir dir;
  const std::string path = (dir.path() / "f.npy").string();
  hp::save_npy(path, hp::load_npy(data("fortran.npy")));
  const hp::Array back = hp::load_npy(path);
  CHECK(back.to_vector<int>() == std::vector<int>{1, 2, 3, 4, 5, 6});
  CHECK(contains(read_text(path), "'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }"));
}

TEST_CASE("save_npy writes a transposed or sliced view as its C-order copy") {
  TempDir dir;
  const hp::Array m = hp::array({{1., 2., 3.}, {4., 5., 6.}});

  const std::string transposed = (dir.path() / "t.npy").string();
  hp::save_npy(transposed, m.transpose());
  const hp::Array t = hp::load_npy(transposed);
  CHECK(t.shape() == hp::Shape{3, 2});
  CHECK(t.to_vector<double>() == std::vector<double>{1, 4, 2, 5, 3, 6});

  const std::string sliced = (dir.path() / "s.npy").string();
  hp::save_npy(sliced, m.slice(1, 2, -4, -2));  // m[:, 2:-4:-2], that is m[:, 2::-2]
  const hp::Array s = hp::load_npy(sliced);
  CHECK(s.shape() == hp::Shape{2, 2});
  CHECK(s.to_vector<double>() == std::vector<double>{3, 1, 6, 4});
}

TEST_CASE("save_npy of a view writes the same bytes as of its contiguous copy") {
  TempDir dir;
  const hp::Array t = hp::load_npy(data("tensor3.npy")).transpose({2, 0, 1});
  const std::string view = (dir.path() / "view.npy").string();
  const std::string copy = (dir.path() / "copy.npy").string();
  hp::save_npy(view, t);
  hp::save_npy(copy, t.copy());
  CHECK(read_text(view) == read_text(copy));
}

// --- errors ------------------------------------------------------------------------------

TEST_CASE("load_npy of a missing file names the path") {
  const std::string msg = message_of<hp::Error>([] { hp::load_npy("/nonexistent/weights.npy"); });
  CHECK(contains(msg, "hp::load_npy('/nonexistent/weights.npy')"));
  CHECK(contains(msg, "no such file"));
}

TEST_CASE("load_npy of a file that is not .npy says so") {
  TempDir dir;
  const std::string path = (dir.path() / "text.npy").string();
  write_text(path, "just some text, not numpy");
  const std::string msg = message_of<hp::Error>([&] { hp::load_npy(path); });
  CHECK(contains(msg, path));
  CHECK(contains(msg, "not an .npy file"));
}

TEST_CASE("load_npy of a truncated file says how many bytes are missing") {
  TempDir dir;
  const std::string full = read_text(data("float64.npy"));
  const std::string in_data = (dir.path() / "in_data.npy").string();
  write_text(in_data, full.substr(0, full.size() - 3));
  const std::string msg = message_of<hp::Error>([&] { hp::load_npy(in_data); });
  CHECK(contains(msg, in_data));
  CHECK(contains(msg,
                 "truncated file: shape (3,) of float64 needs 24 bytes of data, only 21 remain"));

  const std::string in_header = (dir.path() / "in_header.npy").string();
  write_text(in_header, full.substr(0, 40));
  CHECK(contains(message_of<hp::Error>([&] { hp::load_npy(in_header); }), "truncated file"));
}

TEST_CASE("load_npy refuses dtypes Hypatia does not have with a TypeError naming the dtype") {
  const std::string c = message_of<hp::TypeError>([] { hp::load_npy(data("complex128.npy")); });
  CHECK(contains(c, "complex128.npy"));
  CHECK(contains(c, "unsupported dtype '<c16' (complex)"));
  const std::string u = message_of<hp::TypeError>([] { hp::load_npy(data("unicode.npy")); });
  CHECK(contains(u, "unsupported dtype '<U2' (unicode string)"));
  const std::string w = message_of<hp::TypeError>([] { hp::load_npy(data("uint16.npy")); });
  CHECK(contains(w, "unsupported dtype '<u2' (unsigned integer)"));
}

TEST_CASE("load_npy refuses a malformed header, quoting it") {
  TempDir dir;
  std::string bytes = read_text(data("int8.npy"));
  const std::size_t key = bytes.find("'shape'");
  bytes.replace(key, 7, "'shope'");
  const std::string path = (dir.path() / "bad_key.npy").string();
  write_text(path, bytes);
  const std::string msg = message_of<hp::Error>([&] { hp::load_npy(path); });
  CHECK(contains(msg, "malformed .npy header (unexpected key 'shope')"));
}

TEST_CASE("save_npy into a directory that does not exist names the path") {
  const std::string msg =
      message_of<hp::Error>([] { hp::save_npy("/nonexistent/dir/x.npy", hp::array({1.0})); });
  CHECK(contains(msg, "hp::save_npy('/nonexistent/dir/x.npy')"));
}

// --- .npz ------------------------------------------------------------------------------------

namespace {

void check_several_members(const std::map<std::string, hp::Array>& z) {
  REQUIRE(z.size() == 4);
  const hp::Array& bias = z.at("bias");
  CHECK(bias.dtype() == hp::float32);
  CHECK(bias.to_vector<float>() == std::vector<float>{0.5f, -0.5f});
  const hp::Array& count = z.at("count");
  CHECK(count.dtype() == hp::int64);
  CHECK(count.shape() == hp::Shape{});
  CHECK(count.item<std::int64_t>() == 42);
  const hp::Array& mask = z.at("mask");
  CHECK(mask.dtype() == hp::bool_);
  CHECK(mask.to_vector<bool>() == std::vector<bool>{true, false, false, true});
  const hp::Array& weights = z.at("weights");
  CHECK(weights.shape() == hp::Shape{2, 3});
  CHECK(weights.to_vector<double>() == std::vector<double>{1, 2, 3, 4, 5, 6});
}

}  // namespace

TEST_CASE("load_npz reads every member of np.savez's archive by name") {
  check_several_members(hp::load_npz(data("several.npz")));
}

TEST_CASE("load_npz reads the deflated members of np.savez_compressed") {
  check_several_members(hp::load_npz(data("compressed.npz")));
}

TEST_CASE("save_npz reproduces np.savez's bytes (members in name order)") {
  TempDir dir;
  const std::string path = (dir.path() / "several.npz").string();
  hp::save_npz(path, hp::load_npz(data("several.npz")));
  CHECK(read_text(path) == read_text(data("several.npz")));
}

TEST_CASE("save_npz then load_npz gives the arrays back, views included") {
  TempDir dir;
  const std::string path = (dir.path() / "mixed.npz").string();
  const hp::Array m = hp::array({{1, 2, 3}, {4, 5, 6}}, hp::int16);
  hp::save_npz(path,
               {{"m_t", m.transpose()}, {"empty", hp::Array::zeros({0})}, {"s", hp::Array(2.5)}});
  const auto z = hp::load_npz(path);
  REQUIRE(z.size() == 3);
  CHECK(z.at("m_t").shape() == hp::Shape{3, 2});
  CHECK(z.at("m_t").to_vector<int>() == std::vector<int>{1, 4, 2, 5, 3, 6});
  CHECK(z.at("empty").shape() == hp::Shape{0});
  CHECK(z.at("s").item<double>() == 2.5);
}

TEST_CASE("save_npz of no arrays writes an empty archive load_npz reads") {
  TempDir dir;
  const std::string path = (dir.path() / "none.npz").string();
  hp::save_npz(path, {});
  CHECK(read_text(path).size() == 22);  // the end-of-directory record alone
  CHECK(hp::load_npz(path).empty());
}

TEST_CASE("load_npz of a file that is not a zip says so") {
  const std::string msg = message_of<hp::Error>([] { hp::load_npz(data("int8.npy")); });
  CHECK(contains(msg, "int8.npy"));
  CHECK(contains(msg, "not an .npz file"));
}

TEST_CASE("load_npz detects a corrupted member by its CRC-32, naming the member") {
  TempDir dir;
  std::string bytes = read_text(data("several.npz"));
  // The first member is bias.npy; its 128-byte .npy header precedes the data.
  bytes[bytes.find("\x93NUMPY") + 128] ^= 0x01;
  const std::string path = (dir.path() / "corrupt.npz").string();
  write_text(path, bytes);
  const std::string msg = message_of<hp::Error>([&] { hp::load_npz(path); });
  CHECK(contains(msg, "member 'bias.npy'"));
  CHECK(contains(msg, "CRC-32"));
}

TEST_CASE("load_npz of a truncated archive names the path") {
  TempDir dir;
  const std::string bytes = read_text(data("several.npz"));
  const std::string path = (dir.path() / "short.npz").string();
  write_text(path, bytes.substr(0, bytes.size() / 2));
  CHECK(contains(message_of<hp::Error>([&] { hp::load_npz(path); }), path));
}
