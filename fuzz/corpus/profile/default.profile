# default.profile — read when the program has no profile of its own (no
# NAME.profile for it in ~/.config/netbox, /etc/netbox or the shipped
# profiles) and no --profile was given.
#
# It adds nothing: netbox's defaults already hide your home, keep the host
# read-only, drop secret environment variables and allow no host.  Copy it to
# ~/.config/netbox/default.profile to give every program something, e.g.
#   allow pypi.org
#   ro ~/.gitconfig
