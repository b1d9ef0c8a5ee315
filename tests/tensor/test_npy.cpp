// Reading and writing .npy files.
//
// The .npy fixtures in tests/fixtures/npy were written by NumPy (tests/fixtures/make_npy_fixtures.py).
// Reading them proves that we read NumPy's files; writing the same arrays and getting the same
// bytes proves that NumPy reads ours, without running Python in the tests.
#include <algorithm>
#include <filesystem>
#include <limits>

#include "../support/files.hpp"
#include "helpers.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return test_data("npy/" + name); }

// An .npy (version 1.0) with a hand-written header, for the parser's tests.
std::string npy_with_header(const std::string& header, const std::string& data = "") {
  const std::size_t len = header.size() + 1;  // + '\n'
  return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(len & 0xFF) +
         static_cast<char>(len >> 8) + header + "\n" + data;
}

std::string float_bytes(std::vector<float> values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

// Values that exercise every byte of the dtype: fractions and NaN/inf for floats, large
// numbers for int64, a mix for bool.
Tensor sample(DType dtype, const Shape& shape) {
  const std::int64_t n = shape_numel(shape);
  if (dtype == DType::int64) {
    std::vector<std::int64_t> v(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) v[i] = (i % 2 ? -1 : 1) * (i * 1000000007LL + 3);
    return Tensor(v, shape);
  }
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[i] = i % 3 == 0 ? 0.0 : 0.1 * i - 1.7;
  if (n > 2 && is_floating(dtype)) {
    v[1] = std::numeric_limits<double>::quiet_NaN();
    v[2] = -std::numeric_limits<double>::infinity();
  }
  return Tensor(v, shape).to(dtype);
}

const DType kDTypes[] = {DType::float32, DType::float64, DType::int64, DType::boolean};

// The arrays in make_npy_fixtures.py's SUPPORTED, made in C++.
std::vector<std::pair<std::string, Tensor>> numpy_arrays() {
  const std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  const std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  std::vector<float> f1000(1000);
  for (int i = 0; i < 1000; ++i) f1000[i] = static_cast<float>(i - 500) / 8.0f;
  std::vector<std::int64_t> i24(24);
  for (int i = 0; i < 24; ++i) i24[i] = i;
  std::vector<float> f200(200);
  for (int i = 0; i < 200; ++i) f200[i] = static_cast<float>(i) / 8.0f;
  const Shape shape_14d{2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100};
  return {
      {"f4_2x3", Tensor(std::vector<float>{0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, {2, 3})},
      {"f8_4", Tensor(std::vector<double>{0.1, -2.5e-300, 1.7976931348623157e308, 1.0 / 3}, {4})},
      {"i8_5", Tensor(std::vector<std::int64_t>{lo, -1, 0, 9007199254740993, hi}, {5})},
      {"b1_2x2", Tensor(std::vector<std::int64_t>{1, 0, 0, 1}, {2, 2}).to(DType::boolean)},
      {"f8_scalar", Tensor(std::vector<double>{3.25}, {})},
      {"f4_empty_0x3", Tensor(std::vector<float>{}, {0, 3})},
      {"i8_2x3x4", Tensor(i24, {2, 3, 4})},
      {"f4_1000", Tensor(f1000, {1000})},
      {"f4_14d", Tensor(f200, shape_14d)},  // data at offset 192: see make_npy_fixtures.py
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(npy)

// --- .npy: round trips and NumPy's files ------------------------------------------------------

BOOST_AUTO_TEST_CASE(npy_round_trip_every_dtype_and_shape) {
  TempDir dir;
  for (DType dtype : kDTypes) {
    for (const Shape& shape : {Shape{}, Shape{5}, Shape{2, 3, 4}, Shape{0, 3}, Shape{0}}) {
      BOOST_TEST_CONTEXT(dtype_name(dtype) << " " << shape_str(shape)) {
        const Tensor t = sample(dtype, shape);
        check_identical(from_npy_bytes(to_npy_bytes(t)), t);
        save_npy(dir.file("t.npy"), t);
        check_identical(load_npy(dir.file("t.npy")), t);
      }
    }
  }
  BOOST_TEST(dir.entries() == std::vector<std::string>{"t.npy"});  // no temporary files left
}

BOOST_AUTO_TEST_CASE(npy_saves_a_view_with_its_own_elements) {
  Tensor rows = Tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {3, 2}).rows(1, 3);  // offset 2
  check_tensor(from_npy_bytes(to_npy_bytes(rows)), {2, 2}, {3, 4, 5, 6});
}

BOOST_AUTO_TEST_CASE(npy_reads_numpy_files) {
  const Tensor f4 = load_npy(fixture("f4_2x3.npy"));
  BOOST_TEST(f4.dtype() == DType::float32);
  check_tensor(f4, {2, 3}, {0, 0.25, 0.5, 0.75, 1, 1.25}, 0);

  const Tensor f8 = load_npy(fixture("f8_4.npy"));
  BOOST_TEST(f8.dtype() == DType::float64);
  BOOST_TEST(shape_str(f8.shape()) == "(4,)");
  const double* d = f8.data<double>();  // exact: the same doubles as Python's literals
  BOOST_TEST(
      (d[0] == 0.1 && d[1] == -2.5e-300 && d[2] == 1.7976931348623157e308 && d[3] == 1.0 / 3));

  const Tensor i8 = load_npy(fixture("i8_5.npy"));
  BOOST_TEST(i8.dtype() == DType::int64);
  const std::int64_t* n = i8.data<std::int64_t>();  // 2**53 + 1 would not survive a double
  BOOST_TEST(n[0] == std::numeric_limits<std::int64_t>::min());
  BOOST_TEST(n[3] == 9007199254740993);
  BOOST_TEST(n[4] == std::numeric_limits<std::int64_t>::max());

  const Tensor b1 = load_npy(fixture("b1_2x2.npy"));
  BOOST_TEST(b1.dtype() == DType::boolean);
  check_tensor(b1, {2, 2}, {1, 0, 0, 1}, 0);

  const Tensor scalar = load_npy(fixture("f8_scalar.npy"));
  BOOST_TEST(scalar.dim() == 0);
  BOOST_TEST(scalar.item() == 3.25);

  const Tensor empty = load_npy(fixture("f4_empty_0x3.npy"));
  BOOST_TEST(empty.dtype() == DType::float32);
  check_tensor(empty, {0, 3}, {});

  check_tensor(
      load_npy(fixture("i8_2x3x4.npy")).reshape({-1}), {24},
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23});
  BOOST_TEST(shape_str(load_npy(fixture("i8_2x3x4.npy")).shape()) == "(2, 3, 4)");
}

BOOST_AUTO_TEST_CASE(npy_reads_format_version_2) {
  check_identical(load_npy(fixture("f4_2x3_v2.npy")), load_npy(fixture("f4_2x3.npy")));
}

BOOST_AUTO_TEST_CASE(npy_writes_the_bytes_numpy_writes) {
  TempDir dir;
  for (const auto& [name, t] : numpy_arrays()) {
    BOOST_TEST_CONTEXT(name) {
      const std::string want = read_bytes(fixture(name + ".npy"));
      check_identical(load_npy(fixture(name + ".npy")), t);  // we built the same array
      check_bytes(to_npy_bytes(t), want);
      save_npy(dir.file(name + ".npy"), t);
      check_bytes(read_bytes(dir.file(name + ".npy")), want);
    }
  }
}

BOOST_AUTO_TEST_CASE(npy_header_parsing_is_lenient) {
  const std::string data = float_bytes({1, 2, 3});
  for (const char* header : {
           "{'shape': (3,), 'fortran_order': False, 'descr': '<f4'}",
           "{ \"descr\" : \"<f4\" ,'fortran_order':False,'shape':( 3 , ) , }   ",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (3L,), }",
       }) {
    BOOST_TEST_CONTEXT(header) {
      check_tensor(from_npy_bytes(npy_with_header(header, data)), {3}, {1, 2, 3}, 0);
    }
  }
  // NOTE: any nonzero byte is True in a '|b1' file; a C++ bool must still read back as 0 or 1.
  const Tensor b = from_npy_bytes(npy_with_header(
      "{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}", std::string("\x00\x02\x01", 3)));
  check_tensor(b, {3}, {0, 1, 1}, 0);
  BOOST_TEST(b.data<bool>()[1] == true);
  // np.load ignores bytes after the data, and so do we.
  check_tensor(from_npy_bytes(npy_with_header(
                   "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", data)),
               {2}, {1, 2}, 0);
}

// --- .npy: errors -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(npy_load_errors_name_the_path_and_the_problem) {
  TempDir dir;
  const std::string missing = dir.file("missing.npy");
  check_throws<FileError>([&] { load_npy(missing); },
                          {"load_npy", missing, "cannot open", "No such file"});
  check_throws<FileError>([&] { load_npy(dir.path.string()); },
                          {dir.path.string(), "is a directory"});

  const std::string empty = dir.file("empty.npy");
  write_bytes(empty, "");
  check_throws<FileError>([&] { load_npy(empty); }, {empty, "not an .npy file", "empty"});
  const std::string text = dir.file("text.npy");
  write_bytes(text, "hello, world\n");
  check_throws<FileError>([&] { load_npy(text); },
                          {text, "not an .npy file", "\\x93NUMPY", "starts with \"hello,\""});

  // NumPy files in layouts that xtgrad does not read.
  check_throws<FileError>([] { load_npy(fixture("f4_bigendian_3.npy")); },
                          {"f4_bigendian_3.npy", "unsupported dtype '>f4'", "big-endian"});
  check_throws<FileError>([] { load_npy(fixture("i4_3.npy")); },
                          {"i4_3.npy", "unsupported dtype '<i4'", "'<i8' int64"});
  check_throws<FileError>([] { load_npy(fixture("f4_fortran_2x3.npy")); },
                          {"f4_fortran_2x3.npy", "fortran_order True", "not supported"});

  // A valid file cut short: in the data, then in the header.
  const std::string good = read_bytes(fixture("f4_2x3.npy"));  // 128 header + 24 data bytes
  const std::string cut = dir.file("cut.npy");
  write_bytes(cut, good.substr(0, good.size() - 4));
  check_throws<FileError>([&] { load_npy(cut); },
                          {cut, "truncated data", "expected 24 bytes", "(2, 3) <f4", "got 20"});
  write_bytes(cut, good.substr(0, 50));
  check_throws<FileError>([&] { load_npy(cut); }, {cut, "truncated header", "got 40"});
  write_bytes(cut, good.substr(0, 7));
  check_throws<FileError>([&] { load_npy(cut); }, {cut, "truncated header", "7 bytes"});
}

