# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for virtspec: the candidates come from `virtspec __complete` (the command-line
# table, and the names of the spec tree the configuration names), so they follow the program.
_virtspec() {
    local cur=${COMP_WORDS[COMP_CWORD]} vs=${COMP_WORDS[0]} kind
    local -a out
    [[ $vs == */* ]] || vs=$(type -P "$vs") || return
    mapfile -t out < <("$vs" __complete "$COMP_CWORD" "${COMP_WORDS[@]}" 2>/dev/null)
    kind=${out[0]-}
    COMPREPLY=("${out[@]:1}")
    [[ $cur == "=" ]] && cur=
    case $kind in
    paths)
        compopt -o filenames 2>/dev/null
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur"; compgen -f -X '!*.yaml' -- "$cur"; compgen -f -X '!*.yml' -- "$cur")
        ;;
    files)
        compopt -o filenames 2>/dev/null
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
        ;;
    dirs)
        compopt -o filenames 2>/dev/null
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
        ;;
    esac
    # an option that takes a value gets none of its own: no trailing space after "--drift="
    [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
    return 0
}
complete -F _virtspec virtspec
