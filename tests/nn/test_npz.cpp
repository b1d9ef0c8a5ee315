// .npz archives: save_npz and load_npz (nn/checkpoint.hpp), which checkpoints are written with.
// The test cases are in the suite checkpoint, with those of test_checkpoint.cpp.
//
// The .npz fixtures in tests/fixtures/npz were written by NumPy (tests/fixtures/make_npz_fixtures.py):
// reading them proves that we read NumPy's archives. That NumPy and PyTorch read ours is
// checked by hand with tests/nn/conformance/check_npz_with_numpy.py.
#include <filesystem>
#include <functional>
#include <limits>

#include "../support/bombs.hpp"
#include "../support/files.hpp"
#include "helpers.hpp"
#include "nn/checkpoint.hpp"
#include "tensor/io.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(checkpoint)

// --- .npz: round trips and NumPy's archives ---------------------------------------------------

BOOST_AUTO_TEST_CASE(npz_round_trip_keeps_names_order_dtypes_and_values) {
  const std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  const nn::StateDict state{
      {"0.weight", Tensor(std::vector<float>{0.1f, -2.5f, 3e38f, 1e-40f, 0, -0.0f}, {2, 3})},
      {"scale", Tensor(std::vector<double>{1.0 / 3}, {})},
      {"counts", Tensor(std::vector<std::int64_t>{lo, -1, 0, 9007199254740993, 5}, {5})},
      {"mask", Tensor(std::vector<std::int64_t>{1, 0, 0, 1}, {2, 2}).to(DType::boolean)},
      {"empty", Tensor(std::vector<float>{}, {0, 3})},
      {"optimizer/0.exp_avg", Tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {3, 2}).rows(1, 3)},
  };
  TempDir dir;
  const std::string path = dir.file("state.npz");
  nn::save_npz(path, state);
  check_identical(nn::load_npz(path), state);
  BOOST_TEST(read_bytes(path).substr(0, 4) == "PK\x03\x04");  // a zip archive's first member

  nn::save_npz(path, {});  // an empty archive, as numpy.savez() writes
  BOOST_TEST(read_bytes(path).size() == 22u);
  BOOST_TEST(nn::load_npz(path).empty());
  BOOST_TEST(dir.entries() == std::vector<std::string>{"state.npz"});  // no temporary files left
}

BOOST_AUTO_TEST_CASE(npz_the_same_tensors_give_the_same_bytes) {
  const nn::StateDict state{{"w", Tensor(std::vector<float>{1, 2, 3}, {3})}};
  TempDir dir;
  nn::save_npz(dir.file("a.npz"), state);
  const std::string a = read_bytes(dir.file("a.npz"));
  // A local file header: signature, version, flags, method (2 bytes each after the first 4),
  // then the MS-DOS time and date at offsets 10 and 12: 0 and 1980-01-01, not the clock's.
  BOOST_TEST_REQUIRE(a.size() > 14u);
  BOOST_TEST((a.substr(10, 4) == std::string("\0\0\x21\0", 4)), "the member is dated by the clock");
  ::sleep(2);  // MS-DOS times count in 2 s steps
  nn::save_npz(dir.file("b.npz"), state);
  check_bytes(read_bytes(dir.file("b.npz")), a);
}

