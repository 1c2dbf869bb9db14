/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plain main() for a libFuzzer target, so the normal test suite (any compiler, no libFuzzer)
 * replays the corpora: every file given, and every file in every directory given (not
 * recursive; names starting with '.' and README* are skipped), in name order.
 *
 *   fuzz-spec tests/fuzz/spec     replays the spec corpus, crashers included
 *
 * Exit status 0 when every input ran; a crash, sanitizer report or abort() ends the process as
 * it would under libFuzzer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "spec.h"

static size_t n_run;

static int run_file(const char *path) {
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "re");
    if (!f) {
        fprintf(stderr, "%s: cannot open: %m\n", path);
        return -1;
    }
    size_t cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = xrealloc(buf, cap);
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        if (k == 0)
            break;
        len += k;
    }
    fclose(f);
    /* an exact-size copy, so that a read past the input is an ASan/valgrind error here too */
    uint8_t *data = xmalloc0(len ? len : 1);
    memcpy(data, buf, len);
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "running %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    n_run++;
    return 0;
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static int run_dir(const char *path) {
    DIR *d = opendir(path);
    char **names = NULL;
    size_t n = 0;
    int r = 0;
    if (!d) {
        fprintf(stderr, "%s: cannot open directory: %m\n", path);
        return -1;
    }
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.' || !strncmp(de->d_name, "README", 6))
            continue;
        *(char **) array_push(&names, &n, sizeof(char *)) = xstrdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(char *), name_cmp);
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *p = xasprintf("%s/%s", path, names[i]);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && run_file(p) < 0)
            r = -1;
        free(names[i]);
    }
    free(names);
    return r;
}

int main(int argc, char **argv) {
    int r = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR…\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "%s: %m\n", argv[i]);
            r = 1;
        } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) < 0 : run_file(argv[i]) < 0)
            r = 1;
    }
    printf("%zu input%s replayed\n", n_run, n_run == 1 ? "" : "s");
    return r;
}
