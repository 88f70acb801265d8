/// \file The storage behind a Var handle (internal to the compiler and runtime).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "hypatia/array.hpp"
#include "hypatia/graph.hpp"
#include "runtime/shared_value.hpp"

namespace hypatia {

/// Functions Var::eval compiled for one variable (compiler/pipeline/var_eval.cpp).
struct EvalCache;

struct VarNode {
  TensorType type;
  std::string name;
  std::shared_ptr<Apply> owner;
  int index = 0;
  std::optional<Array> constant;
  bool weak_literal = false;
  std::shared_ptr<SharedValue> shared;
  std::uint64_t id = next_id();
  /// Made by the first eval of this variable; guarded by a lock in var_eval.cpp.
  std::shared_ptr<EvalCache> eval_cache;

  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
  }
};

/// A constant of exactly `type` (hp::constant derives the pattern from the
/// value's shape; rewrites must keep the type of what they replace).
Var constant_of_type(const Array& value, const TensorType& type);

}  // namespace hypatia
