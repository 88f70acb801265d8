/// \file The CPU JIT: C++ source -> Clang 19 -> LLVM IR -> O2 -> object -> ORC.
///
/// Generated code is one translation unit with no #include; this module turns
/// it into callable machine code inside the running process. Compilation is
/// split in two so that the disk cache can store what sits between them:
///
///   compile_to_object(source) -> ObjectCode   (Clang, O2, codegen: ~30 ms warm)
///   load_object(ObjectCode)   -> Module       (ORC link: ~0.1 ms)
///
/// An object links against, in this order: HostSymbols passed explicitly,
/// OpenBLAS's main CBLAS routines (registered by the JIT itself), and the
/// symbols the host process exports (dlsym: libm, libc, any cblas_*). Pass the
/// runtime's own entry points as HostSymbols: that works even when the host
/// executable is not linked with -rdynamic.
///
/// Invariants the code generator may rely on:
///  - no fast-math of any kind: IEEE rounding, NaN and signed-zero semantics
///    are kept (round-to-integer tricks such as x + 0x1.8p52 - 0x1.8p52 are
///    exact); the only freedom taken is FP contraction within one expression
///    (a*b+c -> fma) when CompileOptions::fp_contract is on, as clang does;
///  - C++20, exceptions and math-errno off in generated code, unwind tables
///    on, so an exception thrown by a host function called from generated
///    code propagates to the caller;
///  - dynamic initialisation of globals (static constructors) is rejected:
///    generated code must constant-initialise its globals;
///  - every module is its own JITDylib: equal symbol names in two modules
///    never clash, and destroying the last shared_ptr to a Module frees its
///    code.
///
/// Everything here is thread-safe. With HYPATIA_WITH_CLANG=OFF, available()
/// is false and every compiling/loading function throws hp::Error.
///
/// Internal header: no LLVM or Clang type appears in it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hypatia/error.hpp"

namespace hypatia::jit {

/// How to compile one translation unit. Every field changes the object code,
/// so every field is part of compile_fingerprint().
struct CompileOptions {
  int opt_level = 2;        ///< 0..3, as -O0..-O3 (IR pipeline and codegen)
  bool fp_contract = true;  ///< fuse a*b+c into fma within one expression
  /// "NAME" or "NAME=VALUE", as -D. (`= {}` keeps GCC's -Wextra quiet about
  /// designated initialisers that leave it out.)
  std::vector<std::string> defines = {};
};

/// Wall-clock time of each compilation phase, in milliseconds.
struct CompileTimings {
  double frontend_ms = 0;  ///< Clang: parse, sema, IR generation
  double optimize_ms = 0;  ///< LLVM new pass manager pipeline at opt_level
  double codegen_ms = 0;   ///< instruction selection .. object file emission
  double link_ms = 0;      ///< ORC: add the object, resolve symbols, look them up
  double total_ms() const { return frontend_ms + optimize_ms + codegen_ms + link_ms; }
};

/// A relocatable ELF object for the host target, as the disk cache stores it.
struct ObjectCode {
  std::string bytes;
  CompileTimings timings;  ///< link_ms is 0: the object is not loaded yet
};

/// A host-process function or variable that generated code may reference by name.
struct HostSymbol {
  std::string name;
  void* address = nullptr;
};

/// Linked, callable code. Keeps its JITDylib (code and data) alive; every
/// symbol the object defines was resolved when it was loaded.
class Module {
 public:
  /// The address of a symbol the object defines (its linkage name: the plain
  /// name for extern "C"). Throws hp::Error naming the symbol if it is absent.
  void* lookup(std::string_view symbol) const;

  /// lookup() cast to a function pointer: module.function<void(long, double*)>("f").
  template <class Signature>
  Signature* function(std::string_view symbol) const {
    return reinterpret_cast<Signature*>(lookup(symbol));
  }

