#pragma once
// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, https://github.com/zalandoresearch/fashion-mnist):
// 70 000 grey-scale 28 x 28 images of clothing in 10 classes, 60 000 for training and 10 000
// for testing. Debian's package dataset-fashion-mnist installs the four original files:
//
//   /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz   60000 x 28 x 28 pixels
//   /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz   60000 labels
//   /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz    10000 x 28 x 28 pixels
//   /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz    10000 labels
//
//   ImageSet train = load_fashion_mnist(Split::train);   // images (60000, 784), labels (60000,)
//   ImageSet test = load_fashion_mnist(Split::test, default_fashion_mnist_dir(), 1000);
//   ByteImageSet big = load_fashion_mnist_bytes(Split::train);   // the same, pixels as bytes
//
// load_fashion_mnist gives float32 images, simplest to compute with; they take 188 MB for
// the 60 000 training images. load_fashion_mnist_bytes keeps the file's bytes (47 MB) and
// leaves the conversion to each batch (image_bytes.hpp): the xtgrad command trains that way.
//
// The IDX format (http://yann.lecun.com/exdb/mnist/): a big-endian 32-bit magic number whose
// third byte is the element type (0x08 = unsigned byte) and whose fourth byte is the number of
// dimensions; then one big-endian 32-bit size per dimension; then the elements in row-major
// order. Images files have the magic 2051 (0x00000803), label files 2049 (0x00000801).
//
// Every problem with a file (missing, not gzip or IDX, truncated, trailing bytes, labels out
// of range, images and labels that do not pair up) throws FileError naming the file. A header
// may claim at most idx_max_items images or labels and idx_max_bytes of data (a million
// 28 x 28 images), and its claim is checked against the file's size (or a gzip file's
// trailer) before the data is read: a file that claims more than it holds is refused at once.
#include <array>
#include <cstdint>
#include <string>

#include "data/image_bytes.hpp"
#include "tensor/tensor.hpp"

namespace xtgrad::data {

enum class Split { train, test };

// Images and their labels, row i of one belonging to element i of the other.
struct ImageSet {
  Tensor images;  // (N, 784) float32, pixel / 255 in [0, 1] (grey levels, not binarised)
  Tensor labels;  // (N,) int64, class indices 0..9
};

// The same, with the images as their bytes: images.to_float() is ImageSet's images.
struct ByteImageSet {
  ImageBytes images;  // (N, 784) grey levels 0..255
  Tensor labels;      // (N,) int64, class indices 0..9
};

// The most an IDX header may claim: items (images or labels) and bytes of data.
inline constexpr std::int64_t idx_max_items = 1'000'000;
inline constexpr std::int64_t idx_max_bytes = idx_max_items * 28 * 28;

// Every image is 28 x 28 grey levels: D = 784 input features.
inline constexpr std::int64_t fashion_mnist_pixels = 28 * 28;

// fashion_mnist_classes[label] is the class's name.
inline constexpr std::array<const char*, 10> fashion_mnist_classes = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// $XTGRAD_FASHION_MNIST_DIR if it is set and not empty, else Debian's
// /usr/share/datasets/fashion-mnist.
std::string default_fashion_mnist_dir();

// The training or test split from `dir`, whose files are named as above, gzipped or not
// (a name without ".gz" is used when only that file exists). limit >= 0 keeps only the
// first `limit` images (all of them when the file holds fewer); -1 keeps all.
ImageSet load_fashion_mnist(Split split, const std::string& dir = default_fashion_mnist_dir(),
                            std::int64_t limit = -1);
// The same images and labels, the images kept as bytes.
ByteImageSet load_fashion_mnist_bytes(Split split,
                                      const std::string& dir = default_fashion_mnist_dir(),
                                      std::int64_t limit = -1);

// One IDX file of unsigned-byte images (N, rows, cols), gzipped or plain (zlib reads both):
// (N, rows * cols) float32, pixel / 255. `limit` as in load_fashion_mnist.
Tensor read_idx_images(const std::string& path, std::int64_t limit = -1);
// One IDX file of unsigned-byte labels (N,), gzipped or plain: (N,) int64. Every label must
// be a class index 0..9.
Tensor read_idx_labels(const std::string& path, std::int64_t limit = -1);

}  // namespace xtgrad::data
