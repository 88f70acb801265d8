// The runtime's general elementwise path: operands gathered block by block
// (strided, transposed, broadcast along size-1 and missing axes), the flat
// body run on the blocks, the results scattered into a possibly strided
// output; and hp_elementwise choosing the flat path when it can.
#include <doctest/doctest.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "runtime/cpu/blocked_elementwise.hpp"

namespace {

using hypatia::BlockedElementwise;

hp_tensor tensor(void* data, std::vector<std::int64_t> shape, std::vector<std::int64_t> strides) {
  hp_tensor t{};
  t.data = data;
  t.ndim = static_cast<std::int64_t>(shape.size());
  for (std::size_t a = 0; a < shape.size(); ++a) {
    t.shape[a] = shape[a];
    t.strides[a] = strides[a];
  }
  return t;
}

/// out[i] = 10 * a[i] + b[i], as a generated flat body over its argument struct.
struct Args {
  const double* a;
  const float* b;
  double* out;
};
void body(void* p, std::int64_t begin, std::int64_t end) {
  auto* args = static_cast<Args*>(p);
  for (std::int64_t i = begin; i < end; ++i) args->out[i] = 10 * args->a[i] + args->b[i];
}

/// out[i] = out[i] + a[i]: a body that reads its output (in place).
struct InPlaceArgs {
  const std::int16_t* a;
  std::int16_t* out;
};
void add_into(void* p, std::int64_t begin, std::int64_t end) {
  auto* args = static_cast<InPlaceArgs*>(p);
  for (std::int64_t i = begin; i < end; ++i) args->out[i] = static_cast<std::int16_t>(args->out[i] + args->a[i]);
}

}  // namespace

TEST_CASE("a transposed operand and a broadcast column fill a strided output, across block boundaries") {
  const std::int64_t rows = 37, cols = 29;  // 1073 elements: three blocks of 512, the last partial
  std::vector<double> a_data(static_cast<std::size_t>(rows * cols));
  std::iota(a_data.begin(), a_data.end(), 0.0);
  std::vector<float> b_data(static_cast<std::size_t>(rows));
  std::iota(b_data.begin(), b_data.end(), 0.5f);
  // a is stored (cols, rows) and read transposed; b is a (rows, 1) column; out
  // is every other column of a (rows, 2 * cols) buffer.
  std::vector<double> out_data(static_cast<std::size_t>(rows * cols * 2), -1.0);
  const hp_tensor a = tensor(a_data.data(), {rows, cols}, {1, rows});
  const hp_tensor b = tensor(b_data.data(), {rows, 1}, {1, 1});
  const hp_tensor out = tensor(out_data.data(), {rows, cols}, {2 * cols, 2});
  const hp_tensor* operands[] = {&a, &b};
  const int sizes[] = {8, 4};
  Args args{};
  void** const slots[] = {(void**)&args.a, (void**)&args.b, (void**)&args.out};
  BlockedElementwise(out, 8, operands, sizes, 2).run(slots, false, body, &args);
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      CAPTURE(r);
      CAPTURE(c);
      CHECK(out_data[static_cast<std::size_t>(r * 2 * cols + 2 * c)] == 10 * a_data[static_cast<std::size_t>(c * rows + r)] + b_data[static_cast<std::size_t>(r)]);
      CHECK(out_data[static_cast<std::size_t>(r * 2 * cols + 2 * c + 1)] == -1.0);  // untouched
    }
  }
}

TEST_CASE("an operand of lower rank broadcasts along the missing leading axes; a 0-d output is one element") {
  std::vector<double> a_data = {1, 2, 3};
  std::vector<float> b_data = {0.25f};
  std::vector<double> out_data(6);
  const hp_tensor a = tensor(a_data.data(), {3}, {1});
  const hp_tensor b = tensor(b_data.data(), {}, {});
  const hp_tensor out = tensor(out_data.data(), {2, 3}, {3, 1});
  const hp_tensor* operands[] = {&a, &b};
  const int sizes[] = {8, 4};
  Args args{};
  void** const slots[] = {(void**)&args.a, (void**)&args.b, (void**)&args.out};
  BlockedElementwise(out, 8, operands, sizes, 2).run(slots, false, body, &args);
  CHECK(out_data == std::vector<double>{10.25, 20.25, 30.25, 10.25, 20.25, 30.25});

  double scalar_out = 0;
  const hp_tensor scalar = tensor(&scalar_out, {}, {});
  const hp_tensor first = tensor(a_data.data(), {}, {});
  const hp_tensor* scalar_operands[] = {&first, &b};
  BlockedElementwise(scalar, 8, scalar_operands, sizes, 2).run(slots, false, body, &args);
  CHECK(scalar_out == 10.25);
}

TEST_CASE("a body that reads its output sees the output's values, gathered first") {
  std::vector<std::int16_t> out_data = {1, 2, 3, 4, 5, 6};
  std::vector<std::int16_t> a_data = {100, 200};
  const hp_tensor out = tensor(out_data.data(), {3, 2}, {1, 3});  // a transposed view
  const hp_tensor a = tensor(a_data.data(), {1, 2}, {2, 1});       // a broadcast row
  const hp_tensor* operands[] = {&a};
  const int sizes[] = {2};
  InPlaceArgs args{};
  void** const slots[] = {(void**)&args.a, (void**)&args.out};
  BlockedElementwise(out, 2, operands, sizes, 1).run(slots, true, add_into, &args);
  // out[r][c] lives at r + 3c: column 0 gets +100, column 1 +200.
  CHECK(out_data == std::vector<std::int16_t>{101, 102, 103, 204, 205, 206});
}

TEST_CASE("an empty output runs no block") {
  std::vector<double> a_data(1);
  const hp_tensor a = tensor(a_data.data(), {0, 3}, {3, 1});
  const hp_tensor out = tensor(nullptr, {0, 3}, {3, 1});
  const hp_tensor* operands[] = {&a, &a};
  const int sizes[] = {8, 4};
  Args args{};
  void** const slots[] = {(void**)&args.a, (void**)&args.b, (void**)&args.out};
  BlockedElementwise(out, 8, operands, sizes, 2).run(slots, false, body, &args);
  CHECK(args.out == nullptr);
}

TEST_CASE("contiguity: size-1 axes may have any stride") {
  std::vector<double> data(6);
  CHECK(hypatia::is_contiguous(tensor(data.data(), {2, 3}, {3, 1})));
  CHECK(hypatia::is_contiguous(tensor(data.data(), {1, 3}, {99, 1})));
  CHECK(!hypatia::is_contiguous(tensor(data.data(), {2, 3}, {1, 2})));
  CHECK(hypatia::same_shape(tensor(data.data(), {2, 3}, {3, 1}), tensor(data.data(), {2, 3}, {1, 2})));
  CHECK(!hypatia::same_shape(tensor(data.data(), {6}, {1}), tensor(data.data(), {2, 3}, {3, 1})));
}
