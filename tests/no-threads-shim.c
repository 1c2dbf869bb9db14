/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LD_PRELOAD shim: pthread_create always fails with EAGAIN, as it does at a process or thread
 * limit (tests/check-destroy-no-threads.sh). */
#include <errno.h>
#include <pthread.h>

int pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *arg) {
    (void) t, (void) a, (void) f, (void) arg;
    return EAGAIN;
}
