/// \file cuBLAS, loaded at run time (dlopen libcublas.so.13/.12): dot on the
/// GPU. Row-major products through column-major cuBLAS: C = A B is computed
/// as C^T = B^T A^T, which is the same memory. Calls are serialised (one
/// handle for the process, on the primary context's default stream).
/// Throws hp::Error where cuBLAS or a GPU is missing.
#pragma once

#include <cstdint>
#include <string>

#include "hypatia/dtype.hpp"
#include "runtime/cuda/driver.hpp"

namespace hypatia::cuda {

/// Whether cuBLAS loaded (a GPU is needed to use it as well).
bool cublas_available();
std::string cublas_unavailable_reason();

/// c (m x n) = a (m x k) . b (k x n), all contiguous row-major, of `dtype`
/// (float32 or float64) on the device.
void gemm(DType dtype, std::int64_t m, std::int64_t n, std::int64_t k, DevicePtr a, DevicePtr b, DevicePtr c);

}  // namespace hypatia::cuda
