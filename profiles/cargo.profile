# cargo.profile — cargo build / fetch.
#
# Network: the crates.io sparse index, the API, and the crate downloads,
# read-only: a build or fetch only reads (GET, HEAD).  `cargo publish`
# (PUT /api/v1/crates/new), yank and owner changes are refused (403).  Git
# dependencies (github.com, ...) need their own --allow.
allow GET,HEAD https://index.crates.io/
allow GET,HEAD https://crates.io/
allow GET,HEAD https://static.crates.io/

# The toolchain (rustup's proxies live in ~/.cargo/bin and run toolchains
# from ~/.rustup) is needed read-only; `cargo install` into ~/.cargo/bin
# therefore fails in the box.
ro ~/.rustup
ro ~/.cargo/bin
ro ~/.cargo/config.toml

# The registry and git caches are throw-away overlays: cargo in the box sees
# what your own builds fetched, but nothing written there survives the run.
# cargo trusts both when it uses them again: a .crate already in
# registry/cache is not checked against its checksum again, a crate unpacked
# in registry/src (marked by its .cargo-ok) is compiled as it is, build.rs
# included, and so are the checkouts in git/checkouts; the index cache is
# what resolution believes.  A directory that does not exist is an empty
# throw-away tmpfs instead.
overlay ~/.cargo/registry
overlay ~/.cargo/git

# Credentials, deliberately NOT exposed: ~/.cargo/credentials.toml holds the
# crates.io token (cargo publish).  To publish:
#   --ro ~/.cargo/credentials.toml --allow 'PUT https://crates.io/api/v1/crates/new'
# CARGO_REGISTRY_TOKEN is dropped by netbox's defaults (*_TOKEN).
