# go.profile — go build / go mod download / go install.
#
# Network: the module proxy and the checksum database (GOPROXY and GOSUMDB
# defaults).  GOPROXY=direct fetches from each module's VCS host instead:
# those need their own --allow.
allow proxy.golang.org
allow sum.golang.org

# The module cache and the build cache persist (created if missing).
mkdir ~/go/pkg/mod
rw ~/go/pkg/mod
mkdir ~/.cache/go-build
rw ~/.cache/go-build
ro ~/.config/go/env
keep-env GOPROXY
keep-env GOFLAGS
keep-env GOPRIVATE

# Credentials, deliberately NOT exposed: ~/.netrc and ~/.git-credentials
# (private modules).  For those: --ro ~/.netrc --allow YOUR.GIT.HOST
