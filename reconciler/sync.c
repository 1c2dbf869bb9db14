/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <time.h>

#include "paths.h"
#include "sync.h"
#include "util.h"

/* The files `virtspec sync` leaves for the daemon (sync.h). */

bool sync_is_revision_name(const char *name) {
    size_t l = strlen(name);
    return (l == 40 || l == 64) && strspn(name, "0123456789abcdef") == l;
}

char *sync_checkouts_dir(const char *configured) {
    return configured ? xstrdup(configured) : xasprintf("%s/checkouts", paths_default()->state_dir);
}

/* The first line of path, without its newline, into line; false: none. */
static bool first_line(const char *path, char *line, size_t size) {
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    bool ok = fgets(line, (int) size, f) != NULL;
    fclose(f);
    line[ok ? strcspn(line, "\n") : 0] = 0;
    return ok;
}

char *sync_revision(const char *tree) {
    _cleanup_free_ char *file = xasprintf("%s/" SYNC_REVISION_FILE, tree);
    char line[128];
    return first_line(file, line, sizeof(line)) && sync_is_revision_name(line) ? xstrdup(line) : NULL;
}

void sync_status_write(const char *checkouts, int status, const char *said) {
    _cleanup_free_ char *path = xasprintf("%s/status", checkouts);
    _cleanup_free_ char *tmp = xasprintf("%s/.status.tmp", checkouts);
    FILE *f = fopen(tmp, "we");
    if (!f)
        return;
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(f, "%s %d %s\n", when, status, said ? said : "");
    if (fclose(f) == 0)
        rename(tmp, path);
}

char *sync_last_failure(const char *checkouts) {
    _cleanup_free_ char *dir = sync_checkouts_dir(checkouts);
    _cleanup_free_ char *path = xasprintf("%s/status", dir);
    char line[1024], when[32];
    int status, at = 0;
    if (!first_line(path, line, sizeof(line)) || sscanf(line, "%31s %d %n", when, &status, &at) != 2 || status == 0)
        return NULL;
    return xasprintf("last sync failed (%s, exit %d): %s", when, status, line + at);
}
