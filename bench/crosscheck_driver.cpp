/// \file hypatia-crosscheck: the Hypatia side of the PyTensor oracle
/// (bench/peer/crosscheck.py, GitHub issue 16).
///
/// Reads a file of cases written by crosscheck.py, each a typed set of inputs
/// (values in .npy files) and one expression as an S-expression, builds the
/// expression with Hypatia's public API only, compiles it in FastRun,
/// FastCompile and Debug mode and calls it. Each result is written as .npy and
/// described by one JSON line: its dtype and shape, or the hp::Error class and
/// message. One process runs many cases, so that process start and the
/// JIT's warm-up are paid once.
///
/// The case file, one block per case:
///
///     case 17
///     in i0 float32 01 /tmp/xc/17_i0.npy      (name, dtype, broadcast pattern, values;
///     in i1 int8 - /tmp/xc/17_i1.npy           "-" is rank 0)
///     expr (add (exp i0) (cast i1 float32))
///     end
///
/// The expression language (every form maps to one public function of ops.hpp):
///
///     NAME                                     an input
///     (OP a ...)                               unary, binary and ternary ops by name
///     (cast a DTYPE)
///     (sum a) (sum a [AXES] KEEPDIMS)          also mean max min prod
///     (argmax a) (argmax a AXIS KEEPDIMS)
///     (dimshuffle a [0 x 1])  (transpose a)  (transpose a [PERM])
///     (reshape a [DIMS])  (flatten a NDIM)  (concatenate AXIS a b ...)
///     (subtensor a [IDX ...])                  IDX: an integer or START:STOP:STEP
///     (set_subtensor (subtensor a [...]) y)    also inc_subtensor
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <hypatia/hypatia.hpp>
#include <nlohmann/json.hpp>

#include "npy.hpp"

namespace hp = hypatia;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// --- the case file ------------------------------------------------------------------

struct CaseInput {
  std::string name;
  hp::DType dtype;
  std::vector<bool> broadcastable;
  fs::path values;
};

struct Case {
  std::string id;
  std::vector<CaseInput> inputs;
  std::string expr;
};

std::vector<bool> parse_pattern(const std::string& text) {
  std::vector<bool> pattern;
  if (text == "-") return pattern;
  for (char c : text) pattern.push_back(c == '1');
  return pattern;
}

std::vector<Case> read_cases(const fs::path& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open " + path.string());
  std::vector<Case> cases;
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream words(line);
    std::string keyword;
    words >> keyword;
    if (keyword == "case") {
      cases.emplace_back();
      words >> cases.back().id;
    } else if (keyword == "in") {
      CaseInput input;
      std::string dtype, pattern, values;
      words >> input.name >> dtype >> pattern >> values;
      input.dtype = hp::dtype_from_name(dtype);
      input.broadcastable = parse_pattern(pattern);
      input.values = values;
      cases.back().inputs.push_back(input);
    } else if (keyword == "expr") {
      cases.back().expr = line.substr(5);
    }
  }
  return cases;
}

// --- S-expressions --------------------------------------------------------------------

/// An atom, a (list) or a [list].
struct SExpr {
  std::string atom;
  char bracket = 0;  // 0 for an atom, '(' or '['
  std::vector<SExpr> items;
};

class SExprParser {
 public:
  explicit SExprParser(const std::string& text) : text_(text) {}

  SExpr parse() {
    SExpr expr = parse_one();
    skip_space();
    if (pos_ != text_.size()) fail("trailing text");
    return expr;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("expression syntax: " + what + " at column " + std::to_string(pos_) + " of " + text_);
  }

  SExpr parse_one() {
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end");
    const char c = text_[pos_];
    if (c == '(' || c == '[') {
      const char close = c == '(' ? ')' : ']';
      SExpr list;
      list.bracket = c;
      ++pos_;
      for (skip_space(); pos_ < text_.size() && text_[pos_] != close; skip_space()) list.items.push_back(parse_one());
      if (pos_ >= text_.size()) fail(std::string("missing '") + close + "'");
      ++pos_;
      return list;
    }
    SExpr atom;
    while (pos_ < text_.size() && std::string(" ()[]").find(text_[pos_]) == std::string::npos) atom.atom += text_[pos_++];
    if (atom.atom.empty()) fail("unexpected '" + std::string(1, c) + "'");
    return atom;
  }

  const std::string& text_;
  std::size_t pos_ = 0;
};

// --- building the graph -------------------------------------------------------------

std::int64_t to_int(const SExpr& e) { return std::stoll(e.atom); }

std::vector<int> to_ints(const SExpr& e) {
  std::vector<int> out;
  for (const SExpr& item : e.items) out.push_back(static_cast<int>(to_int(item)));
  return out;
}

