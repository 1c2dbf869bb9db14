/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reconciler/image-fetch.c with file:// URLs (no server, no network): verification, a mismatch,
 * resume from a .part (plain and compressed), .xz/.gz/.zst decompressed, a truncated compressed
 * stream, the cache. tests/integration/test-image-url.sh does HTTP. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lzma.h>
#include <nettle/sha2.h>
#include <zlib.h>
#include <zstd.h>

#include "unit-test.h"

#include "image-cache.h"
#include "image-fetch.h"

#define IMG_SIZE (3u << 20)

static char dir[] = "/tmp/vs-image-fetch.XXXXXX";
static unsigned char *img;

static char *sha_hex(const unsigned char *p, size_t n) {
    unsigned char d[32];
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, n, p);
    sha256_digest(&c, sizeof(d), d);
    char *s = xmalloc0(65);
    for (unsigned i = 0; i < 32; i++)
        sprintf(s + 2 * i, "%02x", d[i]);
    return s;
}

static void write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static unsigned char *read_file(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    unsigned char *p = xmalloc0(IMG_SIZE + 1);
    *n = fread(p, 1, IMG_SIZE + 1, f);
    fclose(f);
    return p;
}

/* the image: random-ish data, a run of zeros (a hole in the output), data */
static int setup(void **state) {
    assert_non_null(mkdtemp(dir));
    img = xmalloc0(IMG_SIZE);
    uint32_t x = 12345;
    for (size_t i = 0; i < IMG_SIZE; i++) {
        x = x * 1103515245 + 12345;
        img[i] = i >= (1u << 20) && i < (2u << 20) ? 0 : (unsigned char) (x >> 16);
    }
    return 0;
}

