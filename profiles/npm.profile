# npm.profile — `netbox npm install` and friends.
#
# Network: the public registry only, read-only.  An install reads packuments
# and tarballs (GET, HEAD); the one thing it sends is the audit npm runs
# after it (POST of the dependency tree's names and versions, to the bulk
# advisory endpoint; npm 6 and yarn used audits/quick).  Every other
# request — a publish (PUT), npm login, a PUT or POST elsewhere — is refused
# with 403: a postinstall script cannot publish, or send data to the
# registry other than in a GET's path (which the registry answers, but
# nobody else reads).  To publish: --profile npm-publish.  A private
# registry or git dependencies (github.com, codeload.github.com) need their
# own --allow.  (The GET rule is last: it is the one a connection credits.)
allow POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk
allow POST https://registry.npmjs.org/-/npm/v1/security/audits/quick
allow GET,HEAD https://registry.npmjs.org/

# The cache.  ~/.npm as a whole is a throw-away overlay: npm in the box sees
# what your own runs cached there, and nothing written in the box survives
# the run.  That covers what npm would later use unchecked:
#   _npx/               npx installs packages there, and a later plain
#                       `npx NAME` outside runs them as they are;
#   _cacache/index-v5/  maps a URL to a cached response; its entries, and the
#                       freshness headers stored in them, are checked against
#                       nothing, so a forged registry answer there would be
#                       served to a later `npm install NAME` outside without
#                       asking the registry;
#   _prebuilds/, _logs/, _update-notifier-last-checked, ...
#
# What persists: ~/.npm/_cacache/content-v2, the content-addressed store of
# tarballs and responses.  Each file is named by the hash of its contents,
# and npm re-hashes it on every read against the integrity it expects (from
# package-lock.json or the registry's metadata); a file that does not match
# is thrown away and fetched again, and nothing is run from the store.  So
# installs stay fast, and the box can only add there what npm would accept
# anyway.  (That integrity comes from package-lock.json, which the box can
# change in the current directory like any project file: review it with the
# rest of the project.  npm moves new files into the store from
# _cacache/tmp, which is in the overlay: across the mount it copies them.)
mkdir ~/.npm/_cacache/content-v2
overlay ~/.npm
rw ~/.npm/_cacache/content-v2

# Credentials, deliberately NOT exposed: ~/.npmrc holds _authToken lines, and
# an install script has no business reading them.  NPM_TOKEN and other
# *_TOKEN variables are dropped by netbox's defaults.  To publish to npm:
# --profile npm-publish.  For a private registry that needs a token, add on
# the command line:
#   --ro ~/.npmrc --allow YOUR.REGISTRY
# Registry settings can come from the environment (a user:password@ in the
# URL is removed even so; --keep-env NPM_CONFIG_REGISTRY keeps it whole):
keep-env NPM_CONFIG_REGISTRY
