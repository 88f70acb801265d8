// The CPU JIT with in-process Clang 19 and LLVM ORC. The only translation unit
// that includes LLVM or Clang headers; see jit_cpu.hpp for the contract and
// /work/shared/JIT-NOTES.md for the measurements behind the choices here.

#include "runtime/cpu/jit.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <utility>

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/CodeGen/CodeGenAction.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <clang/Lex/PreprocessorOptions.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectFileInterface.h>
#include <llvm/IR/DiagnosticHandler.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/Transforms/Instrumentation/AddressSanitizer.h>

#include <cblas.h>

namespace hypatia::jit {
namespace {

// The file name Clang's diagnostics and the IR's source_filename show.
constexpr const char* kSourceName = "hypatia_generated.cpp";

std::string error_text(llvm::Error error) { return llvm::toString(std::move(error)); }

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - since;
  return elapsed.count();
}

// ---------------------------------------------------------------------------
// The host target, initialised once per process.

struct HostTarget {
  std::string triple;
  std::string cpu;
  std::vector<std::string> features;  // sorted "+avx2", "-sse4a", ...
  std::string features_joined;        // the same, comma-separated
  const llvm::Target* target = nullptr;
  std::string init_error;  // non-empty when LLVM has no backend for this host
};

HostTarget detect_host_target() {
  HostTarget host;
  if (llvm::InitializeNativeTarget() || llvm::InitializeNativeTargetAsmPrinter() ||
      llvm::InitializeNativeTargetAsmParser()) {
    host.init_error = "LLVM has no native target for this host";
    return host;
  }
  host.triple = llvm::sys::getProcessTriple();
  host.cpu = llvm::sys::getHostCPUName().str();
  for (const auto& feature : llvm::sys::getHostCPUFeatures()) {
    std::string flag = feature.second ? "+" : "-";
    host.features.push_back(flag.append(feature.first()));
  }
  std::sort(host.features.begin(), host.features.end(),
            [](const std::string& a, const std::string& b) { return a.substr(1) < b.substr(1); });
  for (const std::string& feature : host.features)
    host.features_joined += (host.features_joined.empty() ? "" : ",") + feature;
  std::string error;
  host.target = llvm::TargetRegistry::lookupTarget(host.triple, error);
  if (!host.target) host.init_error = "no LLVM target for " + host.triple + ": " + error;
  return host;
}

const HostTarget& host_target() {
  static const HostTarget host = detect_host_target();
  return host;
}

const HostTarget& usable_host_target() {
  const HostTarget& host = host_target();
  if (!host.init_error.empty()) throw Error("hypatia JIT: " + host.init_error);
  return host;
}

void check_options(const CompileOptions& options) {
  if (options.opt_level < 0 || options.opt_level > 3)
    throw Error("hypatia JIT: opt_level must be 0..3, got " + std::to_string(options.opt_level));
  for (const std::string& define : options.defines)
    if (define.empty() || define.front() == '=')
      throw Error("hypatia JIT: bad define '" + define + "' (expected NAME or NAME=VALUE)");
}

llvm::CodeGenOptLevel codegen_level(int opt_level) {
  switch (opt_level) {
    case 0: return llvm::CodeGenOptLevel::None;
    case 1: return llvm::CodeGenOptLevel::Less;
    case 3: return llvm::CodeGenOptLevel::Aggressive;
    default: return llvm::CodeGenOptLevel::Default;
  }
}

// One per compilation: a TargetMachine is not safe to share between threads.
// PIC, because ORC places the code anywhere and reaches the process's symbols
// through its GOT/PLT stubs.
std::unique_ptr<llvm::TargetMachine> make_target_machine(int opt_level) {
  const HostTarget& host = usable_host_target();
  llvm::TargetOptions target_options;  // IEEE semantics: no unsafe/fast-math flags
  std::unique_ptr<llvm::TargetMachine> machine(host.target->createTargetMachine(
      host.triple, host.cpu, host.features_joined, target_options, llvm::Reloc::PIC_,
      std::nullopt, codegen_level(opt_level)));
  if (!machine) throw Error("hypatia JIT: cannot create a target machine for " + host.triple);
  return machine;
}

// ---------------------------------------------------------------------------
// Sanitizers. When the library is built with HYPATIA_SANITIZE (CMake passes
// the list as HYPATIA_JIT_SANITIZE), generated code is instrumented too, so
// that an out-of-bounds access in a generated loop is reported as one in the
// library would be. The instrumentation calls the sanitizer runtimes the host
// process already carries (__asan_report_*, __ubsan_handle_*_abort), which ORC
// resolves from the process like any other host symbol.

#ifdef HYPATIA_JIT_SANITIZE
constexpr std::string_view kSanitizers = HYPATIA_JIT_SANITIZE;
#else
constexpr std::string_view kSanitizers = "";
#endif


// The UndefinedBehaviorSanitizer checks generated code gets: "undefined"
// without "function" and "vptr", spelled out (cc1 takes no group names), whose handlers differ between Clang 19 and
// the GCC runtime a GCC-built host carries, and which check what generated
// code never does (indirect calls, polymorphic classes).
constexpr const char* kUndefinedChecks =
    "alignment,array-bounds,bool,builtin,enum,float-cast-overflow,integer-divide-by-zero,"
    "nonnull-attribute,null,object-size,pointer-overflow,return,returns-nonnull-attribute,"
    "shift-base,shift-exponent,signed-integer-overflow,unreachable,vla-bound";

// ASan's module instrumentation registers globals from a static constructor,
// which ORC would not run for an object (see reject_static_constructors), and
// would leave registered after the module's memory is freed. Generated code
// is instrumented without it: stack and heap accesses are checked, accesses
// to its own constant globals are not. The pass reads this from its
// command-line option only; set it once for the process.
void disable_asan_globals() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& options = llvm::cl::getRegisteredOptions();
    if (auto it = options.find("asan-globals"); it != options.end())
      it->second->addOccurrence(0, "asan-globals", "false");
  });
}

