#include "runtime/cuda/blas.hpp"

#include <limits>
#include <mutex>

#include <fmt/format.h>

#include "runtime/cuda/library.hpp"

namespace hypatia::cuda {
namespace {

// cuBLAS v2's C API as declared in cublas_api.h: our own declarations.
using Status = int;  // CUBLAS_STATUS_SUCCESS is 0
using Handle = struct cublas_context*;
constexpr int kOpN = 0;  // CUBLAS_OP_N

struct Api {
  Library library;
  Status (*Create)(Handle*) = nullptr;
  Status (*Sgemm)(Handle, int, int, int, int, int, const float*, const float*, int, const float*, int, const float*,
                  float*, int) = nullptr;
  Status (*Dgemm)(Handle, int, int, int, int, int, const double*, const double*, int, const double*, int,
                  const double*, double*, int) = nullptr;
  std::string missing;
  Handle handle = nullptr;
  std::mutex mutex;  ///< one handle: calls one at a time
};

Api& api() {
  static Api* loaded = [] {
    auto* a = new Api;  // never destroyed: the handle lives as long as the process
    if (!built_with_cuda()) {
      a->missing = "Hypatia was built with HYPATIA_WITH_CUDA=OFF";
      return a;
    }
    a->library = open_library({"libcublas.so.13", "libcublas.so.12", "libcublas.so"}, true);
    if (!a->library.handle) {
      a->missing = "cuBLAS not found (" + a->library.error + ")";
      return a;
    }
    a->Create = reinterpret_cast<decltype(a->Create)>(find_symbol(a->library, "cublasCreate_v2"));
    a->Sgemm = reinterpret_cast<decltype(a->Sgemm)>(find_symbol(a->library, "cublasSgemm_v2"));
    a->Dgemm = reinterpret_cast<decltype(a->Dgemm)>(find_symbol(a->library, "cublasDgemm_v2"));
    if (!a->Create || !a->Sgemm || !a->Dgemm) a->missing = a->library.path + " lacks cublasCreate_v2/Sgemm_v2/Dgemm_v2";
    return a;
  }();
  return *loaded;
}

int as_int(std::int64_t v, const char* what) {
  if (v > std::numeric_limits<int>::max()) throw Error(fmt::format("cuBLAS: {} = {} is beyond its int range", what, v));
  return static_cast<int>(v);
}

}  // namespace

bool cublas_available() { return api().missing.empty(); }

std::string cublas_unavailable_reason() { return api().missing; }

void gemm(DType dtype, std::int64_t m, std::int64_t n, std::int64_t k, DevicePtr a, DevicePtr b, DevicePtr c) {
  Api& x = api();
  if (!x.missing.empty()) throw Error("CUDA: dot needs cuBLAS: " + x.missing);
  device();  // a GPU, with the primary context current on this thread
  std::lock_guard lock(x.mutex);
  if (!x.handle) {
    if (const Status s = x.Create(&x.handle); s != 0) {
      throw Error(fmt::format("cuBLAS: cublasCreate failed (status {})", s));
    }
  }
  const int M = as_int(m, "m"), N = as_int(n, "n"), K = as_int(k, "k");
  // Row-major C = A B  <=>  column-major C^T = B^T A^T (ld: the row lengths).
  Status s = 0;
  if (dtype == DType::Float32) {
    const float one = 1, zero = 0;
    s = x.Sgemm(x.handle, kOpN, kOpN, N, M, K, &one, reinterpret_cast<const float*>(b), N,
                reinterpret_cast<const float*>(a), K, &zero, reinterpret_cast<float*>(c), N);
  } else if (dtype == DType::Float64) {
    const double one = 1, zero = 0;
    s = x.Dgemm(x.handle, kOpN, kOpN, N, M, K, &one, reinterpret_cast<const double*>(b), N,
                reinterpret_cast<const double*>(a), K, &zero, reinterpret_cast<double*>(c), N);
  } else {
    throw Error(fmt::format("cuBLAS gemm: dtype {} (float32 and float64 only)", dtype_name(dtype)));
  }
  if (s != 0) throw Error(fmt::format("cuBLAS: gemm ({} x {} x {}) failed (status {})", m, n, k, s));
}

}  // namespace hypatia::cuda
