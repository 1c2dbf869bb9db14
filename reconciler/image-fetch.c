/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <lzma.h>
#include <nettle/sha2.h>
#include <zlib.h>
#include <zstd.h>

#include "image-fetch.h"
#include "log.h"
#include "progress.h"
#include "term.h"

#define BLOCK (64 * 1024)
#define XZ_MEMLIMIT (UINT64_C(1) << 30)   /* xz -9 needs 65 MiB to decompress; more is hostile */

static void curl_easy_cleanupp(CURL **c) {
    if (*c)
        curl_easy_cleanup(*c);
}

typedef enum Codec { CODEC_UNKNOWN, CODEC_NONE, CODEC_XZ, CODEC_GZ, CODEC_ZSTD } Codec;

static const char *const codec_names[] = {
    [CODEC_UNKNOWN] = "?", [CODEC_NONE] = "raw", [CODEC_XZ] = "xz", [CODEC_GZ] = "gzip",
    [CODEC_ZSTD] = "zstd",
};

/* One download: every byte received goes to the .part and the digest. Only once the sha256
 * matches is a compressed .part decompressed into the .out file (holes for zero blocks): bytes
 * nobody vouched for are never unpacked (a small .xz can expand to anything). */
/* A transfer in the process-wide list status reads (under running_lock). */
typedef struct Running {
    struct Running *next;
    const char *owner, *url;
    uint64_t done, total, base;     /* base: where this transfer started */
    struct timespec start;
} Running;

static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;
static Running *running;

typedef struct Fetch {
    const char *url;
    Running run;
    const bool *cancel;             /* the daemon is stopping (read atomically); may be NULL */
    bool cancelled;                 /* a callback saw it */
    int part_fd, out_fd;            /* out_fd: compressed images only */
    char *part, *out, *bad;
    struct sha256_ctx md;       /* of the bytes received (nettle: GnuTLS, which libvirt and
                                 * libcurl-gnutls load anyway, is built on it) */
    Codec codec;
    lzma_stream xz;
    z_stream gz;
    bool gz_end;                    /* a gzip member ended: the next byte starts another */
    ZSTD_DStream *zs;
    size_t zs_left;                 /* ZSTD_decompressStream's last hint: 0 at a frame's end */
    bool codec_started;
    uint64_t out_pos;               /* the decompressed image's length so far */
    uint64_t in_pos;                /* compressed bytes of the .part decompressed so far */
    uint64_t received;              /* bytes in the .part */
    uint64_t resume_from;           /* where this request started */
    bool checked_status;
    int err;                        /* errno of a local failure inside a callback */
    char *codec_err;
    Progress progress;
    bool progress_on;
} Fetch;

/* Seconds without a byte before a transfer counts as stalled: VIRTSPEC_FETCH_STALL_TIMEOUT
 * (1…3600; tests set it short), else 60. */
static long stall_timeout(void) {
    const char *v = getenv("VIRTSPEC_FETCH_STALL_TIMEOUT");
    char *end;
    long s = v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && s >= 1 && s <= 3600 ? s : 60;
}

static char *cache_path(const char *state_dir, const char *sha256, const char *suffix) {
    return xasprintf("%s/images/%s%s", state_dir, sha256, suffix);
}

void image_fetch_init(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

bool image_fetch_cached(const char *state_dir, const char *sha256) {
    _cleanup_free_ char *p = cache_path(state_dir, sha256, "");
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -errno;
        p += k;
        n -= (size_t) k;
    }
    return 0;
}

