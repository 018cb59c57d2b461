# yarn.profile — yarn classic (1.x) and yarn berry (2+).
#
# Network: yarn's registry mirror, npm's registry, and repo.yarnpkg.com
# (where berry downloads itself and its plugins), read-only: an install only
# reads (GET, HEAD).  `yarn audit` / `yarn npm audit` and publishing are
# refused (403); for the audit:
#   --allow 'POST https://registry.yarnpkg.com/-/npm/v1/security/'
#   --allow 'POST https://registry.npmjs.org/-/npm/v1/security/'
allow GET,HEAD https://registry.yarnpkg.com/
allow GET,HEAD https://registry.npmjs.org/
allow GET,HEAD https://repo.yarnpkg.com/

# Caches: throw-away overlays.  yarn in the box sees what your own runs
# cached, so it stays fast, but nothing written there in the box persists,
# because yarn uses both caches later without a check that would catch a
# change:
#   ~/.cache/yarn   yarn classic keeps packages unpacked and copies them into
#                   node_modules as they are;
#   ~/.yarn/berry   berry's global cache: archives are checked against
#                   yarn.lock at install, but Plug'n'Play runs packages
#                   straight out of them at every `yarn node` or `yarn run`.
# A cache directory that does not exist is an empty throw-away tmpfs
# instead.
overlay ~/.cache/yarn
overlay ~/.yarn/berry

# Credentials, deliberately NOT exposed: ~/.yarnrc.yml and ~/.npmrc may hold
# npmAuthToken / _authToken.  To publish or use a private registry:
#   --ro ~/.yarnrc.yml --allow YOUR.REGISTRY
keep-env YARN_REGISTRY
keep-env NPM_CONFIG_REGISTRY