// ---------------------------------------------------------------------------
// Frontend: source text -> unoptimised (but O-level annotated) LLVM IR.

// cc1 arguments, as the clang driver would pass them for
//   clang++ -std=c++20 -O<n> -march=native -fPIC -ffp-contract=<on|off> -c
// except that Clang's own LLVM pipeline is disabled: optimize() runs it with
// the TargetMachine, so the vectoriser has the target's cost model.
std::vector<std::string> cc1_arguments(const CompileOptions& options, bool instrument) {
  const HostTarget& host = usable_host_target();
  std::vector<std::string> args = {
      "-triple", host.triple, "-target-cpu", host.cpu,
      "-std=c++20", "-x", "c++", "-O" + std::to_string(options.opt_level),
      "-disable-llvm-passes", "-mrelocation-model", "pic", "-pic-level", "2",
      "-ffp-contract=" + std::string(options.fp_contract ? "on" : "off"),
      // Lets an exception thrown by a host function unwind through generated code.
      "-funwind-tables=2", "-emit-llvm-only"};
  for (const std::string& feature : host.features) {
    args.push_back("-target-feature");
    args.push_back(feature);
  }
  for (const std::string& define : options.defines) {
    args.push_back("-D");
    args.push_back(define);
  }
  // Marks functions sanitize_address (optimize() adds the pass that acts on
  // it); the UBSan checks are emitted by the frontend itself, and at cc1 level
  // none recovers: a check that fails aborts, as the host's do.
  if (instrument && sanitizer_enabled("address")) args.push_back("-fsanitize=address");
  if (instrument && sanitizer_enabled("undefined"))
    args.push_back(std::string("-fsanitize=") + kUndefinedChecks);
  args.push_back(kSourceName);
  return args;
}

