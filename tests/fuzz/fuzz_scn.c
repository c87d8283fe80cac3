/* fuzz_scn.c - libFuzzer target for the scenario loader (`make fuzz`).
 *
 * Each input is a would-be scenario file. It goes through the loader's public
 * path exactly as `domino check` takes it: scn_open on a file (so reading,
 * parsing and the variants check are all covered), then scn_build of every
 * variant. Everything is freed, so LeakSanitizer checks the error paths too.
 *
 * The bytes go to one temp file made at start-up and rewritten per input:
 * scn_open takes a path, and reusing its own reader is simpler and more
 * faithful than replicating scn_open around scn__parse.
 *
 * Besides crashes, leaks and UB, it traps on a broken loader contract: a
 * build that fails must report an error and leave its config zeroed, and one
 * that succeeds must report nothing; scn_open must return NULL iff it
 * reported something.
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/app/scn.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[] = "/tmp/fuzz_scn-XXXXXX";
static int fd = -1;

static void remove_temp(void)
{
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fd = mkstemp(path);
    if (fd < 0) {
        perror("fuzz_scn: mkstemp");
        exit(1);
    }
    atexit(remove_temp);
    return 0;
}

static void put_file(const uint8_t *data, size_t size)
{
    if (ftruncate(fd, 0) != 0) {
        perror("fuzz_scn: ftruncate");
        exit(1);
    }
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);
        if (w <= 0) {
            perror("fuzz_scn: pwrite");
            exit(1);
        }
        done += (size_t)w;
    }
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return false;
    return true;
}

static void build_all(const struct scn_doc *doc)
{
    for (int i = 0; i < scn_variant_count(doc); i++) {
        struct scn_errors err;
        scn_errors_init(&err);
        struct world_config cfg;
        bool ok = scn_build(doc, i, &cfg, &err);
        if (ok && err.n != 0) __builtin_trap();  /* success with errors */
        if (!ok && err.n == 0) __builtin_trap(); /* failure without a word */
        if (ok)
            world_config_fini(&cfg);
        else if (!all_zero(&cfg, sizeof cfg))
            __builtin_trap(); /* "nothing is half-built" */
        scn_errors_fini(&err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    put_file(data, size);
    struct scn_errors err;
    scn_errors_init(&err);
    struct scn_doc *doc = scn_open(path, &err);
    if ((doc == NULL) != (err.n > 0)) __builtin_trap();
    scn_errors_fini(&err);
    if (!doc) return 0;
    for (int i = 0; i < scn_variant_count(doc); i++)
        if (scn_variant_find(doc, scn_variant_name(doc, i)) != i) __builtin_trap();
    build_all(doc);
    scn_close(doc);
    return 0;
}
