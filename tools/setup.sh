#!/usr/bin/env bash
# Installs every Debian package Hypatia needs to build, test and run.
# Idempotent: when everything is present it changes nothing and needs no network.
set -euo pipefail

packages=(
  build-essential cmake
  llvm-19-dev libclang-19-dev libclang-cpp19-dev   # in-process Clang + ORC JIT
  libboost-graph-dev                               # dependency graph, ordering
  doctest-dev                                      # tests
  libopenblas-dev                                  # CBLAS for dot/gemm
  libxxhash-dev                                    # graph hashing
  nlohmann-json3-dev                               # cache metadata
  libfmt-dev                                       # message formatting
  libcli11-dev                                     # hypatia-dump's command line
  libcairo2-dev                                    # the MLP example's PNG plots
  libgraphviz-dev                                  # hp::render_graph (libgvc)
  pkgconf                                          # pkg-config: Cairo, Graphviz, hypatia.pc
  zlib1g-dev                                       # hp::load_npz: np.savez_compressed's members
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
