# bash completion for avalanche(1): commands, their options and config keys. Installed as
# share/bash-completion/completions/avalanche. Everything comes from the binary being completed
# (`avalanche --help`, `avalanche COMMAND --help`, `avalanche keys --names`), read once per
# shell, so the completion always matches that binary.

# The output of "$@", cached per shell under the name $1.
_avalanche_cached()
{
    local var=$1
    shift
    if [[ -z ${!var+set} ]]; then
        printf -v "$var" '%s' "$("$@" 2>/dev/null)"
    fi
    printf '%s\n' "${!var}"
}

_avalanche_commands()
{
    _avalanche_cached _avalanche_cache_commands "$1" --help |
        sed -n 's/^  avalanche \([a-z][a-z]*\) .*/\1/p; s/^  avalanche \([a-z][a-z]*\)$/\1/p'
}

_avalanche_options()
{
    local var=_avalanche_cache_opts_${2//[^a-z]/_}
    _avalanche_cached "$var" "$1" "$2" --help |
        grep -oE -- '(^|[][ (|,])-{1,2}[a-z][a-z-]*' | sed 's/^[][ (|,]//' | sort -u
}

_avalanche_keys()
{
    _avalanche_cached _avalanche_cache_keys "$1" keys --names | grep -v '\['
}

_avalanche()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local bin=${COMP_WORDS[0]}
    COMPREPLY=()
    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "$(_avalanche_commands "$bin") --help --version" -- "$cur"))
        return
    fi
    local cmd=${COMP_WORDS[1]}
    case $prev in
    --set)
        # KEY=VALUE: the key, then the value is the user's
        compopt -o nospace 2>/dev/null
        COMPREPLY=($(compgen -W "$(_avalanche_keys "$bin")" -S = -- "$cur"))
        return
        ;;
    --out | --overlay)
        compopt -o dirnames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur"))
        return
        ;;
    --seed | --replication | -j | --jobs | --label)
        return
        ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_avalanche_options "$bin" "$cmd")" -- "$cur"))
        return
    fi
    case $cmd in
    help)
        COMPREPLY=($(compgen -W "$(_avalanche_commands "$bin")" -- "$cur"))
        ;;
    keys)
        COMPREPLY=($(compgen -W "$(_avalanche_keys "$bin")" -- "$cur"))
        ;;
    plot | compare)
        compopt -o dirnames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur"))
        ;;
    *)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -X '!*.cfg' -- "$cur") $(compgen -d -- "$cur"))
        ;;
    esac
}

complete -F _avalanche avalanche
