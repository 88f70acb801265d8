#include "compiler/pipeline/cpu_recipe.hpp"

#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/codegen/cpp_codegen.hpp"
#include "compiler/graph/op.hpp"
#include "hypatia/print.hpp"

namespace hypatia {
namespace {

using json = nlohmann::json;

constexpr int kRecipeFormat = 1;

DType dtype_from(const json& j) { return dtype_from_name(j.get<std::string>()); }

json array_json(const Array& value) {
  const Array c = value.contiguous();
  const auto* bytes = static_cast<const std::uint8_t*>(c.raw_data());
  return {{"dtype", dtype_name(c.dtype())},
          {"shape", c.shape()},
          {"data", json::binary(std::vector<std::uint8_t>(bytes, bytes + c.size() * dtype_size(c.dtype())))}};
}

Array array_from(const json& j) {
  const DType dtype = dtype_from(j.at("dtype"));
  const Shape shape = j.at("shape").get<Shape>();
  const auto& data = j.at("data").get_binary();
  // Checked before allocating: the shape is data read from disk.
  std::int64_t bytes = static_cast<std::int64_t>(dtype_size(dtype));
  for (std::int64_t n : shape) {
    if (n < 0) throw Error("negative extent");
    if (__builtin_mul_overflow(bytes, n, &bytes)) throw Error("constant too large");
  }
  if (static_cast<std::uint64_t>(bytes) != data.size()) {
    throw Error(fmt::format("constant of shape {} has {} bytes", shape_str(shape), data.size()));
  }
  Array value(shape, dtype);
  if (!data.empty()) std::memcpy(value.raw_data(), data.data(), data.size());
  return value;
}

}  // namespace

CpuRecipe recipe_of(const std::vector<std::shared_ptr<Apply>>& nodes, const std::vector<Var>& inputs,
                    const std::vector<Var>& outputs, std::string object_key) {
  CpuRecipe recipe;
  recipe.object_key = std::move(object_key);
  recipe.constants = program_constants(nodes, inputs, outputs);
  for (const Var& v : outputs) recipe.output_dtypes.push_back(v.dtype());
  for (const auto& node : nodes) {
    std::vector<DType> dtypes;
    for (const Var& in : node->inputs()) dtypes.push_back(in.dtype());
    recipe.node_input_dtypes.push_back(std::move(dtypes));
    recipe.nodes.push_back({node->op().name(), pp_brief(node->output()), 0.0, 0});
  }
  return recipe;
}

std::string recipe_to_bytes(const CpuRecipe& recipe) {
  json j;
  j["format"] = kRecipeFormat;
  j["object_key"] = recipe.object_key;
  j["constants"] = json::array();
  for (const Array& c : recipe.constants) j["constants"].push_back(array_json(c));
  j["output_dtypes"] = json::array();
  for (DType d : recipe.output_dtypes) j["output_dtypes"].push_back(dtype_name(d));
  j["node_input_dtypes"] = json::array();
  for (const auto& dtypes : recipe.node_input_dtypes) {
    json list = json::array();
    for (DType d : dtypes) list.push_back(dtype_name(d));
    j["node_input_dtypes"].push_back(std::move(list));
  }
  j["nodes"] = json::array();
  for (const NodeProfile& node : recipe.nodes) j["nodes"].push_back({node.op, node.node});
  const std::vector<std::uint8_t> bytes = json::to_cbor(j);
  return std::string(bytes.begin(), bytes.end());
}

CpuRecipe recipe_from_bytes(std::string_view bytes) {
  try {
    const json j = json::from_cbor(bytes.begin(), bytes.end());
    if (j.at("format").get<int>() != kRecipeFormat) throw Error("recipe of another format");
    CpuRecipe recipe;
    recipe.object_key = j.at("object_key").get<std::string>();
    for (const json& c : j.at("constants")) recipe.constants.push_back(array_from(c));
    for (const json& d : j.at("output_dtypes")) recipe.output_dtypes.push_back(dtype_from(d));
    for (const json& list : j.at("node_input_dtypes")) {
      std::vector<DType> dtypes;
      for (const json& d : list) dtypes.push_back(dtype_from(d));
      recipe.node_input_dtypes.push_back(std::move(dtypes));
    }
    for (const json& node : j.at("nodes")) {
      recipe.nodes.push_back({node.at(0).get<std::string>(), node.at(1).get<std::string>(), 0.0, 0});
    }
    if (recipe.nodes.size() != recipe.node_input_dtypes.size()) throw Error("node lists disagree");
    return recipe;
  } catch (const json::exception& e) {
    throw Error(fmt::format("malformed recipe: {}", e.what()));
  }
}

}  // namespace hypatia
