#include "runtime/cuda/driver.hpp"

#include <fmt/format.h>

#include "runtime/cuda/library.hpp"

namespace hypatia::cuda {
namespace {

// The Driver API as declared in cuda.h (the _v2 entry points are the current
// ones): our own declarations, so that building needs no toolkit.
using CUresult = int;  // 0 is CUDA_SUCCESS
using CUdevice = int;
using CUcontext = struct cu_context*;
using CUmodule = struct cu_module*;
using CUfunction = struct cu_function*;
using CUstream = struct cu_stream*;

// CUdevice_attribute values used here.
constexpr int kMaxThreadsPerBlock = 1;
constexpr int kWarpSize = 10;
constexpr int kMultiprocessorCount = 16;
constexpr int kComputeCapabilityMajor = 75;
constexpr int kComputeCapabilityMinor = 76;

struct Api {
  Library library;
  CUresult (*Init)(unsigned) = nullptr;
  CUresult (*DriverGetVersion)(int*) = nullptr;
  CUresult (*GetErrorString)(CUresult, const char**) = nullptr;
  CUresult (*DeviceGetCount)(int*) = nullptr;
  CUresult (*DeviceGet)(CUdevice*, int) = nullptr;
  CUresult (*DeviceGetName)(char*, int, CUdevice) = nullptr;
  CUresult (*DeviceGetAttribute)(int*, int, CUdevice) = nullptr;
  CUresult (*DeviceTotalMem)(std::size_t*, CUdevice) = nullptr;
  CUresult (*DevicePrimaryCtxRetain)(CUcontext*, CUdevice) = nullptr;
  CUresult (*CtxSetCurrent)(CUcontext) = nullptr;
  CUresult (*CtxSynchronize)() = nullptr;
  CUresult (*ModuleLoadData)(CUmodule*, const void*) = nullptr;
  CUresult (*ModuleUnload)(CUmodule) = nullptr;
  CUresult (*ModuleGetFunction)(CUfunction*, CUmodule, const char*) = nullptr;
  CUresult (*LaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                           CUstream, void**, void**) = nullptr;
  CUresult (*MemAlloc)(DevicePtr*, std::size_t) = nullptr;
  CUresult (*MemFree)(DevicePtr) = nullptr;
  CUresult (*MemcpyHtoD)(DevicePtr, const void*, std::size_t) = nullptr;
  CUresult (*MemcpyDtoH)(void*, DevicePtr, std::size_t) = nullptr;
  CUresult (*MemcpyDtoD)(DevicePtr, DevicePtr, std::size_t) = nullptr;