/// "1:3:", "::-1", ":" -> hp::Slice; empty parts are absent.
hp::Slice to_slice(const std::string& text) {
  std::optional<std::int64_t> parts[3];
  std::size_t start = 0;
  for (int part = 0; part < 3; ++part) {
    const std::size_t colon = text.find(':', start);
    const std::string item = text.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!item.empty()) parts[part] = std::stoll(item);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return hp::slice(parts[0], parts[1], parts[2]);
}

std::vector<hp::Index> to_indices(const SExpr& e) {
  std::vector<hp::Index> indices;
  for (const SExpr& item : e.items) {
    if (item.atom.find(':') != std::string::npos) indices.emplace_back(to_slice(item.atom));
    else indices.emplace_back(to_int(item));
  }
  return indices;
}

using Inputs = std::map<std::string, hp::Var>;

class GraphBuilder {
 public:
  explicit GraphBuilder(const Inputs& inputs) : inputs_(inputs) {}

  hp::Var build(const SExpr& e) {
    if (e.bracket == 0) {
      const auto it = inputs_.find(e.atom);
      if (it == inputs_.end()) throw std::runtime_error("unknown input " + e.atom);
      return it->second;
    }
    const std::string& op = e.items.at(0).atom;
    const auto arg = [&](std::size_t i) { return build(e.items.at(i)); };
    const std::size_t arity = e.items.size() - 1;

    using Unary = hp::Var (*)(const hp::Var&);
    static const std::map<std::string, Unary> unary{
        {"neg", hp::neg},       {"exp", hp::exp},         {"log", hp::log},
        {"log1p", hp::log1p},   {"sqrt", hp::sqrt},       {"sqr", hp::sqr},
        {"abs", hp::abs},       {"tanh", hp::tanh},       {"sigmoid", hp::sigmoid},
        {"softplus", hp::softplus}, {"relu", hp::relu},   {"zeros_like", hp::zeros_like},
        {"ones_like", hp::ones_like}, {"softmax", hp::softmax}, {"shape", hp::shape},
        {"transpose", static_cast<Unary>(hp::transpose)},
    };
    using Binary = hp::Var (*)(const hp::Var&, const hp::Var&);
    static const std::map<std::string, Binary> binary{
        {"add", hp::add},         {"sub", hp::sub},         {"mul", hp::mul},
        {"true_div", hp::true_div}, {"int_div", hp::int_div}, {"mod", hp::mod},
        {"pow", hp::pow},         {"maximum", hp::maximum}, {"minimum", hp::minimum},
        {"eq", hp::eq},           {"neq", hp::neq},         {"lt", hp::lt},
        {"gt", hp::gt},           {"le", hp::le},           {"ge", hp::ge},
        {"dot", hp::dot},
    };
    using Reduce = hp::Var (*)(const hp::Var&, const std::vector<int>&, bool);
    using ReduceAll = hp::Var (*)(const hp::Var&);
    static const std::map<std::string, std::pair<ReduceAll, Reduce>> reductions{
        {"sum", {hp::sum, hp::sum}}, {"mean", {hp::mean, hp::mean}}, {"max", {hp::max, hp::max}},
        {"min", {hp::min, hp::min}}, {"prod", {hp::prod, hp::prod}},
    };

    if (op == "transpose" && arity == 2) return hp::transpose(arg(1), to_ints(e.items.at(2)));
    if (auto it = unary.find(op); it != unary.end() && arity == 1) return it->second(arg(1));
    if (auto it = binary.find(op); it != binary.end() && arity == 2) return it->second(arg(1), arg(2));
    if (auto it = reductions.find(op); it != reductions.end()) {
      if (arity == 1) return it->second.first(arg(1));
      return it->second.second(arg(1), to_ints(e.items.at(2)), to_int(e.items.at(3)) != 0);
    }
    if (op == "argmax") {
      if (arity == 1) return hp::argmax(arg(1));
      return hp::argmax(arg(1), static_cast<int>(to_int(e.items.at(2))), to_int(e.items.at(3)) != 0);
    }
    if (op == "clip") return hp::clip(arg(1), arg(2), arg(3));
    if (op == "where") return hp::where(arg(1), arg(2), arg(3));
    if (op == "cast") return hp::cast(arg(1), hp::dtype_from_name(e.items.at(2).atom));
    if (op == "dimshuffle") {
      std::vector<int> pattern;
      for (const SExpr& item : e.items.at(2).items) pattern.push_back(item.atom == "x" ? hp::newaxis : std::stoi(item.atom));
      return hp::dimshuffle(arg(1), pattern);
    }
    if (op == "reshape") {
      hp::Shape shape;
      for (const SExpr& item : e.items.at(2).items) shape.push_back(to_int(item));
      return hp::reshape(arg(1), shape);
    }
    if (op == "flatten") return hp::flatten(arg(1), static_cast<int>(to_int(e.items.at(2))));
    if (op == "concatenate") {
      std::vector<hp::Var> parts;
      for (std::size_t i = 2; i < e.items.size(); ++i) parts.push_back(arg(i));
      return hp::concatenate(parts, static_cast<int>(to_int(e.items.at(1))));
    }
    if (op == "subtensor") return hp::subtensor(arg(1), to_indices(e.items.at(2)));
    if (op == "set_subtensor") return hp::set_subtensor(arg(1), arg(2));
    if (op == "inc_subtensor") return hp::inc_subtensor(arg(1), arg(2));
    throw std::runtime_error("unknown op " + op + " with " + std::to_string(arity) + " operands");
  }

