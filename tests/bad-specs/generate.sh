# SPDX-License-Identifier: LGPL-2.1-or-later
# The bad-spec cases too large to commit (a 10 MiB file, nesting 10,000 deep, …), sourced by
# tests/golden/run.sh (kind bad-specs): `generated` names them, `generate NAME` prints one. Their
# NAME.err lives in this directory all the same.

# awk prints N copies of a string: rep N STRING
rep() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }

generated=(gen-huge-10mib gen-deep-10000-flow gen-deep-10000-block gen-deep-10000-maps
           gen-many-documents gen-many-items gen-many-keys gen-many-serials)
generate() {
    case $1 in
    gen-huge-10mib)         # 10 MiB: refused by size before it is parsed
        printf 'kind: Domain\nname: huge\ndescription: |\n'
        yes '  0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' | head -c 10485760
        ;;
    gen-deep-10000-flow)    # [[[[…]]]] 10,000 deep
        printf 'kind: Domain\nname: deep\nx-deep: '
        rep 10000 '['; rep 10000 ']'; printf '\n'
        ;;
    gen-deep-10000-block)   # - - - - … 10,000 deep, block style
        printf 'kind: Domain\nname: deep\nx-deep:\n  '
        rep 10000 '- '; printf 'x\n'
        ;;
    gen-deep-10000-maps)    # {a: {a: {a: …}}} 10,000 deep
        printf 'kind: Domain\nname: deep\nx-deep: '
        rep 10000 '{a: '; printf '1'; rep 10000 '}'; printf '\n'
        ;;
    gen-many-documents)     # 300 valid documents: the 257th is over the limit
        for i in $(seq 300); do printf -- '---\nkind: Pool\nname: p%d\npath: /srv/p%d\n' "$i" "$i"; done
        ;;
    gen-many-items)         # a list of 1025 entries
        printf 'kind: Domain\nname: items\nboot:\n'
        for i in $(seq 1025); do printf '  - hd\n'; done
        ;;
    gen-many-keys)          # a map of 1025 keys
        printf 'kind: Domain\nname: keys\nx-keys:\n'
        for i in $(seq 1025); do printf '  k%d: 1\n' "$i"; done
        ;;
    gen-many-serials)       # 128 domains of 1024 serial ports each: one error each, quickly
        for i in $(seq 128); do
            printf -- '---\nkind: Domain\nname: s%d\nserials: [{}' "$i"; rep 1023 ',{}'; printf ']\n'
        done
        ;;
    *) return 1 ;;
    esac
}
