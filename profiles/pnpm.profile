# pnpm.profile — pnpm install.
#
# Network: npm's public registry, read-only (an install only reads: GET,
# HEAD).  `pnpm audit` and `pnpm publish` are refused (403); for them:
#   --allow 'POST https://registry.npmjs.org/-/npm/v1/security/'
#   --profile npm-publish (which allows the PUT of a publish)
allow GET,HEAD https://registry.npmjs.org/

# Caches: throw-away overlays.  pnpm in the box sees what your own runs
# stored, but nothing written there in the box persists:
#   ~/.local/share/pnpm   the content-addressed store (and global installs).
#                         pnpm hard-links store files into the node_modules
#                         of every project, so a changed store file is a
#                         changed file in all of them at once, and its docs
#                         count the store, with the index of hashes kept
#                         inside it, as part of pnpm's trust domain;
#   ~/.cache/pnpm         registry metadata, used again without a check.
# In the box the store is on another mount than the project, so pnpm copies
# files instead of hard-linking them (slower, same result).  A directory that
# does not exist is an empty throw-away tmpfs instead.
overlay ~/.local/share/pnpm
overlay ~/.cache/pnpm

# Credentials, deliberately NOT exposed: ~/.npmrc (auth tokens).  To publish:
#   --ro ~/.npmrc --allow YOUR.REGISTRY
keep-env NPM_CONFIG_REGISTRY
