// Pictures: image grids are checked pixel by pixel (read back with stb_image), plots for their
// size; bad arguments and unwritable targets throw and leave no file behind.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <stb_image.h>  // reads the PNGs back (libstb.so holds the implementation)

#include "../support/files.hpp"
#include "../tensor/helpers.hpp"
#include "data/pictures.hpp"
#include "data/plots.hpp"
#include "tensor/all.hpp"

namespace fs = std::filesystem;
namespace utf = boost::unit_test;
using namespace xtgrad;
using xtgrad::testing::check_throws;
using xtgrad::testing::FileSizeLimit;
using xtgrad::testing::TempDir;

namespace {

constexpr int kGap = 32;  // the grey between images

struct PngSize {
  std::uint32_t width = 0, height = 0;
};

// Checks the 8-byte PNG signature and reads the size from the IHDR chunk, which PNG requires
// to come first: bytes 16..19 width, 20..23 height, both big-endian.
PngSize png_size(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  unsigned char bytes[24] = {};
  file.read(reinterpret_cast<char*>(bytes), sizeof bytes);
  BOOST_TEST_REQUIRE(file.gcount() == 24, path << " is shorter than a PNG header");
  const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  BOOST_TEST_REQUIRE(std::equal(signature, signature + 8, bytes), path << " is not a PNG");
  BOOST_TEST(std::string(bytes + 12, bytes + 16) == "IHDR");
  auto be32 = [](const unsigned char* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
  };
  return {be32(bytes + 16), be32(bytes + 20)};
}

// A grey picture read back with stb_image.
struct Grey {
  int width = 0, height = 0, channels = 0;
  std::vector<int> pixels;
  int at(int x, int y) const { return pixels.at(static_cast<std::size_t>(y) * width + x); }
};

Grey read_grey(const std::string& path) {
  Grey g;
  unsigned char* data = stbi_load(path.c_str(), &g.width, &g.height, &g.channels, 1);
  BOOST_TEST_REQUIRE(data != nullptr, "stbi_load cannot read " << path);
  g.pixels.assign(data, data + static_cast<std::size_t>(g.width) * g.height);
  stbi_image_free(data);
  return g;
}

// A precondition: plot tests are skipped when gnuplot is not installed.
boost::test_tools::assertion_result has_gnuplot(utf::test_unit_id) {
  boost::test_tools::assertion_result result(data::gnuplot_available());
  if (!result) result.message() << "gnuplot is not installed (apt-get install gnuplot-nox)";
  return result;
}

// A history file as nn::fit writes it.
void write_history(const std::string& path, int epochs, bool with_val) {
  std::ofstream file(path);
  file << "epoch,train_loss,val_loss,lr,seconds,samples_per_second\n";
  for (int e = 1; e <= epochs; ++e) {
    const double train = 0.1 + 0.5 * std::exp(-0.4 * e);
    file << e << ',' << train << ',' << (with_val ? std::to_string(train + 0.02) : "nan")
         << ",0.001,1.5,4000\n";
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pictures)

// 5 images of 3 x 2 pixels, 2 per row, scale 2: 3 rows of cells 4 wide and 6 high,
// so the picture is 2 * (4 + 1) + 1 = 11 wide and 3 * (6 + 1) + 1 = 22 high.
BOOST_AUTO_TEST_CASE(image_grid_layout_and_grey_levels) {
  TempDir folder;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> values = {
      1,   1,    1,    1,    1,    1,    // image 0: white
      0,   0,    0,    0,    0,    0,    // image 1: black
      2,   -1,   0.5f, 1,    0,    0,    // image 2: clamped to [0, 1]
      nan, nan,  nan,  nan,  nan,  nan,  // image 3: NaN is drawn black
      0,   0.2f, 0.4f, 0.6f, 0.8f, 1,    // image 4: a ramp, row by row
  };
  const std::string path = folder.file("grid.png");
  data::save_image_grid(path, Tensor(values, {5, 6}), 3, 2, 2, 2);

  const PngSize size = png_size(path);
  BOOST_TEST(size.width == 11u);
  BOOST_TEST(size.height == 22u);
  const Grey g = read_grey(path);
  BOOST_TEST(g.channels == 1);  // stored as 1-channel grey
  BOOST_TEST(g.width == 11);
  BOOST_TEST(g.height == 22);

  // The border and the gaps between cells.
  for (int x = 0; x < 11; ++x) BOOST_TEST(g.at(x, 0) == kGap, "top border at x " << x);
  for (int y = 0; y < 22; ++y) BOOST_TEST(g.at(5, y) == kGap, "gap between columns at y " << y);
  BOOST_TEST(g.at(0, 3) == kGap);
  BOOST_TEST(g.at(3, 7) == kGap);  // gap between rows 0 and 1

  // Cell (row r, column c) starts at x = 1 + 5 c, y = 1 + 7 r; each pixel is 2 x 2.
  auto pixel = [&](int image, int px, int py, int dx = 0, int dy = 0) {
    return g.at(1 + 5 * (image % 2) + 2 * px + dx, 1 + 7 * (image / 2) + 2 * py + dy);
  };
  for (int py = 0; py < 3; ++py) {
    for (int px = 0; px < 2; ++px) {
      BOOST_TEST(pixel(0, px, py, 1, 1) == 255);
      BOOST_TEST(pixel(1, px, py) == 0);
      BOOST_TEST(pixel(3, px, py, 1, 0) == 0);
    }
  }
  BOOST_TEST(pixel(2, 0, 0) == 255);  // 2 -> 1
  BOOST_TEST(pixel(2, 1, 0) == 0);    // -1 -> 0
  BOOST_TEST(pixel(2, 0, 1) == 128);  // 0.5 * 255 = 127.5, rounded
  const int ramp[3][2] = {{0, 51}, {102, 153}, {204, 255}};
  for (int py = 0; py < 3; ++py) {
    for (int px = 0; px < 2; ++px) {
      for (int d = 0; d < 4; ++d) {  // all four copies of the scaled pixel
        BOOST_TEST(pixel(4, px, py, d % 2, d / 2) == ramp[py][px],
                   "ramp (" << px << ", " << py << ")");
      }
    }
  }
  // The cell after the last image stays gap grey.
  BOOST_TEST(pixel(5, 0, 0) == kGap);
  BOOST_TEST(pixel(5, 1, 2, 1, 1) == kGap);
  BOOST_TEST(folder.entries() == std::vector<std::string>{"grid.png"});
}

// 16 images of 28 x 28 in rows of 8 at scale 2: 8 * 57 + 1 = 457 by 2 * 57 + 1 = 115.
BOOST_AUTO_TEST_CASE(image_grid_size_of_mnist_sized_images) {
  TempDir folder;
  const std::string path = folder.file("digits.png");
  data::save_image_grid(path, full({16, 784}, 0.5), 28, 28, 8);
  const PngSize size = png_size(path);
  BOOST_TEST(size.width == 457u);
  BOOST_TEST(size.height == 115u);
}

// Fewer images than columns: the grid is as wide as the images it has.
BOOST_AUTO_TEST_CASE(image_grid_with_fewer_images_than_columns) {
  TempDir folder;
  const std::string path = folder.file("three.png");
  data::save_image_grid(path, ones({3, 4}), 2, 2, 10, 1);
  const PngSize size = png_size(path);
  BOOST_TEST(size.width == 3u * 3 + 1);
  BOOST_TEST(size.height == 4u);
}

// Each unit is stretched on its own to [0, 1]: min black, max white.
BOOST_AUTO_TEST_CASE(filter_grid_normalises_each_unit) {
  TempDir folder;
  const std::vector<double> weights = {
      -2,  0,   2,   4,    // unit 0: range [-2, 4]
      10,  11,  12,  13,   // unit 1: range [10, 13]
      0.3, 0.3, 0.3, 0.3,  // unit 2: constant, drawn mid-grey
  };
  const std::string path = folder.file("filters.png");
  data::save_filter_grid(path, Tensor(weights, {3, 4}), 2, 2, 3, 1);
  const Grey g = read_grey(path);
  BOOST_TEST(g.width == 3 * 3 + 1);
  BOOST_TEST(g.height == 4);
  auto pixel = [&](int unit, int px, int py) { return g.at(1 + 3 * unit + px, 1 + py); };
  const int unit0[4] = {0, 85, 170, 255};  // (w + 2) / 6 * 255
  const int unit1[4] = {0, 85, 170, 255};  // (w - 10) / 3 * 255
  for (int i = 0; i < 4; ++i) {
    BOOST_TEST(pixel(0, i % 2, i / 2) == unit0[i], "unit 0 weight " << i);
    BOOST_TEST(pixel(1, i % 2, i / 2) == unit1[i], "unit 1 weight " << i);
    BOOST_TEST(pixel(2, i % 2, i / 2) == 128, "unit 2 weight " << i);
  }
}

BOOST_AUTO_TEST_CASE(grid_arguments_are_checked) {
  TempDir folder;
  const std::string path = folder.file("bad.png");
  check_throws<ShapeError>([&] { data::save_image_grid(path, zeros({784}), 28, 28, 8); },
                           {"save_image_grid", "2-d", "(784,)"});
  check_throws<ShapeError>(
      [&] {
        data::save_image_grid(path, zeros({2, 700}), 28, 28, 8);
      },
      {"save_image_grid", "(2, 700)", "28 * 28 = 784"});
  check_throws<ShapeError>(
      [&] {
        data::save_filter_grid(path, zeros({4, 10}), 3, 3, 2);
      },
      {"save_filter_grid", "weights", "(4, 10)", "3 * 3 = 9"});
  check_throws<ShapeError>(
      [&] {
        data::save_image_grid(path, zeros({0, 4}), 2, 2, 8);
      },
      {"save_image_grid", "(0, 4)", "no images"});
  check_throws<ValueError>(
      [&] {
        data::save_image_grid(path, zeros({2, 4}), 2, 2, 0);
      },
      {"save_image_grid", "columns", "0"});
  check_throws<ValueError>(
      [&] {
        data::save_filter_grid(path, zeros({2, 4}), 2, 2, 2, 0);
      },
      {"save_filter_grid", "scale", "0"});
  check_throws<ValueError>(
      [&] {
        data::save_image_grid(path, zeros({2, 4}), 0, 4, 2);
      },
      {"save_image_grid", "height and width"});
  check_throws<ValueError>([&] { data::save_image_grid(path, Tensor(), 2, 2, 2); },
                           {"save_image_grid"});
  BOOST_TEST(folder.entries().empty());
}

BOOST_AUTO_TEST_CASE(grid_into_a_missing_folder_throws_file_error) {
  TempDir folder;
  const std::string path = folder.file("no/such/folder/grid.png");
  check_throws<FileError>(
      [&] {
        data::save_image_grid(path, ones({1, 4}), 2, 2, 1);
      },
      {"save_image_grid", path, "No such file or directory"});
  BOOST_TEST(folder.entries().empty());
}

// The target is a folder: the temporary file is written, the rename fails, and the temporary
// file must be gone afterwards. (Permission bits would not stop the tests when run as root.)
BOOST_AUTO_TEST_CASE(grid_that_cannot_replace_its_target_leaves_no_file) {
  TempDir folder;
  const std::string path = folder.file("taken");
  fs::create_directory(path);
  check_throws<FileError>(
      [&] {
        data::save_image_grid(path, ones({1, 4}), 2, 2, 1);
      },
      {"save_image_grid", path, "rename"});
  BOOST_TEST(folder.entries() == std::vector<std::string>{"taken"});
  BOOST_TEST(fs::is_empty(path));
}

BOOST_AUTO_TEST_CASE(loss_curves_with_validation, *utf::precondition(has_gnuplot)) {
  TempDir folder;
  const std::string csv = folder.file("history.csv"), png = folder.file("loss.png");
  write_history(csv, 10, true);
  data::plot_loss_curves(csv, png, "basic_ae on Fashion-MNIST");
  const PngSize size = png_size(png);
  BOOST_TEST(size.width == 800u);
  BOOST_TEST(size.height == 500u);
}

// nn::fit without validation data writes val_loss "nan" on every row: only train is drawn.
BOOST_AUTO_TEST_CASE(loss_curves_without_validation, *utf::precondition(has_gnuplot)) {
  TempDir folder;
  const std::string csv = folder.file("history.csv"), png = folder.file("loss.png");
  write_history(csv, 60, false);
  data::plot_loss_curves(csv, png, "train only");
  const PngSize size = png_size(png);
  BOOST_TEST(size.width == 800u);
  BOOST_TEST(size.height == 500u);
  BOOST_TEST(folder.entries().size() == 2u);  // history.csv and loss.png: no temporary file
}

// gnuplot exits 0 when its write fails; the truncated picture must not be kept.
BOOST_AUTO_TEST_CASE(loss_curves_on_a_full_disk_keep_no_picture, *utf::precondition(has_gnuplot)) {
  TempDir folder;
  const std::string csv = folder.file("history.csv"), png = folder.file("loss.png");
  write_history(csv, 10, true);
  {
    const FileSizeLimit full_disk(4096);  // inherited by gnuplot; a loss plot takes about 20 KB
    check_throws<FileError>([&] { data::plot_loss_curves(csv, png, "full disk"); },
                            {"plot_loss_curves", "loss.png", "incomplete PNG"});
  }
  BOOST_TEST(folder.entries() == std::vector<std::string>{"history.csv"});
}

BOOST_AUTO_TEST_CASE(loss_curves_need_a_train_loss_column) {
  TempDir folder;
  const std::string csv = folder.file("history.csv"), png = folder.file("loss.png");
  std::ofstream(csv) << "epoch,loss\n1,0.5\n";
  check_throws<FileError>([&] { data::plot_loss_curves(csv, png, "t"); },
                          {"plot_loss_curves", csv, "train_loss", "epoch,loss"});
  const std::string missing = folder.file("missing.csv");
  check_throws<FileError>([&] { data::plot_loss_curves(missing, png, "t"); },
                          {"plot_loss_curves", missing, "cannot open"});
  std::ofstream(csv) << "epoch,train_loss,val_loss\n1,0.5,nan\n2,oops,nan\n";
  check_throws<FileError>([&] { data::plot_loss_curves(csv, png, "t"); },
                          {"plot_loss_curves", csv, "line 3", "oops"});
  BOOST_TEST(!fs::exists(png));
}

BOOST_AUTO_TEST_CASE(plot_into_a_missing_folder_throws_file_error,
                     *utf::precondition(has_gnuplot)) {
  TempDir folder;
  const std::string csv = folder.file("history.csv"), png = folder.file("no/such/loss.png");
  write_history(csv, 3, true);
  check_throws<FileError>([&] { data::plot_loss_curves(csv, png, "t"); },
                          {"plot_loss_curves", png, "gnuplot exited with status"});
  BOOST_TEST(folder.entries() == std::vector<std::string>{"history.csv"});
}

// Three clusters of 20 points, one per class.
BOOST_AUTO_TEST_CASE(latent_scatter, *utf::precondition(has_gnuplot)) {
  TempDir folder;
  std::vector<float> xy;
  std::vector<std::int64_t> label;
  for (int i = 0; i < 60; ++i) {
    const int c = i % 3;
    const double angle = 2.0944 * c, r = 0.1 * (i / 3 % 5);  // 2.0944 = 2 pi / 3
    xy.push_back(static_cast<float>(2 * std::cos(angle) + r));
    xy.push_back(static_cast<float>(2 * std::sin(angle) - r));
    label.push_back(c);
  }
  const std::string png = folder.file("codes.png");
  data::plot_latent_scatter(png, Tensor(xy, {60, 2}), Tensor(label, {60}),
                            {"T-shirt/top", "Trouser", "it's_a_bag"}, "codes (test)");
  const PngSize size = png_size(png);
  BOOST_TEST(size.width == 800u);
  BOOST_TEST(size.height == 500u);
  BOOST_TEST(folder.entries() == std::vector<std::string>{"codes.png"});
}

BOOST_AUTO_TEST_CASE(latent_scatter_arguments_are_checked) {
  TempDir folder;
  const std::string png = folder.file("codes.png");
  const std::vector<std::string> names = {"a", "b"};
  const Tensor labels(std::vector<std::int64_t>{0, 1, 1}, {3});
  check_throws<ShapeError>(
      [&] {
        data::plot_latent_scatter(png, zeros({3, 3}), labels, names, "t");
      },
      {"plot_latent_scatter", "(N, 2)", "(3, 3)"});
  check_throws<ShapeError>(
      [&] {
        data::plot_latent_scatter(png, zeros({4, 2}), labels, names, "t");
      },
      {"plot_latent_scatter", "(4,)", "(3,)"});
  check_throws<DTypeError>(
      [&] {
        data::plot_latent_scatter(png, zeros({3, 2}), zeros({3}), names, "t");
      },
      {"plot_latent_scatter", "int64", "float32"});
  const Tensor bad(std::vector<std::int64_t>{0, 2, 1}, {3});
  check_throws<ValueError>(
      [&] {
        data::plot_latent_scatter(png, zeros({3, 2}), bad, names, "t");
      },
      {"plot_latent_scatter", "labels[1] = 2", "[0, 2)"});
  BOOST_TEST(!fs::exists(png));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(lines_of_two_series_on_a_log_axis, *utf::precondition(has_gnuplot)) {
  TempDir folder;
  const std::string png = folder.file("lines.png");
  data::plot_lines(png, "test loss against the learning rate", "learning rate", "loss",
                   {{"train", {1e-4, 1e-3, 1e-2}, {30.0, 20.0, 25.0}},
                    {"test", {1e-4, 1e-3, 1e-2}, {31.0, 21.0, 27.0}}},
                   /*log_x=*/true);
  const PngSize size = png_size(png);
  BOOST_TEST(size.width == 800u);
  BOOST_TEST(size.height == 500u);
  BOOST_TEST(folder.entries().size() == 1u);  // no temporary file left
}

BOOST_AUTO_TEST_CASE(lines_refuse_unpaired_or_non_positive_points) {
  TempDir folder;
  const std::string png = folder.file("lines.png");
  check_throws<ValueError>(
      [&] {
        data::plot_lines(png, "t", "x", "y", {{"a", {1, 2}, {1}}});
      },
      {"plot_lines", "'a'", "2 x values and 1 y values"});
  check_throws<ValueError>(
      [&] {
        data::plot_lines(png, "t", "x", "y", {{"b", {0.0, 1.0}, {1, 2}}}, true);
      },
      {"plot_lines", "'b'", "point 0", "logarithmic"});
  check_throws<ValueError>([&] { data::plot_lines(png, "t", "x", "y", {}); },
                           {"plot_lines", "no series"});
  BOOST_TEST(folder.entries().empty());
}
