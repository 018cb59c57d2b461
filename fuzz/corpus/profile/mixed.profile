allow=x.test:80,443 # c
ro ${HOME}/a#b
mkdir ~/.cache/x
rw ${CWD}/../y
include npm
nohome ~/x
deny [2001:db8::/32]:443
ro ${NOPE}