static int teardown(void **state) {
    _cleanup_free_ char *cmd = xasprintf("rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(img);
    return 0;
}

/* Serves bytes as DIR/NAME; returns its sha256. */
static char *serve(const char *name, const void *p, size_t n) {
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
    write_file(path, p, n);
    return sha_hex(p, n);
}

static void assert_file_is(const char *path, const unsigned char *want, size_t want_n) {
    size_t n;
    _cleanup_free_ unsigned char *got = read_file(path, &n);
    assert_int_equal(n, want_n);
    assert_memory_equal(got, want, want_n);
}

static void assert_cached_image(const char *path) {
    assert_file_is(path, img, IMG_SIZE);
}

static bool cancel;   /* the engine's flag: the daemon is stopping */

static int fetch(const char *name, const char *sha, char **path, char **err) {
    _cleanup_free_ char *url = xasprintf("file://%s/%s", dir, name);
    _cleanup_free_ char *state = xasprintf("%s/state", dir);
    *path = *err = NULL;
    return image_fetch(state, url, sha, "test", &cancel, path, NULL, err);
}

static char *state_file(const char *sha, const char *suffix) {
    return xasprintf("%s/state/images/%s%s", dir, sha, suffix);
}

static void test_plain(void **state) {
    _cleanup_free_ char *sha = serve("plain.raw", img, IMG_SIZE), *path = NULL, *err = NULL;
    assert_int_equal(fetch("plain.raw", sha, &path, &err), 0);
    _cleanup_free_ char *want = state_file(sha, ""), *part = state_file(sha, ".part");
    assert_string_equal(path, want);
    assert_cached_image(path);
    assert_int_equal(access(part, F_OK), -1);
    /* cached: the URL is not read again (it is gone) */
    _cleanup_free_ char *gone = xasprintf("%s/plain.raw", dir), *path2 = NULL, *err2 = NULL;
    unlink(gone);
    assert_int_equal(fetch("plain.raw", sha, &path2, &err2), 0);
    assert_string_equal(path2, want);
    _cleanup_free_ char *st = xasprintf("%s/state", dir);
    assert_true(image_fetch_cached(st, sha));
}

/* the image's lock for image-cache.c's pruning: whether it could take it now */
static bool prune_could_lock(const char *sha) {
    _cleanup_free_ char *lock = state_file(sha, ".lock");
    int fd = open(lock, O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    bool ok = flock(fd, LOCK_EX | LOCK_NB) == 0;
    close(fd);
    return ok;
}

/* with ret_lock the image stays locked shared (pruning skips it) until the caller closes it;
 * a second caller gets the cached image meanwhile (shared too), the first fetch as well */
static void test_lock_held(void **state) {
    _cleanup_free_ char *sha = serve("locked.raw", img, IMG_SIZE), *p1 = NULL, *p2 = NULL;
    _cleanup_free_ char *url = xasprintf("file://%s/locked.raw", dir), *st = xasprintf("%s/state", dir);
    _cleanup_free_ char *e1 = NULL, *e2 = NULL;
    int l1 = -1, l2 = -1;
    assert_int_equal(image_fetch(st, url, sha, "a", &cancel, &p1, &l1, &e1), 0);
    assert_true(l1 >= 0);
    assert_cached_image(p1);
    assert_false(prune_could_lock(sha));
    assert_int_equal(image_fetch(st, url, sha, "b", &cancel, &p2, &l2, &e2), 0);
    assert_true(l2 >= 0);
    close(l1);
    assert_false(prune_could_lock(sha));
    close(l2);
    assert_true(prune_could_lock(sha));
}

/* image-cache.c's pruning (libvirt's test driver: its default-pool holds the base volume)
 * leaves an image alone while a pass holds its lock, and removes it once released */
static void test_prune_skips_locked(void **state) {
    const char *sha = "00000000000000000000000000000000000000000000000000000000000000aa";
    _cleanup_free_ char *st = xasprintf("%s/prune", dir), *img_path = xasprintf("%s/images/%s", st, sha);
    _cleanup_free_ char *markers = xasprintf("%s/images/default-pool", st);
    _cleanup_free_ char *complete = xasprintf("%s/base-sha256-%s.complete", markers, sha);
    _cleanup_free_ char *lock = xasprintf("%s.lock", img_path);
    _cleanup_free_ char *vol = xasprintf("<volume><name>base-sha256-%s</name><capacity>1024</capacity>"
                                         "</volume>", sha);
    _cleanup_free_ char *images = xasprintf("%s/images", st);
    assert_int_equal(mkdir(st, 0700), 0);
    assert_int_equal(mkdir(images, 0700), 0);
    assert_int_equal(mkdir(markers, 0700), 0);
    write_file(complete, "", 0);
    write_file(img_path, "x", 1);
    virConnectPtr conn = virConnectOpen("test:///default");
    assert_non_null(conn);
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, "default-pool");
    assert_non_null(pool);
    virStorageVolPtr v = virStorageVolCreateXML(pool, vol, 0);
    assert_non_null(v);
    Engine e = { .conn = conn, .apply = true, .state_dir = st, .cache_dir = st };
    char **said = NULL;
    int held = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    assert_int_equal(flock(held, LOCK_SH), 0);
    assert_int_equal(image_cache_prune(&e, NULL, &said), 0);
    image_cache_names_free(said);
    assert_int_equal(access(img_path, F_OK), 0);
    close(held);
    assert_int_equal(image_cache_prune(&e, NULL, &said), 1);
    image_cache_names_free(said);
    assert_int_equal(access(img_path, F_OK), -1);
    virStorageVolFree(v);
    virStoragePoolFree(pool);
    virConnectClose(conn);
}

/* the cache directory unreadable: its errno's text, not libvirt's (empty) last error */
static void test_prune_dir_error(void **state) {
    _cleanup_free_ char *st = xasprintf("%s/prune-bad", dir), *images = xasprintf("%s/images", st);
    assert_int_equal(mkdir(st, 0700), 0);
    write_file(images, "", 0);   /* a file where the directory should be */
    Engine e = { .apply = true, .state_dir = st, .cache_dir = st };
    char **said = NULL;
    int r = image_cache_prune(&e, NULL, &said);
    image_cache_names_free(said);
    assert_int_equal(r, -ENOTDIR);
    assert_string_equal(image_cache_prune_strerror(r), strerror(ENOTDIR));
}

static void test_mismatch(void **state) {
    _cleanup_free_ char *real = serve("other.raw", img, IMG_SIZE / 2), *path = NULL, *err = NULL;
    const char *bad = "00000000000000000000000000000000000000000000000000000000000000ff";
    assert_true(fetch("other.raw", bad, &path, &err) < 0);
    assert_null(path);
    _cleanup_free_ char *want = xasprintf("sha256 mismatch: expected %s, got %s", bad, real);
    assert_non_null(strstr(err, want));
    _cleanup_free_ char *part = state_file(bad, ".part"), *final = state_file(bad, "");
    assert_int_equal(access(part, F_OK), -1);
    assert_int_equal(access(final, F_OK), -1);
    /* the same URL and sha256 again: refused without a request (the file is gone: no read) */
    _cleanup_free_ char *src = xasprintf("%s/other.raw", dir), *path2 = NULL, *err2 = NULL;
    unlink(src);
    assert_int_equal(fetch("other.raw", bad, &path2, &err2), -EBADMSG);
    _cleanup_free_ char *again = xasprintf("sha256 mismatch before: expected %s, got %s; not "
                                           "fetched again", bad, real);
    assert_non_null(strstr(err2, again));
    /* another URL: fetched (and refused for its own mismatch) */
    _cleanup_free_ char *real3 = serve("other2.raw", img, IMG_SIZE / 2), *path3 = NULL, *err3 = NULL;
    assert_string_equal(real3, real);   /* the same bytes under another URL */
    assert_int_equal(fetch("other2.raw", bad, &path3, &err3), -EBADMSG);
    assert_non_null(strstr(err3, want));
}

/* a .part left by an interrupted download: the rest is read (from its size), the result is the
 * file; the .part's bytes go through digest and decompressor again */
static void resume(const char *name, const unsigned char *p, size_t n, const unsigned char *want,
                   size_t want_n) {
    _cleanup_free_ char *sha = serve(name, p, n), *path = NULL, *err = NULL;
    _cleanup_free_ char *st = xasprintf("%s/state", dir), *images = xasprintf("%s/state/images", dir);
    _cleanup_free_ char *part = state_file(sha, ".part"), *final = state_file(sha, "");
    mkdir(st, 0700);
    mkdir(images, 0700);
    unlink(final);
    write_file(part, p, n / 3);
    assert_int_equal(fetch(name, sha, &path, &err), 0);
    assert_file_is(path, want, want_n);
    assert_int_equal(access(part, F_OK), -1);
}

static void test_resume_plain(void **state) {
    resume("resume.raw", img, IMG_SIZE / 2 + 7, img, IMG_SIZE / 2 + 7);
}

static size_t xz_encode(unsigned char *out, size_t cap) {
    size_t pos = 0;
    assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, img, IMG_SIZE, out, &pos, cap),
                     LZMA_OK);
    return pos;
}