std::unique_ptr<llvm::Module> run_frontend(const std::string& source, const CompileOptions& options,
                                           bool instrument, llvm::LLVMContext& context) {
  std::string diagnostics;
  llvm::raw_string_ostream diagnostics_stream(diagnostics);
  auto diagnostic_options = llvm::makeIntrusiveRefCnt<clang::DiagnosticOptions>();
  clang::TextDiagnosticPrinter printer(diagnostics_stream, diagnostic_options.get());
  auto fail = [&](const std::string& what) -> CompileError {
    diagnostics_stream.flush();
    return CompileError("hypatia JIT: " + what, source, diagnostics);
  };

  std::vector<std::string> args = cc1_arguments(options, instrument);
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());

  clang::DiagnosticsEngine argument_diagnostics(
      llvm::makeIntrusiveRefCnt<clang::DiagnosticIDs>(), diagnostic_options, &printer,
      /*ShouldOwnClient=*/false);
  auto invocation = std::make_shared<clang::CompilerInvocation>();
  if (!clang::CompilerInvocation::CreateFromArgs(*invocation, argv, argument_diagnostics))
    throw fail("invalid compiler options");
  invocation->getPreprocessorOpts().addRemappedFile(
      kSourceName, llvm::MemoryBuffer::getMemBufferCopy(source, kSourceName).release());

  clang::CompilerInstance compiler;
  compiler.setInvocation(std::move(invocation));
  compiler.createDiagnostics(&printer, /*ShouldOwnClient=*/false);
  compiler.setVerboseOutputStream(diagnostics_stream);  // "1 error generated." goes here
  clang::EmitLLVMOnlyAction action(&context);
  if (!compiler.ExecuteAction(action)) throw fail("generated C++ failed to compile");
  std::unique_ptr<llvm::Module> module = action.takeModule();
  if (!module) throw fail("Clang produced no module");
  return module;
}

// ---------------------------------------------------------------------------
// Middle and back end.

// LLVM's default reaction to an error after the frontend (an inline-asm
// mnemonic the assembler rejects, a call to an error-attributed function) is
// exit(1); collect the errors instead, so they become a CompileError.
class BackendDiagnostics final : public llvm::DiagnosticHandler {
 public:
  bool handleDiagnostics(const llvm::DiagnosticInfo& info) override {
    if (info.getSeverity() != llvm::DS_Error) return true;  // drop warnings and remarks
    llvm::raw_string_ostream stream(errors_);
    llvm::DiagnosticPrinterRawOStream printer(stream);
    stream << "error: ";
    info.print(printer);
    stream << "\n";
    return true;
  }
  const std::string& errors() const { return errors_; }

 private:
  std::string errors_;
};

void throw_backend_errors(const llvm::LLVMContext& context, const std::string& source) {
  const auto* handler = static_cast<const BackendDiagnostics*>(context.getDiagHandlerPtr());
  if (!handler->errors().empty())
    throw CompileError("hypatia JIT: LLVM could not generate code", source, handler->errors());
}

void optimize(llvm::Module& module, llvm::TargetMachine& machine, int opt_level, bool instrument) {
  module.setDataLayout(machine.createDataLayout());
  module.setTargetTriple(machine.getTargetTriple().str());

  llvm::PipelineTuningOptions tuning;  // as clang sets them at this level
  tuning.LoopVectorization = opt_level >= 2;
  tuning.SLPVectorization = opt_level >= 2;
  tuning.LoopUnrolling = opt_level >= 1;
  tuning.LoopInterleaving = opt_level >= 1;

  // Declared in this order so that they are destroyed in the reverse one.
  llvm::LoopAnalysisManager loop_analyses;
  llvm::FunctionAnalysisManager function_analyses;
  llvm::CGSCCAnalysisManager cgscc_analyses;
  llvm::ModuleAnalysisManager module_analyses;
  // The standard instrumentations make the pipeline skip functions marked
  // optnone (generated code marks large glue so); without them the new pass
  // manager optimises those too.
  llvm::PassInstrumentationCallbacks callbacks;
  llvm::StandardInstrumentations instrumentations(module.getContext(), /*DebugLogging=*/false);
  instrumentations.registerCallbacks(callbacks, &module_analyses);
  llvm::PassBuilder builder(&machine, tuning, std::nullopt, &callbacks);
  if (instrument && sanitizer_enabled("address")) {
    // Where Clang's own pipeline puts it; no module constructor (see disable_asan_globals).
    disable_asan_globals();
    builder.registerOptimizerLastEPCallback([](llvm::ModulePassManager& pm, llvm::OptimizationLevel) {
      llvm::AddressSanitizerOptions asan;
      asan.InsertVersionCheck = false;  // the check is made by the constructor we do not emit
      pm.addPass(llvm::AddressSanitizerPass(asan, /*UseGlobalGC=*/false, /*UseOdrIndicator=*/false,
                                            llvm::AsanDtorKind::None, llvm::AsanCtorKind::None));
    });
  }
  builder.registerModuleAnalyses(module_analyses);
  builder.registerCGSCCAnalyses(cgscc_analyses);
  builder.registerFunctionAnalyses(function_analyses);
  builder.registerLoopAnalyses(loop_analyses);
  builder.crossRegisterProxies(loop_analyses, function_analyses, cgscc_analyses, module_analyses);

  static const llvm::OptimizationLevel levels[] = {
      llvm::OptimizationLevel::O0, llvm::OptimizationLevel::O1, llvm::OptimizationLevel::O2,
      llvm::OptimizationLevel::O3};
  llvm::ModulePassManager passes = opt_level == 0
                                       ? builder.buildO0DefaultPipeline(levels[0])
                                       : builder.buildPerModuleDefaultPipeline(levels[opt_level]);
  passes.run(module, module_analyses);
}

