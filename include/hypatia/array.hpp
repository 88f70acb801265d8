/// \file hp::Array: owning, reference-counted, strided n-d storage of one dtype.
///
/// Copies of an Array share storage (like numpy arrays passed around in
/// Python); views (transpose, slice, reshape of contiguous data, broadcast_to)
/// share storage too. astype/copy make new storage. Storage is 64-byte aligned.
/// Strides and the offset are counted in elements, not bytes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "hypatia/dtype.hpp"
#include "hypatia/error.hpp"

namespace hypatia {

using Shape = std::vector<std::int64_t>;

/// Aligned bytes owned by one or more Arrays.
class Storage {
 public:
  /// Whether new storage is zero-filled, or left as it is (for memory that is
  /// about to be overwritten entirely).
  enum class Init { Zero, None };
  /// Allocates `nbytes` (64-byte aligned); throws hp::Error when it cannot.
  /// Large blocks are recycled through a process-wide cache, so that a
  /// program computing big arrays again and again does not pay the
  /// operating system's page faults on every call.
  explicit Storage(std::size_t nbytes, Init init = Init::Zero);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() { return data_; }
  const void* data() const { return data_; }
  std::size_t nbytes() const { return nbytes_; }

 private:
  void* data_ = nullptr;
  std::size_t nbytes_ = 0;
  void* block_ = nullptr;     ///< what the allocator returned
  std::size_t capacity_ = 0;  ///< its size in bytes
};

class Array {
 public:
  /// A 0-d float64 array holding 0.
  Array();
  /// A 0-d array from a C++ scalar, implicit: `hp::Array s = 3.0;` (dtype from the C++ type).
  template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
  Array(T value) : Array(Shape{}, dtype_of<T>()) {  // NOLINT(google-explicit-constructor)
    set_flat<T>(0, value);
  }
  /// Uninitialised-free: a new contiguous array of `shape`, filled with zeros.
  Array(const Shape& shape, DType dtype);

  /// A new contiguous array whose elements are unspecified (for outputs that
  /// are about to be overwritten entirely).
  static Array uninitialized(const Shape& shape, DType dtype);
  static Array zeros(const Shape& shape, DType dtype = DType::Float64);
  static Array ones(const Shape& shape, DType dtype = DType::Float64);
  static Array full(const Shape& shape, double value, DType dtype = DType::Float64);

