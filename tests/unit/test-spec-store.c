/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's spec store: rereading only the files inotify named must leave the store exactly
 * as a walk of the whole tree would (same files, same order, same specs in force), and a file
 * that stops validating keeps its last good version either way. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit-test.h"

#include "spec.h"
#include "spec-internal.h"
#include "spec-store.h"

#ifndef SPEC_WALK_MAX_DEPTH
#define SPEC_WALK_MAX_DEPTH 64u   /* builds before the limit was named */
#endif

static char root[64];

static void put(const char *rel, const char *text) {
    _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
    _cleanup_free_ char *tmp = xasprintf("%s/.tmp", root);
    FILE *f = fopen(tmp, "we");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(rename(tmp, p), 0);
}

static char *path(const char *rel) {
    return xasprintf("%s/%s", root, rel);
}

static char *domain(const char *name, const char *memory) {
    return xasprintf("kind: Domain\nname: %s\nmemory: %s\n", name, memory);
}

/* "file:name:memory file:name:memory …" for the specs in force, in order */
static char *describe(SpecStore *st) {
    SpecSet set;
    spec_store_collect(st, &set);
    char *acc = xstrdup("");
    for (size_t i = 0; i < set.n; i++) {
        const Spec *s = set.specs[i];
        char *n = xasprintf("%s%s:%s:%lld ", acc, s->file + strlen(root) + 1, s->name,
                            (long long) (s->kind == KIND_DOMAIN ? value_int(&s->domain.memory) >> 20 : 0));
        free(acc);
        acc = n;
    }
    char *n = xasprintf("%s| %zu errors", acc, set.diags.n_errors);
    free(acc);
    spec_set_clear(&set);
    return n;
}

/* A fresh store over the same tree, walked whole: what an incremental store must equal. */
static void assert_same_as_walk(SpecStore *st) {
    SpecStore fresh;
    spec_store_init(&fresh, root);
    assert_true(spec_store_scan(&fresh, false) >= 0);
    _cleanup_free_ char *a = describe(st), *b = describe(&fresh);
    assert_string_equal(a, b);
    spec_store_clear(&fresh);
}

static int setup(void **state) {
    spec_trust_relaxed = true;
    snprintf(root, sizeof(root), "/tmp/vs-store-XXXXXX");
    assert_non_null(mkdtemp(root));
    return 0;
}

