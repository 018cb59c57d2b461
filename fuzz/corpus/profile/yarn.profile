# yarn.profile — yarn classic (1.x) and yarn berry (2+).
#
# Network: yarn's registry mirror, npm's registry, and repo.yarnpkg.com
# (where berry downloads itself and its plugins).
allow registry.yarnpkg.com
allow registry.npmjs.org
allow repo.yarnpkg.com

# Caches persist (created if missing).
mkdir ~/.cache/yarn
rw ~/.cache/yarn
mkdir ~/.yarn/berry
rw ~/.yarn/berry

# Credentials, deliberately NOT exposed: ~/.yarnrc.yml and ~/.npmrc may hold
# npmAuthToken / _authToken.  To publish or use a private registry:
#   --ro ~/.yarnrc.yml --allow YOUR.REGISTRY
keep-env YARN_REGISTRY
keep-env NPM_CONFIG_REGISTRY