BOOST_AUTO_TEST_CASE(npy_bytes_errors_name_the_source_and_the_problem) {
  const std::string name = "encoder/w.npy";
  auto check_header = [&](const std::string& header, const std::vector<std::string>& parts) {
    BOOST_TEST_CONTEXT(header) {
      std::vector<std::string> all{"from_npy_bytes", name};
      all.insert(all.end(), parts.begin(), parts.end());
      check_throws<FileError>([&] { from_npy_bytes(npy_with_header(header), name); }, all);
    }
  };
  check_header("{'descr': '<f4', 'fortran_order': False}", {"malformed header", "required"});
  check_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}",
               {"malformed header", "unexpected key 'x'"});
  check_header("{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}",
               {"fortran_order must be True or False"});
  check_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}",
               {"malformed header", "expected a size", "'shape': (-3,)"});
  check_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)} junk",
               {"malformed header", "after '}'"});
  check_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
               {"malformed header", "too large"});
  check_header("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (3,)}",
               {"unsupported dtype", "structured"});
  check_header("['not', 'a', 'dict']", {"malformed header", "expected '{'"});

  const std::string v9 = std::string("\x93NUMPY\x09\x00\x10\x00", 10) + std::string(16, ' ');
  check_throws<FileError>([&] { from_npy_bytes(v9, name); },
                          {name, "unsupported .npy format version 9.0", "1.0, 2.0 and 3.0"});
  check_throws<FileError>([&] { from_npy_bytes(std::string("PK\x03\x04\x14\x00\x00", 7), name); },
                          {name, "not an .npy file", "starts with \"PK\\x03\\x04\\x14\\x00\""});
  check_throws<FileError>(
      [&] { from_npy_bytes(std::string("\x93NUMPY\x01\x00\x80\x00{", 11)); },
      {"from_npy_bytes: <memory>", "truncated header", "expected 128 bytes, got 1"});
  check_throws<ValueError>([] { to_npy_bytes(Tensor()); }, {"to_npy_bytes", "undefined"});
  // NumPy allows 32 axes; a header over 64 KiB would need 20,000.
  check_throws<FileError>([] { to_npy_bytes(Tensor::empty(Shape(30000, 1))); },
                          {"to_npy_bytes", "30000 axes", "does not fit"});
}