BOOST_AUTO_TEST_CASE(npz_reads_numpy_archives) {
  for (const char* name : {"npz/from_numpy.npz", "npz/from_numpy_compressed.npz"}) {
    BOOST_TEST_CONTEXT(name) {
      const nn::StateDict state = nn::load_npz(test_data(name));
      BOOST_TEST(keys(state) ==
                 (std::vector<std::string>{"0.weight", "0.bias", "encoder/scale", "counts", "mask",
                                           "optimizer/step", "empty"}));
      BOOST_TEST_REQUIRE(state.size() == 7u);
      BOOST_TEST(state[0].second.dtype() == DType::float32);
      check_tensor(state[0].second, {2, 3}, {0, 0.25, 0.5, 0.75, 1, 1.25}, 0);
      check_tensor(state[1].second, {2}, {-1.5, 2}, 0);
      const Tensor& scale = state[2].second;  // exact: the same doubles as Python's literals
      BOOST_TEST(scale.dtype() == DType::float64);
      BOOST_TEST(scale.to_vector<double>() == (std::vector<double>{0.1, 1.0 / 3, -2.5e-300}));
      const Tensor& counts = state[3].second;  // 2**53 + 1 would not survive a double
      BOOST_TEST(shape_str(counts.shape()) == "(2, 2)");
      BOOST_TEST(
          counts.to_vector<std::int64_t>() ==
          (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 9007199254740993, 0,
                                     std::numeric_limits<std::int64_t>::max()}));
      BOOST_TEST(state[4].second.dtype() == DType::boolean);
      check_tensor(state[4].second, {3}, {1, 0, 1}, 0);
      BOOST_TEST(state[5].second.dim() == 0);
      BOOST_TEST(state[5].second.item() == 7.0);
      check_tensor(state[6].second, {0, 4}, {});
    }
  }
}

BOOST_AUTO_TEST_CASE(npz_skips_members_that_are_not_npy) {
  // numpy.load returns such members as raw bytes; there is no tensor to make of them.
  const nn::StateDict state = nn::load_npz(test_data("npz/with_text_member.npz"));
  BOOST_TEST(keys(state) == std::vector<std::string>{"w"});
  check_tensor(state[0].second, {3}, {0, 1, 2}, 0);
}

// --- .npz: errors -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(npz_load_errors_name_the_path_and_the_problem) {
  TempDir dir;
  const std::string missing = dir.file("missing.npz");
  check_throws<FileError>([&] { nn::load_npz(missing); },
                          {"load_npz", missing, "cannot open", "No such file"});
  const std::string npy = test_data("npy/f4_2x3.npy");  // np.save's file, not np.savez's
  check_throws<FileError>([&] { nn::load_npz(npy); },
                          {"load_npz", npy, "Not a zip archive", "load_npy"});
  check_throws<FileError>([&] { nn::load_npz(dir.path.string()); },
                          {"load_npz", dir.path.string(), "is a directory"});

  const std::string duplicate = test_data("npz/duplicate_member.npz");
  check_throws<FileError>([&] { nn::load_npz(duplicate); },
                          {"load_npz", duplicate, "\"w.npy\" appears twice"});
  // from_npy_bytes names the archive and the member.
  const std::string bad = test_data("npz/bad_member.npz");
  check_throws<FileError>([&] { nn::load_npz(bad); },
                          {bad + ":bad.npy", "not an .npy file", "starts with \"hello\\x0a\""});
}

BOOST_AUTO_TEST_CASE(npz_corrupt_or_truncated_archives_are_named) {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  nn::save_npz(path, {{"w", Tensor(std::vector<double>{1, 2, 3, 4}, {4})}});
  const std::string good = read_bytes(path);

  // Cut short, as by a copy that stopped: the directory at the end of the archive is gone.
  for (std::size_t keep : {good.size() / 2, good.size() - 1, std::size_t{0}}) {
    BOOST_TEST_CONTEXT("first " << keep << " bytes") {
      write_bytes(path, good.substr(0, keep));
      check_throws<FileError>([&] { nn::load_npz(path); },
                              {"load_npz", path, "Not a zip archive", "cut short"});
    }
  }
  // One flipped bit in the member's data (after its 128-byte .npy header): the CRC-32 catches it.
  std::string flipped = good;
  const std::size_t data = good.find("\x93NUMPY") + 128;
  BOOST_TEST_REQUIRE(data < good.size());
  flipped[data + 3] ^= 0x10;
  write_bytes(path, flipped);
  check_throws<FileError>([&] { nn::load_npz(path); },
                          {"load_npz", path, "cannot read the member \"w.npy\"", "CRC error"});
}

