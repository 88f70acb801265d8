// The recipe an index entry of the disk cache stores: it round-trips
// exactly, and anything malformed is an hp::Error (a load then recompiles),
// never a crash or a wrong program.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <hypatia/hypatia.hpp>

#include "compiler/codegen/schedule.hpp"
#include "compiler/pipeline/cpu_recipe.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::contains;
using hypatia_test::message_of;

namespace {

hp::CpuRecipe sample_recipe() {
  hp::Var x = hp::matrix("x");
  hp::Var out = hp::dot(x, hp::constant(hp::array({{1., 2.}, {3., 4.}}))) +
                hp::constant(hp::array({1, 2}, hp::int32)) + hp::constant(hp::array({0.5f, 1.5f}, hp::float32));
  const auto nodes = hp::schedule({x}, {out});
  return hp::recipe_of(nodes, {x}, {out}, "0123456789abcdef0123456789abcdef");
}

}  // namespace

TEST_CASE("a recipe round-trips: object key, constants with their dtypes and bytes, dtypes, node names") {
  const hp::CpuRecipe recipe = sample_recipe();
  REQUIRE(recipe.constants.size() == 3);
  const hp::CpuRecipe back = hp::recipe_from_bytes(hp::recipe_to_bytes(recipe));
  CHECK(back.object_key == recipe.object_key);
  REQUIRE(back.constants.size() == recipe.constants.size());
  for (std::size_t i = 0; i < recipe.constants.size(); ++i) {
    CHECK(back.constants[i].dtype() == recipe.constants[i].dtype());
    CHECK(back.constants[i].shape() == recipe.constants[i].shape());
    CHECK(hp::allclose(back.constants[i], recipe.constants[i], 0, 0));
  }
  CHECK(back.output_dtypes == recipe.output_dtypes);
  CHECK(back.node_input_dtypes == recipe.node_input_dtypes);
  REQUIRE(back.nodes.size() == recipe.nodes.size());
  for (std::size_t i = 0; i < recipe.nodes.size(); ++i) {
    CHECK(back.nodes[i].op == recipe.nodes[i].op);
    CHECK(back.nodes[i].node == recipe.nodes[i].node);
  }
}

TEST_CASE("every truncation of a recipe is an error, never a crash") {
  const std::string bytes = hp::recipe_to_bytes(sample_recipe());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    CHECK_THROWS_AS(hp::recipe_from_bytes(bytes.substr(0, n)), hp::Error);
  }
}

TEST_CASE("well-formed CBOR that is not a valid recipe is an error naming what is wrong") {
  using json = nlohmann::json;
  json j = json::from_cbor(hp::recipe_to_bytes(sample_recipe()));
  auto with = [&](const std::function<void(json&)>& change) {
    json copy = j;
    change(copy);
    const std::vector<std::uint8_t> cbor = json::to_cbor(copy);
    return message_of<hp::Error>([&] { hp::recipe_from_bytes(std::string(cbor.begin(), cbor.end())); });
  };
  CHECK(contains(with([](json& r) { r["format"] = 99; }), "format"));
  CHECK(contains(with([](json& r) { r["constants"][0]["dtype"] = "complex128"; }), "complex128"));
  CHECK(contains(with([](json& r) { r["constants"][0]["shape"] = json::array({3, 3}); }), "bytes"));
  CHECK(contains(with([](json& r) { r["constants"][0]["shape"] = json::array({-1, -4}); }), "negative"));
  CHECK(contains(with([](json& r) { r["constants"][0]["shape"] = json::array({1LL << 40, 1LL << 40}); }),
                 "too large"));
  CHECK(contains(with([](json& r) { r["nodes"].erase(0); }), "node lists disagree"));
  CHECK(contains(with([](json& r) { r.erase("object_key"); }), "malformed recipe"));
}
