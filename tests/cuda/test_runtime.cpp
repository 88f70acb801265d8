// The CUDA runtime: device=cuda on a machine without a driver or a GPU is a
// clear hp::Error, never a crash; with a GPU, generated kernels load, launch
// and give the reference's numbers. The GPU cases skip with a message here.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/codegen/cuda_codegen.hpp"
#include "runtime/cuda/allocator.hpp"
#include "runtime/cuda/blas.hpp"
#include "runtime/cuda/driver.hpp"
#include "runtime/cuda/nvrtc.hpp"
#include "tests/cuda/cuda_test_support.hpp"

namespace hp = hypatia;
using hypatia_test::gpu_or_skip;
using hypatia_test::nvrtc_or_skip;

namespace {

/// Sets hp::config().device for the scope.
class DeviceFlag {
 public:
  explicit DeviceFlag(const std::string& device) : saved_(hp::config().device) { hp::config().device = device; }
  ~DeviceFlag() { hp::config().device = saved_; }

 private:
  std::string saved_;
};

std::string message_of_compile() {
  const hp::Var x = hp::vector("x");
  try {
    hp::compile({x}, {hp::exp(x) + 1});
  } catch (const hp::Error& e) {
    return e.what();
  }
  return "";
}

// --- the kernel parameter layout of codegen_templates/cuda_abi.h ------------------------
struct CudaTensor {
  std::uint64_t data = 0;
  std::int64_t ndim = 0;
  std::int64_t shape[8] = {};
  std::int64_t strides[8] = {};
};

CudaTensor contiguous(std::uint64_t data, const std::vector<std::int64_t>& shape) {
  CudaTensor t;
  t.data = data;
  t.ndim = static_cast<std::int64_t>(shape.size());
  std::int64_t stride = 1;
  for (int i = t.ndim - 1; i >= 0; --i) {
    t.shape[i] = shape[i];
    t.strides[i] = stride;
    stride *= shape[i];
  }
  return t;
}

/// Device memory holding `values`, freed at the end of the scope.
struct DeviceBuffer {
  hp::cuda::DevicePtr ptr = 0;
  std::size_t bytes = 0;
  DeviceBuffer(const void* host, std::size_t n) : ptr(hp::cuda::allocate(n)), bytes(n) {
    if (host) hp::cuda::copy_to_device(ptr, host, n);
  }
  ~DeviceBuffer() { hp::cuda::free(ptr); }
  template <class T>
  std::vector<T> read(std::size_t count) const {
    std::vector<T> out(count);
    hp::cuda::copy_to_host(out.data(), ptr, count * sizeof(T));
    return out;
  }
};

}  // namespace

TEST_CASE("without a driver or a GPU, the driver reports why and every call is an hp::Error") {
  if (hp::cuda::driver_available()) {
    MESSAGE("skipped: this machine has a GPU (" << hp::cuda::device().name << ")");
    return;
  }
  const std::string reason = hp::cuda::driver_unavailable_reason();
  MESSAGE("no GPU: " << reason);
  CHECK(!reason.empty());
  CHECK_THROWS_AS(hp::cuda::device(), hp::Error);
  CHECK_THROWS_AS(hp::cuda::allocate(16), hp::Error);
  CHECK_THROWS_AS(hp::cuda::synchronize(), hp::Error);
  CHECK_THROWS_AS(hp::cuda::Module("not a cubin"), hp::Error);
  hp::cuda::free(0);  // harmless: destructors call it
}

TEST_CASE("device=cuda without a GPU: hp::compile throws an hp::Error saying what is missing") {
  if (hp::cuda::driver_available()) {
    MESSAGE("skipped: this machine has a GPU");
    return;
  }
  DeviceFlag cuda("cuda");
  const std::string message = message_of_compile();
  CHECK(message.find("device=cuda needs an NVIDIA GPU") != std::string::npos);
  CHECK(message.find(hp::cuda::driver_unavailable_reason()) != std::string::npos);
  CHECK(message.find("device=cpu") != std::string::npos);
}