// A member whose listed size is a lie: 4 GB in the zip directory, 160 bytes in the file. The
// reader used to allocate (and zero) the listed size before finding out; now what it allocates
// grows with the bytes it really reads.
BOOST_AUTO_TEST_CASE(npz_a_member_claiming_4_gb_is_refused_without_allocating_it) {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  nn::save_npz(path, {{"w", Tensor(std::vector<double>{1, 2, 3, 4}, {4})}});
  std::string forged = read_bytes(path);
  // The central directory entry ("PK\1\2") holds the uncompressed size at offset 24, as a
  // little-endian uint32 (PKWARE APPNOTE 4.3.12).
  const std::size_t central = forged.find("PK\x01\x02");
  BOOST_TEST_REQUIRE(central != std::string::npos);
  forged.replace(central + 24, 4, "\xf0\xff\xff\xff");  // 4,294,967,280 bytes
  write_bytes(path, forged);

  const long before_kb = peak_rss_kb();
  BOOST_TEST_MESSAGE(check_throws<FileError>([&] { nn::load_npz(path); }, {path}));
  // The process's high-water mark must not have moved by anything like 4 GB.
  BOOST_TEST(peak_rss_kb() - before_kb < 64 * 1024);
}

// --- .npz: decompression bombs ----------------------------------------------------------------
// Archives of a few hundred KB whose members inflate to 256 MiB of zeros (tests/support/bombs.hpp).
// Each is refused from the zip directory and the members' .npy headers, before any data is
// inflated: in a few MB and well under a second, however far the data would expand.

constexpr std::uint64_t k256MiB = std::uint64_t{256} << 20;

// A 1,000-element bias whose member claims 67,108,864 floats and holds them (as zeros): the
// archive is honest about its size, but the model expects 1,000.
BOOST_AUTO_TEST_CASE(npz_a_bias_that_inflates_to_256_mib_is_refused_by_its_npy_header) {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  auto model = mlp({10, 1000}, 1);
  write_bytes(path, zip_archive({{"0.weight.npy", to_npy_bytes(model->state_dict()[0].second)},
                                 {"0.bias.npy", npy_header("<f4", "(67108864,)"), k256MiB}}));
  BOOST_TEST_MESSAGE("the bomb is " << fs::file_size(path) << " bytes");
  check_refused_cheaply([&] {
    check_throws<ShapeError>([&] { nn::load_checkpoint(path, *model); },
                             {"load_checkpoint", path,
                              "shape mismatch for 0.bias (checkpoint (67108864,), model (1000,))"});
  });
}

// Without an expectation, load_npz reads at most npz_max_bytes (1 GiB) of arrays. This member
// lists 2 GiB + 128 bytes, as its .npy header describes, though it holds only 256 MiB.
BOOST_AUTO_TEST_CASE(npz_load_npz_without_an_expectation_reads_at_most_1_gib) {
  TempDir dir;
  const std::string path = dir.file("big.npz");
  const std::string header = npy_header("<f4", "(536870912,)");
  const std::int64_t listed = (std::int64_t{2} << 30) + static_cast<std::int64_t>(header.size());
  write_bytes(path, zip_archive({{"big.npy", header, k256MiB, listed}}));
  check_refused_cheaply([&] {
    check_throws<FileError>(
        [&] { nn::load_npz(path); },
        {"load_npz", path, "\"big.npy\" (a (536870912,) float32 array of 2147483648 bytes)",
         "beyond the 1073741824 bytes expected"});
  });
}

// A member must be exactly its .npy header and the data the header describes: here 1,000
// floats are followed by 256 MiB that no reader would use.
BOOST_AUTO_TEST_CASE(npz_a_member_longer_than_its_npy_header_describes_is_refused) {
  TempDir dir;
  const std::string path = dir.file("long.npz");
  write_bytes(path, zip_archive({{"w.npy", npy_header("<f4", "(1000,)"), k256MiB}}));
  check_refused_cheaply([&] {
    check_throws<FileError>(
        [&] { nn::load_npz(path); },
        {"load_npz", path, "\"w.npy\" lists 268435584 bytes", "header describes 128 + 4000 bytes"});
  });
}

