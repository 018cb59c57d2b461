# pip.profile — pip install (into a virtualenv in the current directory, or
# with --user into ~/.local, which this profile does NOT expose: a sandboxed
# install should not change what your other programs import).
#
# Network: PyPI's index and its file host, read-only: pip install only
# reads (GET, HEAD).  An upload (twine, POST to upload.pypi.org) is not
# allowed at all.
allow GET,HEAD https://pypi.org/
allow GET,HEAD https://files.pythonhosted.org/

# The cache ~/.cache/pip is a throw-away overlay: pip in the box sees what
# your own runs cached, but nothing written there in the box persists.  pip
# uses it later unchecked: its HTTP cache holds the index pages that carry
# the hashes pip checks downloads against, fresh or stale by headers stored
# beside them, and its wheel cache holds wheels built from source archives,
# reused by name with no hash to check them against.  If the directory does
# not exist it is an empty throw-away tmpfs instead.
overlay ~/.cache/pip

# Credentials and configuration, deliberately NOT exposed: ~/.netrc and
# ~/.config/pip/pip.conf can hold index passwords.  For a private index:
#   --ro ~/.config/pip/pip.conf --allow YOUR.INDEX
# An index URL can come from the environment.  A user:password@ in it is
# removed even so: keep-env in a profile gets a name past netbox's secret
# patterns, never a credential in the value.  To pass the URL whole, say so on
# the command line: --keep-env PIP_INDEX_URL.
keep-env PIP_INDEX_URL
