// Pictures: image grids written as PNG by stb_image_write, plots drawn by gnuplot.
//
// Grid layout, for N images of height x width pixels, C = min(N, columns), R = ceil(N / C),
// s = scale:
//
//   +---+---+---+     every '+' and '-' is a 1-pixel gap of grey 32 (dark, not black, so
//   | 0 | 1 | 2 |     that black pixels at an image's edge stay visible);
//   +---+---+---+     each cell is (width * s) x (height * s) pixels;
//   | 3 | 4 |   |     cells after the last image are filled with the gap grey.
//   +---+---+---+
//   picture width = C * (width * s + 1) + 1, picture height = R * (height * s + 1) + 1.
//
// Plots: we write the numbers to a .dat file and the commands to a .gp script in a temporary
// folder, run `gnuplot script.gp`, and gnuplot draws into a temporary name next to the target,
// which we rename. (gnuplot's own output when something fails goes to gnuplot.log, which ends
// up in the FileError.)
#include "autoencoders/pictures.hpp"

#include <stb_image_write.h>  // NOTE: libstb.so holds the implementation: no *_IMPLEMENTATION
#include <sys/wait.h>         // WIFEXITED, WEXITSTATUS: decoding std::system's result
#include <unistd.h>           // getpid, for unique temporary names

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <limits>
#include <locale>
#include <sstream>
#include <string>
#include <vector>

namespace xtgrad::ae {

namespace fs = std::filesystem;

namespace {

constexpr std::uint8_t kGapGrey = 32;  // the gaps between images and around the border
constexpr int kPlotWidth = 800, kPlotHeight = 500;

std::string in_quotes(const std::string& path) { return "'" + path + "'"; }

// "path.tmp<pid>.<n>": a name next to `path` (so that rename stays on one file system) that
// no other save, in this process or another, is using at the same time.
std::string temporary_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp" + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

// Moves the finished temporary file onto `path` in one step (POSIX rename), or removes it
// and throws: either way no temporary file is left behind.
void rename_into_place(const std::string& tmp, const std::string& path, const std::string& op) {
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw FileError(op + ": cannot write " + in_quotes(path) + ": cannot rename the temporary file " +
                    in_quotes(tmp) + " to it: " + std::strerror(err));
  }
}

// ---------------------------------------------------------------------------------------------
// Image grids
// ---------------------------------------------------------------------------------------------

// The checks both grid functions share; `what` is "images" or "weights".
void check_grid_arguments(const std::string& op, const char* what, const Tensor& images,
                          std::int64_t height, std::int64_t width, std::int64_t columns,
                          std::int64_t scale) {
  check_defined(op.c_str(), images);
  if (height < 1 || width < 1) {
    throw ValueError(op + ": height and width must be at least 1, got " + std::to_string(height) +
                     " x " + std::to_string(width));
  }
  if (images.dim() != 2) {
    throw ShapeError(op + ": " + what + " must be 2-d (N, height * width), got shape " +
                     shape_str(images.shape()));
  }
  if (images.size(1) != height * width) {
    throw ShapeError(op + ": " + what + " of shape " + shape_str(images.shape()) + " have " +
                     std::to_string(images.size(1)) + " columns, but height * width = " +
                     std::to_string(height) + " * " + std::to_string(width) + " = " +
                     std::to_string(height * width));
  }
  if (images.size(0) == 0) {
    throw ShapeError(op + ": " + what + " of shape " + shape_str(images.shape()) +
                     " hold no images to draw");
  }
  if (columns < 1) {
    throw ValueError(op + ": columns must be at least 1, got " + std::to_string(columns));
  }
  if (scale < 1) throw ValueError(op + ": scale must be at least 1, got " + std::to_string(scale));
}

// Pixel value in [0, 1] -> grey byte. NOTE: NaN (a diverged model) is drawn black, not as
// whatever a cast of NaN happens to give.
std::uint8_t to_grey(float value) {
  if (std::isnan(value)) return 0;
  return static_cast<std::uint8_t>(std::lround(std::clamp(value, 0.0f, 1.0f) * 255.0f));
}

// Draws `pixels` ((n, height * width) in row-major order, values in [0, 1]) as a grid and
// writes it to `path` through a temporary file.
void write_grid(const std::string& op, const std::string& path, const std::vector<float>& pixels,
                std::int64_t n, std::int64_t height, std::int64_t width, std::int64_t columns,
                std::int64_t scale) {
  const std::int64_t grid_cols = std::min(n, columns);
  const std::int64_t grid_rows = (n + grid_cols - 1) / grid_cols;  // ceil(n / grid_cols)
  const std::int64_t cell_w = width * scale + 1, cell_h = height * scale + 1;  // with one gap
  // NOTE: stb takes int sizes; also keep the picture to a sane size (64 Mpixel).
  const double total = static_cast<double>(grid_cols * cell_w + 1) * (grid_rows * cell_h + 1);
  if (grid_cols * cell_w + 1 > INT_MAX || grid_rows * cell_h + 1 > INT_MAX || total > (1 << 26)) {
    throw ValueError(op + ": a grid of " + std::to_string(grid_rows) + " x " +
                     std::to_string(grid_cols) + " images of " + std::to_string(height) + " x " +
                     std::to_string(width) + " at scale " + std::to_string(scale) +
                     " is too large for one picture");
  }
  const int pic_w = static_cast<int>(grid_cols * cell_w + 1);
  const int pic_h = static_cast<int>(grid_rows * cell_h + 1);

  std::vector<std::uint8_t> picture(static_cast<std::size_t>(pic_w) * pic_h, kGapGrey);
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t top = 1 + (k / grid_cols) * cell_h;  // the cell's first picture row
    const std::int64_t left = 1 + (k % grid_cols) * cell_w;
    const float* image = pixels.data() + k * height * width;
    for (std::int64_t y = 0; y < height * scale; ++y) {
      std::uint8_t* out = picture.data() + (top + y) * pic_w + left;
      const float* row = image + (y / scale) * width;
      for (std::int64_t x = 0; x < width * scale; ++x) out[x] = to_grey(row[x / scale]);
    }
  }