static size_t gz_encode(unsigned char *out, size_t cap) {
    z_stream z = {};
    assert_int_equal(deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = img;
    z.avail_in = IMG_SIZE;
    z.next_out = out;
    z.avail_out = (uInt) cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    deflateEnd(&z);
    return n;
}

static size_t zst_encode(unsigned char *out, size_t cap) {
    size_t n = ZSTD_compress(out, cap, img, IMG_SIZE, 1);
    assert_false(ZSTD_isError(n));
    return n;
}

static void compressed(size_t (*enc)(unsigned char *, size_t), const char *name) {
    size_t cap = IMG_SIZE * 2;
    _cleanup_free_ unsigned char *z = xmalloc0(cap);
    size_t n = enc(z, cap);
    assert_true(n < IMG_SIZE);
    _cleanup_free_ char *sha = serve(name, z, n), *path = NULL, *err = NULL;
    assert_int_equal(fetch(name, sha, &path, &err), 0);
    assert_cached_image(path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true((uint64_t) st.st_blocks * 512 < IMG_SIZE);   /* the zeros are a hole */
    /* the same download resumed from a third of it */
    resume(name, z, n, img, IMG_SIZE);
    /* a truncated stream whose sha256 is right: refused, nothing cached */
    _cleanup_free_ char *tname = xasprintf("t-%s", name);
    _cleanup_free_ char *tsha = serve(tname, z, n / 2), *tpath = NULL, *terr = NULL;
    assert_true(fetch(tname, tsha, &tpath, &terr) < 0);
    assert_non_null(strstr(terr, "not valid"));
    _cleanup_free_ char *tfinal = state_file(tsha, ""), *tout = state_file(tsha, ".out");
    assert_int_equal(access(tfinal, F_OK), -1);
    assert_int_equal(access(tout, F_OK), -1);   /* nor a partial decompression */
}

static void test_xz(void **state) {
    compressed(xz_encode, "img.raw.xz");
}

static void test_gz(void **state) {
    compressed(gz_encode, "img.raw.gz");
}

static void test_zst(void **state) {
    compressed(zst_encode, "img.raw.zst");
}

/* A .part longer than the file (the URL now serves a shorter one): started over, once. */
static void test_part_too_long(void **state) {
    size_t n = IMG_SIZE / 4 + 3;
    _cleanup_free_ char *sha = serve("short.raw", img, n), *path = NULL, *err = NULL;
    _cleanup_free_ char *st = xasprintf("%s/state", dir), *images = xasprintf("%s/state/images", dir);
    _cleanup_free_ char *part = state_file(sha, ".part");
    mkdir(st, 0700);
    mkdir(images, 0700);
    write_file(part, img + 1, IMG_SIZE / 2);
    assert_int_equal(fetch("short.raw", sha, &path, &err), 0);
    assert_file_is(path, img, n);
    assert_int_equal(access(part, F_OK), -1);
}

/* A decompression bomb with a wrong sha256: 32 MiB of non-zero bytes in a few KiB of .xz. Nothing
 * is decompressed before the sha256 matched: with files limited to 1 MiB (RLIMIT_FSIZE) the
 * error is still the mismatch, not a write of the .out failing. */
static void test_bomb(void **state) {
    size_t big = 32u << 20, cap = 1u << 20, n = 0;
    _cleanup_free_ unsigned char *raw = xmalloc0(big), *z = xmalloc0(cap);
    memset(raw, 0x5a, big);
    assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, raw, big, z, &n, cap), LZMA_OK);
    assert_true(n < 64 * 1024);
    _cleanup_free_ char *real = serve("bomb.xz", z, n), *path = NULL, *err = NULL;
    const char *bad = "00000000000000000000000000000000000000000000000000000000000000ee";
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 1u << 20;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int k = fetch("bomb.xz", bad, &path, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_true(k < 0);
    _cleanup_free_ char *want = xasprintf("sha256 mismatch: expected %s, got %s", bad, real);
    assert_non_null(strstr(err, want));
    _cleanup_free_ char *out = state_file(bad, ".out");
    assert_int_equal(access(out, F_OK), -1);
}

/* The daemon stopping (the engine's cancel flag set): the transfer ends, the .part is kept. */
static void test_cancel(void **state) {
    _cleanup_free_ char *sha = serve("cancel.raw", img, IMG_SIZE - 5), *path = NULL, *err = NULL;
    cancel = true;
    int k = fetch("cancel.raw", sha, &path, &err);
    cancel = false;
    assert_int_equal(k, -ECANCELED);
    assert_null(path);
    assert_non_null(strstr(err, "virtspec is stopping"));
    _cleanup_free_ char *part = state_file(sha, ".part"), *final = state_file(sha, "");
    assert_int_equal(access(part, F_OK), 0);
    assert_int_equal(access(final, F_OK), -1);
    _cleanup_free_ char *path2 = NULL, *err2 = NULL;   /* then it completes */
    assert_int_equal(fetch("cancel.raw", sha, &path2, &err2), 0);
    assert_file_is(path2, img, IMG_SIZE - 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_lock_held),
        cmocka_unit_test(test_prune_skips_locked),
        cmocka_unit_test(test_prune_dir_error),
        cmocka_unit_test(test_mismatch),
        cmocka_unit_test(test_xz),
        cmocka_unit_test(test_gz),
        cmocka_unit_test(test_zst),
        cmocka_unit_test(test_resume_plain),
        cmocka_unit_test(test_bomb),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_part_too_long),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
