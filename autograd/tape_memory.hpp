#pragma once
// The tape's containers, named once. The engine and the nodes speak of EdgeList, NodeList and
// Grads; this is the one place that says where their memory comes from.
//
// A training step records a few hundred nodes and frees them again at the end of backward:
// thousands of small lists and objects per step. They come from the storage pool
// (tensor/memory/storage_pool.hpp), which hands the same blocks back step after step without a
// lock (bench/README.md measures what that buys). Read them as std::vector and std::make_shared.
#include <functional>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tensor/memory/storage_pool.hpp"

namespace xtgrad {

class Node;
class Variable;
struct Edge;

// A std::vector whose elements live in the pool.
template <class T>
using TapeVector = std::vector<T, storage_pool::Allocator<T>>;
// A std::unordered_map whose entries live in the pool.
template <class Key, class Value>
using TapeMap = std::unordered_map<Key, Value, std::hash<Key>, std::equal_to<Key>,
                                   storage_pool::Allocator<std::pair<const Key, Value>>>;

using EdgeList = TapeVector<Edge>;   // a node's inputs: where each gradient goes
using NodeList = TapeVector<Node*>;  // nodes met during one backward pass
using Grads = TapeVector<Variable>;  // one gradient per input of an op (undefined = none)

// std::make_shared for the tape's objects (nodes, variables): object and reference count in
// one block from the pool.
template <class T, class... Args>
std::shared_ptr<T> make_on_tape(Args&&... args) {
  return storage_pool::make_shared<T>(std::forward<Args>(args)...);
}

}  // namespace xtgrad