static int teardown(void **state) {
    _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void test_update_named_files(void **state) {
    _cleanup_free_ char *d1 = domain("b", "1GiB"), *d2 = domain("a", "2GiB"), *d3 = domain("c", "3GiB");
    _cleanup_free_ char *sub = path("sub");
    assert_int_equal(mkdir(sub, 0755), 0);
    put("m.yaml", d1);
    put("sub/x.yaml", d2);
    SpecStore st;
    spec_store_init(&st, root);
    assert_int_equal(spec_store_scan(&st, false), 2);
    _cleanup_free_ char *before = describe(&st);
    assert_string_equal(before, "m.yaml:b:1024 sub/x.yaml:a:2048 | 0 errors");

    /* a changed file, a new one that sorts first, a new one that sorts between: in walk order */
    _cleanup_free_ char *d1b = domain("b", "4GiB");
    put("m.yaml", d1b);
    put("a.yaml", d3);
    _cleanup_free_ char *d4 = domain("d", "1GiB");
    put("sub-z.yaml", d4);   /* '-' sorts before '/' in a plain strcmp, after "sub" in a walk */
    char *named[] = { path("m.yaml"), path("a.yaml"), path("sub-z.yaml"), path(".hidden.yaml"),
                      path("notes.txt") };
    assert_int_equal(spec_store_update(&st, named, ELEMENTSOF(named)), 3);
    _cleanup_free_ char *after = describe(&st);
    assert_string_equal(after, "a.yaml:c:3072 m.yaml:b:4096 sub/x.yaml:a:2048 sub-z.yaml:d:1024 | 0 errors");
    assert_same_as_walk(&st);

    /* touched, not changed: nothing to do */
    assert_int_equal(utimensat(AT_FDCWD, named[0], NULL, 0), 0);
    assert_int_equal(spec_store_update(&st, named, 1), 0);

    /* a broken edit keeps the last good version in force, with its error */
    put("m.yaml", "kind: Domain\nname: b\nmemory: lots\n");
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    _cleanup_free_ char *broken = describe(&st);
    assert_string_equal(broken, "a.yaml:c:3072 m.yaml:b:4096 sub/x.yaml:a:2048 sub-z.yaml:d:1024 | 1 errors");

    /* a removed file drops its specs; a file named but never known and still absent is ignored */
    assert_int_equal(unlink(named[1]), 0);
    char *gone[] = { named[1], path("never.yaml") };
    assert_int_equal(spec_store_update(&st, gone, ELEMENTSOF(gone)), 1);
    put("m.yaml", d1b);
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    assert_same_as_walk(&st);
    _cleanup_free_ char *end = describe(&st);
    assert_string_equal(end, "m.yaml:b:4096 sub/x.yaml:a:2048 sub-z.yaml:d:1024 | 0 errors");

    for (size_t i = 0; i < ELEMENTSOF(named); i++)
        free(named[i]);
    free(gone[1]);
    spec_store_clear(&st);
}

/* What an update changed (SpecStore.changes): exact for an edit of specs in a file without
 * problems, templates or Host documents, with the specs the file had; not exact otherwise (the
 * daemon then builds its set again). */
static void test_update_changes(void **state) {
    _cleanup_free_ char *a1 = domain("a", "1GiB"), *b1 = domain("b", "1GiB"), *a2 = domain("a", "2GiB");
    put("a.yaml", a1);
    put("b.yaml", b1);
    put("t.yaml", "kind: Template\nname: t\nmemory: 1GiB\n");
    SpecStore st;
    spec_store_init(&st, root);
    assert_int_equal(spec_store_scan(&st, false), 3);
    assert_false(st.changes_exact);
    assert_int_equal(st.n_changes, 0);   /* a walk's are not kept */
    char *named[] = { path("a.yaml"), path("t.yaml"), path("new.yaml") };
    Spec *was = spec_ref(st.files[0].specs[0]);

    put("a.yaml", a2);
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    assert_true(st.changes_exact);
    assert_int_equal(st.n_changes, 1);
    assert_int_equal(st.changes[0].file, 0);
    assert_int_equal(st.changes[0].n_old, 1);
    assert_ptr_equal(st.changes[0].old[0], was);
    assert_ptr_not_equal(st.files[0].specs[0], was);
    spec_unref(was);

    put("a.yaml", "kind: Domain\nname: a\nmemory: lots\n");   /* a problem comes */
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    assert_false(st.changes_exact);
    put("a.yaml", a1);   /* and goes */
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    assert_false(st.changes_exact);
    put("a.yaml", a2);
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    assert_true(st.changes_exact);

    put("t.yaml", "kind: Template\nname: t\nmemory: 2GiB\n");   /* a template file */
    assert_int_equal(spec_store_update(&st, named + 1, 1), 1);
    assert_false(st.changes_exact);
    put("new.yaml", b1);   /* a file added */
    assert_int_equal(spec_store_update(&st, named + 2, 1), 1);
    assert_false(st.changes_exact);
    put("a.yaml", "kind: Host\nname: h1\n---\nkind: Domain\nname: a\nmemory: 1GiB\n");
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    assert_false(st.changes_exact);   /* Host documents */
    spec_store_forget_changes(&st);
    assert_int_equal(st.n_changes, 0);
    for (size_t i = 0; i < ELEMENTSOF(named); i++)
        free(named[i]);
    spec_store_clear(&st);
}

/* spec_set_difference, the daemon's check of a set patched in place: nothing between two
 * collections of the same store, and a spec's content, the diagnostics, the count all differ. */
static void test_set_difference(void **state) {
    _cleanup_free_ char *a1 = domain("a", "1GiB"), *a2 = domain("a", "2GiB"), *b1 = domain("b", "1GiB");
    put("a.yaml", a1);
    put("b.yaml", b1);
    SpecStore st;
    spec_store_init(&st, root);
    assert_int_equal(spec_store_scan(&st, false), 2);
    SpecSet x, y, z, w;
    spec_store_collect(&st, &x);
    spec_store_collect(&st, &y);
    assert_null(spec_set_difference(&x, &y));
    char *named[] = { path("a.yaml") };
    put("a.yaml", a2);
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    spec_store_collect(&st, &z);
    assert_string_equal(spec_set_difference(&x, &z), "a spec differs (kind, name, place or content)");
    put("a.yaml", "kind: Domain\nname: a\nmemory: lots\n");
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    spec_store_collect(&st, &w);
    assert_string_equal(spec_set_difference(&z, &w), "the diagnostics differ");
    spec_unref(y.specs[--y.n]);
    assert_string_equal(spec_set_difference(&x, &y), "not as many specs");
    spec_set_clear(&x);
    spec_set_clear(&y);
    spec_set_clear(&z);
    spec_set_clear(&w);
    free(named[0]);
    spec_store_clear(&st);
}

/* A walk after incremental updates finds nothing new, and a scan keeps the walk order when it
 * meets files it did not know (the known ones are looked up by binary search). */
static void test_scan_after_updates(void **state) {
    SpecStore st;
    spec_store_init(&st, root);
    for (int i = 30; i >= 1; i--) {
        _cleanup_free_ char *rel = xasprintf("f%02d.yaml", i), *name = xasprintf("d%02d", i);
        _cleanup_free_ char *text = domain(name, "1GiB");
        put(rel, text);
        if (i % 3 == 0) {
            char *p[] = { path(rel) };
            assert_int_equal(spec_store_update(&st, p, 1), 1);
            free(p[0]);
        }
    }
    assert_int_equal(spec_store_scan(&st, false), 20);   /* the other 20 */
    assert_int_equal(spec_store_scan(&st, false), 0);
    assert_same_as_walk(&st);
    spec_store_clear(&st);
}

static bool writing_a(const char *p, void *userdata) {
    return streq(p, (const char *) userdata);
}

/* A full scan (the daemon's SIGHUP and periodic resync) leaves a file its writer still holds open
 * at its last good version, with a warning; the others are read. Once closed, the file named by
 * inotify is read. A new file still being written is not read yet. */
static void test_scan_keeps_written_file(void **state) {
    SpecStore st;
    spec_store_init(&st, root);
    _cleanup_free_ char *a = domain("m1", "128MiB"), *b = domain("m2", "128MiB");
    put("a.yaml", a);
    put("b.yaml", b);
    assert_int_equal(spec_store_scan(&st, false), 2);
    _cleanup_free_ char *a2 = domain("m1", "256MiB"), *b2 = domain("m2", "64MiB");
    _cleanup_free_ char *c = domain("m3", "32MiB");
    put("a.yaml", a2);
    put("b.yaml", b2);
    put("c.yaml", c);
    _cleanup_free_ char *pa = path("a.yaml");
    st.writing = writing_a;
    st.writing_userdata = pa;
    assert_true(spec_store_scan(&st, true) >= 2);
    _cleanup_free_ char *held = describe(&st);
    assert_string_equal(held, "a.yaml:m1:128 b.yaml:m2:64 c.yaml:m3:32 | 0 errors");
    assert_int_equal(st.tree_diags.n, 1);
    assert_string_equal(st.tree_diags.items[0].file, pa);
    assert_non_null(strstr(st.tree_diags.items[0].message, "its last good version stays in force"));
    /* the writer closes it: inotify names it */
    st.writing = NULL;
    char *p[] = { pa };
    /* two changes: the file, and its "open for writing" warning gone */
    assert_int_equal(spec_store_update(&st, p, 1), 2);
    _cleanup_free_ char *read = describe(&st);
    assert_string_equal(read, "a.yaml:m1:256 b.yaml:m2:64 c.yaml:m3:32 | 0 errors");
    assert_int_equal(st.tree_diags.n, 0);
    /* a new file still open: nothing of it yet */
    _cleanup_free_ char *dd = domain("m4", "16MiB");
    put("d.yaml", dd);
    _cleanup_free_ char *pd = path("d.yaml");
    st.writing = writing_a;
    st.writing_userdata = pd;
    spec_store_scan(&st, true);
    _cleanup_free_ char *fresh = describe(&st);
    assert_string_equal(fresh, "a.yaml:m1:256 b.yaml:m2:64 c.yaml:m3:32 | 0 errors");
    assert_non_null(strstr(st.tree_diags.items[0].message, "read once it is closed"));
    st.writing = NULL;
    spec_store_scan(&st, false);
    assert_same_as_walk(&st);
    spec_store_clear(&st);
}

/* "d/d/…/d" n levels below the root, created; returned relative. */
static char *deep_dir(unsigned n) {
    char *rel = xstrdup("d");
    for (unsigned i = 1; i < n; i++) {
        char *r = xasprintf("%s/d", rel);
        free(rel);
        rel = r;
    }
    _cleanup_free_ char *cmd = xasprintf("mkdir -p '%s/%s'", root, rel);
    assert_int_equal(system(cmd), 0);
    return rel;
}

/* Issue 15: no limit drops a file silently. A file 20 directories down is read, by a walk and
 * when inotify names it; one beyond the depth limit is an error, and while part of the tree
 * cannot be read the specs not seen stay in force (the daemon neither orphans nor prunes them). */
static void test_deep_files(void **state) {
    _cleanup_free_ char *d = domain("a", "1GiB");
    put("a.yaml", d);
    SpecStore st;
    spec_store_init(&st, root);
    assert_int_equal(spec_store_scan(&st, false), 1);

    _cleanup_free_ char *rel20 = deep_dir(20), *to20 = xasprintf("%s/a.yaml", rel20);
    _cleanup_free_ char *from = path("a.yaml"), *at20 = path(to20);
    assert_int_equal(rename(from, at20), 0);
    assert_true(spec_store_scan(&st, false) > 0);
    _cleanup_free_ char *moved = describe(&st), *want = xasprintf("%s:a:1024 | 0 errors", to20);
    assert_string_equal(moved, want);
    char *named[] = { at20 };
    /* and named by an event, 20 levels down: an update sees it too */
    _cleanup_free_ char *d2 = domain("b", "2GiB");
    FILE *f = fopen(at20, "we");
    assert_non_null(f);
    fputs(d2, f);
    fclose(f);
    assert_int_equal(spec_store_update(&st, named, 1), 1);

    /* beyond the limit: an error naming the directory, and the specs stay as they were */
    _cleanup_free_ char *rel70 = deep_dir(SPEC_WALK_MAX_DEPTH + 6), *to70 = xasprintf("%s/a.yaml", rel70);
    _cleanup_free_ char *at70 = path(to70);
    assert_int_equal(rename(at20, at70), 0);
    assert_true(spec_store_scan(&st, false) > 0);
    _cleanup_free_ char *held = describe(&st), *want2 = xasprintf("%s:b:2048 | 1 errors", to20);
    assert_string_equal(held, want2);
    SpecSet set;
    spec_store_collect(&st, &set);
    assert_int_equal(set.diags.n_errors, 1);
    assert_non_null(strstr(set.diags.items[0].message, "nested more than 64 levels below the spec root"));
    spec_set_clear(&set);
    spec_store_clear(&st);
}

/* Issue 15: two links to "." end (each directory is read once, nothing read twice); a link out
 * of the root is not followed and is an error (and holds what was in force). */
static void test_links(void **state) {
    _cleanup_free_ char *d = domain("a", "1GiB"), *o = domain("outside", "1GiB");
    put("a.yaml", d);
    _cleanup_free_ char *l1 = path("l1"), *l2 = path("l2"), *out = xasprintf("%s-out", root);
    assert_int_equal(symlink(".", l1), 0);
    assert_int_equal(symlink(".", l2), 0);
    SpecStore st;
    spec_store_init(&st, root);
    assert_int_equal(spec_store_scan(&st, false), 2);   /* the file, and the warnings */
    _cleanup_free_ char *loops = describe(&st);
    assert_string_equal(loops, "a.yaml:a:1024 | 0 errors");

    assert_int_equal(mkdir(out, 0755), 0);
    _cleanup_free_ char *of = xasprintf("%s/o.yaml", out), *l3 = path("l3"), *l4 = path("l4.yaml");
    FILE *f = fopen(of, "we");
    assert_non_null(f);
    fputs(o, f);
    fclose(f);
    assert_int_equal(symlink(out, l3), 0);
    assert_int_equal(symlink(of, l4), 0);
    assert_true(spec_store_scan(&st, false) > 0);
    _cleanup_free_ char *outside = describe(&st);
    assert_string_equal(outside, "a.yaml:a:1024 | 2 errors");
    SpecSet set;
    spec_store_collect(&st, &set);
    for (size_t i = 0; i < set.diags.n; i++)
        if (set.diags.items[i].level == DIAG_ERROR)
            assert_non_null(strstr(set.diags.items[i].message, "leaves the spec root"));
    spec_set_clear(&set);
    spec_store_clear(&st);
    _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", out);
    assert_int_equal(system(cmd), 0);
}

/* Templates are in force per file like specs: a broken template keeps its last good version,
 * so the specs using it stay as they were while the others go on; a template edit that makes a
 * user's spec invalid holds that spec; a spec naming a template not there yet is taken once it
 * comes. */
static void test_templates(void **state) {
    put("t.yaml", "kind: Template\nname: web\nmemory: 2GiB\n");
    put("u1.yaml", "kind: Domain\nname: a\nfrom: [web]\nmax_memory: 6GiB\n");
    _cleanup_free_ char *b1 = domain("b", "1GiB"), *b3 = domain("b", "3GiB");
    put("u2.yaml", b1);
    SpecStore st;
    spec_store_init(&st, root);
    assert_int_equal(spec_store_scan(&st, false), 3);
    _cleanup_free_ char *s1 = describe(&st);
    assert_string_equal(s1, "u1.yaml:a:2048 u2.yaml:b:1024 | 0 errors");

    /* the template breaks, b changes: a stays as it was, b goes on */
    put("t.yaml", "kind: Template\nname: web\nmemory: lots\n");
    put("u2.yaml", b3);
    char *named[] = { path("t.yaml"), path("u2.yaml"), path("u3.yaml"), path("later.yaml") };
    assert_int_equal(spec_store_update(&st, named, 2), 2);
    _cleanup_free_ char *s2 = describe(&st);
    assert_string_equal(s2, "u1.yaml:a:2048 u2.yaml:b:3072 | 1 errors");

    /* fixed with a new value: its user follows; a spec not using it is not built again (the
     * same Spec in force) */
    SpecSet before;
    spec_store_collect(&st, &before);
    put("t.yaml", "kind: Template\nname: web\nmemory: 4GiB\n");
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    _cleanup_free_ char *s3 = describe(&st);
    assert_string_equal(s3, "u1.yaml:a:4096 u2.yaml:b:3072 | 0 errors");
    SpecSet after;
    spec_store_collect(&st, &after);
    assert_int_equal(before.n, 2);
    assert_int_equal(after.n, 2);
    assert_ptr_not_equal(before.specs[0], after.specs[0]);   /* a: built with the new template */
    assert_ptr_equal(before.specs[1], after.specs[1]);       /* b: untouched */
    spec_set_clear(&before);
    spec_set_clear(&after);

    /* a valid template edit its user's own keys refuse (memory above its max_memory): the user
     * is held at its last good version, with the error at its own line */
    put("t.yaml", "kind: Template\nname: web\nmemory: 8GiB\n");
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    _cleanup_free_ char *s4 = describe(&st);
    assert_string_equal(s4, "u1.yaml:a:4096 u2.yaml:b:3072 | 1 errors");
    SpecSet set;
    spec_store_collect(&st, &set);
    assert_int_equal(set.diags.n, 1);
    _cleanup_free_ char *u1 = path("u1.yaml");
    assert_string_equal(set.diags.items[0].file, u1);
    assert_int_equal(set.diags.items[0].line, 4);
    assert_non_null(strstr(set.diags.items[0].message, "max_memory (6 GiB) is below memory (8 GiB)"));
    spec_set_clear(&set);

    /* a spec naming a template that is not there yet, then the template in another file */
    put("u3.yaml", "kind: Domain\nname: c\nfrom: later\n");
    assert_int_equal(spec_store_update(&st, named + 2, 1), 1);
    _cleanup_free_ char *s5 = describe(&st);
    assert_string_equal(s5, "u1.yaml:a:4096 u2.yaml:b:3072 | 2 errors");
    put("later.yaml", "kind: Template\nname: later\nmemory: 1GiB\n");
    put("t.yaml", "kind: Template\nname: web\nmemory: 5GiB\n");
    assert_int_equal(spec_store_update(&st, named, ELEMENTSOF(named)), 2);
    _cleanup_free_ char *s6 = describe(&st);
    assert_string_equal(s6, "u1.yaml:a:5120 u2.yaml:b:3072 u3.yaml:c:1024 | 0 errors");
    assert_same_as_walk(&st);
    for (size_t i = 0; i < ELEMENTSOF(named); i++)
        free(named[i]);
    spec_store_clear(&st);
}

/* A forced scan (SIGHUP, the periodic resync) rereads every file, but one whose bytes are those
 * of its version in force keeps its specs (the same objects: no second copy of every spec while
 * the tree is reread); one whose bytes changed behind an unchanged stat is built again. */
static void test_forced_scan_keeps_unchanged(void **state) {
    _cleanup_free_ char *da = domain("a", "1GiB"), *db = domain("b", "2GiB");
    put("a.yaml", da);
    put("b.yaml", db);
    SpecStore st;
    spec_store_init(&st, root);
    assert_int_equal(spec_store_scan(&st, false), 2);
    Spec *a = st.files[0].specs[0], *b = st.files[1].specs[0];
    assert_int_equal(spec_store_scan(&st, true), 0);
    assert_ptr_equal(st.files[0].specs[0], a);
    assert_ptr_equal(st.files[1].specs[0], b);

    /* the same length, written in place, the old mtime put back: only a forced scan sees it */
    _cleanup_free_ char *pa = path("a.yaml"), *da3 = domain("a", "3GiB");
    struct stat sb;
    assert_int_equal(stat(pa, &sb), 0);
    int fd = open(pa, O_WRONLY | O_TRUNC | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, da3, strlen(da3)), (ssize_t) strlen(da3));
    struct timespec ts[2] = { sb.st_atim, sb.st_mtim };
    assert_int_equal(futimens(fd, ts), 0);
    close(fd);
    assert_int_equal(spec_store_scan(&st, false), 0);
    _cleanup_free_ char *before = describe(&st);
    assert_string_equal(before, "a.yaml:a:1024 b.yaml:b:2048 | 0 errors");
    assert_int_equal(spec_store_scan(&st, true), 1);
    _cleanup_free_ char *after = describe(&st);
    assert_string_equal(after, "a.yaml:a:3072 b.yaml:b:2048 | 0 errors");
    assert_ptr_equal(st.files[1].specs[0], b);
    assert_same_as_walk(&st);
    spec_store_clear(&st);
}

