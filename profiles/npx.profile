# npx.profile — npx fetches packages like npm and runs them: the same rules.
# What it installs goes to ~/.npm/_npx, which npm's profile makes a
# throw-away overlay: a later `npx NAME` outside never runs what the box put
# there.
include npm
