# pnpm.profile — pnpm install.
#
# Network: npm's public registry.
allow registry.npmjs.org

# The content-addressed store and the metadata cache persist (created if
# missing).  pnpm hard-links from the store into node_modules: both must be
# on the same file system for that, else it copies (still correct).
mkdir ~/.local/share/pnpm
rw ~/.local/share/pnpm
mkdir ~/.cache/pnpm
rw ~/.cache/pnpm

# Credentials, deliberately NOT exposed: ~/.npmrc (auth tokens).  To publish:
#   --ro ~/.npmrc --allow YOUR.REGISTRY
keep-env NPM_CONFIG_REGISTRY