 private:
  const Inputs& inputs_;
};

// --- running one case -------------------------------------------------------------------

/// The most derived hp::Error class of the current exception, and its message.
json describe_current_exception() {
  try {
    throw;
  } catch (const hp::CompileError& e) {
    return {{"status", "error"}, {"class", "CompileError"}, {"message", e.what()}};
  } catch (const hp::BadOptimizationError& e) {
    return {{"status", "error"}, {"class", "BadOptimizationError"}, {"message", e.what()}};
  } catch (const hp::DisconnectedInputError& e) {
    return {{"status", "error"}, {"class", "DisconnectedInputError"}, {"message", e.what()}};
  } catch (const hp::TypeError& e) {
    return {{"status", "error"}, {"class", "TypeError"}, {"message", e.what()}};
  } catch (const hp::ShapeError& e) {
    return {{"status", "error"}, {"class", "ShapeError"}, {"message", e.what()}};
  } catch (const hp::InvalidValueError& e) {
    return {{"status", "error"}, {"class", "InvalidValueError"}, {"message", e.what()}};
  } catch (const hp::Error& e) {
    return {{"status", "error"}, {"class", "Error"}, {"message", e.what()}};
  } catch (const std::exception& e) {
    return {{"status", "error"}, {"class", "std::exception"}, {"message", e.what()}};
  }
}

/// Messages can be long (CompileError carries the diagnostics); the report needs their start.
std::string shorten(std::string message) {
  constexpr std::size_t limit = 600;
  if (message.size() > limit) message = message.substr(0, limit) + " ...";
  return message;
}

constexpr std::pair<hp::Mode, const char*> kModes[] = {
    {hp::Mode::FastRun, "FastRun"}, {hp::Mode::FastCompile, "FastCompile"}, {hp::Mode::Debug, "Debug"}};

json run_case(const Case& c, const fs::path& out_dir) {
  json result = {{"id", c.id}};
  Inputs inputs;
  std::vector<hp::Var> input_vars;
  std::vector<hp::Array> args;
  hp::Var output;
  try {
    for (const CaseInput& in : c.inputs) {
      hp::Var var = hp::tensor(in.name, in.dtype, in.broadcastable);
      inputs.emplace(in.name, var);
      input_vars.push_back(var);
      args.push_back(hypatia_bench::read_npy(in.values));
    }
    output = GraphBuilder(inputs).build(SExprParser(c.expr).parse());
  } catch (...) {
    json error = describe_current_exception();
    error["message"] = shorten(error["message"]);
    result["build"] = error;
    return result;
  }
  result["build"] = {{"status", "ok"}};
  std::vector<hp::In> function_inputs(input_vars.begin(), input_vars.end());
  for (const auto& [mode, name] : kModes) {
    json outcome;
    try {
      const hp::Function f =
          hp::compile(function_inputs, {output}, {.mode = mode, .on_unused_input = hp::OnUnusedInput::Ignore});
      const hp::Array value = f.call(args).at(0);
      const fs::path file = out_dir / (c.id + "." + name + ".npy");
      hypatia_bench::write_npy(file, value);
      outcome = {{"status", "ok"}, {"dtype", std::string(hp::dtype_name(value.dtype()))}, {"shape", value.shape()},
                 {"file", file.string()}};
    } catch (...) {
      outcome = describe_current_exception();
      outcome["message"] = shorten(outcome["message"]);
    }
    result["modes"][name] = outcome;
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hypatia-crosscheck: evaluates crosscheck.py's cases with Hypatia in three modes"};
  fs::path cases_path, out_dir, results_path, cache_dir;
  std::size_t start = 0;
  app.add_option("--cases", cases_path, "the case file")->required();
  app.add_option("--out", out_dir, "where result .npy files go")->required();
  app.add_option("--results", results_path, "JSON lines, one per case (appended)")->required();
  app.add_option("--cache-dir", cache_dir, "Hypatia's cache_dir (private to the crosscheck)")->required();
  app.add_option("--start", start, "index of the first case to run (after a crash)");
  CLI11_PARSE(app, argc, argv);

  hp::config().cache_dir = cache_dir.string();
  hp::config().threads = 1;  // the harness runs one driver per core
  fs::create_directories(out_dir);
  const std::vector<Case> cases = read_cases(cases_path);
  std::ofstream results(results_path, std::ios::app);
  for (std::size_t i = start; i < cases.size(); ++i) {
    // One line per case, flushed, so that after a crash the harness knows where to resume.
    results << run_case(cases[i], out_dir).dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
  }
  return 0;
}