  const std::string tmp = temporary_name(path);
  errno = 0;
  // 1 channel (grey), 8 bits; the last argument is the byte distance between rows.
  if (stbi_write_png(tmp.c_str(), pic_w, pic_h, 1, picture.data(), pic_w) == 0) {
    const int err = errno;  // stb reports only failure; fopen's errno says why
    std::remove(tmp.c_str());
    throw FileError(op + ": cannot write " + in_quotes(path) + ": " +
                    (err != 0 ? std::strerror(err) : "stbi_write_png failed"));
  }
  rename_into_place(tmp, path, op);
}

}  // namespace

void save_image_grid(const std::string& path, const Tensor& images, std::int64_t height,
                     std::int64_t width, std::int64_t columns, std::int64_t scale) {
  const std::string op = "save_image_grid";
  check_grid_arguments(op, "images", images, height, width, columns, scale);
  write_grid(op, path, images.to_vector<float>(), images.size(0), height, width, columns, scale);
}

// Each unit u: p = (w - min_u) / (max_u - min_u), so its most negative weight is black and its
// most positive white. NOTE: a constant unit (max = min) would divide by zero; it is drawn
// mid-grey. NaN weights are left out of min and max and drawn black.
void save_filter_grid(const std::string& path, const Tensor& weights, std::int64_t height,
                      std::int64_t width, std::int64_t columns, std::int64_t scale) {
  const std::string op = "save_filter_grid";
  check_grid_arguments(op, "weights", weights, height, width, columns, scale);
  std::vector<float> pixels = weights.to_vector<float>();
  const std::size_t per_unit = static_cast<std::size_t>(height * width);
  for (std::size_t start = 0; start < pixels.size(); start += per_unit) {
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (std::size_t i = start; i < start + per_unit; ++i) {
      if (std::isnan(pixels[i])) continue;
      lo = std::min(lo, pixels[i]);
      hi = std::max(hi, pixels[i]);
    }
    const float range = hi - lo;
    for (std::size_t i = start; i < start + per_unit; ++i) {
      if (std::isnan(pixels[i])) continue;
      pixels[i] = range > 0 ? (pixels[i] - lo) / range : 0.5f;
    }
  }
  write_grid(op, path, pixels, weights.size(0), height, width, columns, scale);
}

