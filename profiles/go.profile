# go.profile — go build / go mod download.
#
# Network: the module proxy and the checksum database (GOPROXY and GOSUMDB
# defaults), read-only: both are only read (GET, HEAD).  GOPROXY=direct
# fetches from each module's VCS host instead: those need their own --allow.
allow GET,HEAD https://proxy.golang.org/
allow GET,HEAD https://sum.golang.org/

# The module cache and the build cache are throw-away overlays: go in the box
# sees what your own builds fetched and compiled, but nothing written there
# survives the run.  go checks a module against go.sum only when it downloads
# it: a module unpacked in ~/go/pkg/mod is compiled as it is (`go mod verify`
# is the manual check), the toolchains GOTOOLCHAIN downloads are kept and
# run from there too, and compiled packages in ~/.cache/go-build are reused
# by key, unchecked.  A directory that does not exist is an empty
# throw-away tmpfs instead.  (`go install` writes to ~/go/bin, which
# is not exposed: what it installs is thrown away too.)
overlay ~/go/pkg/mod
overlay ~/.cache/go-build
ro ~/.config/go/env
keep-env GOPROXY
keep-env GOFLAGS
keep-env GOPRIVATE

# Credentials, deliberately NOT exposed: ~/.netrc and ~/.git-credentials
# (private modules).  For those: --ro ~/.netrc --allow YOUR.GIT.HOST