// ORC runs no static constructors for an object added as bytes; refuse them
// rather than hand back code whose globals were never initialised.
void reject_static_constructors(const llvm::Module& module, const std::string& source) {
  for (const char* name : {"llvm.global_ctors", "llvm.global_dtors"})
    if (module.getNamedGlobal(name))
      throw CompileError("hypatia JIT: generated code has dynamic initialisation of globals",
                         source,
                         "error: static constructors/destructors are not supported; "
                         "make every global constant-initialised (constexpr)\n");
}

std::string emit_machine_code(llvm::Module& module, llvm::TargetMachine& machine,
                              llvm::CodeGenFileType type) {
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, stream, nullptr, type))
    throw Error("hypatia JIT: the target cannot emit this file type");
  passes.run(module);
  return std::string(buffer.data(), buffer.size());
}

// Source -> optimised module, with the machine that will generate its code.
struct OptimizedModule {
  std::unique_ptr<llvm::LLVMContext> context;  // outlives module (declared first)
  std::unique_ptr<llvm::Module> module;
  std::unique_ptr<llvm::TargetMachine> machine;
  CompileTimings timings;
};

// `instrument`: with the build's sanitizers (code that runs); without them
// for the IR and assembly shown to people (what a normal build generates).
OptimizedModule frontend_and_optimize(const std::string& source, const CompileOptions& options,
                                      bool instrument) {
  check_options(options);
  OptimizedModule result;
  result.machine = make_target_machine(options.opt_level);
  result.context = std::make_unique<llvm::LLVMContext>();

  auto start = std::chrono::steady_clock::now();
  result.module = run_frontend(source, options, instrument, *result.context);
  result.timings.frontend_ms = elapsed_ms(start);
  // After the frontend: Clang installs its own handler while it runs.
  result.context->setDiagnosticHandler(std::make_unique<BackendDiagnostics>());

  start = std::chrono::steady_clock::now();
  optimize(*result.module, *result.machine, options.opt_level, instrument);
  result.timings.optimize_ms = elapsed_ms(start);

  throw_backend_errors(*result.context, source);
  reject_static_constructors(*result.module, source);
  return result;
}

// ---------------------------------------------------------------------------
// Symbols every module links against before the process's own.

// The CBLAS routines generated code calls for dot, gemv and gemm. Naming them
// here keeps libopenblas in the program under --as-needed (nothing else need
// reference it: generated code finds it by name) and lets them resolve
// without dlsym; any other cblas_* still resolves from the process.
#define HYPATIA_CBLAS(name) HostSymbol{#name, reinterpret_cast<void*>(&name)}
const std::vector<HostSymbol>& blas_symbols() {
  static const std::vector<HostSymbol> symbols = {
      HYPATIA_CBLAS(cblas_sdot),  HYPATIA_CBLAS(cblas_ddot),  HYPATIA_CBLAS(cblas_saxpy),
      HYPATIA_CBLAS(cblas_daxpy), HYPATIA_CBLAS(cblas_sscal), HYPATIA_CBLAS(cblas_dscal),
      HYPATIA_CBLAS(cblas_scopy), HYPATIA_CBLAS(cblas_dcopy), HYPATIA_CBLAS(cblas_snrm2),
      HYPATIA_CBLAS(cblas_dnrm2), HYPATIA_CBLAS(cblas_sasum), HYPATIA_CBLAS(cblas_dasum),
      HYPATIA_CBLAS(cblas_sgemv), HYPATIA_CBLAS(cblas_dgemv), HYPATIA_CBLAS(cblas_sger),
      HYPATIA_CBLAS(cblas_dger),  HYPATIA_CBLAS(cblas_sgemm), HYPATIA_CBLAS(cblas_dgemm),
  };
  return symbols;
}
#undef HYPATIA_CBLAS

