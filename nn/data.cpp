// TensorDataset and DataLoader: mini-batches gathered into reused buffers.
#include "nn/data.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>

#include "tensor/manipulation.hpp"

namespace xtgrad::nn {

namespace {

// The rows of `source` listed in `rows`, written into `buffer`. The buffer is reused when it
// already has the batch's shape and dtype (every full batch); otherwise (the first batch, a
// smaller last one) a new one is allocated.
void gather_into(Tensor& buffer, const Tensor& source, const std::vector<std::int64_t>& rows) {
  Shape shape = source.shape();
  shape[0] = static_cast<std::int64_t>(rows.size());
  if (!buffer.defined() || buffer.dtype() != source.dtype() || buffer.shape() != shape) {
    buffer = Tensor::empty(shape, source.dtype());
  }
  gather_rows_into(buffer, source, rows);
}

}  // namespace

// --- TensorDataset -------------------------------------------------------------------------------

TensorDataset::TensorDataset(Tensor inputs, Tensor targets)
    : inputs_(std::move(inputs)), targets_(std::move(targets)) {
  check_defined("TensorDataset", inputs_);
  if (inputs_.dim() == 0) {
    throw ShapeError("TensorDataset: inputs need a first axis of samples, got shape ()");
  }
  if (targets_.defined() && (targets_.dim() == 0 || targets_.shape()[0] != inputs_.shape()[0])) {
    throw ShapeError("TensorDataset: inputs " + shape_str(inputs_.shape()) + " and targets " +
                     shape_str(targets_.shape()) +
                     " must have the same number of samples (the size of the first axis)");
  }
}

std::int64_t TensorDataset::size() const { return inputs_.shape()[0]; }

void TensorDataset::fill_batch(const std::vector<std::int64_t>& indices, Batch& batch) const {
  gather_into(batch.input, inputs_, indices);
  if (targets_.defined()) {
    gather_into(batch.target, targets_, indices);
  } else {
    batch.target = Tensor();
  }
  if (&indices != &batch.indices)
    batch.indices = indices;  // the loader passes batch.indices itself
}

// --- DataLoader ----------------------------------------------------------------------------------

DataLoader::DataLoader(const Dataset& dataset, std::int64_t batch_size, bool shuffle,
                       bool drop_last, std::uint64_t seed)
    : dataset_(dataset),
      batch_size_(batch_size),
      shuffle_(shuffle),
      drop_last_(drop_last),
      gen_(seed) {
  if (batch_size <= 0) {
    throw ValueError("DataLoader: batch_size must be positive, got " + std::to_string(batch_size));
  }
}

std::int64_t DataLoader::batches_per_epoch() const {
  const std::int64_t n = dataset_.size();
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

DataLoader::Iterator DataLoader::begin() {
  const std::int64_t n = dataset_.size();
  if (shuffle_) {
    order_ = randperm(n, gen_);  // a new order every epoch
  } else {
    order_.resize(static_cast<std::size_t>(n));
    std::iota(order_.begin(), order_.end(), std::int64_t{0});
  }
  return Iterator(this, 0);
}

DataLoader::Iterator DataLoader::end() { return Iterator(this, batches_per_epoch()); }

DataLoader::Iterator::Iterator(DataLoader* loader, std::int64_t position)
    : loader_(loader), position_(position) {
  if (position_ < loader_->batches_per_epoch()) load();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ++position_;
  if (position_ < loader_->batches_per_epoch()) load();
  return *this;
}

// Batch b holds the samples order[b * B, min((b + 1) * B, N)).
void DataLoader::Iterator::load() {
  const auto n = static_cast<std::int64_t>(loader_->order_.size());
  const std::int64_t begin = position_ * loader_->batch_size_;
  const std::int64_t end = std::min(begin + loader_->batch_size_, n);
  Batch& batch = loader_->batch_;
  batch.indices.assign(loader_->order_.begin() + begin, loader_->order_.begin() + end);
  loader_->dataset_.fill_batch(batch.indices, batch);
}

}  // namespace xtgrad::nn
