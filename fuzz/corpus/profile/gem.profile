# gem.profile — gem install.
#
# Network: rubygems.org (its index and downloads).
allow rubygems.org
allow index.rubygems.org

# Gems installed with --user-install and the spec cache persist.
mkdir ~/.local/share/gem
rw ~/.local/share/gem
mkdir ~/.gem
rw ~/.gem
# ... but the API key for `gem push` in ~/.gem/credentials stays hidden,
# deliberately: an install has no use for it.  To push:
#   --ro ~/.gem/credentials
hide ~/.gem/credentials