/* A file with no template, no Host document and no `from:` keeps its bytes, not its YAML tree,
 * once in force (docs/performance.md, "Memory per spec", cut 7): a default template coming and
 * changing still builds it again from them, also while a newer content of it is refused. A file
 * with `from:` or with templates keeps its tree. */
static void test_plain_file_keeps_no_tree(void **state) {
    _cleanup_free_ char *da = domain("a", "1GiB");
    put("a.yaml", da);
    put("b.yaml", "kind: Domain\nname: b\nfrom: [web]\n");
    put("c.yaml", "kind: Domain\nname: c\ncpus: 2\n---\n"
                  "kind: Network\nname: n\nip: 10.73.0.1/24\n");
    put("t.yaml", "kind: Template\nname: web\nmemory: 2GiB\n");
    SpecStore st;
    spec_store_init(&st, root);
    assert_int_equal(spec_store_scan(&st, false), 4);
    _cleanup_free_ char *s1 = describe(&st);
    assert_string_equal(s1, "a.yaml:a:1024 b.yaml:b:2048 c.yaml:c:512 c.yaml:n:0 | 0 errors");
    const LoadedFile *a = st.files[0].good, *b = st.files[1].good, *c = st.files[2].good,
                     *t = st.files[3].good;
    assert_null(a->docs);
    assert_int_equal(a->n_docs, 0);
    assert_int_equal(a->n_slim, 1);
    assert_non_null(a->text);
    assert_null(c->docs);
    assert_int_equal(c->n_slim, 2);
    assert_int_equal(c->slim_kinds[0], KIND_DOMAIN);
    assert_int_equal(c->slim_kinds[1], KIND_NETWORK);
    assert_non_null(b->docs);   /* from: */
    assert_int_equal(b->n_slim, 0);
    assert_null(b->text);
    assert_int_equal(t->n_templates, 1);
    assert_null(t->text);

    /* a default template comes: the plain files are built again from their bytes */
    Spec *a_before = st.files[0].specs[0];
    put("d.yaml", "kind: Template\nname: default\nmemory: 3GiB\n");
    char *named[] = { path("d.yaml"), path("c.yaml") };
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    _cleanup_free_ char *s2 = describe(&st);
    assert_string_equal(s2, "a.yaml:a:1024 b.yaml:b:2048 c.yaml:c:3072 c.yaml:n:0 | 0 errors");
    assert_ptr_not_equal(st.files[0].specs[0], a_before);   /* a's own memory, built again */
    assert_null(st.files[2].good->docs);
    assert_int_equal(st.files[2].good->n_slim, 2);
    assert_same_as_walk(&st);

    /* c's new content is refused; the default template changes: its version in force follows */
    put("c.yaml", "kind: Domain\nname: c\ncpus: [2\n");   /* does not parse */
    assert_int_equal(spec_store_update(&st, named + 1, 1), 1);
    put("d.yaml", "kind: Template\nname: default\nmemory: 5GiB\n");
    assert_int_equal(spec_store_update(&st, named, 1), 1);
    _cleanup_free_ char *s3 = describe(&st);
    assert_string_equal(s3, "a.yaml:a:1024 b.yaml:b:2048 c.yaml:c:5120 c.yaml:n:0 | 1 errors");
    assert_null(st.files[2].good->docs);
    assert_non_null(st.files[2].cand);
    for (size_t i = 0; i < ELEMENTSOF(named); i++)
        free(named[i]);
    spec_store_clear(&st);
}

