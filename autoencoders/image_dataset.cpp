// ImageDataset: batches converted from bytes into reused float32 buffers.
#include "autoencoders/image_dataset.hpp"

#include <utility>

namespace xtgrad::ae {

ImageDataset::ImageDataset(data::ImageBytes images) : images_(std::move(images)) {}

void ImageDataset::fill_batch(const std::vector<std::int64_t>& indices, nn::Batch& batch) const {
  // The buffer is reused when it already has the batch's shape (every full batch); otherwise
  // (the first batch, a smaller last one) a new one is allocated.
  const Shape shape{static_cast<std::int64_t>(indices.size()), images_.pixels()};
  if (!batch.input.defined() || batch.input.dtype() != DType::float32 ||
      batch.input.shape() != shape) {
    batch.input = Tensor::empty(shape, DType::float32);
  }
  images_.gather_float_into(batch.input, indices);
  batch.target = Tensor();
  if (&indices != &batch.indices)
    batch.indices = indices;  // the loader passes batch.indices itself
}

}  // namespace xtgrad::ae
