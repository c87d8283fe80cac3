/* test_scn.c - the scenario loader: merge rule, typed values, distributions,
 * suggestions, `--set`, and a complete scenario converted field by field.
 *
 * Scenarios are written to temporary files because scn_open reads a path,
 * which is also what the program does. The exact wording of each validation
 * error is pinned by tests/bad/ (one file per rule); here errors are checked
 * by the substance of their message.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/app/scn.h"
#include "sim/app/scn_internal.h"
#include "sim/kernel/sim_mem.h"

/* ---- helpers ------------------------------------------------------------- */

static char *write_tmp(const char *text)
{
    const char *dir = getenv("TMPDIR");
    char *path = sim_xmalloc(512);
    snprintf(path, 512, "%s/test_scn_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

/* Opens text as a scenario; the file is removed at once (the doc keeps no
 * handle on it). NULL on error, with the errors in *err. */
static struct scn_doc *open_text(const char *text, struct scn_errors *err)
{
    char *path = write_tmp(text);
    struct scn_doc *doc = scn_open(path, err);
    unlink(path);
    free(path);
    return doc;
}

/* Builds variant v of text; asserts success and no errors. */
static void build_ok(const char *text, int v, struct world_config *cfg)
{
    struct scn_errors err;
    scn_errors_init(&err);
    struct scn_doc *doc = open_text(text, &err);
    bool ok = doc && scn_build(doc, v, cfg, &err);
    if (!ok) scn_errors_print(&err, stderr);
    assert_true(ok);
    assert_int_equal(err.n, 0);
    scn_close(doc);
    scn_errors_fini(&err);
}

/* All errors of opening and building every variant, one per line, with
 * "FILE:LINE:COL: error: " cut off: what the user is told. */
static char *errors_of(const char *text)
{
    struct scn_errors err;
    scn_errors_init(&err);
    struct scn_doc *doc = open_text(text, &err);
    for (int v = 0; doc && v < scn_variant_count(doc); v++) {
        struct world_config cfg;
        if (scn_build(doc, v, &cfg, &err))
            world_config_fini(&cfg);
        else
            assert_null(cfg.services); /* nothing half-built is handed back */
    }
    scn_close(doc);
    size_t len = 1;
    for (int i = 0; i < err.n; i++)
        len += strlen(err.lines[i]) + 1;
    char *out = sim_xcalloc(len, 1);
    for (int i = 0; i < err.n; i++) {
        const char *m = strstr(err.lines[i], "error: ");
        strcat(out, m ? m + 7 : err.lines[i]);
        strcat(out, "\n");
    }
    scn_errors_fini(&err);
    return out;
}

static void assert_error(const char *text, const char *expected_substring)
{
    char *e = errors_of(text);
    if (!strstr(e, expected_substring))
        fprintf(stderr, "expected \"%s\" in:\n%s", expected_substring, e);
    assert_non_null(strstr(e, expected_substring));
    free(e);
}

static struct scn_node *parse(const char *text)
{
    struct scn_errors err;
    scn_errors_init(&err);
    struct scn_node *n = scn__parse("t.yaml", text, strlen(text), &err);
    if (!n) scn_errors_print(&err, stderr);
    assert_non_null(n);
    scn_errors_fini(&err);
    return n;
}

/* A small valid scenario the tests vary. */
#define HEAD "name: t\nduration: 10m\n"
#define SVC                                                                                        \
    "services:\n"                                                                                  \
    "  - name: api\n"                                                                              \
    "    threads: 8\n"                                                                             \
    "    endpoints:\n"                                                                             \
    "      - name: get\n"                                                                          \
    "        steps:\n"                                                                             \
    "          - work: 1ms\n"

/* ---- merge --------------------------------------------------------------- */

static void test_merge_mappings_key_by_key_keeping_base_order(void **state)
{
    (void)state;
    struct scn_node *base = parse("a: 1\nb: {x: 1, y: 2}\nc: 3\n");
    struct scn_node *over = parse("b: {y: 20, z: 30}\nd: 4\n");
    struct scn_node *m = scn__merge(base, over);
    assert_int_equal(m->n, 4);
    assert_string_equal(m->keys[0].name, "a");
    assert_string_equal(m->keys[1].name, "b");
    assert_string_equal(m->keys[3].name, "d");
    const struct scn_node *b = scn__map_get(m, "b");
    assert_int_equal(b->n, 3);
    assert_string_equal(scn__map_get(b, "x")->str, "1");
    assert_string_equal(scn__map_get(b, "y")->str, "20");
    assert_string_equal(scn__map_get(b, "z")->str, "30");
    scn__node_free(m);
    scn__node_free(over);
    scn__node_free(base);
}

static void test_merge_null_removes_a_key(void **state)
{
    (void)state;
    struct scn_node *base = parse("p: {timeout: 2s, breaker: {kind: sliding}}\n");
    struct scn_node *over = parse("p: {breaker: null}\n");
    struct scn_node *m = scn__merge(base, over);
    const struct scn_node *p = scn__map_get(m, "p");
    assert_int_equal(scn__map_find(p, "breaker"), -1);
    assert_non_null(scn__map_get(p, "timeout"));
    scn__node_free(m);
    scn__node_free(over);
    /* `~` and an empty value are null too; a quoted "null" is text. */
    over = parse("p:\n  timeout: ~\n  breaker:\n");
    m = scn__merge(base, over);
    assert_int_equal(scn__map_get(m, "p")->n, 0);
    scn__node_free(m);
    scn__node_free(over);
    over = parse("p: {timeout: \"null\"}\n");
    m = scn__merge(base, over);
    assert_string_equal(scn__map_get(scn__map_get(m, "p"), "timeout")->str, "null");
    scn__node_free(m);
    scn__node_free(over);
    scn__node_free(base);
}

static void test_merge_named_lists_item_by_item_and_appends_new_names(void **state)
{
    (void)state;
    struct scn_node *base = parse("s:\n"
                                  "  - {name: a, threads: 1, pools: [{name: db, size: 5}]}\n"
                                  "  - {name: b, threads: 2}\n");
    struct scn_node *over = parse("s: [{name: a, pools: [{name: db, size: 400}, {name: c, "
                                  "size: 1}]}, {name: z, threads: 9}]\n");
    struct scn_node *m = scn__merge(base, over);
    const struct scn_node *s = scn__map_get(m, "s");
    assert_int_equal(s->n, 3);
    assert_string_equal(scn__node_name(s->items[0]), "a");
    assert_string_equal(scn__map_get(s->items[0], "threads")->str, "1");
    const struct scn_node *pools = scn__map_get(s->items[0], "pools");
    assert_int_equal(pools->n, 2);
    assert_string_equal(scn__map_get(pools->items[0], "size")->str, "400");
    assert_string_equal(scn__node_name(pools->items[1]), "c");
    assert_string_equal(scn__node_name(s->items[1]), "b");
    assert_string_equal(scn__node_name(s->items[2]), "z");
    scn__node_free(m);
    scn__node_free(over);
    scn__node_free(base);
}

static void test_merge_replaces_other_lists_and_scalars(void **state)
{
    (void)state;
    struct scn_node *base = parse("f: [{at: 1s}, {at: 2s}]\nr: [1, 2]\nx: {a: 1}\n");
    struct scn_node *over = parse("f: [{at: 9s}]\nr: []\nx: 5\n");
    struct scn_node *m = scn__merge(base, over);
    assert_int_equal(scn__map_get(m, "f")->n, 1);
    assert_string_equal(scn__map_get(scn__map_get(m, "f")->items[0], "at")->str, "9s");
    assert_int_equal(scn__map_get(m, "r")->n, 0); /* an empty list replaces */
    assert_int_equal(scn__map_get(m, "x")->kind, SCN_SCALAR);
    scn__node_free(m);
    scn__node_free(over);
    scn__node_free(base);
}

static void test_merge_leaves_its_inputs_alone(void **state)
{
    (void)state;
    struct scn_node *base = parse("a: {b: 1}\nl: [{name: x, v: 1}]\n");
    struct scn_node *over = parse("a: {b: null}\nl: [{name: x, v: 2}]\n");
    struct scn_node *m = scn__merge(base, over);
    scn__node_free(m);
    assert_string_equal(scn__map_get(scn__map_get(base, "a"), "b")->str, "1");
    assert_string_equal(scn__map_get(scn__map_get(base, "l")->items[0], "v")->str, "1");
    assert_true(scn__map_get(over, "a")->items[0]->null);
    scn__node_free(over);
    scn__node_free(base);
}

/* ---- the tree -------------------------------------------------------------- */

static void test_tree_keeps_one_based_positions_of_nodes_and_keys(void **state)
{
    (void)state;
    struct scn_node *n = parse("# c\nname: x\nlist:\n  - {a: 1}\n");
    assert_int_equal(n->keys[0].line, 2);
    assert_int_equal(n->keys[0].col, 1);
    assert_int_equal(n->items[0]->line, 2);
    assert_int_equal(n->items[0]->col, 7);
    const struct scn_node *item = scn__map_get(n, "list")->items[0];
    assert_int_equal(item->line, 4);
    assert_int_equal(item->col, 5);
    assert_int_equal(item->keys[0].col, 6);
    scn__node_free(n);
}

static void test_alias_bomb_is_refused_without_expanding(void **state)
{
    (void)state;
    assert_error("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                 "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
                 "aliases are not supported");
}

static void test_duplicate_keys_and_deep_nesting_are_errors(void **state)
{
    (void)state;
    assert_error("a: 1\nb: 2\na: 3\n", "duplicate key \"a\" (first at line 1)");
    char deep[300] = "a: ";
    for (int i = 0; i < 100; i++)
        strcat(deep, "[");
    for (int i = 0; i < 100; i++)
        strcat(deep, "]");
    strcat(deep, "\n");
    assert_error(deep, "nesting deeper than 64 levels");
}

static void test_unreadable_file_is_reported_without_position(void **state)
{
    (void)state;
    struct scn_errors err;
    scn_errors_init(&err);
    assert_null(scn_open("/nonexistent/dir/x.yaml", &err));
    assert_int_equal(err.n, 1);
    assert_string_equal(err.lines[0],
                        "/nonexistent/dir/x.yaml: error: cannot read: No such file or directory");
    scn_errors_fini(&err);
}

static void test_empty_and_non_mapping_files_are_errors(void **state)
{
    (void)state;
    assert_error("# nothing\n", "empty scenario file");
    assert_error("---\n", "empty scenario file");
    assert_error("- a\n- b\n", "the top level must be a mapping");
}

/* ---- values ---------------------------------------------------------------- */

static void test_durations_accept_units_compounds_and_bare_seconds(void **state)
{
    (void)state;
    struct world_config c;
    build_ok("name: t\nduration: 15m10s\nwarmup: 90\nsample: 250ms\n" SVC
             "      - name: h\n        steps: [{work: 250us}, {work: 1.5}]\n",
             0, &c);
    assert_int_equal(c.duration, 15 * SIM_MIN + 10 * SIM_S);
    assert_int_equal(c.warmup, 90 * SIM_S);
    assert_int_equal(c.sample, 250 * SIM_MS);
    const struct endpoint_config *h = &c.services[0].endpoints[1];
    assert_int_equal(h->steps[0].dist.kind, SIM_DIST_CONSTANT);
    assert_true(sim_dist_mean(&h->steps[0].dist) == 250e-6);
    assert_true(sim_dist_mean(&h->steps[1].dist) == 1.5);
    world_config_fini(&c);
}

static void test_bad_durations_name_the_key_and_value(void **state)
{
    (void)state;
    assert_error(HEAD "sample: -1s\n" SVC,
                 "sample must be a duration like 250ms, 30s or 15m, got \"-1s\": a duration "
                 "cannot be negative");
    assert_error("name: t\nduration: 1 h\n" SVC, "duration must be a duration");
    assert_error("name: t\nduration: 0s\n" SVC, "duration must be a duration > 0, got \"0s\"");
    assert_error(HEAD "warmup: 10m\n" SVC, "warmup must be shorter than duration (10m)");
}

static void test_percentages_and_fractions(void **state)
{
    (void)state;
    struct world_config c;
    build_ok(HEAD "services:\n  - name: a\n    threads: 1\n    endpoints:\n"
                  "      - {name: x, error_rate: 50%}\n      - {name: y, error_rate: 0.25}\n"
                  "      - {name: z, error_rate: 0}\n      - {name: w, error_rate: 100%}\n",
             0, &c);
    assert_true(c.services[0].endpoints[0].error_rate == 0.5);
    assert_true(c.services[0].endpoints[1].error_rate == 0.25);
    assert_true(c.services[0].endpoints[2].error_rate == 0);
    assert_true(c.services[0].endpoints[3].error_rate == 1);
    world_config_fini(&c);
    const char *want = "a percentage like 50% or a fraction in [0, 1]";
    assert_error(HEAD "services: [{name: a, threads: 1, endpoints: [{name: x, error_rate: 50}]}]\n",
                 want);
    assert_error(
        HEAD "services: [{name: a, threads: 1, endpoints: [{name: x, error_rate: 101%}]}]\n", want);
    assert_error(
        HEAD "services: [{name: a, threads: 1, endpoints: [{name: x, error_rate: -0.1}]}]\n", want);
}

static void test_integers_reject_fractions_overflow_and_negatives(void **state)
{
    (void)state;
    assert_error(HEAD "services: [{name: a, threads: 2.5}]\n",
                 "threads must be an integer >= 1 or \"unlimited\", got \"2.5\"");
    assert_error(HEAD "services: [{name: a, threads: -3}]\n",
                 "threads must be an integer >= 1 or \"unlimited\", got \"-3\"");
    assert_error(HEAD "services: [{name: a, threads: 99999999999999999999999}]\n",
                 "threads must be an integer between 1 and 2147483647");
    assert_error(HEAD "services: [{name: a, threads: 1, queue: 0x10}]\n",
                 "queue must be an integer >= 0, got \"0x10\"");
    assert_error("name: t\nduration: 1m\nseed: -1\n" SVC, "seed must be an integer between 0");
    struct world_config c;
    build_ok("name: t\nduration: 1m\nseed: 18446744073709551615\n" SVC, 0, &c);
    assert_true(c.seed == UINT64_MAX);
    world_config_fini(&c);
}

/* ---- distributions ------------------------------------------------------------- */

static void test_every_distribution_kind_builds_with_duration_parameters(void **state)
{
    (void)state;
    struct world_config c;
    build_ok(HEAD "services:\n  - name: a\n    threads: 1\n    endpoints:\n"
                  "      - name: x\n        steps:\n"
                  "          - work: {dist: constant, value: 5ms}\n"
                  "          - work: {dist: exponential, mean: 2ms}\n"
                  "          - work: {dist: uniform, min: 1ms, max: 3ms}\n"
                  "          - work: {dist: normal, mean: 10ms, sd: 1ms}\n"
                  "          - work: {dist: lognormal, mean: 20ms, sd: 10ms}\n"
                  "          - work: {dist: lognormal, median: 10ms, p99: 100ms}\n"
                  "          - work: {dist: gamma, mean: 4ms, cv: 0.5}\n"
                  "          - work: {dist: weibull, scale: 1ms, shape: 2}\n"
                  "          - work: {dist: pareto, scale: 1ms, shape: 3}\n"
                  "          - work: {dist: mixture, of: [{weight: 3, dist: constant, value: 1ms},"
                  " {weight: 1, dist: exponential, mean: 5ms}]}\n",
             0, &c);
    const struct step_config *s = c.services[0].endpoints[0].steps;
    static const enum sim_dist_kind kinds[] = {
        SIM_DIST_CONSTANT,  SIM_DIST_EXPONENTIAL, SIM_DIST_UNIFORM, SIM_DIST_NORMAL,
        SIM_DIST_LOGNORMAL, SIM_DIST_LOGNORMAL,   SIM_DIST_GAMMA,   SIM_DIST_WEIBULL,
        SIM_DIST_PARETO,    SIM_DIST_MIXTURE};
    for (int i = 0; i < 10; i++)
        assert_int_equal(s[i].dist.kind, kinds[i]);
    assert_true(fabs(sim_dist_mean(&s[0].dist) - 0.005) < 1e-12);
    assert_true(fabs(sim_dist_mean(&s[1].dist) - 0.002) < 1e-12);
    assert_true(fabs(sim_dist_mean(&s[2].dist) - 0.002) < 1e-12);
    assert_true(fabs(sim_dist_mean(&s[4].dist) - 0.020) < 1e-9);
    assert_true(fabs(sim_dist_mean(&s[6].dist) - 0.004) < 1e-12);
    assert_int_equal(s[9].dist.n, 2);
    assert_true(fabs(sim_dist_mean(&s[9].dist) - (0.75 * 0.001 + 0.25 * 0.005)) < 1e-12);
    world_config_fini(&c);
}

static void test_distribution_errors(void **state)
{
    (void)state;
#define ONE_STEP(w)                                                                                \
    HEAD "services: [{name: a, threads: 1, endpoints: [{name: x, steps: [{work: " w "}]}]}]\n"
    assert_error(ONE_STEP("{dist: exponentail, mean: 5ms}"), "did you mean 'exponential'?");
    assert_error(ONE_STEP("{dist: exponential, mean: 0s}"), "work: mean must be > 0, got \"0s\"");
    assert_error(ONE_STEP("{dist: uniform, min: 1ms}"), "a uniform distribution needs 'max'");
    assert_error(ONE_STEP("{dist: uniform, min: 3ms, max: 1ms}"), "work: min must be <= max");
    assert_error(ONE_STEP("{dist: gamma, mean: 1ms, cv: 5ms}"), "cv must be a number");
    assert_error(ONE_STEP("{dist: lognormal, mean: 1ms, p99: 5ms}"), "not both");
    assert_error(ONE_STEP("{mean: 5ms}"), "missing required key 'dist'");
    assert_error(ONE_STEP("{dist: mixture, of: [{weight: 0, dist: constant, value: 1ms}]}"),
                 "weight must be a number > 0");
    assert_error(ONE_STEP("{dist: mixture, of: [{dist: mixture, weight: 1, of: []}]}"),
                 "a mixture part cannot itself be a mixture");
    assert_error(ONE_STEP("{dist: exponential, mean: 1ms, scale: 2}"),
                 "unknown key \"scale\" in an exponential distribution");
#undef ONE_STEP
}

/* ---- suggestions ----------------------------------------------------------------- */

static void test_did_you_mean_suggests_only_close_names(void **state)
{
    (void)state;
    static const char *const keys[] = {"name", "threads", "queue", "policies", "at"};
    assert_string_equal(scn__did_you_mean("thread", keys, 5), "threads");
    assert_string_equal(scn__did_you_mean("polices", keys, 5), "policies");
    assert_string_equal(scn__did_you_mean("que", keys, 5), "queue");
    assert_string_equal(scn__did_you_mean("Threads", keys, 5), "threads");
    assert_null(scn__did_you_mean("x", keys, 5)); /* fewer letters than edits */
    assert_null(scn__did_you_mean("colour", keys, 5));
    assert_null(scn__did_you_mean("threads", keys, 5)); /* a match is not a typo */
    static const char *const tie[] = {"ab", "ac"};
    assert_string_equal(scn__did_you_mean("aa", tie, 2), "ab");
}

static void test_unknown_keys_and_names_get_suggestions(void **state)
{
    (void)state;
    assert_error(HEAD "polices: {}\n" SVC,
                 "unknown key \"polices\" at the top level; did you mean 'policies'?");
    assert_error(HEAD "services: [{name: a, threads: 1, thread: 2}]\n",
                 "unknown key \"thread\" in service 'a'; did you mean 'threads'?");
    assert_error(HEAD SVC "      - name: h\n        steps: [{call: api.gett}]\n",
                 "unknown endpoint \"api.gett\" in call; did you mean 'api.get'?");
    assert_error(HEAD "policies: {slow: {timeout: 1s}}\n" SVC
                      "      - name: h\n        steps: [{call: api.get, policy: slwo}]\n",
                 "unknown policy \"slwo\"; did you mean 'slow'?");
    assert_error(HEAD SVC "faults: [{at: 1s, target: apj, kind: pause}]\n",
                 "unknown fault target \"apj\"; did you mean 'api'?");
    assert_error(HEAD SVC "bus: {latncy: 1ms}\n",
                 "unknown key \"latncy\" in bus; did you mean 'latency'?");
}

static void test_quote_escapes_control_bytes_and_cuts_long_text(void **state)
{
    (void)state;
    char buf[64];
    scn__quote("a\"b\n", buf, sizeof buf);
    assert_string_equal(buf, "\"a\\\"b\\x0a\"");
    scn__quote("0123456789012345678901234567890123456789abcdef", buf, sizeof buf);
    assert_string_equal(buf, "\"0123456789012345678901234567890123456789...\"");
}

/* ---- a complete scenario ---------------------------------------------------------- */

static const char full[] =
    "name: valentine-cascade\n"
    "description: free text\n"
    "seed: 20220214\n"
    "duration: 30m\n"
    "warmup: 2m\n"
    "clock: \"14:00:00\"\n"
    "network:\n"
    "  latency: {dist: exponential, mean: 1ms}\n"
    "services:\n"
    "  - name: payment\n"
    "    threads: 200\n"
    "    queue: 1000\n"
    "    discipline: lifo\n"
    "    queue_timeout: 5s\n"
    "    contention: 10ms\n"
    "    max_inflight: 5000\n"
    "    restart: 60s\n"
    "    pools:\n"
    "      - {name: db, size: 200, acquire_timeout: 30s}\n"
    "    endpoints:\n"
    "      - name: charge\n"
    "        error_rate: 1%\n"
    "        steps:\n"
    "          - work: {dist: exponential, mean: 5ms}\n"
    "          - use: db\n"
    "            hold: {dist: lognormal, mean: 20ms, sd: 10ms}\n"
    "          - {call: email.send, policy: email_call, optional: true}\n"
    "          - parallel: [{call: email.send}, {call: email.send, optional: true}]\n"
    "          - parallel: {need: 2, calls: [{call: email.send}, {call: email.send}, "
    "{call: email.send}]}\n"
    "          - use: db\n"
    "  - name: email\n"
    "    threads: unlimited\n"
    "    endpoints: [{name: send, steps: [{work: 1ms}]}, {name: noop}]\n"
    "  - name: user\n"
    "    threads: 50\n"
    "    endpoints: [{name: checkout, steps: [{call: payment.charge, policy: pay}]}]\n"
    "policies:\n"
    "  email_call:\n"
    "    timeout: 2s\n"
    "    retry: {attempts: 3, backoff: exponential, base: 100ms, multiplier: 3, cap: 5s,\n"
    "            jitter: full, on: [timeout, error, rejected]}\n"
    "    breaker: {kind: sliding, window: time, size: 60, min_calls: 20, failure_rate: 40%,\n"
    "              slow_rate: 0.9, slow_call: 1s, open_for: 30s, half_open_calls: 5}\n"
    "    bulkhead: {kind: semaphore, max_concurrent: 20, max_wait: 10ms}\n"
    "    fallback: {kind: fail, latency: 1ms}\n"
    "    latency: 5ms\n"
    "    cancel_on_timeout: true\n"
    "    throttle: {k: 1.5, window: 1m}\n"
    "  pay:\n"
    "    timeout: 10s\n"
    "    breaker: {failure_threshold: 3}\n"
    "    bulkhead: {threads: 4}\n"
    "  user_retry:\n"
    "    retry: {attempts: 2, budget: {ratio: 10%}, bucket: {capacity: 5}}\n"
    "load:\n"
    "  - name: orders\n"
    "    target: user.checkout\n"
    "    rate: [{at: 0, rps: 1000}, {at: 15m, rps: 15000, ramp: 1m}]\n"
    "    timeout: 30s\n"
    "    policy: user_retry\n"
    "  - {name: bots, target: email.noop, arrivals: constant, rate: 5, timeout: 1s}\n"
    "  - {name: plain, target: email.send, rate: 2, policy: pay}\n"
    "faults:\n"
    "  - {at: 15m10s, until: 25m, target: payment.db, kind: slow, factor: 50}\n"
    "  - {at: 16m, target: payment, kind: crash, mode: hang}\n"
    "  - {at: 60s, until: 70s, target: email, kind: pause}\n"
    "  - {at: 1m, target: payment.charge, kind: errors, rate: 30%}\n"
    "  - {at: 2m, target: payment.db, kind: pool, size: 0}\n"
    "  - {at: 3m, target: email.send, kind: slow, add: 5ms}\n"
    "variants:\n"
    "  - name: as-written\n"
    "  - name: no-breaker\n"
    "    policies: {email_call: {breaker: null}}\n"
    "  - name: bigger-pool\n"
    "    services: [{name: payment, pools: [{name: db, size: 400}]}]\n"
    "    seed: 7\n";

static void test_complete_scenario_builds_with_expected_values(void **state)
{
    (void)state;
    struct world_config c;
    build_ok(full, 0, &c);
    assert_string_equal(c.name, "valentine-cascade");
    assert_true(c.seed == 20220214);
    assert_int_equal(c.duration, 30 * SIM_MIN);
    assert_int_equal(c.warmup, 2 * SIM_MIN);
    assert_int_equal(c.sample, SIM_S);
    assert_true(c.has_clock);
    assert_int_equal(c.clock, 14 * SIM_HOUR);
    assert_true(c.has_latency);
    assert_int_equal(c.latency.kind, SIM_DIST_EXPONENTIAL);

    assert_int_equal(c.nservices, 3);
    const struct service_config *p = &c.services[0];
    assert_string_equal(p->name, "payment");
    assert_int_equal(p->threads, 200);
    assert_int_equal(p->queue, 1000);
    assert_true(p->lifo);
    assert_int_equal(p->queue_timeout, 5 * SIM_S);
    assert_int_equal(p->contention, 10 * SIM_MS);
    assert_int_equal(p->max_inflight, 5000);
    assert_int_equal(p->restart, 60 * SIM_S);
    assert_int_equal(p->npools, 1);
    assert_string_equal(p->pools[0].name, "db");
    assert_int_equal(p->pools[0].size, 200);
    assert_int_equal(p->pools[0].acquire_timeout, 30 * SIM_S);
    assert_int_equal(p->nendpoints, 1);
    const struct endpoint_config *ch = &p->endpoints[0];
    assert_true(ch->error_rate == 0.01);
    assert_int_equal(ch->nsteps, 6);
    assert_int_equal(ch->steps[0].kind, STEP_WORK);
    assert_int_equal(ch->steps[1].kind, STEP_USE);
    assert_int_equal(ch->steps[1].pool, 0);
    assert_int_equal(ch->steps[1].dist.kind, SIM_DIST_LOGNORMAL);
    assert_int_equal(ch->steps[2].kind, STEP_CALL);
    assert_int_equal(ch->steps[2].call.service, 1);
    assert_int_equal(ch->steps[2].call.endpoint, 0);
    assert_int_equal(ch->steps[2].call.policy, 0);
    assert_true(ch->steps[2].call.optional);
    assert_int_equal(ch->steps[3].kind, STEP_PARALLEL);
    assert_int_equal(ch->steps[3].ncalls, 2);
    assert_int_equal(ch->steps[3].need, 2);
    assert_int_equal(ch->steps[3].calls[0].policy, -1);
    assert_false(ch->steps[3].calls[0].optional);
    assert_true(ch->steps[3].calls[1].optional);
    assert_int_equal(ch->steps[4].ncalls, 3);
    assert_int_equal(ch->steps[4].need, 2);
    assert_int_equal(ch->steps[5].dist.kind, SIM_DIST_CONSTANT); /* use without hold */
    assert_true(sim_dist_mean(&ch->steps[5].dist) == 0);
    assert_int_equal(c.services[1].threads, 0); /* unlimited */
    assert_int_equal(c.services[1].queue, -1);  /* unbounded */
    assert_int_equal(c.services[1].endpoints[1].nsteps, 0);

    /* Policies in file order, then one per load with a timeout. */
    assert_int_equal(c.npolicies, 5);
    const struct policy_config *ec = &c.policies[0];
    assert_string_equal(ec->name, "email_call");
    assert_int_equal(ec->timeout, 2 * SIM_S);
    assert_true(ec->has_retry);
    assert_int_equal(ec->retry.attempts, 3);
    assert_int_equal(ec->retry.backoff, BACKOFF_EXPONENTIAL);
    assert_int_equal(ec->retry.base, 100 * SIM_MS);
    assert_true(ec->retry.multiplier == 3);
    assert_int_equal(ec->retry.cap, 5 * SIM_S);
    assert_int_equal(ec->retry.jitter, JITTER_FULL);
    assert_int_equal(ec->retry.on, OUTCOME_BIT(OUTCOME_TIMEOUT) | OUTCOME_BIT(OUTCOME_ERROR) |
                                       OUTCOME_BIT(OUTCOME_REJECTED));
    assert_true(ec->has_breaker);
    assert_int_equal(ec->breaker.kind, BREAKER_SLIDING);
    assert_int_equal(ec->breaker.window, WINDOW_TIME);
    assert_int_equal(ec->breaker.size, 60);
    assert_int_equal(ec->breaker.min_calls, 20);
    assert_true(ec->breaker.failure_rate == 0.4);
    assert_true(ec->breaker.slow_rate == 0.9);
    assert_int_equal(ec->breaker.slow_call, SIM_S);
    assert_int_equal(ec->breaker.open_for, 30 * SIM_S);
    assert_int_equal(ec->breaker.half_open_calls, 5);
    assert_true(ec->has_bulkhead);
    assert_int_equal(ec->bulkhead.kind, BULKHEAD_SEMAPHORE);
    assert_int_equal(ec->bulkhead.max_concurrent, 20);
    assert_int_equal(ec->bulkhead.max_wait, 10 * SIM_MS);
    assert_true(ec->has_fallback);
    assert_int_equal(ec->fallback.kind, FALLBACK_FAIL);
    assert_int_equal(ec->fallback.latency, SIM_MS);
    assert_true(ec->has_latency);
    assert_true(ec->cancel_on_timeout);
    assert_true(ec->has_throttle);
    assert_true(ec->throttle.k == 1.5);
    assert_int_equal(ec->throttle.window, SIM_MIN);

    /* Kinds inferred from the keys written; the defaults of the rest. */
    const struct policy_config *pay = &c.policies[1];
    assert_int_equal(pay->breaker.kind, BREAKER_CONSECUTIVE);
    assert_int_equal(pay->breaker.failure_threshold, 3);
    assert_int_equal(pay->breaker.recovery_timeout, 30 * SIM_S);
    assert_int_equal(pay->breaker.half_open_calls, 1);
    assert_false(pay->breaker.decay_on_success);
    assert_int_equal(pay->bulkhead.kind, BULKHEAD_THREADPOOL);
    assert_int_equal(pay->bulkhead.threads, 4);
    assert_int_equal(pay->bulkhead.queue, 100);
    assert_false(pay->has_retry);
    const struct policy_config *ur = &c.policies[2];
    assert_int_equal(ur->retry.backoff, BACKOFF_NONE);
    assert_int_equal(ur->retry.on, OUTCOME_BIT(OUTCOME_TIMEOUT) | OUTCOME_BIT(OUTCOME_ERROR));
    assert_true(ur->retry.has_budget);
    assert_true(ur->retry.budget_ratio == 0.1);
    assert_true(ur->retry.budget_min_per_s == 10);
    assert_int_equal(ur->retry.budget_window, 10 * SIM_S);
    assert_true(ur->retry.has_bucket);
    assert_true(ur->retry.bucket_capacity == 5);
    assert_true(ur->retry.bucket_per_call == 0.1);
    assert_true(ur->retry.bucket_cost == 1);

    /* load/orders: user_retry with the end user's timeout. */
    assert_int_equal(c.nloads, 3);
    const struct load_config *o = &c.loads[0];
    assert_string_equal(o->name, "orders");
    assert_int_equal(o->service, 2);
    assert_int_equal(o->endpoint, 0);
    assert_false(o->constant);
    assert_int_equal(o->nrates, 2);
    assert_int_equal(o->rates[1].at, 15 * SIM_MIN);
    assert_true(o->rates[1].rps == 15000);
    assert_int_equal(o->rates[1].ramp, SIM_MIN);
    assert_int_equal(o->policy, 3);
    assert_string_equal(c.policies[3].name, "load/orders");
    assert_int_equal(c.policies[3].timeout, 30 * SIM_S);
    assert_true(c.policies[3].has_retry);
    assert_true(c.policies[3].retry.has_budget);
    const struct load_config *bots = &c.loads[1];
    assert_true(bots->constant);
    assert_int_equal(bots->nrates, 1);
    assert_int_equal(bots->rates[0].at, 0);
    assert_true(bots->rates[0].rps == 5);
    assert_int_equal(bots->policy, 4);
    assert_string_equal(c.policies[4].name, "load/bots");
    assert_int_equal(c.policies[4].timeout, SIM_S);
    assert_false(c.policies[4].has_retry);
    assert_int_equal(c.loads[2].policy, 1);

    assert_int_equal(c.nfaults, 6);
    const struct fault_config *f = c.faults;
    assert_int_equal(f[0].kind, FAULT_SLOW);
    assert_int_equal(f[0].at, 15 * SIM_MIN + 10 * SIM_S);
    assert_int_equal(f[0].until, 25 * SIM_MIN);
    assert_int_equal(f[0].service, 0);
    assert_int_equal(f[0].endpoint, -1);
    assert_int_equal(f[0].pool, 0);
    assert_true(f[0].factor == 50);
    assert_int_equal(f[1].kind, FAULT_CRASH);
    assert_true(f[1].hang);
    assert_int_equal(f[1].until, SIM_TIME_MAX);
    assert_int_equal(f[1].endpoint, -1);
    assert_int_equal(f[1].pool, -1);
    assert_int_equal(f[2].kind, FAULT_PAUSE);
    assert_int_equal(f[2].service, 1);
    assert_int_equal(f[3].kind, FAULT_ERRORS);
    assert_int_equal(f[3].endpoint, 0);
    assert_true(f[3].rate == 0.3);
    assert_int_equal(f[4].kind, FAULT_POOL);
    assert_int_equal(f[4].size, 0);
    assert_int_equal(f[5].add, 5 * SIM_MS);
    assert_true(f[5].factor == 1);
    assert_int_equal(f[5].endpoint, 0);
    world_config_fini(&c);
}

static void test_variants_merge_onto_the_base(void **state)
{
    (void)state;
    struct scn_errors err;
    scn_errors_init(&err);
    struct scn_doc *doc = open_text(full, &err);
    assert_non_null(doc);
    assert_int_equal(scn_variant_count(doc), 3);
    assert_string_equal(scn_variant_name(doc, 1), "no-breaker");
    assert_int_equal(scn_variant_find(doc, "bigger-pool"), 2);
    assert_int_equal(scn_variant_find(doc, "nope"), -1);
    struct world_config c;
    assert_true(scn_build(doc, 1, &c, &err));
    assert_false(c.policies[0].has_breaker);
    assert_true(c.policies[0].has_retry);
    assert_string_equal(c.name, "valentine-cascade"); /* never the variant's name */
    world_config_fini(&c);
    assert_true(scn_build(doc, 2, &c, &err));
    assert_int_equal(c.services[0].pools[0].size, 400);
    assert_int_equal(c.services[0].threads, 200);
    assert_int_equal(c.services[0].endpoints[0].nsteps, 6);
    assert_true(c.seed == 7);
    world_config_fini(&c);
    assert_int_equal(err.n, 0);
    scn_close(doc);
    scn_errors_fini(&err);

    doc = open_text(HEAD SVC, &err);
    assert_int_equal(scn_variant_count(doc), 1);
    assert_string_equal(scn_variant_name(doc, 0), "base");
    scn_close(doc);
    scn_errors_fini(&err);
}

static void test_defaults_when_keys_are_absent(void **state)
{
    (void)state;
    struct world_config c;
    build_ok(HEAD "policies:\n  s: {breaker: {kind: sliding, size: 20}}\n  e: {}\n"
                  "  r: {retry: {base: 50ms}}\n" SVC,
             0, &c);
    assert_true(c.seed == 1);
    assert_int_equal(c.warmup, 0);
    assert_int_equal(c.sample, SIM_S);
    assert_false(c.has_clock);
    assert_false(c.has_latency);
    assert_int_equal(c.services[0].queue, -1);
    assert_false(c.services[0].lifo);
    assert_int_equal(c.services[0].max_inflight, 0);
    assert_int_equal(c.services[0].restart, 0);
    const struct breaker_config *b = &c.policies[0].breaker;
    assert_int_equal(b->window, WINDOW_COUNT);
    assert_int_equal(b->size, 20);
    assert_int_equal(b->min_calls, 20); /* Resilience4j caps it at the window */
    assert_true(b->failure_rate == 0.5);
    assert_true(b->slow_rate == 1.0);
    assert_int_equal(b->slow_call, 60 * SIM_S);
    assert_int_equal(b->open_for, 60 * SIM_S);
    assert_int_equal(b->half_open_calls, 10);
    const struct policy_config *e = &c.policies[1];
    assert_int_equal(e->timeout, 0);
    assert_false(e->has_retry || e->has_breaker || e->has_bulkhead || e->has_fallback ||
                 e->has_throttle || e->has_latency || e->cancel_on_timeout);
    const struct retry_config *r = &c.policies[2].retry;
    assert_int_equal(r->attempts, 3);
    assert_int_equal(r->backoff, BACKOFF_EXPONENTIAL); /* a base means a backoff */
    assert_true(r->multiplier == 2);
    assert_int_equal(r->cap, 0);
    assert_int_equal(r->jitter, JITTER_NONE);
    world_config_fini(&c);
}

/* ---- the event bus, sagas and projections ------------------------------------------ */

static const char flows[] =
    "name: shop\n"
    "duration: 10m\n"
    "policies:\n"
    "  pay: {timeout: 2s}\n"
    "  patient: {retry: {attempts: 5, base: 1s}}\n"
    "services:\n"
    "  - name: inventory\n"
    "    threads: 10\n"
    "    endpoints:\n"
    "      - name: reserve\n"
    "        effect: stock\n"
    "        idempotent: true\n"
    "        on_failure: {publish: InventoryFailed}\n"
    "        steps:\n"
    "          - work: 1ms\n"
    "          - publish: InventoryReserved\n"
    "      - name: release\n"
    "        undo: stock\n"
    "        commutative: true\n"
    "  - name: payment\n"
    "    threads: 10\n"
    "    endpoints:\n"
    "      - name: charge\n"
    "        effect: payment\n"
    "        on_failure: {publish: PaymentFailed}\n"
    "        steps:\n"
    "          - work: 2ms\n"
    "          - publish: {event: PaymentProcessed, probability: 60%, else: PaymentSkipped}\n"
    "          - publish: {event: Audit, probability: 0.25}\n"
    "      - name: refund\n"
    "        undo: payment\n"
    "  - name: shipping\n"
    "    threads: 4\n"
    "    endpoints: [{name: ship, steps: [{publish: ShipmentCreated}]}]\n"
    "  - name: users\n"
    "    threads: 2\n"
    "    endpoints:\n"
    "      - {name: create, steps: [{publish: UserCreated}, {publish: UserEmailUpdated}]}\n"
    "      - name: project\n"
    "load:\n"
    "  - {name: orders, target: inventory.reserve, rate: 10, timeout: 1s}\n"
    "bus:\n"
    "  latency: {dist: exponential, mean: 2ms}\n"
    "  duplicate: 1%\n"
    "  redeliver: {attempts: 3, after: 1s}\n"
    "subscriptions:\n"
    "  - {on: OrderCreated, run: inventory.reserve}\n"
    "  - {on: InventoryReserved, run: payment.charge}\n"
    "  - {on: PaymentFailed, run: inventory.release}\n"
    "  - {on: PaymentProcessed, run: shipping.ship}\n"
    "  - {on: PaymentSkipped, run: users.project}\n"
    "choreographies:\n"
    "  - name: order_flow\n"
    "    start: {publish: OrderCreated, rate: [{at: 0, rps: 50}]}\n"
    "    completed_on: ShipmentCreated\n"
    "    failed_on: [InventoryFailed, PaymentFailed]\n"
    "    timeout: 60s\n"
    "sagas:\n"
    "  - name: order_saga\n"
    "    start: [{at: 0, rps: 50}, {at: 1m, rps: 100, ramp: 10s}]\n"
    "    steps:\n"
    "      - {name: reserve_inventory, call: inventory.reserve, compensate: "
    "inventory.release}\n"
    "      - {name: process_payment, call: payment.charge, compensate: payment.refund, "
    "policy: pay}\n"
    "      - {name: ship, call: shipping.ship}\n"
    "    compensation: {retry: {attempts: 5, backoff: exponential, base: 1s}}\n"
    "    compensate_uncertain: true\n"
    "  - name: named_comp\n"
    "    start: 5\n"
    "    steps: [{name: pay, call: payment.charge, compensate: payment.refund}]\n"
    "    compensation: patient\n"
    "  - {name: no_comp, start: 1, steps: [{name: pay, call: payment.charge}]}\n"
    "projections:\n"
    "  - name: user_view\n"
    "    on: [UserCreated, UserEmailUpdated]\n"
    "    run: users.project\n"
    "    read_after: {dist: exponential, mean: 100ms}\n"
    "  - {name: plain, on: UserCreated, run: users.project}\n"
    "variants:\n"
    "  - name: as-written\n"
    "  - name: tuned\n"
    "    sagas: [{name: order_saga, compensation: {retry: {attempts: 9}},\n"
    "             compensate_uncertain: false}]\n"
    "    projections: [{name: plain, read_after: 1s}]\n"
    "    choreographies: [{name: order_flow, timeout: 2m}]\n"
    "    bus: {redeliver: {attempts: 1}}\n";

static int event_index(const struct world_config *c, const char *name)
{
    for (int i = 0; i < c->nevents; i++)
        if (strcmp(c->events[i], name) == 0) return i;
    return -1;
}

static void test_event_tables_follow_the_order_names_are_met(void **state)
{
    (void)state;
    struct world_config c;
    build_ok(flows, 0, &c);
    /* Effects from pass 1 (endpoint heads); events endpoint by endpoint
     * (on_failure, then steps), then subscriptions, choreographies and
     * projections; each name once. */
    assert_int_equal(c.neffects, 2);
    assert_string_equal(c.effects[0], "stock");
    assert_string_equal(c.effects[1], "payment");
    static const char *const events[] = {"InventoryFailed",  "InventoryReserved",
                                         "PaymentFailed",    "PaymentProcessed",
                                         "PaymentSkipped",   "Audit",
                                         "ShipmentCreated",  "UserCreated",
                                         "UserEmailUpdated", "OrderCreated"};
    assert_int_equal(c.nevents, 10);
    for (int i = 0; i < 10; i++)
        assert_string_equal(c.events[i], events[i]);
    world_config_fini(&c);
}

static void test_endpoints_and_publish_steps_build_with_expected_values(void **state)
{
    (void)state;
    struct world_config c;
    build_ok(flows, 0, &c);
    const struct endpoint_config *reserve = &c.services[0].endpoints[0];
    assert_int_equal(reserve->effect, 0);
    assert_true(reserve->idempotent);
    assert_int_equal(reserve->undo, -1);
    assert_false(reserve->commutative);
    assert_int_equal(reserve->on_failure, event_index(&c, "InventoryFailed"));
    assert_int_equal(reserve->steps[0].kind, STEP_WORK);
    assert_int_equal(reserve->steps[0].event, -1);
    assert_int_equal(reserve->steps[1].kind, STEP_PUBLISH);
    assert_int_equal(reserve->steps[1].event, event_index(&c, "InventoryReserved"));
    assert_true(reserve->steps[1].event_p == 1);
    assert_int_equal(reserve->steps[1].event_else, -1);
    const struct endpoint_config *release = &c.services[0].endpoints[1];
    assert_int_equal(release->effect, -1);
    assert_int_equal(release->undo, 0);
    assert_true(release->commutative);
    assert_int_equal(release->on_failure, -1);
    assert_int_equal(release->nsteps, 0);

    const struct endpoint_config *charge = &c.services[1].endpoints[0];
    assert_int_equal(charge->effect, 1);
    assert_false(charge->idempotent);
    assert_int_equal(charge->on_failure, event_index(&c, "PaymentFailed"));
    const struct step_config *branch = &charge->steps[1];
    assert_int_equal(branch->kind, STEP_PUBLISH);
    assert_int_equal(branch->event, event_index(&c, "PaymentProcessed"));
    assert_true(branch->event_p == 0.6);
    assert_int_equal(branch->event_else, event_index(&c, "PaymentSkipped"));
    assert_int_equal(branch->call.service, -1); /* nothing of a call */
    assert_int_equal(branch->pool, -1);
    assert_true(charge->steps[2].event_p == 0.25);
    assert_int_equal(charge->steps[2].event_else, -1);
    assert_int_equal(c.services[1].endpoints[1].undo, 1);
    assert_false(c.services[1].endpoints[1].commutative);
    const struct endpoint_config *project = &c.services[3].endpoints[1];
    assert_int_equal(project->effect, -1);
    assert_int_equal(project->undo, -1);
    assert_int_equal(project->on_failure, -1);
    assert_false(project->idempotent);
    world_config_fini(&c);
}

static void test_bus_subscriptions_and_choreographies_build(void **state)
{
    (void)state;
    struct world_config c;
    build_ok(flows, 0, &c);
    assert_int_equal(c.bus.latency.kind, SIM_DIST_EXPONENTIAL);
    assert_true(fabs(sim_dist_mean(&c.bus.latency) - 0.002) < 1e-12);
    assert_true(c.bus.duplicate == 0.01);
    assert_int_equal(c.bus.attempts, 3);
    assert_int_equal(c.bus.after, SIM_S);

    assert_int_equal(c.nsubscriptions, 5);
    const struct subscription_config *s = c.subscriptions;
    assert_int_equal(s[0].event, event_index(&c, "OrderCreated"));
    assert_int_equal(s[0].service, 0);
    assert_int_equal(s[0].endpoint, 0);
    assert_int_equal(s[2].event, event_index(&c, "PaymentFailed"));
    assert_int_equal(s[2].service, 0);
    assert_int_equal(s[2].endpoint, 1);
    assert_int_equal(s[3].service, 2);
    assert_int_equal(s[4].event, event_index(&c, "PaymentSkipped")); /* an else branch */

    assert_int_equal(c.nchoreographies, 1);
    const struct choreography_config *ch = &c.choreographies[0];
    assert_string_equal(ch->name, "order_flow");
    assert_int_equal(ch->start, event_index(&c, "OrderCreated"));
    assert_int_equal(ch->nrates, 1);
    assert_true(ch->rates[0].rps == 50);
    assert_int_equal(ch->ncompleted, 1);
    assert_int_equal(ch->completed_on[0], event_index(&c, "ShipmentCreated"));
    assert_int_equal(ch->nfailed, 2);
    assert_int_equal(ch->failed_on[0], event_index(&c, "InventoryFailed"));
    assert_int_equal(ch->failed_on[1], event_index(&c, "PaymentFailed"));
    assert_int_equal(ch->timeout, 60 * SIM_S);
    world_config_fini(&c);
}

static void test_sagas_synthesize_their_compensation_policy_after_the_loads(void **state)
{
    (void)state;
    struct world_config c;
    build_ok(flows, 0, &c);
    /* User policies, then load/orders, then the saga's mapping. */
    assert_int_equal(c.npolicies, 4);
    assert_string_equal(c.policies[2].name, "load/orders");
    assert_int_equal(c.loads[0].policy, 2);
    const struct policy_config *comp = &c.policies[3];
    assert_string_equal(comp->name, "saga/order_saga/compensation");
    assert_true(comp->has_retry);
    assert_int_equal(comp->retry.attempts, 5);
    assert_int_equal(comp->retry.backoff, BACKOFF_EXPONENTIAL);
    assert_int_equal(comp->retry.base, SIM_S);
    assert_int_equal(comp->timeout, 0);

    assert_int_equal(c.nsagas, 3);
    const struct saga_config *sg = &c.sagas[0];
    assert_string_equal(sg->name, "order_saga");
    assert_int_equal(sg->nrates, 2);
    assert_true(sg->rates[1].rps == 100);
    assert_int_equal(sg->rates[1].at, SIM_MIN);
    assert_int_equal(sg->rates[1].ramp, 10 * SIM_S);
    assert_true(sg->compensate_uncertain);
    assert_int_equal(sg->nsteps, 3);
    const struct saga_step_config *st = sg->steps;
    assert_string_equal(st[0].name, "reserve_inventory");
    assert_int_equal(st[0].call.service, 0);
    assert_int_equal(st[0].call.endpoint, 0);
    assert_int_equal(st[0].call.policy, -1);
    assert_false(st[0].call.optional);
    assert_true(st[0].has_compensate);
    assert_int_equal(st[0].compensate.service, 0);
    assert_int_equal(st[0].compensate.endpoint, 1);
    assert_int_equal(st[0].compensate.policy, 3);
    assert_int_equal(st[1].call.service, 1);
    assert_int_equal(st[1].call.policy, 0);
    assert_int_equal(st[1].compensate.endpoint, 1);
    assert_int_equal(st[1].compensate.policy, 3);
    assert_false(st[2].has_compensate);
    assert_int_equal(st[2].compensate.service, -1);
    assert_int_equal(st[2].compensate.policy, 3);

    /* A named compensation policy is the user's; none is -1. */
    assert_int_equal(c.sagas[1].nrates, 1);
    assert_true(c.sagas[1].rates[0].rps == 5);
    assert_int_equal(c.sagas[1].steps[0].compensate.policy, 1);
    assert_false(c.sagas[1].compensate_uncertain);
    assert_int_equal(c.sagas[2].steps[0].compensate.policy, -1);

    assert_int_equal(c.nprojections, 2);
    const struct projection_config *pv = &c.projections[0];
    assert_string_equal(pv->name, "user_view");
    assert_int_equal(pv->nevents, 2);
    assert_int_equal(pv->events[0], event_index(&c, "UserCreated"));
    assert_int_equal(pv->events[1], event_index(&c, "UserEmailUpdated"));
    assert_int_equal(pv->service, 3);
    assert_int_equal(pv->endpoint, 1);
    assert_true(pv->has_read_after);
    assert_int_equal(pv->read_after.kind, SIM_DIST_EXPONENTIAL);
    assert_int_equal(c.projections[1].nevents, 1);
    assert_false(c.projections[1].has_read_after);
    world_config_fini(&c);
}

static void test_variants_and_set_override_the_event_driven_sections(void **state)
{
    (void)state;
    struct scn_errors err;
    scn_errors_init(&err);
    struct scn_doc *doc = open_text(flows, &err);
    assert_non_null(doc);
    struct world_config c;
    assert_true(scn_build(doc, 1, &c, &err));
    /* The compensation mapping merges key by key with the base's. */
    const struct policy_config *comp = &c.policies[3];
    assert_string_equal(comp->name, "saga/order_saga/compensation");
    assert_int_equal(comp->retry.attempts, 9);
    assert_int_equal(comp->retry.base, SIM_S);
    assert_false(c.sagas[0].compensate_uncertain);
    assert_int_equal(c.sagas[0].nsteps, 3);
    assert_true(c.projections[1].has_read_after);
    assert_int_equal(c.projections[1].read_after.kind, SIM_DIST_CONSTANT);
    assert_int_equal(c.choreographies[0].timeout, 2 * SIM_MIN);
    assert_int_equal(c.choreographies[0].nfailed, 2);
    assert_int_equal(c.bus.attempts, 1);
    assert_int_equal(c.bus.after, SIM_S);
    world_config_fini(&c);

    const char *paths[] = {"sagas.order_saga.steps.ship.policy", "sagas.no_comp.compensation",
                           "bus.duplicate"};
    const char *values[] = {"pay", "patient", "0"};
    assert_true(scn_build_with(doc, 0, paths, values, 3, &c, &err));
    assert_int_equal(c.sagas[0].steps[2].call.policy, 0);
    assert_int_equal(c.sagas[2].steps[0].compensate.policy, 1);
    assert_true(c.bus.duplicate == 0);
    world_config_fini(&c);
    assert_int_equal(err.n, 0);
    scn_close(doc);
    scn_errors_fini(&err);
}

static void test_event_driven_defaults_when_keys_are_absent(void **state)
{
    (void)state;
    struct world_config c;
    build_ok(HEAD SVC "      - {name: bare}\n", 0, &c);
    assert_int_equal(c.bus.latency.kind, SIM_DIST_CONSTANT);
    assert_true(sim_dist_mean(&c.bus.latency) == 0);
    assert_true(c.bus.duplicate == 0);
    assert_int_equal(c.bus.attempts, 1);
    assert_int_equal(c.bus.after, 0);
    assert_int_equal(c.nevents + c.neffects + c.nsubscriptions + c.nchoreographies + c.nsagas +
                         c.nprojections,
                     0);
    for (int e = 0; e < 2; e++) {
        const struct endpoint_config *ep = &c.services[0].endpoints[e];
        assert_int_equal(ep->effect, -1);
        assert_int_equal(ep->undo, -1);
        assert_int_equal(ep->on_failure, -1);
    }
    assert_int_equal(c.services[0].endpoints[0].steps[0].event, -1);
    world_config_fini(&c);

    /* An empty bus mapping and a redeliver without `after`. */
    build_ok(HEAD SVC "bus: {redeliver: {attempts: 4}}\n", 0, &c);
    assert_int_equal(c.bus.attempts, 4);
    assert_int_equal(c.bus.after, 0);
    assert_int_equal(c.bus.latency.kind, SIM_DIST_CONSTANT);
    world_config_fini(&c);
}

static void test_event_driven_errors(void **state)
{
    (void)state;
    /* HEAD SVC's api.get, with a publish step added. */
    const char *pub = HEAD SVC "          - publish: Got\n";
    char buf[2048];
    snprintf(buf, sizeof buf, "%schoreographies: [{name: f, start: {publish: S, rate: 1}}]\n", pub);
    assert_error(buf, "missing required key 'completed_on' in choreography 'f'");
    snprintf(buf, sizeof buf,
             "%schoreographies: [{name: f, start: {publish: S, rate: 1}, completed_on: []}]\n",
             pub);
    assert_error(buf, "completed_on must name at least one event");
    snprintf(buf, sizeof buf,
             "%schoreographies: [{name: f, start: {publish: S, rate: 1}, completed_on: Got, "
             "failed_on: Lost}]\n",
             pub);
    assert_error(buf, "event \"Lost\" is never published");
    snprintf(buf, sizeof buf, "%sprojections: [{name: p, on: [Got, Got], run: api.get}]\n", pub);
    assert_error(buf, "event \"Got\" is listed twice in on");
    snprintf(buf, sizeof buf, "%sprojections: [{name: p, on: Gto, run: api.get}]\n", pub);
    assert_error(buf, "event \"Gto\" is never published (no publish step, on_failure or "
                      "choreography start names it); did you mean 'Got'?");
    snprintf(buf, sizeof buf, "%ssubscriptions: [{on: Got, run: api.nope}]\n", pub);
    assert_error(buf, "unknown endpoint \"api.nope\" in run");
    snprintf(buf, sizeof buf, "%ssubscriptions: [{on: Got.x, run: api.get}]\n", pub);
    assert_error(buf, "on must match [A-Za-z0-9_-]+, got \"Got.x\"");
    snprintf(buf, sizeof buf,
             "%ssagas: [{name: s, start: 1, steps: [{name: a, call: api.get}], "
             "compensation: [x]}]\n",
             pub);
    assert_error(buf, "compensation must be the name of a policy or a policy mapping");
    snprintf(buf, sizeof buf,
             "%ssagas: [{name: s, start: 1, steps: [{name: a, call: api.get}], "
             "compensation: {retry: {attempts: 0}}}]\n",
             pub);
    assert_error(buf, "attempts must be an integer >= 1, got \"0\"");
    snprintf(buf, sizeof buf, "%ssagas: [{name: s, start: 1, steps: [{call: api.get}]}]\n", pub);
    assert_error(buf, "missing required key 'name' in a step of saga 's'");
    snprintf(buf, sizeof buf,
             "%ssagas: [{name: s, start: 1, steps: [{name: a, call: api.get}]},\n"
             "        {name: s, start: 1, steps: [{name: a, call: api.get}]}]\n",
             pub);
    assert_error(buf, "duplicate saga name \"s\"");
    assert_error(HEAD SVC "          - publish: {probability: 50%}\n",
                 "missing required key 'event' in a publish step");
    assert_error(HEAD SVC "          - {publish: X, work: 1ms}\n",
                 "a step is one of work, use, call, parallel or publish, got both 'publish' "
                 "and 'work'");
    assert_error(HEAD SVC "        on_failure: {publish: X, delay: 1s}\n",
                 "unknown key \"delay\" in on_failure");
    assert_error(HEAD SVC "bus: {duplicate: 2}\n",
                 "duplicate must be a percentage like 50% or a fraction in [0, 1], got \"2\"");
    assert_error(HEAD SVC "sagas: {}\n", "sagas must be a list of sagas, got a mapping");
}

/* ---- structural errors ------------------------------------------------------------- */

static void test_duplicates_cycles_and_missing_keys(void **state)
{
    (void)state;
    assert_error(HEAD SVC "  - {name: api, threads: 1}\n", "duplicate service name \"api\"");
    assert_error(HEAD "services:\n"
                      "  - {name: a, threads: 1, endpoints: [{name: x, steps: [{call: b.y}]}]}\n"
                      "  - {name: b, threads: 1, endpoints: [{name: y, steps: [{call: c.z}]}]}\n"
                      "  - {name: c, threads: 1, endpoints: [{name: z, steps: [{parallel: "
                      "[{call: a.x}]}]}]}\n",
                 "call cycle: a.x -> b.y -> c.z -> a.x");
    assert_error(HEAD "services: [{name: a, threads: 1, endpoints: [{name: x, steps: [{call: "
                      "a.x}]}]}]\n",
                 "call cycle: a.x -> a.x");
    assert_error("name: t\n" SVC, "missing required key 'duration' at the top level");
    assert_error(HEAD "services: [{threads: 1}]\n", "missing required key 'name' in a service");
}

static void test_errors_are_all_collected_in_file_order(void **state)
{
    (void)state;
    char *e = errors_of("name: t\nduration: 1m\nwarmup: 2m\n"
                        "services: [{name: a, threads: 0}]\n"
                        "faults: [{at: 1s, target: b, kind: pause}]\n");
    assert_string_equal(e, "warmup must be shorter than duration (1m), got \"2m\"\n"
                           "threads must be an integer >= 1 or \"unlimited\", got \"0\"\n"
                           "unknown fault target \"b\" (expected service, service.endpoint or "
                           "service.pool)\n");
    free(e);
}

static void test_a_base_error_is_reported_once_for_all_variants(void **state)
{
    (void)state;
    char *e = errors_of(HEAD "services: [{name: a, threads: 0}]\n"
                             "variants: [{name: x}, {name: y}, {name: z}]\n");
    assert_string_equal(e, "threads must be an integer >= 1 or \"unlimited\", got \"0\"\n");
    free(e);
}

static void test_variant_list_errors(void **state)
{
    (void)state;
    assert_error(HEAD SVC "variants: [{name: a}, {name: a}]\n", "duplicate variant name \"a\"");
    assert_error(HEAD SVC "variants: [{name: A}]\n", "variant name must match [a-z0-9_-]+");
    assert_error(HEAD SVC "variants: [{name: v, services: [{name: a}, {name: a}]}]\n",
                 "duplicate name \"a\" in this list");
    assert_error(HEAD SVC "variants: {name: a}\n", "variants must be a list");
}

/* ---- overrides (scn_build_with, for domino sweep --set) --------------------------- */

/* Builds variant v of doc with one override; asserts success. */
static void build_with1(const struct scn_doc *doc, int v, const char *path, const char *value,
                        struct world_config *c, struct scn_errors *err)
{
    const char *paths[] = {path}, *values[] = {value};
    assert_true(scn_build_with(doc, v, paths, values, 1, c, err));
}

static void test_set_overrides_named_items_and_creates_final_keys(void **state)
{
    (void)state;
    struct scn_errors err;
    scn_errors_init(&err);
    struct scn_doc *doc = open_text(full, &err);
    const char *paths[] = {"services.payment.pools.db.size",
                           "policies.pay.cancel_on_timeout",
                           "policies.email_call.breaker",
                           "faults.1.mode",
                           "load.bots.rate",
                           "duration"};
    const char *values[] = {"300", "true", "null", "refuse", "[{at: 0, rps: 7}, {at: 1m, rps: 8}]",
                            "1h"};
    struct world_config c;
    assert_true(scn_build_with(doc, 0, paths, values, 6, &c, &err));
    assert_int_equal(c.services[0].pools[0].size, 300);
    assert_true(c.policies[1].cancel_on_timeout);
    assert_false(c.policies[0].has_breaker);
    assert_false(c.faults[1].hang);
    assert_int_equal(c.loads[1].nrates, 2);
    assert_true(c.loads[1].rates[1].rps == 8);
    assert_int_equal(c.duration, SIM_HOUR);
    world_config_fini(&c);
    /* An override goes on top of the variant: it wins over the variant's own
     * value (variant 2 sets the pool to 400). */
    build_with1(doc, 2, "services.payment.pools.db.size", "300", &c, &err);
    assert_int_equal(c.services[0].pools[0].size, 300);
    world_config_fini(&c);
    assert_int_equal(err.n, 0);

    static const char *const bad[] = {"services.nope.threads", "services..threads",
                                      "variants.no-breaker.seed", "duration.x"};
    for (int i = 0; i < 4; i++) {
        const char *value = "3";
        assert_false(scn_build_with(doc, 0, &bad[i], &value, 1, &c, &err));
    }
    assert_int_equal(err.n, 4);
    assert_non_null(strstr(err.lines[0], "--set services.nope.threads: "));
    assert_non_null(strstr(err.lines[0], "'nope'"));
    scn_errors_fini(&err);

    /* A bad value set on the command line says where it came from. */
    const char *path = "services.payment.threads", *value = "-1";
    assert_false(scn_build_with(doc, 0, &path, &value, 1, &c, &err));
    assert_non_null(strstr(err.lines[0], "got \"-1\" (set by --set)"));
    scn_errors_fini(&err);
    scn_close(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_mappings_key_by_key_keeping_base_order),
        cmocka_unit_test(test_merge_null_removes_a_key),
        cmocka_unit_test(test_merge_named_lists_item_by_item_and_appends_new_names),
        cmocka_unit_test(test_merge_replaces_other_lists_and_scalars),
        cmocka_unit_test(test_merge_leaves_its_inputs_alone),
        cmocka_unit_test(test_tree_keeps_one_based_positions_of_nodes_and_keys),
        cmocka_unit_test(test_alias_bomb_is_refused_without_expanding),
        cmocka_unit_test(test_duplicate_keys_and_deep_nesting_are_errors),
        cmocka_unit_test(test_unreadable_file_is_reported_without_position),
        cmocka_unit_test(test_empty_and_non_mapping_files_are_errors),
        cmocka_unit_test(test_durations_accept_units_compounds_and_bare_seconds),
        cmocka_unit_test(test_bad_durations_name_the_key_and_value),
        cmocka_unit_test(test_percentages_and_fractions),
        cmocka_unit_test(test_integers_reject_fractions_overflow_and_negatives),
        cmocka_unit_test(test_every_distribution_kind_builds_with_duration_parameters),
        cmocka_unit_test(test_distribution_errors),
        cmocka_unit_test(test_did_you_mean_suggests_only_close_names),
        cmocka_unit_test(test_unknown_keys_and_names_get_suggestions),
        cmocka_unit_test(test_quote_escapes_control_bytes_and_cuts_long_text),
        cmocka_unit_test(test_complete_scenario_builds_with_expected_values),
        cmocka_unit_test(test_variants_merge_onto_the_base),
        cmocka_unit_test(test_defaults_when_keys_are_absent),
        cmocka_unit_test(test_event_tables_follow_the_order_names_are_met),
        cmocka_unit_test(test_endpoints_and_publish_steps_build_with_expected_values),
        cmocka_unit_test(test_bus_subscriptions_and_choreographies_build),
        cmocka_unit_test(test_sagas_synthesize_their_compensation_policy_after_the_loads),
        cmocka_unit_test(test_variants_and_set_override_the_event_driven_sections),
        cmocka_unit_test(test_event_driven_defaults_when_keys_are_absent),
        cmocka_unit_test(test_event_driven_errors),
        cmocka_unit_test(test_duplicates_cycles_and_missing_keys),
        cmocka_unit_test(test_errors_are_all_collected_in_file_order),
        cmocka_unit_test(test_a_base_error_is_reported_once_for_all_variants),
        cmocka_unit_test(test_variant_list_errors),
        cmocka_unit_test(test_set_overrides_named_items_and_creates_final_keys),
    };
    return cmocka_run_group_tests_name("scn", tests, NULL, NULL);
}