// ---------------------------------------------------------------------------
// The process-wide ORC JIT. Created on first use and never destroyed, so a
// Module released during static destruction still finds it.

struct ProcessJit {
  std::mutex mutex;  // guards every use of `jit` and `session_errors`
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::string session_errors;  // what ORC reported during the current load
  std::uint64_t next_module_id = 0;
};

ProcessJit& process_jit() {
  static ProcessJit* const instance = [] {
    usable_host_target();
    auto jit = llvm::orc::LLJITBuilder().create();
    if (!jit) throw Error("hypatia JIT: cannot create the ORC JIT: " + error_text(jit.takeError()));
    auto* process = new ProcessJit;
    process->jit = std::move(*jit);
    // ORC reports link failures (e.g. "Symbols not found: [ f ]") here and
    // returns a vaguer error from lookup; keep the report for the message.
    process->jit->getExecutionSession().setErrorReporter([process](llvm::Error error) {
      process->session_errors += error_text(std::move(error)) + "\n";
    });
    return process;
  }();
  return *instance;
}

// The absolute symbols a module links against before the process: the BLAS
// table, then the caller's (which win over it).
llvm::orc::SymbolMap host_symbol_map(llvm::orc::LLJIT& jit, const std::vector<HostSymbol>& extra) {
  llvm::orc::SymbolMap map;
  auto add = [&](const HostSymbol& symbol) {
    if (!symbol.address)
      throw Error("hypatia JIT: host symbol '" + symbol.name + "' has a null address");
    map[jit.mangleAndIntern(symbol.name)] = {llvm::orc::ExecutorAddr::fromPtr(symbol.address),
                                              llvm::JITSymbolFlags::Exported};  // code or data
  };
  for (const HostSymbol& symbol : blas_symbols()) add(symbol);
  for (const HostSymbol& symbol : extra) add(symbol);
  return map;
}

// Links the object added to `dylib` now, so that an unresolved reference fails
// at load time rather than at some later lookup, and so that Module::lookup is
// a plain map search.
llvm::Expected<std::map<std::string, void*, std::less<>>> link_all_symbols(
    llvm::orc::ExecutionSession& session, llvm::orc::JITDylib& dylib,
    const llvm::orc::MaterializationUnit::Interface& object_interface) {
  llvm::orc::SymbolLookupSet wanted;
  for (const auto& [symbol, flags] : object_interface.SymbolFlags)
    if (!flags.hasMaterializationSideEffectsOnly()) wanted.add(symbol);  // skips init symbols
  auto linked = session.lookup(
      llvm::orc::makeJITDylibSearchOrder(&dylib, llvm::orc::JITDylibLookupFlags::MatchAllSymbols),
      std::move(wanted));
  if (!linked) return linked.takeError();
  std::map<std::string, void*, std::less<>> symbols;
  for (const auto& [symbol, definition] : *linked)
    symbols.emplace((*symbol).str(), definition.getAddress().toPtr<void*>());
  return symbols;
}

// Removes a module's JITDylib (its code and data) from the session.
void release_dylib(llvm::orc::JITDylib* dylib) {
  ProcessJit& process = process_jit();
  std::lock_guard lock(process.mutex);
  if (auto error = process.jit->getExecutionSession().removeJITDylib(*dylib))
    llvm::consumeError(std::move(error));  // nothing sensible to do in a destructor
}

struct LinkedObject {
  llvm::orc::JITDylib* dylib;
  std::map<std::string, void*, std::less<>> symbols;
};