// A header is read whole before any data, so it has a limit: 65535 bytes of dict, as in
// version 1.0. A version 2.0 file may declare up to 4 GiB of header; NumPy writes one over
// 64 KiB only for structured dtypes, which xtgrad does not read.
BOOST_AUTO_TEST_CASE(npy_a_header_longer_than_64_kib_is_refused) {
  const std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }" + std::string(70000, ' ') + "\n";
  std::string bytes("\x93NUMPY\x02\x00", 8);
  for (int shift = 0; shift < 32; shift += 8)
    bytes += static_cast<char>((dict.size() >> shift) & 0xff);
  bytes += dict + std::string(12, '\0');
  check_throws<FileError>(
      [&] { from_npy_bytes(bytes, "long.npy"); },
      {"from_npy_bytes: long.npy", "a header of 70058 bytes is longer than the 65535"});
}

// read_npy_header reads the header and nothing after it, from any stream: a zip member (the
// .npz reader checks each member's shape before inflating its data), a socket.
BOOST_AUTO_TEST_CASE(npy_read_npy_header_reads_no_byte_of_the_data) {
  const std::string bytes = to_npy_bytes(Tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3}));
  std::size_t pos = 0;
  auto read = [&](char* dst, std::size_t n) {
    n = std::min(n, bytes.size() - pos);
    std::copy_n(bytes.data() + pos, n, dst);
    pos += n;
    return n;
  };
  const NpyHeader header = read_npy_header(read, "t.npy");
  BOOST_TEST(pos == 128u);
  BOOST_TEST(header.header_bytes == 128u);
  BOOST_TEST(header.data_bytes == 24u);
  BOOST_TEST(shape_str(header.shape) == "(2, 3)");
  BOOST_TEST(header.dtype == DType::float32);
  const std::string cut = bytes.substr(0, 50);
  pos = 0;
  auto read_cut = [&](char* dst, std::size_t n) {
    n = std::min(n, cut.size() - pos);
    std::copy_n(cut.data() + pos, n, dst);
    pos += n;
    return n;
  };
  check_throws<FileError>(
      [&] { read_npy_header(read_cut, "t.npy"); },
      {"read_npy_header: t.npy", "truncated header", "expected 118 bytes, got 40"});
}