static bool all_zero(const unsigned char *p, size_t n) {
    return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* Decompressed output: a block of zeros is a hole (the file is truncated to its length at the
 * end), so the upload skips it. */
static int out_write(Fetch *f, const unsigned char *p, size_t n) {
    int k = 0;
    if (all_zero(p, n)) {
        if (lseek(f->out_fd, (off_t) n, SEEK_CUR) < 0)
            k = -errno;
    } else
        k = write_all(f->out_fd, p, n);
    if (k == 0)
        f->out_pos += n;
    return k;
}

static Codec codec_of(const unsigned char *h, size_t n) {
    if (n >= 6 && !memcmp(h, "\xfd" "7zXZ\0", 6))
        return CODEC_XZ;
    if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
        return CODEC_GZ;
    if (n >= 4 && !memcmp(h, "\x28\xb5\x2f\xfd", 4))
        return CODEC_ZSTD;
    return CODEC_NONE;
}

static int codec_fail(Fetch *f, const char *what) {
    if (!f->codec_err)
        f->codec_err = xasprintf("not valid %s data at %" PRIu64 " bytes of the download (%s)",
                                 codec_names[f->codec], f->in_pos, what);
    return -EBADMSG;
}

/* Feeds compressed bytes to the decompressor; finish: the input ended. */
static int decompress(Fetch *f, const unsigned char *in, size_t n, bool finish) {
    unsigned char buf[BLOCK];
    int k;
    switch (f->codec) {
    case CODEC_XZ:
        f->xz.next_in = in;
        f->xz.avail_in = n;
        for (;;) {
            f->xz.next_out = buf;
            f->xz.avail_out = sizeof(buf);
            lzma_ret lr = lzma_code(&f->xz, finish ? LZMA_FINISH : LZMA_RUN);
            if ((k = out_write(f, buf, sizeof(buf) - f->xz.avail_out)) < 0)
                return k;
            if (lr == LZMA_STREAM_END)
                return 0;
            if (lr == LZMA_MEMLIMIT_ERROR)
                return codec_fail(f, "it needs more than 1 GiB of memory to decompress");
            if (lr == LZMA_BUF_ERROR && finish)
                return codec_fail(f, "the stream is truncated");
            if (lr != LZMA_OK)
                return codec_fail(f, "liblzma error");
            if (f->xz.avail_in == 0 && f->xz.avail_out != 0 && !finish)
                return 0;
        }
    case CODEC_GZ:
        if (finish)
            return f->gz_end ? 0 : codec_fail(f, "the stream is truncated");
        f->gz.next_in = (unsigned char *) in;
        f->gz.avail_in = (uInt) n;
        for (;;) {
            if (f->gz_end) {   /* concatenated members */
                if (f->gz.avail_in == 0)
                    return 0;
                inflateReset(&f->gz);
                f->gz_end = false;
            }
            f->gz.next_out = buf;
            f->gz.avail_out = sizeof(buf);
            int zr = inflate(&f->gz, Z_NO_FLUSH);
            if ((k = out_write(f, buf, sizeof(buf) - f->gz.avail_out)) < 0)
                return k;
            if (zr == Z_STREAM_END)
                f->gz_end = true;
            else if (zr == Z_BUF_ERROR || (zr == Z_OK && f->gz.avail_in == 0 && f->gz.avail_out != 0))
                return 0;
            else if (zr != Z_OK)
                return codec_fail(f, f->gz.msg ? f->gz.msg : "zlib error");
        }
    case CODEC_ZSTD: {
        if (finish)
            return f->zs_left == 0 ? 0 : codec_fail(f, "the stream is truncated");
        ZSTD_inBuffer ib = { in, n, 0 };
        for (;;) {
            ZSTD_outBuffer ob = { buf, sizeof(buf), 0 };
            size_t before = ib.pos;
            size_t zr = ZSTD_decompressStream(f->zs, &ob, &ib);
            if (ZSTD_isError(zr))
                return codec_fail(f, ZSTD_getErrorName(zr));
            if ((k = out_write(f, buf, ob.pos)) < 0)
                return k;
            if (ob.pos > 0 || ib.pos > before)   /* an idle call says what the next frame needs */
                f->zs_left = zr;
            if (ib.pos == ib.size && ob.pos < ob.size)
                return 0;
        }
    }
    default:
        return 0;
    }
}

static int codec_start(Fetch *f) {
    f->codec_started = true;
    switch (f->codec) {
    case CODEC_XZ:
        f->xz = (lzma_stream) LZMA_STREAM_INIT;
        if (lzma_stream_decoder(&f->xz, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
            return -ENOMEM;
        break;
    case CODEC_GZ:
        f->gz = (z_stream) {};
        if (inflateInit2(&f->gz, 15 + 16) != Z_OK)
            return -ENOMEM;
        break;
    case CODEC_ZSTD:
        f->zs = ZSTD_createDStream();
        if (!f->zs)
            return -ENOMEM;
        f->zs_left = 1;
        break;
    default:
        f->codec_started = false;
        return 0;
    }
    f->out_fd = open(f->out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    return f->out_fd < 0 ? -errno : 0;
}

static void codec_stop(Fetch *f) {
    if (!f->codec_started)
        return;
    if (f->codec == CODEC_XZ)
        lzma_end(&f->xz);
    else if (f->codec == CODEC_GZ)
        inflateEnd(&f->gz);
    else if (f->codec == CODEC_ZSTD)
        ZSTD_freeDStream(f->zs);
    f->codec_started = false;
    if (f->out_fd >= 0)
        close(f->out_fd);
    f->out_fd = -1;
}

/* The .part and the digest of bytes that are already in the .part (from_part) or new ones. */
static int consume(Fetch *f, const unsigned char *p, size_t n, bool from_part) {
    int k;
    if (!from_part && (k = write_all(f->part_fd, p, n)) < 0)
        return k;
    f->received += n;
    sha256_update(&f->md, n, p);
    return 0;
}

/* Starts over: the server sent the whole file, not the rest. */
static int restart(Fetch *f) {
    if (ftruncate(f->part_fd, 0) < 0 || lseek(f->part_fd, 0, SEEK_SET) < 0)
        return -errno;
    sha256_init(&f->md);
    f->received = f->resume_from = 0;
    return 0;
}

static double seconds_since(const struct timespec *a) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double) (now.tv_sec - a->tv_sec) + (double) (now.tv_nsec - a->tv_nsec) / 1e9;
}

/* f's transfer in the list status reads, from its first byte (again after a restart) */
static void running_set(Fetch *f, uint64_t total) {
    pthread_mutex_lock(&running_lock);
    Running *r = &f->run, **p = &running;
    while (*p && *p != r)
        p = &(*p)->next;
    if (!*p) {
        r->next = running;
        running = r;
    }
    r->done = r->base = f->received;
    r->total = total;
    clock_gettime(CLOCK_MONOTONIC, &r->start);
    pthread_mutex_unlock(&running_lock);
}

static void running_update(Fetch *f) {
    pthread_mutex_lock(&running_lock);
    f->run.done = f->received;
    pthread_mutex_unlock(&running_lock);
}

static void running_drop(Fetch *f) {
    pthread_mutex_lock(&running_lock);
    for (Running **p = &running; *p; p = &(*p)->next)
        if (*p == &f->run) {
            *p = f->run.next;
            break;
        }
    pthread_mutex_unlock(&running_lock);
}

bool image_fetch_status(const char *owner, ImageFetchStatus *ret) {
    bool found = false;
    pthread_mutex_lock(&running_lock);
    for (Running *r = running; r && owner && !found; r = r->next)
        if (streq_ptr(r->owner, owner)) {
            double t = seconds_since(&r->start);
            *ret = (ImageFetchStatus) {
                .url = xstrdup(r->url), .done = r->done, .total = r->total,
                .rate = t > 0.1 ? (double) (r->done - r->base) / t : 0,
            };
            found = true;
        }
    pthread_mutex_unlock(&running_lock);
    return found;
}

bool image_fetch_running(void) {
    pthread_mutex_lock(&running_lock);
    bool any = running != NULL;
    pthread_mutex_unlock(&running_lock);
    return any;
}

/* The size unknown (no Content-Length): total 0, a line per PROGRESS_UNKNOWN_STEP. */
static void progress_begin(Fetch *f, CURL *c) {
    curl_off_t len = -1;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) != CURLE_OK || len <= 0)
        len = 0;
    uint64_t total = len ? f->resume_from + (uint64_t) len : 0;
    running_set(f, total);
    _cleanup_free_ char *what = xasprintf("fetching %s", f->url);
    progress_start(&f->progress, what, total, term_tty());
    f->progress_on = true;
}

