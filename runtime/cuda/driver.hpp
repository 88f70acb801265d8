/// \file The CUDA Driver API, loaded at run time with dlopen("libcuda.so.1").
///
/// The CPU backend's counterpart of jit_cpu's loader: where no driver or no
/// GPU exists (CI, most build machines) available() is false and every other
/// function throws hp::Error saying which of the two is missing; nothing
/// crashes and nothing is linked. With a GPU, the first call initialises the
/// driver and retains device 0's primary context, which every call of the
/// process then uses (made current on the calling thread as needed).
///
/// Thread-safe: initialisation happens once; the driver itself is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hypatia/error.hpp"

namespace hypatia::cuda {

/// A device address (CUdeviceptr).
using DevicePtr = std::uint64_t;

/// Whether the driver loaded, initialised and sees at least one GPU.
bool driver_available();
/// Why not ("" when available): no libcuda.so.1, cuInit's error, or no device.
std::string driver_unavailable_reason();

/// What the launch configuration and the compiler need to know of the GPU.
struct DeviceInfo {
  int ordinal = 0;
  std::string name;          ///< "NVIDIA H100 80GB HBM3"
  int arch = 0;              ///< compute capability as 90 for sm_90
  int multiprocessors = 0;
  int max_threads_per_block = 0;
  int warp_size = 32;
  std::size_t total_memory = 0;
  std::string driver_version;  ///< "13.0"
};

/// Device 0 (throws hp::Error with driver_unavailable_reason() when there is none).
const DeviceInfo& device();

/// Throws hp::Error "`what`: device=cuda needs ...: <reason>" unless a GPU is usable.
void require_device(const std::string& what);

/// A loaded cubin (CUmodule); unloaded when the last reference goes.
class Module {
 public:
  /// Loads `cubin` into the primary context; hp::Error naming the driver's error.
  explicit Module(const std::string& cubin);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  /// The kernel `name` (an extern "C" __global__ function); hp::Error when absent.
  void* function(const std::string& name) const;

 private:
  void* module_ = nullptr;
};

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

/// Launches `function` on the default stream. `args` points at each kernel
/// parameter's value, in order (cuLaunchKernel's kernelParams).
void launch(void* function, Dim3 grid, Dim3 block, unsigned shared_bytes, void** args);
/// Waits for every launch and copy; hp::Error naming the first failure.
void synchronize();

DevicePtr allocate(std::size_t bytes);  ///< cuMemAlloc; hp::Error when out of memory
void free(DevicePtr p);                 ///< cuMemFree; errors ignored (used in destructors)
void copy_to_device(DevicePtr dst, const void* src, std::size_t bytes);
void copy_to_host(void* dst, DevicePtr src, std::size_t bytes);
void copy_on_device(DevicePtr dst, DevicePtr src, std::size_t bytes);

}  // namespace hypatia::cuda
