# pip3.profile — the same as pip.
include pip
