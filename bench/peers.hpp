/// \file The Python peers (numpy, PyTensor, JAX): hypatia-bench writes each
/// workload's inputs and its own outputs as .npy plus a manifest, then runs
/// bench/peer/peers.py on them as a subprocess and reads its JSON.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hypatia_bench {

inline const std::vector<std::string> kPeers = {"numpy", "pytensor", "jax"};

/// One peer on one workload.
struct PeerTiming {
  double ms = -1;              ///< best time; < 0 when it did not run
  double max_rel_error = -1;   ///< max |peer - hypatia| / max |hypatia|
  bool ok = false;             ///< within tolerance of hypatia's output
  std::string failure;         ///< why it did not run
};

/// Where the Python peers live, and whether to run them.
struct PeerSetup {
  std::filesystem::path python;    ///< bench/peer/.venv/bin/python
  std::filesystem::path peers_py;  ///< bench/peer/peers.py
  bool enabled = true;
  std::string unavailable;  ///< why peers cannot run ("" when they can)
};

/// The venv's python and peers.py under `peer_dir`; unavailable when missing.
PeerSetup find_peers(const std::filesystem::path& peer_dir, bool enabled);

/// Results of one `peers.py run`: per case id, per peer.
struct PeerRun {
  std::map<std::string, std::string> versions;  ///< per peer: version, or "unavailable: why"
  std::map<std::string, std::map<std::string, PeerTiming>> cases;
  std::string failure;  ///< the whole run failed
};

/// Runs the cases of `manifest` that use `threads` threads.
PeerRun run_peers(const PeerSetup& setup, const std::filesystem::path& manifest, int threads, bool quick);

/// `peers.py compile`: per peer, per graph, {compile_ms, process_ms} or {error}.
nlohmann::json run_peer_compiles(const PeerSetup& setup, const std::filesystem::path& scratch, bool quick);

}  // namespace hypatia_bench
