allow =exact.test:443
allow==exact.test
allow   =a.b  # c
allow=a.b#frag
allow = refused.test
rw= /refused
setenv A==b
