# gem.profile — gem install.
#
# Network: rubygems.org (its index and downloads), read-only: gem install
# only reads (GET, HEAD).  `gem push` (POST /api/v1/gems), yank and owner
# changes are refused (403).
allow GET,HEAD https://rubygems.org/
allow GET,HEAD https://index.rubygems.org/

# ~/.gem and ~/.local/share/gem (gems installed with --user-install, their
# executables, the .gem files they came from, the spec index cache) and
# ~/.cache/gem are throw-away overlays: gem in the box sees what is there,
# but nothing written there persists.  Installed gems are code your own Ruby
# runs later, gem reuses a .gem file already in its cache without checking
# it again, and the build step of a native gem (extconf.rb) runs at install
# time with write access to wherever the install goes: an install that
# persisted could change every gem installed beside it.  So
# `netbox gem install --user-install NAME` shows that NAME installs, and
# keeps nothing.  To keep an install, opt in by path, knowing that every gem
# built in that run can change what is there:
#   netbox --rw ~/.local/share/gem gem install --user-install NAME
# (or --rw ~/.gem, which rubygems uses instead when it exists).  A directory
# that does not exist is an empty throw-away tmpfs instead.
overlay ~/.gem
overlay ~/.local/share/gem
overlay ~/.cache/gem
# The API key for `gem push` in ~/.gem/credentials stays hidden,
# deliberately: an install has no use for it.  To push:
#   --ro ~/.gem/credentials --allow 'POST https://rubygems.org/api/v1/gems'
hide ~/.gem/credentials
