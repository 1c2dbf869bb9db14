/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the fuzz targets (tests/fuzz/fuzz-*.c) and their replay driver (fuzz-main.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Inputs above this are ignored: the spec reader's own limit is 1 MiB, but what matters for
 * fuzzing is structure, and small inputs keep every execution fast. tests/fuzz/run passes the
 * same value to libFuzzer as -max_len. */
#define FUZZ_MAX_INPUT (64u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