// ---------------------------------------------------------------------------------------------
// gnuplot
// ---------------------------------------------------------------------------------------------

namespace {

// A folder under the system's temporary directory, removed with everything in it when this
// object goes out of scope (also when an exception leaves the function).
class TempDir {
 public:
  explicit TempDir(const std::string& op) {
    static std::atomic<unsigned> counter{0};
    std::error_code ec;
    path_ = fs::temp_directory_path(ec) /
            ("xtgrad-plot-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    if (ec || !fs::create_directory(path_, ec)) {
      throw FileError(op + ": cannot create the temporary folder " + in_quotes(path_.string()) +
                      (ec ? ": " + ec.message() : ": it already exists"));
    }
  }
  ~TempDir() {
    std::error_code ec;  // never throw from a destructor; a leftover folder is harmless
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// A string for a gnuplot script: in single quotes nothing is special except the quote itself,
// which is doubled.
std::string gp_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// A word for /bin/sh: in single quotes nothing is special; a quote becomes '\''.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Writes `text` to `path`; FileError (naming `op`) when that fails.
void write_text(const std::string& op, const std::string& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
  file.close();
  if (!file) throw FileError(op + ": cannot write the temporary file " + in_quotes(path));
}

// Sets up a stream for the .dat files: '.' as the decimal point whatever the user's locale,
// and enough digits (9) to tell float32 values apart.
void prepare_for_data(std::ostream& out) {
  out.imbue(std::locale::classic());
  out << std::setprecision(9);
}

// Runs a shell command; returns its exit status (or 128 + the signal that killed it).
int run(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1) return -1;  // the shell itself could not start
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// "pngcairo" (antialiased lines and text) when this gnuplot has it, else libgd's "png".
// Asked once per process.
const std::string& png_terminal() {
  static const std::string terminal = [] {
    std::string names;
    if (std::FILE* p = ::popen("gnuplot -e 'set terminal' 2>&1", "r")) {
      char buffer[4096];
      while (std::size_t got = std::fread(buffer, 1, sizeof buffer, p)) names.append(buffer, got);
      ::pclose(p);
    }
    return names.find("pngcairo") != std::string::npos ? std::string("pngcairo")
                                                        : std::string("png");
  }();
  return terminal;
}

// The last few lines of a (log) file, for an error message.
std::string tail_of(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  std::string out;
  for (std::size_t i = lines.size() > 4 ? lines.size() - 4 : 0; i < lines.size(); ++i) {
    out += (out.empty() ? "" : " | ") + lines[i];
  }
  return out.empty() ? "(gnuplot printed nothing)" : out;
}

// Draws a 800 x 500 PNG at `png_path`: the script is the terminal, output and title lines
// followed by `commands` (labels, plot ...), which read their data from files in `dir`.
void draw_with_gnuplot(const std::string& op, const std::string& png_path, const TempDir& dir,
                       const std::string& title, const std::string& commands) {
  if (!gnuplot_available()) {
    throw FileError(op + ": cannot draw " + in_quotes(png_path) +
                    ": gnuplot is not installed (apt-get install gnuplot-nox)");
  }
  const std::string tmp = temporary_name(png_path);
  const std::string script = dir.file("script.gp"), log = dir.file("gnuplot.log");
  write_text(op, script,
             "set terminal " + png_terminal() + " size " + std::to_string(kPlotWidth) + "," +
                 std::to_string(kPlotHeight) + " font 'sans,11'\n" +
                 "set output " + gp_quote(tmp) + "\n" +
                 "set title " + gp_quote(title) + " noenhanced\n" + commands +
                 "set output\n");  // closes (flushes) the PNG before gnuplot exits
  const int status = run("gnuplot " + sh_quote(script) + " > " + sh_quote(log) + " 2>&1");
  std::error_code ec;
  if (status != 0 || fs::file_size(tmp, ec) == 0 || ec) {
    std::remove(tmp.c_str());  // gnuplot may leave an empty file behind
    throw FileError(op + ": cannot draw " + in_quotes(png_path) + ": gnuplot exited with status " +
                    std::to_string(status) + ": " + tail_of(log));
  }
  rename_into_place(tmp, png_path, op);
}

// One row of the history CSV.
struct HistoryRow {
  double epoch, train_loss, val_loss;
};

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// Reads epoch, train_loss and val_loss (the columns found by name in the header). Without an
// epoch column the rows are numbered 1, 2, ...; without val_loss it is NaN.
std::vector<HistoryRow> read_history(const std::string& op, const std::string& csv) {
  std::ifstream file(csv);
  if (!file) {
    throw FileError(op + ": cannot open " + in_quotes(csv) + ": " + std::strerror(errno));
  }
  std::string header;
  std::getline(file, header);
  if (!header.empty() && header.back() == '\r') header.pop_back();  // a file saved on Windows
  const std::vector<std::string> names = split_csv_line(header);
  auto column = [&](const std::string& name) -> std::ptrdiff_t {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : it - names.begin();
  };
  const std::ptrdiff_t epoch_col = column("epoch"), train_col = column("train_loss"),
                       val_col = column("val_loss");
  if (train_col < 0) {
    throw FileError(op + ": " + in_quotes(csv) + " has no train_loss column (its header is \"" +
                    header + "\"; nn::fit writes epoch,train_loss,val_loss,...)");
  }
  std::vector<HistoryRow> rows;
  std::string line;
  for (int line_no = 2; std::getline(file, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::vector<std::string> fields = split_csv_line(line);
    if (fields.size() != names.size()) {
      throw FileError(op + ": " + in_quotes(csv) + " line " + std::to_string(line_no) + " has " +
                      std::to_string(fields.size()) + " fields, the header has " +
                      std::to_string(names.size()));
    }
    auto number = [&](std::ptrdiff_t col) {  // strtod reads "nan" and "inf" too
      const char* text = fields[static_cast<std::size_t>(col)].c_str();
      char* end = nullptr;
      const double value = std::strtod(text, &end);
      if (end == text || *end != '\0') {
        throw FileError(op + ": " + in_quotes(csv) + " line " + std::to_string(line_no) + ": " +
                        names[static_cast<std::size_t>(col)] + " \"" + text +
                        "\" is not a number");
      }
      return value;
    };
    rows.push_back({epoch_col >= 0 ? number(epoch_col) : static_cast<double>(rows.size() + 1),
                    number(train_col), val_col >= 0 ? number(val_col) : std::nan("")});
  }
  if (rows.empty()) throw FileError(op + ": " + in_quotes(csv) + " has no rows after its header");
  return rows;
}

// Line colours (matplotlib's "tab10": distinct, and readable for most colour-blind viewers).
const char* const kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string colour(std::size_t i) { return kColours[i % std::size(kColours)]; }

}  // namespace

bool gnuplot_available() {
  static const bool available = run("command -v gnuplot > /dev/null 2>&1") == 0;
  return available;
}

void plot_loss_curves(const std::string& history_csv, const std::string& png_path,
                      const std::string& title) {
  const std::string op = "plot_loss_curves";
  const std::vector<HistoryRow> rows = read_history(op, history_csv);
  const bool has_val = std::any_of(rows.begin(), rows.end(),
                                   [](const HistoryRow& r) { return !std::isnan(r.val_loss); });

  TempDir dir(op);
  std::ostringstream data;
  prepare_for_data(data);
  data << "# epoch train_loss val_loss\n";
  for (const HistoryRow& r : rows) data << r.epoch << ' ' << r.train_loss << ' ' << r.val_loss << '\n';
  const std::string dat = dir.file("loss.dat");
  write_text(op, dat, data.str());

  // Points on the line while they can still be told apart; a plain line for long runs.
  const std::string style = rows.size() <= 40 ? "linespoints pt 7 ps 0.6" : "lines";
  std::string commands =
      "set xlabel 'epoch'\n"
      "set ylabel 'loss per image'\n"
      "set key top right\n"
      "set grid\n"
      "set autoscale xfix\n"           // the x axis runs from the first epoch to the last,
      "set offsets graph 0.02, graph 0.02, 0, 0\n"  // plus a little room for the end points
      "set datafile missing 'nan'\n";  // an epoch without validation loss is skipped
  if (rows.size() <= 12) commands += "set xtics 1\n";  // whole epochs, not 2.5
  commands += "plot " + gp_quote(dat) + " using 1:2 with " + style + " lw 2 lc rgb '" + colour(0) +
              "' title 'train'";
  if (has_val) {
    commands += ", '' using 1:3 with " + style + " lw 2 lc rgb '" + colour(1) + "' title 'validation'";
  }
  draw_with_gnuplot(op, png_path, dir, title, commands + "\n");
}

void plot_latent_scatter(const std::string& png_path, const Tensor& codes, const Tensor& labels,
                         const std::vector<std::string>& class_names, const std::string& title) {
  const std::string op = "plot_latent_scatter";
  check_defined(op.c_str(), codes);
  check_defined(op.c_str(), labels);
  if (codes.dim() != 2 || codes.size(1) != 2) {
    throw ShapeError(op + ": codes must have shape (N, 2), got " + shape_str(codes.shape()));
  }
  if (labels.dim() != 1 || labels.size(0) != codes.size(0)) {
    throw ShapeError(op + ": labels must have shape (N,) = (" + std::to_string(codes.size(0)) +
                     ",) to match codes " + shape_str(codes.shape()) + ", got " +
                     shape_str(labels.shape()));
  }
  if (labels.dtype() != DType::int64) {
    throw DTypeError(op + ": labels must be int64, got " + dtype_name(labels.dtype()));
  }
  if (class_names.empty()) throw ValueError(op + ": class_names is empty");
  if (codes.size(0) == 0) throw ShapeError(op + ": codes of shape (0, 2) hold no points to draw");

  const std::vector<float> xy = codes.to_vector<float>();  // x0 y0 x1 y1 ...
  const std::vector<std::int64_t> label = labels.to_vector<std::int64_t>();
  const auto classes = static_cast<std::int64_t>(class_names.size());
  std::vector<std::ostringstream> blocks(class_names.size());  // the points of each class
  for (auto& block : blocks) prepare_for_data(block);
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (label[i] < 0 || label[i] >= classes) {
      throw ValueError(op + ": labels[" + std::to_string(i) + "] = " + std::to_string(label[i]) +
                       " is not a class: there are " + std::to_string(classes) +
                       " class names, so labels must be in [0, " + std::to_string(classes) + ")");
    }
    blocks[static_cast<std::size_t>(label[i])] << xy[2 * i] << ' ' << xy[2 * i + 1] << '\n';
  }

  // One data block per class that has points, separated by two blank lines: gnuplot's
  // `index k` picks block k. (A class without points gets no block and no legend entry.)
  TempDir dir(op);
  const std::string dat = dir.file("codes.dat");
  std::string data, plot;
  int index = 0;
  for (std::size_t c = 0; c < blocks.size(); ++c) {
    const std::string points = blocks[c].str();
    if (points.empty()) continue;
    data += "# class " + std::to_string(c) + " " + class_names[c] + "\n" + points + "\n\n";
    // Small points, so that thousands stay readable; the legend gets big ones (keyentry).
    const std::string lc = " lc rgb '" + colour(c) + "'";
    plot += std::string(plot.empty() ? "plot " : ", ") + gp_quote(dat) + " index " +
            std::to_string(index++) + " using 1:2 with points pt 7 ps 0.5" + lc + " notitle" +
            ", keyentry with points pt 7 ps 1.5" + lc + " title " + gp_quote(class_names[c]) +
            " noenhanced";
  }
  write_text(op, dat, data);
  const std::string commands =
      "set xlabel 'z_1'\n"  // z with a subscript 1 (gnuplot's "enhanced" text)
      "set ylabel 'z_2'\n"
      "set size ratio -1\n"  // one unit is as long on both axes: distances are not distorted
      // The (square-ish) plot is centred; the legend goes just right of it, not over the points.
      "set key at graph 1.04, graph 1 left top Left reverse\n"
      "set grid\n" +
      plot + "\n";
  draw_with_gnuplot(op, png_path, dir, title, commands);
}

}  // namespace xtgrad::ae
