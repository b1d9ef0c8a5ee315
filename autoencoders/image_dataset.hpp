#pragma once
// ImageDataset: images kept as bytes (data/image_bytes.hpp) served as an nn::Dataset whose
// batches are float32 pixel values, converted when the loader asks for them.
//
//   ImageDataset train(load_fashion_mnist_bytes(Split::train).images);   // 47 MB of bytes
//   nn::DataLoader loader(train, 256);   // each batch.input (256, 784) float32, pixel / 255
//
// A batch holds exactly the floats that nn::TensorDataset(images.to_float()) would give for
// the same rows, without the 188 MB float copy of the whole set. Samples have no target: an
// autoencoder's target is its input.
#include "data/image_bytes.hpp"
#include "nn/data.hpp"

namespace xtgrad::ae {

class ImageDataset : public nn::Dataset {
 public:
  explicit ImageDataset(data::ImageBytes images);
  std::int64_t size() const override { return images_.size(); }
  void fill_batch(const std::vector<std::int64_t>& indices, nn::Batch& batch) const override;
  const data::ImageBytes& images() const { return images_; }

 private:
  data::ImageBytes images_;
};

}  // namespace xtgrad::ae
