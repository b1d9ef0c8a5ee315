#pragma once
// Chapter 7: the article's Keras model (002_7f1e74669b6c1a40.txt, section 4.2), built from
// nn/ pieces, as written and fixed.
//
//   encoder = Sequential([Flatten(input_shape=(28, 28)),
//                         Dense(128, activation='relu'), Dense(64, activation='relu')])
//   decoder = Sequential([Dense(64, activation='relu'), Dense(128, activation='relu'),
//                         Flatten(dtype='float32')])
//
// Our images are already flat rows of 784 pixels, so Flatten has nothing to do. The article's
// decoder ends with 128 numbers per image: it cannot be compared with a 784-pixel target, so
// the model cannot train. The fix: the decoder mirrors the encoder and ends with 784 sigmoid
// units, one per pixel, each in (0, 1) like the pixels:
//
//   encoder 784 -> 128 (ReLU) -> 64 (ReLU)          the code: 64 numbers per image
//   decoder  64 -> 128 (ReLU) -> 784 (sigmoid)
#include <memory>

#include "nn/all.hpp"

namespace xtgrad::ch07 {

inline constexpr std::int64_t D = 784, H = 128, Z = 64;

// [book:encoder]
inline std::shared_ptr<nn::Sequential> make_encoder(Generator& gen) {
  auto encoder = std::make_shared<nn::Sequential>();
  encoder->add(std::make_shared<nn::Linear>(D, H, gen));  // Dense(128, ...)
  encoder->add(std::make_shared<nn::ReLU>());
  encoder->add(std::make_shared<nn::Linear>(H, Z, gen));  // Dense(64, ...)
  encoder->add(std::make_shared<nn::ReLU>());
  return encoder;
}
// [/book:encoder]

// [book:decoders]
// The article's decoder: 64 -> 64 -> 128. Its output (N, 128) is not an image.
inline std::shared_ptr<nn::Sequential> make_decoder_as_written(Generator& gen) {
  auto decoder = std::make_shared<nn::Sequential>();
  decoder->add(std::make_shared<nn::Linear>(Z, Z, gen));  // Dense(64, 'relu')
  decoder->add(std::make_shared<nn::ReLU>());
  decoder->add(std::make_shared<nn::Linear>(Z, H, gen));  // Dense(128, 'relu')
  decoder->add(std::make_shared<nn::ReLU>());
  return decoder;  // Flatten: (N, 128) stays (N, 128)
}

// The fix: 64 -> 128 -> 784, sigmoid outputs.
inline std::shared_ptr<nn::Sequential> make_decoder(Generator& gen) {
  auto decoder = std::make_shared<nn::Sequential>();
  decoder->add(std::make_shared<nn::Linear>(Z, H, gen));  // Dense(128, 'relu')
  decoder->add(std::make_shared<nn::ReLU>());
  decoder->add(std::make_shared<nn::Linear>(H, D, gen));  // Dense(784, 'sigmoid')
  decoder->add(std::make_shared<nn::Sigmoid>());
  return decoder;
}
// [/book:decoders]

// autoencoder = Sequential([encoder, decoder])
inline std::shared_ptr<nn::Sequential> chain(std::shared_ptr<nn::Module> encoder,
                                             std::shared_ptr<nn::Module> decoder) {
  auto model = std::make_shared<nn::Sequential>();
  model->add(std::move(encoder));
  model->add(std::move(decoder));
  return model;
}

}  // namespace xtgrad::ch07
