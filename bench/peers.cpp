#include "peers.hpp"

#include <cstdio>
#include <fstream>

#include "process.hpp"

namespace hypatia_bench {

namespace {

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream file(path);
  return nlohmann::json::parse(file);
}

}  // namespace

PeerSetup find_peers(const std::filesystem::path& peer_dir, bool enabled) {
  PeerSetup setup;
  setup.python = peer_dir / ".venv" / "bin" / "python";
  setup.peers_py = peer_dir / "peers.py";
  setup.enabled = enabled;
  if (!enabled) setup.unavailable = "--no-peers";
  else if (!std::filesystem::exists(setup.peers_py)) setup.unavailable = "no " + setup.peers_py.string();
  else if (!std::filesystem::exists(setup.python))
    setup.unavailable = "no " + setup.python.string() + " (run bash bench/peer/setup.sh)";
  return setup;
}

PeerRun run_peers(const PeerSetup& setup, const std::filesystem::path& manifest, int threads, bool quick) {
  PeerRun run;
  if (!setup.unavailable.empty()) {
    run.failure = setup.unavailable;
    return run;
  }
  const std::filesystem::path out = manifest.parent_path() / ("peers_" + std::to_string(threads) + "T.json");
  std::fprintf(stderr, "hypatia-bench: running the peers on %d thread(s)%s\n", threads, quick ? " (quick)" : "");
  const CommandResult result = run_command(shell_quote(setup.python.string()) + " " +
                                           shell_quote(setup.peers_py.string()) + " run " +
                                           shell_quote(manifest.string()) + " --threads " + std::to_string(threads) +
                                           " --out " + shell_quote(out.string()) + " >&2");
  if (result.exit_code != 0 || !std::filesystem::exists(out)) {
    run.failure = "peers.py exited with " + std::to_string(result.exit_code);
    return run;
  }
  const nlohmann::json j = read_json(out);
  for (const auto& [peer, info] : j.at("peers").items()) {
    run.versions[peer] = info.contains("error") ? "unavailable: " + info.at("error").get<std::string>()
                                                : info.at("version").get<std::string>();
  }
  for (const auto& [id, entry] : j.at("cases").items()) {
    for (const auto& [peer, timing] : entry.items()) {
      PeerTiming t;
      if (timing.contains("error")) {
        t.failure = timing.at("error");
      } else {
        t.ms = timing.at("ms");
        t.max_rel_error = timing.at("max_rel_error");
        t.ok = timing.at("ok");
      }
      run.cases[id][peer] = t;
    }
  }
  return run;
}

nlohmann::json run_peer_compiles(const PeerSetup& setup, const std::filesystem::path& scratch, bool quick) {
  if (!setup.unavailable.empty()) return {{"error", setup.unavailable}};
  const std::filesystem::path out = scratch / "peer_compiles.json";
  std::fprintf(stderr, "hypatia-bench: measuring the peers' compile times (each in a fresh process)\n");
  const CommandResult result =
      run_command(shell_quote(setup.python.string()) + " " + shell_quote(setup.peers_py.string()) +
                  " compile --out " + shell_quote(out.string()) + (quick ? " --quick" : "") + " >&2");
  if (result.exit_code != 0 || !std::filesystem::exists(out)) {
    return {{"error", "peers.py compile exited with " + std::to_string(result.exit_code)}};
  }
  return read_json(out);
}

}  // namespace hypatia_bench
