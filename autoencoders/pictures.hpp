#pragma once
// Pictures of what a model learned: image grids as PNG (through stb_image_write) and plots
// (loss curves, 2-D codes) drawn by gnuplot. Every file is written to a temporary name and
// renamed, so a failure never leaves half a picture; failures throw FileError naming the file.
#include <string>
#include <vector>

#include "tensor/tensor.hpp"

namespace xtgrad::ae {

// Images (N, height * width) with values in [0, 1] (clamped), as a grid of `columns` images
// per row, each pixel drawn as scale x scale, with a 1-pixel dark gap between images.
// Grey levels: 0 black, 1 white.
void save_image_grid(const std::string& path, const Tensor& images, std::int64_t height,
                     std::int64_t width, std::int64_t columns, std::int64_t scale = 2);

// First-layer weights (units, height * width) as images, each unit rescaled on its own to
// fill [0, 1] (min to max), as UFLDL displays learned features.
void save_filter_grid(const std::string& path, const Tensor& weights, std::int64_t height,
                      std::int64_t width, std::int64_t columns, std::int64_t scale = 2);

// Loss curves from a history CSV written by nn::fit (columns epoch,train_loss,val_loss,...):
// train and validation loss against epoch, drawn by gnuplot into a PNG.
void plot_loss_curves(const std::string& history_csv, const std::string& png_path,
                      const std::string& title);

// Codes (N, 2) as points coloured by class (labels (N,) int64, names for the legend).
void plot_latent_scatter(const std::string& png_path, const Tensor& codes, const Tensor& labels,
                         const std::vector<std::string>& class_names, const std::string& title);

// True when a gnuplot executable is on the PATH.
bool gnuplot_available();

}  // namespace xtgrad::ae