TEST_CASE("device=cuda without a GPU: Var::eval is an hp::Error too, and so is every mode") {
  if (hp::cuda::driver_available()) {
    MESSAGE("skipped: this machine has a GPU");
    return;
  }
  DeviceFlag cuda("cuda");
  const hp::Var x = hp::vector("x");
  CHECK_THROWS_AS((x * 2).eval({{x, hp::array(std::vector<double>{1, 2})}}), hp::Error);
  for (hp::Mode mode : {hp::Mode::FastRun, hp::Mode::FastCompile, hp::Mode::Debug}) {
    CHECK_THROWS_AS(hp::compile({x}, {hp::exp(x)}, {.mode = mode}), hp::Error);
  }
}

TEST_CASE("device=cpu compiles as before after a device=cuda attempt") {
  {
    DeviceFlag cuda("cuda");
    CHECK(!message_of_compile().empty());  // refused: no GPU, or no CUDA executor yet
  }
  const hp::Var x = hp::vector("x");
  const hp::Function f = hp::compile({x}, {x * 2});
  CHECK(f(hp::array(std::vector<double>{1, 2}))[0].to_vector<double>() == std::vector<double>{2, 4});
}

TEST_CASE("with a GPU: a generated elementwise kernel runs its three paths and matches the CPU") {
  if (!gpu_or_skip() || !nvrtc_or_skip()) return;
  const hp::cuda::DeviceInfo& dev = hp::cuda::device();
  MESSAGE("GPU: " << dev.name << " sm_" << dev.arch << ", " << dev.multiprocessors << " SMs");
  const hp::Var a = hp::vector("a", hp::float32), b = hp::vector("b", hp::float32);
  const hp::CudaProgramText program = hp::generate_cuda({a, b}, {hp::tanh(a) * b}, "gpu");
  const hp::nvrtc::Compiled compiled = hp::nvrtc::compile(program.source, dev.arch);
  hp::cuda::Module module(compiled.cubin);
  // Node 0 is tanh(a), node 1 the product: run the product's kernel on a and b directly.
  const std::string kernel = program.steps.back().kernel;
  void* f = module.function(kernel);
  const std::int64_t n = 1003;  // not a multiple of 4: the vector path has a tail
  std::vector<float> x(n), y(n);
  for (std::int64_t i = 0; i < n; ++i) x[i] = 0.01f * i, y[i] = 1.0f - 0.002f * i;
  DeviceBuffer dx(x.data(), n * 4), dy(y.data(), n * 4), dout(nullptr, n * 4), derr(nullptr, 4);
  const int zero = 0;
  hp::cuda::copy_to_device(derr.ptr, &zero, 4);
  for (int mode : {0, 1, 2}) {
    CAPTURE(mode);
    CudaTensor to = contiguous(dout.ptr, {n}), t0 = contiguous(dx.ptr, {n}), t1 = contiguous(dy.ptr, {n});
    std::int64_t count = n;
    std::uint64_t err = derr.ptr;
    void* args[] = {&count, &mode, &err, &to, &t0, &t1};
    hp::cuda::launch(f, {4}, {256}, 0, args);
    hp::cuda::synchronize();
    const std::vector<float> got = dout.read<float>(n);
    for (std::int64_t i = 0; i < n; i += 97) CHECK(got[i] == doctest::Approx(x[i] * y[i]));
  }
}

