# bash completion for netbox(1) — installed as
# DATADIR/bash-completion/completions/netbox (loaded on demand by the
# bash-completion package), or source it from ~/.bashrc.
#
# Options complete until the program's name; after it, the program's own
# completion takes over (bash-completion's _command_offset, or files without
# it).  The option list must cover launcher/options.c: tests/shell/install.sh
# checks it against `netbox --help`.

# Options that take an argument, as the next word or after '='.
_netbox_opts_arg=(--allow --deny --ro --rw --hide --tmpfs --overlay --keep-env
	--setenv --unsetenv --allow-unix --tmpfs-size --max-procs --pass-fd --net --profile --log
	--seccomp --attribute --upstream-proxy)
# Options that take none (--learn's argument is only ever --learn=FILE).
_netbox_opts_flag=(--clearenv --noprofile --list-profiles --learn --check --doctor --log-query
	--quiet --help --version -q -h -V)

# _netbox_takes_arg WORD — is WORD an option whose argument is the next word?
_netbox_takes_arg()
{
	local o
	for o in "${_netbox_opts_arg[@]}"; do
		[[ $1 == "$o" ]] && return 0
	done
	return 1
}

# _netbox_values OPTION VALUE — print, one per line, the completions of
# OPTION's argument that start with VALUE.
_netbox_values()
{
	local IFS=$' \t\n'
	case $1 in
	--net) compgen -W 'filter none' -- "$2" ;;
	--upstream-proxy) compgen -W 'none http:// socks5:// socks5h://' -- "$2" ;;
	--seccomp | --attribute) compgen -W 'on off' -- "$2" ;;
	--ro | --rw | --hide | --tmpfs | --overlay | --allow-unix | --log | --learn)
		compgen -f -- "$2" ;;
	--tmpfs-size) compgen -W '512M 1G 2G 4G 10% 25%' -- "$2" ;;
	--profile)
		# The names netbox finds (nothing if it fails), then files.
		compgen -W "$("$_netbox_cmd" --list-profiles 2>/dev/null)" -- "$2"
		compgen -f -- "$2" ;;
	--keep-env | --unsetenv) compgen -e -- "$2" ;;
	--setenv)
		case $2 in
		*=*) ;;
		*) compgen -e -S = -- "$2" ;;
		esac ;;
	--allow | --deny) ;;   # a host pattern: nothing to offer
	--pass-fd | --max-procs) ;;
	esac
}

# _netbox_program_name WORD — complete the program's name: commands, and
# files for a path.
_netbox_program_name()
{
	mapfile -t COMPREPLY < <(compgen -c -- "$1")
	if [[ $1 == */* ]]; then
		local -a files
		mapfile -t files < <(compgen -f -- "$1")
		COMPREPLY+=("${files[@]}")
		compopt -o filenames 2>/dev/null
	fi
}

_netbox()
{
	local _netbox_cmd=${1:-netbox}
	local cword=${COMP_CWORD:-0}
	# What readline replaces: bash passes it as $2; the last COMP_WORDS
	# word when called by hand.
	local rlcur=${2-${COMP_WORDS[cword]}}
	local -a lw lstart
	local i n word opt value cmd_at=-1

	COMPREPLY=()
	[[ $_netbox_cmd == */* || $_netbox_cmd == netbox ]] || _netbox_cmd=netbox
	[[ $_netbox_cmd == \~/* ]] && _netbox_cmd=$HOME/${_netbox_cmd#\~/}

	# Reassemble the words COMP_WORDBREAKS split at '=' (--net=none is
	# three COMP_WORDS: --net, =, none): lw[] are the words as typed,
	# lstart[] the COMP_WORDS index each starts at.
	for ((i = 0; i <= cword; i++)); do
		word=${COMP_WORDS[i]}
		n=${#lw[@]}
		if [[ $word == '=' ]] && ((n > 0)) && [[ ${lw[n - 1]} == --* && ${lw[n - 1]} != *=* ]]; then
			lw[n - 1]+='='
			if ((i + 1 <= cword)); then
				i=$((i + 1))
				lw[n - 1]+=${COMP_WORDS[i]}
			fi
			continue
		fi
		lw+=("$word")
		lstart+=("$i")
	done
	n=$((${#lw[@]} - 1))       # the word being completed is lw[n]
	local cur=${lw[n]}

	# Where does the program start?
	for ((i = 1; i < n; i++)); do
		word=${lw[i]}
		if [[ $word == -- ]]; then
			cmd_at=$((i + 1))
			break
		fi
		if [[ $word != -* || $word == - ]]; then
			cmd_at=$i
			break
		fi
		if _netbox_takes_arg "$word"; then
			i=$((i + 1))   # its argument
		fi
	done

	if ((cmd_at >= 0 && cmd_at <= n)); then
		# The program and its arguments: defer to its own completion.
		if declare -F _command_offset >/dev/null; then
			_command_offset "${lstart[cmd_at]}"
		elif ((cmd_at == n)); then
			_netbox_program_name "$cur"
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		return 0
	fi

	# The argument of the previous word's option?
	opt=
	if ((n >= 2)) && _netbox_takes_arg "${lw[n - 1]}"; then
		opt=${lw[n - 1]}
		value=$cur
	elif [[ $cur == --*=* ]]; then
		opt=${cur%%=*}
		value=${cur#*=}
	fi

	local -a cand=()
	if [[ -n $opt ]]; then
		mapfile -t cand < <(_netbox_values "$opt" "$value")
		case $opt in
		--ro | --rw | --hide | --tmpfs | --overlay | --log | --learn | --profile)
			compopt -o filenames 2>/dev/null ;;
		--setenv) compopt -o nospace 2>/dev/null ;;
		esac
		# Readline replaces only rlcur, the end of cur: drop the rest.
		local strip=$((${#cur} - ${#value}))
		if [[ $rlcur != "$value" && $cur == *"$rlcur" ]]; then
			for i in "${!cand[@]}"; do
				cand[i]=${cur:0:strip}${cand[i]}
				cand[i]=${cand[i]:${#cur}-${#rlcur}}
			done
		fi
		COMPREPLY=("${cand[@]}")
	elif [[ $cur == -* ]]; then
		local o
		for o in "${_netbox_opts_arg[@]}" "${_netbox_opts_flag[@]}"; do
			[[ $o == "$cur"* ]] && cand+=("$o")
		done
		COMPREPLY=("${cand[@]}")
	else
		_netbox_program_name "$cur"
	fi
	return 0
}

complete -F _netbox netbox