// Adds the object to a new JITDylib holding the host symbols, and links it.
LinkedObject link_object(const ObjectCode& object, const std::vector<HostSymbol>& extra_symbols) {
  ProcessJit& process = process_jit();
  std::lock_guard lock(process.mutex);
  llvm::orc::LLJIT& jit = *process.jit;
  llvm::orc::ExecutionSession& session = jit.getExecutionSession();
  process.session_errors.clear();

  auto interface = llvm::orc::getObjectFileInterface(
      session, llvm::MemoryBufferRef(object.bytes, "hypatia_object"));
  if (!interface)
    throw Error("hypatia JIT: not a loadable object file: " + error_text(interface.takeError()));
  llvm::orc::SymbolMap host_symbols = host_symbol_map(jit, extra_symbols);

  auto dylib = jit.createJITDylib("hypatia_module_" + std::to_string(process.next_module_id++));
  if (!dylib) throw Error("hypatia JIT: " + error_text(dylib.takeError()));
  auto fail = [&](const std::string& what, llvm::Error error) -> Error {
    std::string message = "hypatia JIT: " + what + ": " + error_text(std::move(error));
    if (!process.session_errors.empty()) message += "\n" + process.session_errors;
    llvm::consumeError(session.removeJITDylib(*dylib));
    return Error(message);
  };

  if (auto error = dylib->define(llvm::orc::absoluteSymbols(std::move(host_symbols))))
    throw fail("cannot define host symbols", std::move(error));
  if (auto error = jit.addObjectFile(*dylib, llvm::MemoryBuffer::getMemBufferCopy(object.bytes)))
    throw fail("cannot add the object", std::move(error));
  auto symbols = link_all_symbols(session, *dylib, *interface);
  if (!symbols) throw fail("cannot link the object", symbols.takeError());
  return {&*dylib, std::move(*symbols)};
}

}  // namespace

std::string_view sanitizers() { return kSanitizers; }

bool sanitizer_enabled(std::string_view name) {
  for (std::size_t start = 0; start <= kSanitizers.size();) {
    std::size_t end = kSanitizers.find(',', start);
    if (end == std::string_view::npos) end = kSanitizers.size();
    if (kSanitizers.substr(start, end - start) == name) return true;
    start = end + 1;
  }
  return false;
}

// ---------------------------------------------------------------------------
// The interface.

bool available() {
  try {
    process_jit();
    return true;
  } catch (const Error&) {
    return false;
  }
}

std::string target_triple() { return host_target().triple; }
std::string host_cpu() { return host_target().cpu; }
std::string host_cpu_features() { return host_target().features_joined; }
std::string llvm_version() { return LLVM_VERSION_STRING; }

ObjectCode compile_to_object(const std::string& source, const CompileOptions& options) {
  OptimizedModule optimized = frontend_and_optimize(source, options, /*instrument=*/true);
  ObjectCode object;
  object.timings = optimized.timings;
  auto start = std::chrono::steady_clock::now();
  object.bytes = emit_machine_code(*optimized.module, *optimized.machine,
                                   llvm::CodeGenFileType::ObjectFile);
  object.timings.codegen_ms = elapsed_ms(start);
  throw_backend_errors(*optimized.context, source);
  return object;
}

std::shared_ptr<Module> load_object(const ObjectCode& object,
                                    const std::vector<HostSymbol>& extra_symbols) {
  auto start = std::chrono::steady_clock::now();
  LinkedObject linked = link_object(object, extra_symbols);
  // Made without the JIT's lock held: the deleter takes it.
  std::shared_ptr<void> resources(linked.dylib, [](void* handle) {
    release_dylib(static_cast<llvm::orc::JITDylib*>(handle));
  });
  CompileTimings timings = object.timings;
  timings.link_ms = elapsed_ms(start);
  return std::make_shared<Module>(std::move(linked.symbols), std::move(resources), timings);
}

std::shared_ptr<Module> compile(const std::string& source, const CompileOptions& options,
                                const std::vector<HostSymbol>& extra_symbols) {
  return load_object(compile_to_object(source, options), extra_symbols);
}

std::string emit_llvm_ir(const std::string& source, const CompileOptions& options) {
  OptimizedModule optimized = frontend_and_optimize(source, options, /*instrument=*/false);
  std::string text;
  llvm::raw_string_ostream stream(text);
  optimized.module->print(stream, nullptr);
  stream.flush();
  return text;
}

std::string emit_assembly(const std::string& source, const CompileOptions& options) {
  OptimizedModule optimized = frontend_and_optimize(source, options, /*instrument=*/false);
  optimized.machine->Options.MCOptions.AsmVerbose = true;  // loop and block comments
  std::string assembly = emit_machine_code(*optimized.module, *optimized.machine,
                                           llvm::CodeGenFileType::AssemblyFile);
  throw_backend_errors(*optimized.context, source);
  return assembly;
}

}  // namespace hypatia::jit