TEST_CASE("with a GPU: a generated reduction gives the same sums in one pass and in two") {
  if (!gpu_or_skip() || !nvrtc_or_skip()) return;
  const hp::Var x = hp::matrix("x", hp::float64);
  const hp::CudaProgramText program = hp::generate_cuda({x}, {hp::sum(x, 1)}, "gpu");
  hp::cuda::Module module(hp::nvrtc::compile(program.source, hp::cuda::device().arch).cubin);
  const hp::CudaStep& step = program.steps.at(0);
  const std::int64_t rows = 3, cols = 100000;
  std::vector<double> host(rows * cols);
  for (std::size_t i = 0; i < host.size(); ++i) host[i] = std::sin(0.001 * static_cast<double>(i));
  std::vector<double> expected(rows, 0.0);
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) expected[r] += host[r * cols + c];
  }
  DeviceBuffer dx(host.data(), host.size() * 8), dout(nullptr, rows * 8), derr(nullptr, 4);
  for (unsigned parts : {1u, 16u}) {
    CAPTURE(parts);
    DeviceBuffer partial(nullptr, rows * parts * step.partial_bytes);
    CudaTensor to = contiguous(dout.ptr, {rows}), space = contiguous(0, {rows, cols});
    CudaTensor t0 = contiguous(dx.ptr, {rows, cols});
    std::int64_t m = rows, k = cols, chunk = (cols + parts - 1) / parts;
    std::uint64_t err = derr.ptr, pp = partial.ptr;
    void* args[] = {&m, &k, &chunk, &err, &pp, &to, &space, &t0};
    hp::cuda::launch(module.function(step.kernel), {static_cast<unsigned>(rows), parts}, {256}, 0, args);
    if (parts > 1) {
      int p = static_cast<int>(parts);
      void* finish_args[] = {&m, &k, &p, &pp, &to};
      hp::cuda::launch(module.function(step.finish_kernel), {static_cast<unsigned>(rows)}, {256}, 0, finish_args);
    }
    hp::cuda::synchronize();
    const std::vector<double> got = dout.read<double>(rows);
    for (std::int64_t r = 0; r < rows; ++r) CHECK(got[r] == doctest::Approx(expected[r]).epsilon(1e-12));
  }
}

TEST_CASE("the caching allocator rounds requests up to power-of-two size classes") {
  CHECK(hp::cuda::size_class_of(0) == 256);
  CHECK(hp::cuda::size_class_of(1) == 256);
  CHECK(hp::cuda::size_class_of(256) == 256);
  CHECK(hp::cuda::size_class_of(257) == 512);
  CHECK(hp::cuda::size_class_of(3 << 20) == (4 << 20));
  if (hp::cuda::driver_available()) {
    const std::size_t before = hp::cuda::cached_device_bytes();
    hp::cuda::DevicePtr first = 0;
    {
      const auto block = hp::cuda::device_alloc(1000);
      first = block->ptr();
      CHECK(block->bytes() == 1024);
    }
    CHECK(hp::cuda::cached_device_bytes() == before + 1024);
    CHECK(hp::cuda::device_alloc(1000)->ptr() == first);  // reused, not allocated again
  } else {
    CHECK_THROWS_AS(hp::cuda::device_alloc(1000), hp::Error);
  }
}

namespace {

/// Compiles `outputs` for the CPU and for the GPU and checks they agree on `args`.
void check_gpu_matches_cpu(const std::vector<hp::Var>& inputs, const std::vector<hp::Var>& outputs,
                           const std::vector<hp::Array>& args, double rtol = 1e-6) {
  std::vector<hp::In> in(inputs.begin(), inputs.end());
  const hp::Function cpu = hp::compile(in, outputs);
  hp::Function gpu = [&] {
    DeviceFlag cuda("cuda");
    return hp::compile(in, outputs);
  }();
  const std::vector<hp::Array> expected = cpu.call(args), got = gpu.call(args);
  REQUIRE(expected.size() == got.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].shape() == expected[i].shape());
    CHECK(got[i].dtype() == expected[i].dtype());
    CHECK(hp::allclose(got[i], expected[i], rtol, 1e-12));
  }
}