typedef struct Sink {
    Fetch *f;
    CURL *c;
} Sink;

/* The daemon is stopping: the transfer ends (from the write callback, or the progress callback
 * while no byte comes), the .part is kept. */
static bool cancelled(Fetch *f) {
    if (f->cancel && __atomic_load_n(f->cancel, __ATOMIC_RELAXED))
        f->cancelled = true;
    return f->cancelled;
}

static int on_progress(void *opaque, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
    return cancelled(opaque);
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *opaque) {
    Sink *s = opaque;
    Fetch *f = s->f;
    size_t n = size * nmemb;
    if (cancelled(f))
        return 0;
    if (!f->checked_status) {
        f->checked_status = true;
        long code = 0;
        curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &code);
        if (f->resume_from > 0 && code == 200) {
            log_info("%s: the server ignored the range request; fetching it from the start", f->url);
            int k = restart(f);
            if (k < 0) {
                f->err = -k;
                return 0;
            }
        }
        progress_begin(f, s->c);
    }
    int k = consume(f, (const unsigned char *) p, n, false);
    if (k < 0) {
        f->err = -k;
        return 0;
    }
    if (f->progress_on)
        progress_update(&f->progress, f->received);
    running_update(f);
    return n;
}


static char *hex(const unsigned char *d, unsigned n) {
    char *s = xmalloc0(2 * n + 1);
    for (unsigned i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", d[i]);
    return s;
}

/* The sha256 of what was received so far (the context goes on). */
static char *digest_now(Fetch *f) {
    unsigned char d[SHA256_DIGEST_SIZE];
    struct sha256_ctx copy = f->md;
    sha256_digest(&copy, sizeof(d), d);
    return hex(d, sizeof(d));
}

static void fetch_clear(Fetch *f) {
    running_drop(f);
    codec_stop(f);
    if (f->part_fd >= 0)
        close(f->part_fd);
    if (f->progress_on)
        progress_end(&f->progress);
    free(f->part);
    free(f->out);
    free(f->bad);
    free(f->codec_err);
}

/* The .part's bytes through the digest again (a resumed download). */
static int replay_part(Fetch *f) {
    unsigned char buf[BLOCK];
    ssize_t n;
    while ((n = read(f->part_fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        int k = consume(f, buf, (size_t) n, true);
        if (k < 0)
            return k;
    }
    return 0;
}

/* The verified .part: a compressed one (by its magic bytes) is decompressed into the .out. */
static int unpack(Fetch *f) {
    unsigned char buf[BLOCK];
    ssize_t n = pread(f->part_fd, buf, 8, 0);
    if (n < 0)
        return -errno;
    f->codec = codec_of(buf, (size_t) n);
    int k = codec_start(f);
    if (k < 0 || !f->codec_started)
        return k;
    if (lseek(f->part_fd, 0, SEEK_SET) < 0)
        return -errno;
    while ((n = read(f->part_fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if ((k = decompress(f, buf, (size_t) n, false)) < 0)
            return k;
        f->in_pos += (uint64_t) n;
    }
    if ((k = decompress(f, NULL, 0, true)) < 0)
        return k;
    if (ftruncate(f->out_fd, (off_t) f->out_pos) < 0 || fsync(f->out_fd) < 0)
        return -errno;
    return 0;
}

static int mkdir_p(const char *dir) {
    _cleanup_free_ char *d = xstrdup(dir);
    for (char *p = d + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(d, 0700);
            *p = '/';
        }
    return mkdir(d, 0700) < 0 && errno != EEXIST ? -errno : 0;
}

/* STATE/images/SHA256.bad: "URL\nDIGEST\n" of a mismatch. That URL is not fetched for that
 * sha256 again (every retry would download it in full) until the spec's url or sha256 changes. */
static void bad_record(Fetch *f, const char *got) {
    _cleanup_free_ char *text = xasprintf("%s\n%s\n", f->url, got);
    int fd = open(f->bad, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        (void) write_all(fd, text, strlen(text));
        close(fd);
    }
}

/* A mismatch recorded for this URL: the error, else NULL (a record of another URL is dropped). */
static char *bad_check(Fetch *f, const char *sha256) {
    char buf[4096 + 80] = "";
    int fd = open(f->bad, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    char *nl = n > 0 ? memchr(buf, '\n', (size_t) n) : NULL;
    if (!nl || (size_t) (nl - buf) != strlen(f->url) || memcmp(buf, f->url, strlen(f->url))) {
        unlink(f->bad);
        return NULL;
    }
    char *got = nl + 1;
    got[strcspn(got, "\n")] = 0;
    return xasprintf("%s: sha256 mismatch before: expected %s, got %s; not fetched again until the "
                     "spec's url or sha256 changes (or %s is removed)", f->url, sha256, got, f->bad);
}

static int fetch_locked(Fetch *f, const char *final, const char *sha256, char **ret_err) {
    struct stat st;
    if (fstat(f->part_fd, &st) < 0)
        return -errno;
    int k = replay_part(f);
    if (k < 0) {
        *ret_err = xasprintf("reading %s: %s", f->part, strerror(-k));
        return k;
    }
    _cleanup_free_ char *have = f->received ? digest_now(f) : NULL;
    if (!streq_ptr(have, sha256)) {   /* else: complete already (killed before the rename) */
        f->resume_from = f->received;
        if (f->received)
            log_info("%s: resuming at %" PRIu64 " bytes (%s)", f->url, f->received, f->part);
        _cleanup_(curl_easy_cleanupp) CURL *c = curl_easy_init();
        if (!c)
            return -ENOMEM;
        Sink sink = { f, c };
        char curl_err[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(c, CURLOPT_URL, f->url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        long stall = stall_timeout();
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);     /* a stalled server */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "virtspec");
        curl_easy_setopt(c, CURLOPT_NETRC, (long) CURL_NETRC_OPTIONAL);   /* credentials: ~/.netrc */
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
        if (f->resume_from)
            curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) f->resume_from);
        CURLcode cr = curl_easy_perform(c);
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        /* a 416 to a resume: libcurl takes it for "the file is complete" and returns CURLE_OK
         * (no body); the .part is complete only if its sha256 matched above */
        bool too_long = cr == CURLE_BAD_DOWNLOAD_RESUME || (f->resume_from > 0 && code == 416);
        if ((cr == CURLE_RANGE_ERROR || too_long) && f->resume_from > 0 && !f->err && !f->cancelled) {
            /* the server answered the whole file to the range request, or the .part is longer
             * than the file (it changed): start over, once */
            if (too_long)
                log_info("%s: resuming at %" PRIu64 " bytes refused (%s): the .part is discarded, "
                         "fetching it from the start", f->url, f->resume_from,
                         code == 416 ? "HTTP 416, range not satisfiable: the file changed"
                                     : "the .part is longer than the file");
            else
                log_info("%s: the server ignored the range request; fetching it from the start", f->url);
            int r = restart(f);
            if (r < 0) {
                *ret_err = xasprintf("%s: truncating %s: %s", f->url, f->part, strerror(-r));
                return r;
            }
            f->checked_status = false;
            curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) 0);
            cr = curl_easy_perform(c);
        }
        running_drop(f);
        if (cr != CURLE_OK && f->cancelled) {
            char got[32];
            *ret_err = xasprintf("fetching %s: interrupted: virtspec is stopping; %s kept in %s to "
                                 "resume from", f->url, progress_bytes(got, sizeof(got), f->received),
                                 f->part);
            return -ECANCELED;
        }
        if (cr != CURLE_OK) {
            char got[32];
            curl_off_t connected = 0;
            curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connected);
            /* connected, then nothing for `stall` seconds: libcurl's low-speed limit */
            _cleanup_free_ char *why = cr == CURLE_OPERATION_TIMEDOUT && connected > 0
                ? xasprintf("stalled: the server sent nothing for %ld s (connection open)", stall)
                : xstrdup(curl_err[0] ? curl_err : curl_easy_strerror(cr));
            *ret_err = f->err ? xasprintf("%s: writing %s: %s", f->url, f->part, strerror(f->err))
                              : xasprintf("fetching %s: %s; %s kept in %s to resume from", f->url,
                                          why, progress_bytes(got, sizeof(got), f->received), f->part);
            return f->err ? -f->err : -EIO;
        }
        free(have);
        have = digest_now(f);
    }
    if (!streq(have, sha256)) {
        unlink(f->part);
        bad_record(f, have);
        *ret_err = xasprintf("%s: sha256 mismatch: expected %s, got %s (%" PRIu64 " bytes); the "
                             "download was removed", f->url, sha256, have, f->received);
        return -EBADMSG;
    }
    if ((k = unpack(f)) < 0) {
        if (f->codec_err)
            unlink(f->part);
        *ret_err = f->codec_err ? xasprintf("%s: %s", f->url, f->codec_err)
                                : xasprintf("%s: writing %s: %s", f->url, f->out, strerror(-k));
        return k;
    }
    if (!f->codec_started && fsync(f->part_fd) < 0)
        return -errno;
    if (rename(f->codec_started ? f->out : f->part, final) < 0) {
        k = -errno;
        *ret_err = xasprintf("%s: cannot store it as %s: %s", f->url, final, strerror(-k));
        return k;
    }
    if (f->codec_started)
        unlink(f->part);
    char a[32], b[32];
    log_info("fetched %s: %s (%s%s%s), sha256 %s verified, in %s", f->url,
             progress_bytes(a, sizeof(a), f->received), codec_names[f->codec],
             f->codec_started ? ", decompressed to " : "",
             f->codec_started ? progress_bytes(b, sizeof(b), f->out_pos) : "", sha256, final);
    return 0;
}

/* image_fetch with the image's lock held when it returns: that lock's fd, else a negative errno.
 * With ret_shared, a cached image is returned under a shared lock (*ret_shared set: passes
 * uploading one image into several pools do not wait for each other), else exclusively. */
static int fetch_under_lock(const char *state_dir, const char *url, const char *sha256_in,
                            const char *owner, const bool *cancel, char **ret_path, bool *ret_shared,
                            char **ret_err) {
    _cleanup_free_ char *sha256 = xstrdup(sha256_in);
    for (char *p = sha256; *p; p++)
        *p = (char) tolower((unsigned char) *p);
    _cleanup_free_ char *final = cache_path(state_dir, sha256, "");
    _cleanup_free_ char *dir = xasprintf("%s/images", state_dir);
    int k = mkdir_p(dir);
    if (k < 0) {
        *ret_err = xasprintf("cannot create the image cache %s: %s", dir, strerror(-k));
        return k;
    }
    /* one fetch of an image at a time, across threads and processes (apply and the daemon) */
    _cleanup_free_ char *lock = cache_path(state_dir, sha256, ".lock");
    int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    struct stat st;
    if (ret_shared && lfd >= 0 && flock(lfd, LOCK_SH) == 0 && stat(final, &st) == 0 && S_ISREG(st.st_mode)) {
        *ret_shared = true;
        *ret_path = xstrdup(final);
        return lfd;
    }
    if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
        k = -errno;
        *ret_err = xasprintf("cannot lock %s: %s", lock, strerror(-k));
        if (lfd >= 0)
            close(lfd);
        return k;
    }
    if (stat(final, &st) == 0 && S_ISREG(st.st_mode)) {
        *ret_path = xstrdup(final);
        return lfd;
    }
    _cleanup_(fetch_clear) Fetch f = {
        .url = url, .run = { .owner = owner, .url = url }, .cancel = cancel, .part_fd = -1, .out_fd = -1,
        .part = cache_path(state_dir, sha256, ".part"), .out = cache_path(state_dir, sha256, ".out"),
        .bad = cache_path(state_dir, sha256, ".bad"),
    };
    if ((*ret_err = bad_check(&f, sha256))) {
        close(lfd);
        return -EBADMSG;
    }
    sha256_init(&f.md);
    f.part_fd = open(f.part, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (f.part_fd < 0) {
        k = -errno;
        *ret_err = xasprintf("cannot open %s: %s", f.part, strerror(-k));
    } else
        k = fetch_locked(&f, final, sha256, ret_err);
    if (k < 0 && !*ret_err)
        *ret_err = xasprintf("%s: %s", url, strerror(-k));
    if (k < 0) {
        unlink(f.out);   /* a partial decompression is never kept (the .part resumes) */
        close(lfd);
        return k;
    }
    *ret_path = xstrdup(final);
    return lfd;
}

int image_fetch(const char *state_dir, const char *url, const char *sha256, const char *owner,
                const bool *cancel, char **ret_path, int *ret_lock, char **ret_err) {
    for (;;) {
        bool shared = false;
        int lfd = fetch_under_lock(state_dir, url, sha256, owner, cancel, ret_path,
                                   ret_lock ? &shared : NULL, ret_err);
        if (lfd < 0 || !ret_lock) {
            if (lfd >= 0)
                close(lfd);
            return lfd < 0 ? lfd : 0;
        }
        /* flock's downgrade is not atomic: the cache's pruning may have removed the image */
        struct stat st;
        if (shared || (flock(lfd, LOCK_SH) == 0 && stat(*ret_path, &st) == 0)) {
            *ret_lock = lfd;
            return 0;
        }
        close(lfd);
        free(*ret_path);
        *ret_path = NULL;
    }
}
