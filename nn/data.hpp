#pragma once
// Data sets and mini-batches.
//
//   nn::TensorDataset train(images, images);          // an autoencoder's target is its input
//   nn::DataLoader loader(train, 128, /*shuffle=*/true, /*drop_last=*/false, /*seed=*/0);
//   for (const nn::Batch& batch : loader) { ... batch.input (128, 784) ... }
//
// Batches are gathered row by row (one block copy per sample) into buffers that the loader
// reuses from batch to batch: a batch is valid until the next one is taken.
#include <cstdint>
#include <vector>

#include "tensor/random.hpp"
#include "tensor/tensor.hpp"

namespace xtgrad::nn {

struct Batch {
  Tensor input;                       // (B, ...)
  Tensor target;                      // (B, ...), undefined when the data set has no targets
  std::vector<std::int64_t> indices;  // the samples' positions in the data set
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::int64_t size() const = 0;
  // The samples at `indices`, written into `batch` (whose tensors are reused when their shape fits).
  virtual void fill_batch(const std::vector<std::int64_t>& indices, Batch& batch) const = 0;
};

// Samples are the rows of `inputs` (and `targets`, when defined: same number of rows).
class TensorDataset : public Dataset {
 public:
  explicit TensorDataset(Tensor inputs, Tensor targets = Tensor());
  std::int64_t size() const override;
  void fill_batch(const std::vector<std::int64_t>& indices, Batch& batch) const override;
  const Tensor& inputs() const { return inputs_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor inputs_, targets_;
};

class DataLoader {
 public:
  // shuffle: a new order every epoch from the seeded generator; drop_last: skip a last,
  // smaller batch.
  DataLoader(const Dataset& dataset, std::int64_t batch_size, bool shuffle = true,
             bool drop_last = false, std::uint64_t seed = 0);

  std::int64_t batches_per_epoch() const;
  std::int64_t batch_size() const { return batch_size_; }
  const Dataset& dataset() const { return dataset_; }
  // The generator that orders the epochs (its state belongs in a resumable checkpoint).
  Generator& generator() { return gen_; }

  class Iterator;
  // Starts an epoch (draws a new order when shuffling).
  Iterator begin();
  Iterator end();

 private:
  friend class Iterator;
  const Dataset& dataset_;
  std::int64_t batch_size_;
  bool shuffle_, drop_last_;
  Generator gen_;
  std::vector<std::int64_t> order_;
  Batch batch_;  // reused buffers
};

class DataLoader::Iterator {
 public:
  const Batch& operator*() const { return loader_->batch_; }
  Iterator& operator++();
  bool operator!=(const Iterator& other) const { return position_ != other.position_; }

 private:
  friend class DataLoader;
  Iterator(DataLoader* loader, std::int64_t position);
  void load();
  DataLoader* loader_;
  std::int64_t position_;  // index of the current batch
};

}  // namespace xtgrad::nn
