#pragma once
// Pictures of images and of what a model learned, as PNG (through stb_image_write). Every
// file is written to a temporary name and renamed, so a failure never leaves half a picture;
// failures throw FileError naming the file.
#include <string>
#include <vector>

#include "tensor/tensor.hpp"

namespace xtgrad::data {

// Images (N, height * width) with values in [0, 1] (clamped), as a grid of `columns` images
// per row, each pixel drawn as scale x scale, with a 1-pixel dark gap between images.
// Grey levels: 0 black, 1 white.
void save_image_grid(const std::string& path, const Tensor& images, std::int64_t height,
                     std::int64_t width, std::int64_t columns, std::int64_t scale = 2);

// First-layer weights (units, height * width) as images, each unit rescaled on its own to
// fill [0, 1] (min to max), as UFLDL displays learned features.
void save_filter_grid(const std::string& path, const Tensor& weights, std::int64_t height,
                      std::int64_t width, std::int64_t columns, std::int64_t scale = 2);

}  // namespace xtgrad::data