// A raw member (config.json) may hold at most npz_max_raw_member_bytes (1 MiB).
BOOST_AUTO_TEST_CASE(npz_a_raw_member_over_1_mib_is_refused_before_it_is_inflated) {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  write_bytes(path, zip_archive({{"config.json", "{", k256MiB}}));
  check_refused_cheaply([&] {
    check_throws<FileError>(
        [&] { nn::load_npz_raw_member(path, "config.json"); },
        {"load_npz", path, "\"config.json\" lists 268435457 bytes", "more than the 1048576"});
  });
  write_bytes(path, zip_archive({{"config.json", "{", (std::uint64_t{1} << 20) - 1}}));
  BOOST_TEST(nn::load_npz_raw_member(path, "config.json")->size() == std::size_t{1} << 20);
}

// libzip finds the first of two members with one name, Python's zipfile (numpy.load) the last:
// such an archive means different things to different readers, and is refused.
BOOST_AUTO_TEST_CASE(npz_a_name_that_appears_twice_is_refused_array_or_raw) {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  const std::string w = to_npy_bytes(Tensor(std::vector<float>{1, 2}, {2}));
  write_bytes(path, zip_archive({{"w.npy", w},
                                 {"config.json", R"({"model": "basic"})"},
                                 {"config.json", R"({"model": "vae"})"}}));
  for (const auto& load : std::vector<std::function<void()>>{
           [&] { nn::load_npz_raw_member(path, "config.json"); }, [&] { nn::load_npz(path); }}) {
    check_throws<FileError>(load, {"load_npz", path, "the member \"config.json\" appears twice"});
  }
}

// --- .npz: saving is all or nothing -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(npz_interrupted_save_keeps_the_old_file) {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  auto model = mlp({4, 3, 2}, 1);
  nn::save_checkpoint(path, *model);
  const std::string old_bytes = read_bytes(path);

  // The disk fills up while the temporary file is written: in the middle of a 400 KB member, or
  // at the end, when a small archive leaves stdio's buffer.
  for (std::int64_t n : {100000, 10}) {
    BOOST_TEST_CONTEXT(n << " floats") {
      check_throws<FileError>(
          [&] {
            FileSizeLimit limit(64);
            nn::save_npz(path, {{"w", zeros({n})}});
          },
          {"save_npz", path, "cannot write the temporary file", "File too large"});
      BOOST_TEST((read_bytes(path) == old_bytes), "the old checkpoint was changed");
      BOOST_TEST(dir.entries() == std::vector<std::string>{"model.npz"});  // temporary file gone
    }
  }
  check_throws<ValueError>(
      [&] {
        nn::save_npz(path, {{"w", zeros({2})}, {"b", Tensor()}});
      },
      {"save_npz", path, "the tensor \"b\" is undefined"});
  BOOST_TEST((read_bytes(path) == old_bytes), "the old checkpoint was changed");
  nn::load_checkpoint(path, *model);  // still a good checkpoint

  // A directory in the way: the temporary file is written, the rename fails.
  fs::create_directory(dir.path / "a_dir.npz");
  check_throws<FileError>([&] { nn::save_checkpoint(dir.file("a_dir.npz"), *model); },
                          {"save_npz", dir.file("a_dir.npz"), "cannot rename"});
  BOOST_TEST(dir.entries() == (std::vector<std::string>{"a_dir.npz", "model.npz"}));

  const std::string in_missing_dir = dir.file("no_such_dir/model.npz");
  check_throws<FileError>([&] { nn::save_checkpoint(in_missing_dir, *model); },
                          {"save_npz", in_missing_dir, "temporary file", "No such file"});
  BOOST_TEST(dir.entries() == (std::vector<std::string>{"a_dir.npz", "model.npz"}));
}

BOOST_AUTO_TEST_SUITE_END()
