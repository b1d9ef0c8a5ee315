// Plots drawn by gnuplot: loss curves and 2-D codes. (The image grids are in pictures.cpp.)
//
// We write the numbers to a .dat file and the commands to a .gp script in a temporary folder,
// run `gnuplot script.gp`, and gnuplot draws into a temporary name next to the target, which
// we rename. (gnuplot's own output when something fails goes to gnuplot.log, which ends up in
// the FileError.)
#include "data/plots.hpp"

#include <sys/wait.h>  // WIFEXITED, WEXITSTATUS: decoding std::system's result
#include <unistd.h>    // getpid, for unique temporary folder names

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <locale>
#include <sstream>
#include <string>
#include <vector>

namespace xtgrad::data {

namespace fs = std::filesystem;

namespace {

constexpr int kPlotWidth = 800, kPlotHeight = 500;

std::string in_quotes(const std::string& path) { return "'" + path + "'"; }

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
  // "xtgrad-plot-<pid>-<n>": unique among the plots of this and every other process.
  std::string name() const { return path_.filename().string(); }

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

// Whether the file is a whole PNG: the 8-byte signature first and the IEND chunk last (its
// length 0, "IEND" and its CRC-32 AE 42 60 82). NOTE: gnuplot exits 0 even when a write
// fails (a full disk), leaving a truncated picture; only its bytes tell.
bool png_is_complete(const std::string& path) {
  static const std::string signature = "\x89PNG\r\n\x1a\n";
  static const std::string iend("\0\0\0\0IEND\xae\x42\x60\x82", 12);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes.size() >= signature.size() + iend.size() &&
         bytes.compare(0, signature.size(), signature) == 0 &&
         bytes.compare(bytes.size() - iend.size(), iend.size(), iend) == 0;
}

// Draws a 800 x 500 PNG at `png_path`: the script is the terminal, output and title lines
// followed by `commands` (labels, plot ...), which read their data from files in `dir`.
void draw_with_gnuplot(const std::string& op, const std::string& png_path, const TempDir& dir,
                       const std::string& title, const std::string& commands) {
  if (!gnuplot_available()) {
    throw FileError(op + ": cannot draw " + in_quotes(png_path) +
                    ": gnuplot is not installed (apt-get install gnuplot-nox)");
  }
  // gnuplot writes the file itself, so it draws next to the target (rename stays on one file
  // system) under the temporary folder's unique name; a finished PNG is renamed into place.
  const std::string tmp = png_path + "." + dir.name() + ".tmp";
  const std::string script = dir.file("script.gp"), log = dir.file("gnuplot.log");
  write_text(op, script,
             "set terminal " + png_terminal() + " size " + std::to_string(kPlotWidth) + "," +
                 std::to_string(kPlotHeight) + " font 'sans,11'\n" + "set output " + gp_quote(tmp) +
                 "\n" + "set title " + gp_quote(title) + " noenhanced\n" + commands +
                 "set output\n");  // closes (flushes) the PNG before gnuplot exits
  const int status = run("gnuplot " + sh_quote(script) + " > " + sh_quote(log) + " 2>&1");
  if (status != 0 || !png_is_complete(tmp)) {
    std::remove(tmp.c_str());  // gnuplot may leave an empty or truncated file behind
    throw FileError(op + ": cannot draw " + in_quotes(png_path) + ": gnuplot " +
                    (status != 0 ? "exited with status " + std::to_string(status)
                                 : std::string("wrote an incomplete PNG (is the disk full?)")) +
                    ": " + tail_of(log));
  }
  if (std::rename(tmp.c_str(), png_path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw FileError(op + ": cannot write " + in_quotes(png_path) + ": cannot rename " +
                    in_quotes(tmp) + " to it: " + std::strerror(err));
  }
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
                        names[static_cast<std::size_t>(col)] + " \"" + text + "\" is not a number");
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
  for (const HistoryRow& r : rows)
    data << r.epoch << ' ' << r.train_loss << ' ' << r.val_loss << '\n';
  const std::string dat = dir.file("loss.dat");
  write_text(op, dat, data.str());

  // Points on the line while they can still be told apart; a plain line for long runs.
  const std::string style = rows.size() <= 40 ? "linespoints pt 7 ps 0.6" : "lines";
  std::string commands =
      "set xlabel 'epoch'\n"
      "set ylabel 'loss per image'\n"
      "set key top right\n"
      "set grid\n"
      "set autoscale xfix\n"  // the x axis runs from the first epoch to the last,
      "set offsets graph 0.02, graph 0.02, 0, 0\n"  // plus a little room for the end points
      "set datafile missing 'nan'\n";               // an epoch without validation loss is skipped
  if (rows.size() <= 12) commands += "set xtics 1\n";  // whole epochs, not 2.5
  commands += "plot " + gp_quote(dat) + " using 1:2 with " + style + " lw 2 lc rgb '" + colour(0) +
              "' title 'train'";
  if (has_val) {
    commands +=
        ", '' using 1:3 with " + style + " lw 2 lc rgb '" + colour(1) + "' title 'validation'";
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

void plot_lines(const std::string& png_path, const std::string& title, const std::string& xlabel,
                const std::string& ylabel, const std::vector<Series>& series, bool log_x,
                bool log_y) {
  const std::string op = "plot_lines";
  if (series.empty()) throw ValueError(op + ": no series to draw into " + in_quotes(png_path));
  TempDir dir(op);
  const std::string dat = dir.file("lines.dat");
  std::ostringstream data;
  prepare_for_data(data);
  std::string plot;
  for (std::size_t s = 0; s < series.size(); ++s) {
    const Series& line = series[s];
    if (line.x.size() != line.y.size() || line.x.empty()) {
      throw ValueError(op + ": series '" + line.name + "' has " + std::to_string(line.x.size()) +
                       " x values and " + std::to_string(line.y.size()) +
                       " y values; it needs the same number, at least one");
    }
    for (std::size_t i = 0; i < line.x.size(); ++i) {
      const bool bad = (log_x && !(line.x[i] > 0)) || (log_y && !(line.y[i] > 0));
      if (bad) {
        throw ValueError(op + ": series '" + line.name + "' point " + std::to_string(i) +
                         " is not positive, and its axis is logarithmic");
      }
      data << line.x[i] << ' ' << line.y[i] << '\n';
    }
    data << "\n\n";  // gnuplot's `index s` picks block s
    plot += std::string(plot.empty() ? "plot " : ", ") + gp_quote(dat) + " index " +
            std::to_string(s) + " using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '" +
            colour(s) + "' title " + gp_quote(line.name) + " noenhanced";
  }
  write_text(op, dat, data.str());
  std::string commands = "set xlabel " + gp_quote(xlabel) + " noenhanced\n" + "set ylabel " +
                         gp_quote(ylabel) + " noenhanced\n" +
                         "set key outside right top\nset grid\n";
  if (log_x) commands += "set logscale x\n";
  if (log_y) commands += "set logscale y\n";
  draw_with_gnuplot(op, png_path, dir, title, commands + plot + "\n");
}

}  // namespace xtgrad::data
