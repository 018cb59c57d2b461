# pip.profile — pip install (into a virtualenv in the current directory, or
# with --user into ~/.local, which this profile does NOT expose: a sandboxed
# install should not change what your other programs import).
#
# Network: PyPI's index and its file host.
allow pypi.org
allow files.pythonhosted.org

# The download and wheel cache persists (created if missing).
mkdir ~/.cache/pip
rw ~/.cache/pip

# Credentials and configuration, deliberately NOT exposed: ~/.netrc and
# ~/.config/pip/pip.conf can hold index passwords.  For a private index:
#   --ro ~/.config/pip/pip.conf --allow YOUR.INDEX
# An index URL without secrets can come from the environment:
keep-env PIP_INDEX_URL
