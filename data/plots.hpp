#pragma once
// Plots drawn by gnuplot into PNG files: loss curves and 2-D codes. As for the pictures, a
// file is written under a temporary name and renamed; failures throw FileError naming it.
#include <string>
#include <vector>

#include "tensor/tensor.hpp"

namespace xtgrad::data {

// Loss curves from a history CSV written by nn::fit (columns epoch,train_loss,val_loss,...):
// train and validation loss against epoch, drawn by gnuplot into a PNG.
void plot_loss_curves(const std::string& history_csv, const std::string& png_path,
                      const std::string& title);

// Codes (N, 2) as points coloured by class (labels (N,) int64, names for the legend).
void plot_latent_scatter(const std::string& png_path, const Tensor& codes, const Tensor& labels,
                         const std::vector<std::string>& class_names, const std::string& title);

// One named line of a plot_lines chart: the points (x[i], y[i]).
struct Series {
  std::string name;
  std::vector<double> x, y;
};

// Lines with points, one per series, into a PNG: e.g. test loss against the learning rate for
// several models. log_x / log_y use a logarithmic axis (every value must then be > 0).
void plot_lines(const std::string& png_path, const std::string& title, const std::string& xlabel,
                const std::string& ylabel, const std::vector<Series>& series, bool log_x = false,
                bool log_y = false);

// True when a gnuplot executable is on the PATH.
bool gnuplot_available();

}  // namespace xtgrad::data