  CUcontext context = nullptr;
  DeviceInfo info;
  std::string missing;  ///< why no GPU is usable, "" when one is
};

template <class F>
void bind(Api& api, F& slot, const char* name) {
  slot = reinterpret_cast<F>(find_symbol(api.library, name));
  if (!slot && api.missing.empty()) api.missing = fmt::format("{} has no symbol {}", api.library.path, name);
}

std::string error_text(const Api& a, CUresult r) {
  const char* text = nullptr;
  if (a.GetErrorString && a.GetErrorString(r, &text) == 0 && text) return fmt::format("{} (error {})", text, r);
  return fmt::format("error {}", r);
}

void bind_all(Api& a) {
  bind(a, a.Init, "cuInit");
  bind(a, a.DriverGetVersion, "cuDriverGetVersion");
  bind(a, a.GetErrorString, "cuGetErrorString");
  bind(a, a.DeviceGetCount, "cuDeviceGetCount");
  bind(a, a.DeviceGet, "cuDeviceGet");
  bind(a, a.DeviceGetName, "cuDeviceGetName");
  bind(a, a.DeviceGetAttribute, "cuDeviceGetAttribute");
  bind(a, a.DeviceTotalMem, "cuDeviceTotalMem_v2");
  bind(a, a.DevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  bind(a, a.CtxSetCurrent, "cuCtxSetCurrent");
  bind(a, a.CtxSynchronize, "cuCtxSynchronize");
  bind(a, a.ModuleLoadData, "cuModuleLoadData");
  bind(a, a.ModuleUnload, "cuModuleUnload");
  bind(a, a.ModuleGetFunction, "cuModuleGetFunction");
  bind(a, a.LaunchKernel, "cuLaunchKernel");
  bind(a, a.MemAlloc, "cuMemAlloc_v2");
  bind(a, a.MemFree, "cuMemFree_v2");
  bind(a, a.MemcpyHtoD, "cuMemcpyHtoD_v2");
  bind(a, a.MemcpyDtoH, "cuMemcpyDtoH_v2");
  bind(a, a.MemcpyDtoD, "cuMemcpyDtoD_v2");
}

/// Initialises the driver and describes device 0; sets `missing` at the first failure.
void initialise(Api& a) {
  auto failed = [&](CUresult r, const char* what) {
    if (r == 0) return false;
    a.missing = fmt::format("{} failed: {}", what, error_text(a, r));
    return true;
  };
  if (failed(a.Init(0), "cuInit")) return;
  int version = 0, count = 0;
  if (failed(a.DriverGetVersion(&version), "cuDriverGetVersion")) return;
  a.info.driver_version = fmt::format("{}.{}", version / 1000, version % 1000 / 10);
  if (failed(a.DeviceGetCount(&count), "cuDeviceGetCount")) return;
  if (count == 0) {
    a.missing = "the CUDA driver sees no GPU";
    return;
  }
  CUdevice dev = 0;
  if (failed(a.DeviceGet(&dev, 0), "cuDeviceGet")) return;
  char name[256] = {};
  int major = 0, minor = 0;
  if (failed(a.DeviceGetName(name, sizeof name - 1, dev), "cuDeviceGetName") ||
      failed(a.DeviceGetAttribute(&major, kComputeCapabilityMajor, dev), "cuDeviceGetAttribute") ||
      failed(a.DeviceGetAttribute(&minor, kComputeCapabilityMinor, dev), "cuDeviceGetAttribute") ||
      failed(a.DeviceGetAttribute(&a.info.multiprocessors, kMultiprocessorCount, dev), "cuDeviceGetAttribute") ||
      failed(a.DeviceGetAttribute(&a.info.max_threads_per_block, kMaxThreadsPerBlock, dev), "cuDeviceGetAttribute") ||
      failed(a.DeviceGetAttribute(&a.info.warp_size, kWarpSize, dev), "cuDeviceGetAttribute") ||
      failed(a.DeviceTotalMem(&a.info.total_memory, dev), "cuDeviceTotalMem") ||
      failed(a.DevicePrimaryCtxRetain(&a.context, dev), "cuDevicePrimaryCtxRetain")) {
    return;
  }
  a.info.name = name;
  a.info.arch = major * 10 + minor;
}

Api& api() {
  static Api loaded = [] {
    Api a;
    if (!built_with_cuda()) {
      a.missing = "Hypatia was built with HYPATIA_WITH_CUDA=OFF";
      return a;
    }
    a.library = open_library({"libcuda.so.1", "libcuda.so"}, false);
    if (!a.library.handle) {
      a.missing = "no CUDA driver (" + a.library.error + ")";
      return a;
    }
    bind_all(a);
    if (a.missing.empty()) initialise(a);
    return a;
  }();
  return loaded;
}

/// The API with the primary context current on this thread; hp::Error without a GPU.
Api& ready() {
  Api& a = api();
  if (!a.missing.empty()) throw Error("CUDA: no usable GPU: " + a.missing);
  thread_local bool current = false;
  if (!current) {
    if (CUresult r = a.CtxSetCurrent(a.context); r != 0) {
      throw Error("CUDA: cuCtxSetCurrent failed: " + error_text(a, r));
    }
    current = true;
  }
  return a;
}

void check(const Api& a, CUresult r, const std::string& what) {
  if (r != 0) throw Error(fmt::format("CUDA: {} failed: {}", what, error_text(a, r)));
}

}  // namespace

bool driver_available() { return api().missing.empty(); }

std::string driver_unavailable_reason() { return api().missing; }

const DeviceInfo& device() { return ready().info; }

void require_device(const std::string& what) {
  const std::string reason = driver_unavailable_reason();
  if (reason.empty()) return;
  throw Error(fmt::format("{}: device=cuda needs an NVIDIA GPU and its driver (libcuda.so.1), and this "
                          "machine has none usable: {}. Use device=cpu.",
                          what, reason));
}

Module::Module(const std::string& cubin) {
  Api& a = ready();
  CUmodule m = nullptr;
  check(a, a.ModuleLoadData(&m, cubin.data()), fmt::format("cuModuleLoadData ({} bytes of cubin)", cubin.size()));
  module_ = m;
}

Module::~Module() {
  if (module_) api().ModuleUnload(static_cast<CUmodule>(module_));
}

void* Module::function(const std::string& name) const {
  Api& a = ready();
  CUfunction f = nullptr;
  check(a, a.ModuleGetFunction(&f, static_cast<CUmodule>(module_), name.c_str()),
        fmt::format("cuModuleGetFunction('{}')", name));
  return f;
}

void launch(void* function, Dim3 grid, Dim3 block, unsigned shared_bytes, void** args) {
  Api& a = ready();
  check(a,
        a.LaunchKernel(static_cast<CUfunction>(function), grid.x, grid.y, grid.z, block.x, block.y, block.z,
                       shared_bytes, nullptr, args, nullptr),
        fmt::format("cuLaunchKernel (grid {}x{}x{}, block {}x{}x{})", grid.x, grid.y, grid.z, block.x, block.y,
                    block.z));
}

void synchronize() {
  Api& a = ready();
  check(a, a.CtxSynchronize(), "cuCtxSynchronize");
}

DevicePtr allocate(std::size_t bytes) {
  Api& a = ready();
  DevicePtr p = 0;
  check(a, a.MemAlloc(&p, bytes == 0 ? 1 : bytes), fmt::format("cuMemAlloc({} bytes)", bytes));
  return p;
}

void free(DevicePtr p) {
  Api& a = api();
  if (a.missing.empty() && p) a.MemFree(p);
}

void copy_to_device(DevicePtr dst, const void* src, std::size_t bytes) {
  Api& a = ready();
  if (bytes) check(a, a.MemcpyHtoD(dst, src, bytes), fmt::format("cuMemcpyHtoD({} bytes)", bytes));
}

void copy_to_host(void* dst, DevicePtr src, std::size_t bytes) {
  Api& a = ready();
  if (bytes) check(a, a.MemcpyDtoH(dst, src, bytes), fmt::format("cuMemcpyDtoH({} bytes)", bytes));
}

void copy_on_device(DevicePtr dst, DevicePtr src, std::size_t bytes) {
  Api& a = ready();
  if (bytes) check(a, a.MemcpyDtoD(dst, src, bytes), fmt::format("cuMemcpyDtoD({} bytes)", bytes));
}

}  // namespace hypatia::cuda
