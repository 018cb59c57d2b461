# npm.profile — `netbox npm install` and friends.
#
# Network: the public registry only.  A private registry or git dependencies
# (github.com, codeload.github.com) need their own --allow.
allow registry.npmjs.org

# The cache persists between runs (created if missing): installs stay fast.
mkdir ~/.npm
rw ~/.npm

# Credentials, deliberately NOT exposed: ~/.npmrc holds _authToken lines, and
# an install script has no business reading them.  NPM_TOKEN and other
# *_TOKEN variables are dropped by netbox's defaults.  To publish, or to use
# a private registry that needs a token, add on the command line:
#   --ro ~/.npmrc --allow YOUR.REGISTRY
# Registry settings without secrets can come from the environment:
keep-env NPM_CONFIG_REGISTRY