/* A problem in a value a template gave, seen through the store (the daemon's path copies each
 * file's diagnostics into the set): it still names the spec that used the template and where. */
static void test_template_problem_names_user(void **state) {
    put("t.yaml", "kind: Template\nname: small\nmax_memory: 1GiB\n");
    put("u1.yaml", "kind: Domain\nname: a\nfrom: [small]\nmemory: 2GiB\n");
    SpecStore st;
    spec_store_init(&st, root);
    assert_int_equal(spec_store_scan(&st, false), 2);
    SpecSet set;
    spec_store_collect(&st, &set);
    assert_int_equal(set.diags.n_errors, 1);
    const char *file;
    unsigned line;
    _cleanup_free_ char *msg = diag_shown(&set.diags.items[0], &file, &line);
    _cleanup_free_ char *t = path("t.yaml"), *u1 = path("u1.yaml");
    _cleanup_free_ char *want = xasprintf("(in template small, used by a at %s:3:8)", u1);
    assert_non_null(strstr(msg, want));
    assert_string_equal(file, t);
    assert_int_equal(line, 3);
    spec_set_clear(&set);
    spec_store_clear(&st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_update_named_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_difference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_after_updates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_keeps_written_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_templates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_template_problem_names_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forced_scan_keeps_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_file_keeps_no_tree, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