  bool contains(std::string_view symbol) const { return symbols_.find(symbol) != symbols_.end(); }
  /// Every symbol the object defines, with its address, sorted by name.
  const std::map<std::string, void*, std::less<>>& symbols() const { return symbols_; }
  /// Compile timings of the object (zero when loaded from bytes) plus link_ms.
  const CompileTimings& timings() const { return timings_; }

  /// Made by load_object(); `resources` releases the code when the last copy goes.
  Module(std::map<std::string, void*, std::less<>> symbols, std::shared_ptr<void> resources,
         CompileTimings timings)
      : symbols_(std::move(symbols)), resources_(std::move(resources)), timings_(timings) {}

 private:
  std::map<std::string, void*, std::less<>> symbols_;
  std::shared_ptr<void> resources_;
  CompileTimings timings_;
};

/// True when this build has the Clang/ORC JIT and it initialised on this host.
bool available();

/// The target objects are compiled for: the host's.
std::string target_triple();      ///< e.g. "x86_64-pc-linux-gnu"
std::string host_cpu();           ///< e.g. "znver4"
std::string host_cpu_features();  ///< sorted "+avx2,+fma,-sse4a,..." as given to LLVM
std::string llvm_version();       ///< e.g. "19.1.7"

/// The sanitizers generated code is instrumented with: the build's
/// HYPATIA_SANITIZE list ("address,undefined"), empty in a normal build.
std::string_view sanitizers();
/// Whether sanitizers() names `name` ("address", "undefined").
bool sanitizer_enabled(std::string_view name);

/// Every input besides the source that decides the object's bytes: LLVM version,
/// target triple, CPU, CPU features, the options and the sanitizers (an
/// instrumented object calls the sanitizer runtimes, which a plain process
/// lacks). Part of the disk-cache key.
std::string compile_fingerprint(const CompileOptions& options = {});

/// Clang frontend -> LLVM IR -> optimisation pipeline -> relocatable object.
/// Throws hp::CompileError, carrying the source and the diagnostics, when Clang
/// rejects the source ("error: use of undeclared identifier 'q'"), when LLVM's
/// back end does (an inline-asm error) or when it needs static constructors;
/// hp::Error for bad options.
ObjectCode compile_to_object(const std::string& source, const CompileOptions& options = {});

/// Links an object into the process. `extra_symbols` take precedence over the
/// process's own symbols. Throws hp::Error when the bytes are not an object for
/// this target or a referenced symbol cannot be resolved (the message names it).
std::shared_ptr<Module> load_object(const ObjectCode& object,
                                    const std::vector<HostSymbol>& extra_symbols = {});

/// compile_to_object() then load_object().
std::shared_ptr<Module> compile(const std::string& source, const CompileOptions& options = {},
                                const std::vector<HostSymbol>& extra_symbols = {});

/// The optimised LLVM IR of a source, as text (what hypatia-dump shows).
std::string emit_llvm_ir(const std::string& source, const CompileOptions& options = {});

/// The host assembly of a source, AT&T syntax (what hypatia-dump shows).
std::string emit_assembly(const std::string& source, const CompileOptions& options = {});

inline std::string compile_fingerprint(const CompileOptions& options) {
  std::string text = "llvm " + llvm_version() + "; " + target_triple() + "; " + host_cpu() + "; " +
                     host_cpu_features() + "; -O" + std::to_string(options.opt_level) +
                     "; fp-contract=" + (options.fp_contract ? "on" : "off");
  // Length-prefixed, so that no two lists of defines give the same text.
  for (const std::string& define : options.defines)
    text += "; -D" + std::to_string(define.size()) + ":" + define;
  if (!sanitizers().empty()) text += "; sanitize=" + std::string(sanitizers());
  return text;
}

inline void* Module::lookup(std::string_view symbol) const {
  auto it = symbols_.find(symbol);
  if (it == symbols_.end())
    throw Error("hypatia JIT: symbol '" + std::string(symbol) +
                "' is not defined by the compiled module");
  return it->second;
}

}  // namespace hypatia::jit
