#!/usr/bin/env bash
# Builds the worker into crates/uploadkit-edge/build (index.js + the wasm) with worker-build,
# using the installed wasm-bindgen and npm's wasm-opt and esbuild (worker-build would otherwise
# download them). Installs worker-build, wasm-bindgen-cli and the npm tools when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" != "$bindgen" ]; then
  cargo install --quiet wasm-bindgen-cli --version "$bindgen"
fi
if [ "$(worker-build --version 2>/dev/null)" != "0.8.7" ]; then
  cargo install --quiet worker-build --version 0.8.7 --locked
fi
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
cd crates/uploadkit-edge
# Its own target dir: worker-build's settings would otherwise invalidate the workspace's builds.
WASM_BINDGEN_BIN=$(command -v wasm-bindgen) \
WASM_OPT_BIN="$root/node_modules/.bin/wasm-opt" \
ESBUILD_BIN="$root/node_modules/.bin/esbuild" \
CARGO_TARGET_DIR="$root/target/edge" \
  worker-build --release >&2
ls build >&2
