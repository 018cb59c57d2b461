# fish completion for netbox(1) — installed as
# DATADIR/fish/vendor_completions.d/netbox.fish.
#
# Options complete until the program's name; after it, the program's own
# completion takes over (__fish_complete_subcommand).  The option list must
# cover launcher/options.c: tests/shell/install.sh checks it against
# `netbox --help`.

# Options whose argument is the next word (or follows '=').
set -g __fish_netbox_opts_arg --allow --deny --ro --rw --hide --tmpfs --overlay \
    --keep-env --setenv --unsetenv --allow-unix --tmpfs-size --max-procs --pass-fd --net \
    --profile --log --seccomp --attribute --upstream-proxy

# Print the program and the words after it that are already typed (the one
# being completed excluded).  Status 1 while options are being typed: the
# current word starts with '-' or is an option's argument.
function __fish_netbox_program
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    set -l found 0
    set -l prog
    for t in $tokens
        if test $found -eq 1
            set -a prog $t
        else if test $skip -eq 1
            set skip 0
        else if test "x$t" = x--
            set found 1
        else if string match -qr -- '^-.' $t
            if contains -- $t $__fish_netbox_opts_arg
                set skip 1
            end
        else
            set found 1
            set -a prog $t
        end
    end
    if test $found -eq 0
        test $skip -eq 0; or return 1
        string match -qr -- '^-' (commandline -ct); and return 1
    end
    set -q prog[1]; and printf '%s\n' $prog
    return 0
end

function __fish_netbox_in_options
    not __fish_netbox_program >/dev/null
end

# The program's name, then its own completion.
function __fish_netbox_complete_program
    set -l prog (__fish_netbox_program)
    if set -q prog[1]
        __fish_complete_subcommand --commandline $prog (commandline -ct)
    else
        __fish_complete_command
    end
end

function __fish_netbox_profiles
    set -l cmd (commandline -opc)[1]
    command $cmd --list-profiles 2>/dev/null
end

complete -c netbox -f
complete -c netbox -n __fish_netbox_program -a '(__fish_netbox_complete_program)'

set -l c complete -c netbox -n __fish_netbox_in_options
$c -l allow -x -d 'Allow hosts matching PATTERN[:PORTS] (default ports 80,443)'
$c -l deny -x -d 'Deny hosts matching PATTERN[:PORTS], even if allowed'
$c -l ro -r -F -d 'Make PATH visible, read-only'
$c -l rw -r -F -d 'Make PATH visible, read-write'
$c -l hide -r -F -d 'Cover PATH with an empty read-only directory or file'
$c -l tmpfs -r -F -d 'Cover PATH with an empty writable tmpfs'
$c -l overlay -r -F -d 'Show PATH, keep what the program writes there in a throw-away layer'
$c -l allow-unix -r -F -d 'Let the program connect to the unix socket PATH'
$c -l tmpfs-size -x -a '512M 1G 2G 4G 10% 25%' -d 'Room for everything written in throw-away places'
$c -l max-procs -x -d 'At most N processes in the sandbox'
$c -l keep-env -x -a '(set -nx)' -d 'Pass NAME through even if it is secret'
$c -l setenv -x -a '(set -nx | string replace -r \'$\' =)' -d 'Set NAME=VALUE for the program'
$c -l unsetenv -x -a '(set -nx)' -d 'Remove an environment variable'
$c -l clearenv -d 'Start from an empty environment'
$c -l pass-fd -x -d 'Let the program inherit descriptor N'
$c -l net -x -a 'filter none' -d 'Network: filter (default) or none'
$c -l upstream-proxy -x -a 'none http:// socks5:// socks5h://' -d 'Connect through this proxy (URL), or none'
$c -l profile -r -F -a '(__fish_netbox_profiles)' -d 'Read this profile (NAME or PATH)'
$c -l noprofile -d 'Read no profile at all'
$c -l list-profiles -d 'Print the names of the profiles found'
$c -l log -r -F -d 'Log DNS decisions and connections as JSON Lines (- = stderr)'
$c -l learn -d 'Allow every public host; write the learned profile (--learn=FILE)'
$c -l seccomp -x -a 'on off' -d 'The system call filter (off is UNSAFE)'
$c -l log-query -d 'Log the query strings of inspected requests too'
$c -l attribute -x -a 'on off' -d 'Name the process and npm package of each attempt'
$c -l check -d 'Print the effective configuration, run nothing'
$c -l doctor -d 'Check whether netbox works here, and how to fix what does not'
$c -s q -l quiet -d 'No notices, denial lines or summary'
$c -s h -l help -d 'Show the help'
$c -s V -l version -d 'Show the version'
# --learn=FILE: its argument only ever follows '='.
complete -c netbox -n 'string match -q -- "--learn=*" (commandline -ct)' \
    -a '(string replace -r -- "^" "--learn=" (__fish_complete_path (string replace -- "--learn=" "" (commandline -ct))))'
