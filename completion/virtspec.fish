# SPDX-License-Identifier: LGPL-2.1-or-later
# fish completion for virtspec, from `virtspec __complete` (see completion/virtspec.bash).
function __virtspec_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l out (command virtspec __complete (math (count $words) - 1) $words 2>/dev/null)
    set -l kind $out[1]
    printf '%s\n' $out[2..-1]
    switch "$kind"
        case paths
            __fish_complete_suffix .yaml
            __fish_complete_suffix .yml
        case files
            __fish_complete_path (commandline -ct)
        case dirs
            __fish_complete_directories (commandline -ct)
    end
end
complete -c virtspec -f -a '(__virtspec_complete)'
