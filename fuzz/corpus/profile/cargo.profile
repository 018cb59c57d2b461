# cargo.profile — cargo build / fetch / install.
#
# Network: the crates.io sparse index, the API, and the crate downloads.
# Git dependencies (github.com, ...) need their own --allow.
allow index.crates.io
allow crates.io
allow static.crates.io

# The toolchain (rustup's proxies live in ~/.cargo/bin and run toolchains
# from ~/.rustup) is needed read-only; the registry and git caches persist.
ro ~/.rustup
ro ~/.cargo/bin
mkdir ~/.cargo/registry
rw ~/.cargo/registry
mkdir ~/.cargo/git
rw ~/.cargo/git
ro ~/.cargo/config.toml

# Credentials, deliberately NOT exposed: ~/.cargo/credentials.toml holds the
# crates.io token (cargo publish).  To publish:
#   --ro ~/.cargo/credentials.toml
# CARGO_REGISTRY_TOKEN is dropped by netbox's defaults (*_TOKEN).