// --- .npy: saving is all or nothing -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(npy_failed_save_leaves_no_file) {
  TempDir dir;
  const Tensor t = sample(DType::float32, {2, 3});
  const std::string in_missing_dir = dir.file("no_such_dir/t.npy");
  check_throws<FileError>([&] { save_npy(in_missing_dir, t); },
                          {"save_npy", in_missing_dir, "temporary file", "No such file"});
  BOOST_TEST(dir.entries().empty());

  // The target is a directory: the temporary file is written, the rename fails.
  fs::create_directory(dir.path / "a_dir.npy");
  check_throws<FileError>([&] { save_npy(dir.file("a_dir.npy"), t); },
                          {"save_npy", dir.file("a_dir.npy"), "cannot rename"});
  BOOST_TEST(dir.entries() == std::vector<std::string>{"a_dir.npy"});  // temporary file removed
}

BOOST_AUTO_TEST_CASE(npy_failed_save_keeps_the_old_file) {
  TempDir dir;
  const std::string path = dir.file("keep.npy");
  save_npy(path, sample(DType::float64, {2, 3}));
  const std::string old_bytes = read_bytes(path);

  check_throws<ValueError>([&] { save_npy(path, Tensor()); }, {"save_npy", "undefined"});
  // A file over the limit fails in fwrite (400 KB) or, still in stdio's buffer, in fclose.
  for (std::int64_t n : {100000, 10}) {
    BOOST_TEST_CONTEXT(n << " floats") {
      check_throws<FileError>(
          [&] {
            FileSizeLimit limit(64);
            save_npy(path, zeros({n}));
          },
          {"save_npy", path, "cannot write", "File too large"});
    }
  }
  check_bytes(read_bytes(path), old_bytes);
  BOOST_TEST(dir.entries() == std::vector<std::string>{"keep.npy"});  // temporary file removed
  save_npy(path, zeros({100000}));  // and a save that works replaces it
  BOOST_TEST(load_npy(path).numel() == 100000);
}

BOOST_AUTO_TEST_SUITE_END()
