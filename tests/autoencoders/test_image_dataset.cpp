// Training and evaluating on images kept as bytes: the batches and the errors are those of the
// float32 copy, bit for bit, so the command's numbers do not depend on how the images are held.
#include <cstdint>
#include <cstring>
#include <vector>

#include "../tensor/helpers.hpp"
#include "autoencoders/config.hpp"
#include "autoencoders/kind_sections.hpp"
#include "autoencoders/model_kinds.hpp"
#include "autoencoders/deep.hpp"
#include "autoencoders/image_dataset.hpp"
#include "nn/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

// n images of d pixels drawn from gen, as bytes 0..255.
data::ImageBytes random_images(std::int64_t n, std::int64_t d, Generator& gen) {
  const Tensor draws = uniform({n * d}, 0, 256, gen, DType::float64);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(n * d));
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<std::uint8_t>(draws.data<double>()[i]);
  return data::ImageBytes(bytes, n, d);
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.data<float>(), b.data<float>(),
                     static_cast<std::size_t>(a.numel()) * sizeof(float)) == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(image_dataset)

BOOST_AUTO_TEST_CASE(batches_are_those_of_the_float_copy) {
  Generator gen(3);
  const data::ImageBytes images = random_images(23, 784, gen);
  const ae::ImageDataset from_bytes(images.rows(2, 23));  // a view, as the training split is
  const nn::TensorDataset from_floats(images.to_float().rows(2, 23));
  nn::DataLoader bytes_loader(from_bytes, 8, /*shuffle=*/true, /*drop_last=*/false, /*seed=*/11);
  nn::DataLoader floats_loader(from_floats, 8, true, false, 11);
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::vector<Tensor> byte_batches;  // copies: a loader reuses its buffer
    std::vector<std::vector<std::int64_t>> byte_indices;
    for (const nn::Batch& b : bytes_loader) {
      BOOST_TEST(!b.target.defined());  // an autoencoder's target is its input
      byte_batches.push_back(b.input.clone());
      byte_indices.push_back(b.indices);
    }
    std::size_t i = 0;
    for (const nn::Batch& b : floats_loader) {
      BOOST_TEST_REQUIRE(i < byte_batches.size());
      BOOST_TEST(byte_indices[i] == b.indices, boost::test_tools::per_element());
      BOOST_TEST(same_bits(byte_batches[i], b.input), "epoch " << epoch << ", batch " << i);
      ++i;
    }
    BOOST_TEST(i == 3u);  // 8 + 8 + 5
  }
}

BOOST_AUTO_TEST_CASE(reconstruction_error_on_bytes_equals_the_float_copys) {
  Generator gen(4);
  const data::ImageBytes images = random_images(250, 784, gen);  // 3 batches of 100, the last short
  ae::BasicConfig c;
  c.code = 8;
  ae::DeepAutoencoder model(ae::one_layer(784, c), gen);
  const ae::ReconstructionError on_bytes = ae::reconstruction_error(model, images);
  const ae::ReconstructionError on_floats = ae::reconstruction_error(model, images.to_float());
  BOOST_TEST(on_bytes.sse_per_image == on_floats.sse_per_image);
  BOOST_TEST(on_bytes.sse_per_image > 0.0);
  BOOST_TEST(model.logistic_output());
  BOOST_TEST(on_bytes.bce_per_image == on_floats.bce_per_image);
}

BOOST_AUTO_TEST_SUITE_END()