hp::Array ramp(const hp::Shape& shape, hp::DType dtype, double scale = 0.01) {
  std::int64_t n = 1;
  for (auto s : shape) n *= s;
  std::vector<double> data(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) data[i] = scale * static_cast<double>((i * 7919) % 1000 - 500);
  return hp::array(data, shape).astype(dtype);
}

}  // namespace

TEST_CASE("with a GPU: compiled functions give the CPU's numbers (elementwise, fused, reductions, softmax, dot)") {
  if (!gpu_or_skip()) return;
  for (hp::DType dtype : {hp::DType::Float32, hp::DType::Float64}) {
    CAPTURE(dtype);
    const double rtol = dtype == hp::DType::Float32 ? 1e-4 : 1e-9;
    const hp::Var a = hp::matrix("a", dtype), b = hp::matrix("b", dtype), r = hp::row("r", dtype);
    const std::vector<hp::Array> args = {ramp({37, 1001}, dtype), ramp({37, 1001}, dtype, 0.003),
                                         ramp({1, 1001}, dtype, 0.002)};
    check_gpu_matches_cpu({a, b, r},
                          {a + b, a - r, a * b, a / (hp::abs(b) + 1), hp::exp(a), hp::log1p(hp::abs(a)),
                           hp::tanh(a), hp::sigmoid(a), hp::softplus(a), hp::sqrt(hp::abs(a)), hp::maximum(a, b),
                           hp::clip(a, -1, 1), hp::where(a > b, a, b), hp::pow(hp::abs(a) + 1, b), a % 0.7,
                           hp::int_div(a, 0.3), hp::cast(a, hp::int32), a < b, hp::relu(a - r)},
                          args, rtol);
    check_gpu_matches_cpu({a, b, r},
                          {hp::sigmoid(a * b + r) * hp::tanh(a) - hp::exp(-(b * b)) + 0.5 * r,
                           hp::sum(hp::exp(a - b), 1), hp::mean(hp::sqr(a - r)), hp::max(a, 0), hp::min(a, 1, true),
                           hp::prod(b * 0.01 + 1, 0), hp::argmax(a, 1), hp::argmax(a), hp::softmax(a),
                           hp::dot(a, hp::transpose(b)), hp::sum(a, {0, 1})},
                          args, rtol);
  }
  const hp::Var i = hp::matrix("i", hp::int64);
  check_gpu_matches_cpu({i}, {i * 3 + 1, hp::int_div(i, 7), i % 5, hp::sum(i, 0), hp::max(i), hp::abs(i)},
                        {ramp({5, 300}, hp::DType::Int64, 1.0)});
}

TEST_CASE("with a GPU: a long reduction takes the two-pass path and matches the CPU") {
  if (!gpu_or_skip()) return;
  const hp::Var v = hp::vector("v", hp::float64);
  check_gpu_matches_cpu({v}, {hp::sum(v), hp::max(v), hp::mean(hp::exp(v * 0.001))},
                        {ramp({3000001}, hp::DType::Float64)}, 1e-9);
}

TEST_CASE("with a GPU: integer division by zero raises the reference's error") {
  if (!gpu_or_skip()) return;
  const hp::Var i = hp::vector("i", hp::int64);
  DeviceFlag cuda("cuda");
  const hp::Function f = hp::compile({i}, {hp::int_div(i, i)});
  CHECK_THROWS_AS(f(hp::array(std::vector<std::int64_t>{1, 0, 2})), hp::InvalidValueError);
}

TEST_CASE("cuBLAS loads at run time where the toolkit has it; without a GPU gemm is an hp::Error") {
  if (!hp::cuda::cublas_available()) {
    MESSAGE("cuBLAS not available: " << hp::cuda::cublas_unavailable_reason());
    CHECK(!hp::cuda::cublas_unavailable_reason().empty());
  }
  if (hp::cuda::driver_available()) return;  // the GPU cases above cover dot
  CHECK_THROWS_AS(hp::cuda::gemm(hp::DType::Float32, 2, 2, 2, 0, 0, 0), hp::Error);
}
