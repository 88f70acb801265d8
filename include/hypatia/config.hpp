/// \file hp::config(): process-wide settings, as theano.config.
///
/// Defaults come from ~/.hypatiarc (or the file named by $HYPATIARC), an
/// ini-like file as .theanorc, then from $HYPATIA_FLAGS
/// ("floatX=float32,device=cpu"), which wins. Fields can be set directly or
/// by name through set(), which validates.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hypatia/dtype.hpp"

namespace hypatia {

enum class Mode { FastRun, FastCompile, Debug };

std::string_view mode_name(Mode mode);

struct Config {
  /// Default dtype of symbolic variables and of float literals with integer tensors.
  DType floatX = DType::Float64;
  /// "cpu" or "cuda".
  std::string device = "cpu";
  /// Where compiled code is cached; default $XDG_CACHE_HOME/hypatia or ~/.cache/hypatia.
  std::string cache_dir;
  /// Default mode of hp::compile.
  Mode mode = Mode::FastRun;
  /// Threads for large loops; default the number of cores.
  int threads = 1;
  /// false = never read or write the disk cache ("cache=off").
  bool cache = true;
  /// Size cap of the disk cache in bytes; least-recently-used entries are
  /// evicted past it. Text form: bytes with an optional K, M or G suffix
  /// (powers of 1024): "cache_max_size=512M".
  std::uint64_t cache_max_size = std::uint64_t{1} << 30;
  /// When not empty, every compile also writes its graph, source, LLVM IR and
  /// assembly into this directory, named after the function.
  std::string dump_dir;
  /// Rewrite passes to run besides the mode's own, by name, ':'-separated
  /// ("optimizer_including=fuse_elemwise"), as Theano's optimizer_including.
  /// hp::compile rejects an unknown name, listing the known ones.
  std::string optimizer_including;
  /// Rewrite passes the mode would run but must not ("optimizer_excluding=merge:stabilize").
  std::string optimizer_excluding;
  /// Theano's config.profile ("profile=True"): every hp::compile profiles its
  /// function as CompileOptions::profile = true does, and at exit the process
  /// prints hp::print_profile's summary of them to stderr, once.
  bool profile = false;

  /// Sets a flag by name from text; unknown name or bad value -> hp::Error naming it.
  void set(std::string_view name, std::string_view value);
  /// Throws hp::Error naming the first field set directly to a value set()
  /// would refuse (`device = "tpu"`, `threads = 0`); hp::compile calls it.
  void check() const;
  /// A flag's value as text (the form set() accepts); unknown name -> hp::Error.
  std::string get(std::string_view name) const;
  /// Every flag name, in a fixed order.
  static std::vector<std::string> names();
  /// Every flag in the form $HYPATIA_FLAGS accepts, in names() order:
  /// "floatX=float64,device=cpu,cache_dir=...,mode=FastRun,threads=8,cache=on,
  /// cache_max_size=1G,dump_dir=,optimizer_including=,optimizer_excluding=,profile=False".
  std::string str() const;

  bool operator==(const Config&) const = default;

  /// Defaults, then the rc file text, then the flags text (both may be empty).
  /// Throws hp::Error naming the bad flag, its source, and (for the rc file) the line.
  static Config from_sources(std::string_view rc_text, std::string_view flags_text);
  /// Defaults, then $HYPATIARC or ~/.hypatiarc if present, then $HYPATIA_FLAGS.
  static Config from_environment();
};

/// The process-wide configuration, read from the environment on first use.
Config& config();

}  // namespace hypatia
