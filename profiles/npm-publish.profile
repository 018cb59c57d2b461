# npm-publish.profile — `netbox --profile npm-publish npm publish`.
#
# npm's profile (the registry read-only, the audit, throw-away caches) and
# what a publish adds: the PUT of the package document, tarball inside, to
# the package's path on the registry — /NAME, or /@SCOPE%2fNAME for a scoped
# package (libnpmpublish: npmFetch(spec.escapedName, { method: 'PUT' })).
# npm reads the package's document first to compare versions (GET), and
# with two-factor authorisation in the browser it polls the registry's
# doneUrl (GET): both are npm's rules.  '*' is one path segment, so only a
# package's own path is allowed: not /-/user/... (npm login, adduser),
# /NAME/-rev/... (npm unpublish), /-/package/NAME/dist-tags/... (npm
# dist-tag), /-/stage/... (npm publish --stage, a POST).  Log in outside the
# box: npm login writes the token to ~/.npmrc, read-only here.  Not
# covered: --provenance (it also talks to sigstore's hosts and, in CI, the
# CI's token service) and trusted publishing (POST /-/npm/v1/oidc/...).
#
# The PUT allows publishing any package your token may publish, and npm
# runs the project's prepublishOnly, prepack, prepare and postpack scripts
# (and whatever build tools they start) with the token readable.  To allow
# your package only, copy this profile to ~/.config/netbox/ and name it:
#   allow PUT https://registry.npmjs.org/@me%2fmy-package
# (npm's own rules come after this one: a connection credits npm's GET rule.)
allow PUT https://registry.npmjs.org/*
include npm

# The token: npm publish reads `//registry.npmjs.org/:_authToken=...` from
# ~/.npmrc (skipped if you have none; NPM_TOKEN and other *_TOKEN variables
# stay dropped unless you pass --keep-env NPM_TOKEN).
ro ~/.npmrc
