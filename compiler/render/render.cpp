/// hp::render_graph: to_dot's text laid out and drawn by Graphviz's library
/// (libgvc), the image rendered into memory and written by us, so that every
/// failure becomes an hp::Error naming the file.
#include "hypatia/render.hpp"

#include <graphviz/gvc.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include "hypatia/error.hpp"
#include "hypatia/print.hpp"

namespace hypatia {
namespace {

/// Graphviz keeps global state (its error handler, the last error) and is not
/// thread-safe: every use holds this lock.
std::mutex& graphviz_mutex() {
  static std::mutex mutex;
  return mutex;
}

/// Graphviz's messages of the current render, instead of its stderr output.
std::string& graphviz_messages() {
  static std::string messages;
  return messages;
}

int collect_graphviz_message(char* message) {
  graphviz_messages() += message;
  return 0;
}

/// One context for the process: creating it loads Graphviz's plugins.
GVC_t* graphviz_context() {
  static const std::unique_ptr<GVC_t, int (*)(GVC_t*)> context(gvContext(), gvFreeContext);
  return context.get();
}

/// "png" or "svg" from the path's extension (any case); anything else throws.
std::string image_format(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".png" || ext == ".svg") return ext.substr(1);
  throw Error(fmt::format("render_graph: '{}': unknown picture format '{}' (use .png or .svg)",
                          path.string(), path.extension().string()));
}

/// The image of `dot` in `format`, drawn by Graphviz's dot layout.
std::string draw(const std::string& dot, const std::string& format, const std::filesystem::path& path) {
  std::lock_guard lock(graphviz_mutex());
  graphviz_messages().clear();
  agseterr(AGERR);
  agseterrf(collect_graphviz_message);
  auto fail = [&](const char* step) {
    return Error(fmt::format("render_graph: '{}': Graphviz failed to {}: {}", path.string(), step,
                             graphviz_messages().empty() ? "no message" : graphviz_messages()));
  };
  GVC_t* context = graphviz_context();
  if (!context) throw fail("start");
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> graph(agmemread(dot.c_str()), agclose);
  if (!graph) throw fail("read the graph");
  if (gvLayout(context, graph.get(), "dot") != 0) throw fail("lay out the graph");
  char* data = nullptr;
  unsigned int length = 0;
  const int rendered = gvRenderData(context, graph.get(), format.c_str(), &data, &length);
  gvFreeLayout(context, graph.get());
  std::unique_ptr<char, void (*)(char*)> image(data, gvFreeRenderData);
  if (rendered != 0 || !data || length == 0) throw fail(("draw " + format).c_str());
  return std::string(data, length);
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    throw Error(fmt::format("render_graph: cannot write '{}': {}", path.string(), std::strerror(errno)));
  }
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(fmt::format("render_graph: writing '{}' failed", path.string()));
}

}  // namespace

void render_graph(const Var& output, const std::filesystem::path& path, const DotOptions& options) {
  render_graph(std::vector<Var>{output}, path, options);
}

void render_graph(const std::vector<Var>& outputs, const std::filesystem::path& path, const DotOptions& options) {
  const std::string format = image_format(path);
  write_file(path, draw(to_dot(outputs, options), format, path));
}

void render_graph(const std::vector<Var>& outputs, const std::vector<std::pair<Shared, Var>>& updates,
                  const std::filesystem::path& path, const DotOptions& options) {
  const std::string format = image_format(path);
  write_file(path, draw(to_dot(outputs, updates, options), format, path));
}

void render_graph(const Function& f, const std::filesystem::path& path, const DotOptions& options) {
  const std::string format = image_format(path);
  write_file(path, draw(to_dot(f, options), format, path));
}

}  // namespace hypatia
