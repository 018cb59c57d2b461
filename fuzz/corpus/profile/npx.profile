# npx.profile — npx fetches packages like npm and runs them: the same rules.
include npm