  const Shape& shape() const { return shape_; }
  /// Element strides (not bytes); 0 on broadcast axes of a broadcast_to view.
  const Shape& strides() const { return strides_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  std::int64_t size() const;
  DType dtype() const { return dtype_; }
  /// Offset of element [0,...,0] from the start of storage, in elements.
  std::int64_t offset() const { return offset_; }
  bool is_contiguous() const;
  bool shares_storage(const Array& other) const { return storage_ == other.storage_; }

  /// A converted copy (C order, contiguous).
  Array astype(DType dtype) const;
  /// A contiguous deep copy.
  Array copy() const;
  /// *this when already contiguous, otherwise a contiguous copy.
  Array contiguous() const;

  // --- views (share storage) ------------------------------------------------
  /// Reverses the axes.
  Array transpose() const;
  /// Axes permuted: result axis i is input axis perm[i]; throws ShapeError on a bad permutation.
  Array transpose(const std::vector<int>& perm) const;
  /// Python slice start:stop:step on one axis (negative indices and clamping as Python).
  Array slice(int axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1) const;
  /// Picks index i (negative counts from the end) on one axis, dropping it.
  Array index(int axis, std::int64_t i) const;
  /// New shape with the same size; one entry may be -1. A view when contiguous, else a copy.
  Array reshape(const Shape& shape) const;
  /// Broadcasts to `shape` by numpy rules (stride 0 on new or size-1 axes).
  Array broadcast_to(const Shape& shape) const;

  // --- element access -------------------------------------------------------
  /// Elements in C order, converted to T.
  template <class T>
  std::vector<T> to_vector() const;
  /// The single element (size must be 1), converted to T.
  template <class T>
  T item() const;
  /// Element at flat C-order position `flat` (negative from the end), converted to T.
  template <class T>
  T item(std::int64_t flat) const;
  /// Typed pointer to element [0,...,0]; T must match dtype() exactly (else hp::TypeError).
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  void* raw_data();
  const void* raw_data() const;

  /// Element at flat C-order position, read as double / written from double
  /// (for the reference evaluator and printing; exact for every dtype but
  /// int64 beyond 2^53 — use the int64 forms for those).
  double get_flat_double(std::int64_t flat) const;
  std::int64_t get_flat_int(std::int64_t flat) const;
  void set_flat_double(std::int64_t flat, double value);
  void set_flat_int(std::int64_t flat, std::int64_t value);
  /// Storage position (in elements, from the start of storage) of a C-order flat index.
  std::int64_t storage_index(std::int64_t flat) const;

  /// numpy's str(): "[[1. 2. 3.]\n [4. 5. 6.]]".
  std::string str() const;

 private:
  template <class T>
  void set_flat(std::int64_t flat, T value);
  void check_dtype_for_data(DType requested) const;

  std::shared_ptr<Storage> storage_;
  Shape shape_;
  Shape strides_;
  std::int64_t offset_ = 0;
  DType dtype_ = DType::Float64;
};

std::ostream& operator<<(std::ostream& os, const Array& a);

/// numpy.allclose: |a - b| <= atol + rtol * |b| elementwise, with broadcasting;
/// NaN is never close. Shapes that do not broadcast -> hp::ShapeError.
bool allclose(const Array& a, const Array& b, double rtol = 1e-5, double atol = 1e-8);

// --- constructors from C++ data ---------------------------------------------
/// Builds an array of `shape` from C-order data; data.size() must equal the
/// shape's size (hp::ShapeError otherwise).
Array array_from_doubles(const std::vector<double>& data, const Shape& shape, DType dtype);
Array array_from_ints(const std::vector<std::int64_t>& data, const Shape& shape, DType dtype);

template <class T>
Array array(const std::vector<T>& data, const Shape& shape, DType dtype = dtype_of<T>()) {
  if constexpr (std::is_integral_v<T>) {
    return array_from_ints(std::vector<std::int64_t>(data.begin(), data.end()), shape, dtype);
  } else {
    return array_from_doubles(std::vector<double>(data.begin(), data.end()), shape, dtype);
  }
}
template <class T>
Array array(const std::vector<T>& data, DType dtype = dtype_of<T>()) {
  return array(data, Shape{static_cast<std::int64_t>(data.size())}, dtype);
}
template <class T>
Array array(std::initializer_list<T> rows, DType dtype = dtype_of<T>()) {
  return array(std::vector<T>(rows), dtype);
}
/// Nested lists must be rectangular (hp::ShapeError otherwise).
template <class T>
Array array(std::initializer_list<std::initializer_list<T>> rows, DType dtype = dtype_of<T>()) {
  std::vector<T> flat;
  const std::int64_t cols = rows.size() == 0 ? 0 : static_cast<std::int64_t>(rows.begin()->size());
  for (const auto& row : rows) {
    if (static_cast<std::int64_t>(row.size()) != cols) {
      throw ShapeError("hp::array: ragged nested list: rows of length " + std::to_string(cols) +
                       " and " + std::to_string(row.size()));
    }
    flat.insert(flat.end(), row.begin(), row.end());
  }
  return array(flat, Shape{static_cast<std::int64_t>(rows.size()), cols}, dtype);
}
template <class T>
Array array(std::initializer_list<std::initializer_list<std::initializer_list<T>>> blocks,
            DType dtype = dtype_of<T>()) {
  std::vector<T> flat;
  Shape inner;
  for (const auto& block : blocks) {
    Array a = array(block, dtype);
    if (!inner.empty() && a.shape() != inner) throw ShapeError("hp::array: ragged nested list");
    inner = a.shape();
    const auto v = a.to_vector<T>();
    flat.insert(flat.end(), v.begin(), v.end());
  }
  if (inner.empty()) inner = {0, 0};
  return array(flat, Shape{static_cast<std::int64_t>(blocks.size()), inner[0], inner[1]}, dtype);
}

// --- template definitions -------------------------------------------------------
template <class T>
std::vector<T> Array::to_vector() const {
  std::vector<T> out(static_cast<std::size_t>(size()));
  for (std::int64_t i = 0; i < size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) out[i] = static_cast<T>(get_flat_double(i));
    else out[i] = static_cast<T>(get_flat_int(i));
  }
  return out;
}

template <class T>
T Array::item() const {
  if (size() != 1) {
    throw ShapeError("Array::item(): needs an array of size 1, this one has size " +
                     std::to_string(size()));
  }
  return item<T>(0);
}

template <class T>
T Array::item(std::int64_t flat) const {
  const std::int64_t n = size();
  if (flat < -n || flat >= n) {
    throw ShapeError("Array::item(" + std::to_string(flat) + "): index out of range for size " +
                     std::to_string(n));
  }
  if (flat < 0) flat += n;
  if constexpr (std::is_floating_point_v<T>) return static_cast<T>(get_flat_double(flat));
  else return static_cast<T>(get_flat_int(flat));
}

template <class T>
T* Array::data() {
  static_assert(!std::is_unsigned_v<T> || sizeof(T) == 1,
                "data<T>: Hypatia has no unsigned dtype wider than uint8");
  check_dtype_for_data(dtype_of<T>());
  return static_cast<T*>(raw_data());
}

template <class T>
const T* Array::data() const {
  static_assert(!std::is_unsigned_v<T> || sizeof(T) == 1,
                "data<T>: Hypatia has no unsigned dtype wider than uint8");
  check_dtype_for_data(dtype_of<T>());
  return static_cast<const T*>(raw_data());
}

template <class T>
void Array::set_flat(std::int64_t flat, T value) {
  if constexpr (std::is_floating_point_v<T>) set_flat_double(flat, static_cast<double>(value));
  else set_flat_int(flat, static_cast<std::int64_t>(value));
}

}  // namespace hypatia
