/* test_sweep.c - `domino sweep`'s grid (--set parsing, expansion, point
 * names, shell words) and the loader's overrides on top of a variant
 * (scn_build_with: paths, the merge rule, errors).
 */
#define _POSIX_C_SOURCE 200809L

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
#include "sim/app/sweep.h"
#include "sim/kernel/sim_mem.h"

/* ---- the grid ---------------------------------------------------------------- */

static void test_values_split_at_top_level_commas_only(void **state)
{
    (void)state;
    struct sweep_grid g;
    sweep_grid_init(&g);
    char msg[256];
    assert_true(sweep_grid_add(&g,
                               "load.x.rate= 1, 2 ,[3, 4],{at: 0, rps: 5},'a,b','it''s, ok',"
                               "\"c,\\\"d\"",
                               msg, sizeof msg));
    assert_int_equal(g.naxes, 1);
    const struct sweep_axis *x = &g.axes[0];
    assert_string_equal(x->path, "load.x.rate");
    assert_int_equal(x->nvalues, 7);
    assert_string_equal(x->values[0], "1");
    assert_string_equal(x->values[1], "2");
    assert_string_equal(x->values[2], "[3, 4]");
    assert_string_equal(x->values[3], "{at: 0, rps: 5}");
    assert_string_equal(x->values[4], "'a,b'");
    assert_string_equal(x->values[5], "'it''s, ok'");
    assert_string_equal(x->values[6], "\"c,\\\"d\"");
    assert_int_equal(g.npoints, 7);
    sweep_grid_fini(&g);
}

static void expect_refused(const char *arg, const char *needle)
{
    struct sweep_grid g;
    sweep_grid_init(&g);
    char msg[256] = "";
    assert_true(sweep_grid_add(&g, "a.b=1,2", msg, sizeof msg));
    bool ok = sweep_grid_add(&g, arg, msg, sizeof msg);
    if (ok || !strstr(msg, needle))
        fail_msg("--set %s: %s, message \"%s\", want \"%s\"", arg, ok ? "accepted" : "refused", msg,
                 needle);
    assert_int_equal(g.naxes, 1); /* a refused axis leaves the grid alone */
    assert_int_equal(g.npoints, 2);
    sweep_grid_fini(&g);
}

static void test_bad_set_arguments_are_refused_with_a_reason(void **state)
{
    (void)state;
    expect_refused("services.a.threads", "needs PATH=V1,V2");
    expect_refused("=1,2", "needs a PATH");
    expect_refused("c=1,,2", "empty value");
    expect_refused("c=", "empty value");
    expect_refused("c=1,2,1", "the value 1 is given twice");
    expect_refused("a.b=3", "a.b is given twice");
    expect_refused("c=[1,2", "not closed");
    expect_refused("c='1,2", "not closed");
    expect_refused("c=1\n2", "control character");
}

static void test_grids_past_the_limit_are_refused(void **state)
{
    (void)state;
    struct sweep_grid g;
    sweep_grid_init(&g);
    char msg[256], arg[600];
    int len = snprintf(arg, sizeof arg, "a=0");
    for (int i = 1; i < 100; i++)
        len += snprintf(arg + len, sizeof arg - (size_t)len, ",%d", i);
    assert_true(sweep_grid_add(&g, arg, msg, sizeof msg));
    arg[0] = 'b';
    assert_true(sweep_grid_add(&g, arg, msg, sizeof msg)); /* 10 000 points */
    assert_false(sweep_grid_add(&g, "c=1,2,3,4,5,6,7,8,9,10,11", msg, sizeof msg));
    assert_non_null(strstr(msg, "more than 100000 points"));
    assert_int_equal(g.npoints, 10000);
    sweep_grid_fini(&g);
}

static void test_grid_expands_with_the_first_path_slowest(void **state)
{
    (void)state;
    struct sweep_grid g;
    sweep_grid_init(&g);
    char msg[256];
    assert_int_equal(g.npoints, 1);
    assert_true(sweep_grid_add(&g, "a=1,2", msg, sizeof msg));
    assert_true(sweep_grid_add(&g, "b=x,y,z", msg, sizeof msg));
    assert_int_equal(g.npoints, 6);
    static const char *const want[6][2] = {{"1", "x"}, {"1", "y"}, {"1", "z"},
                                           {"2", "x"}, {"2", "y"}, {"2", "z"}};
    for (int k = 0; k < 6; k++) {
        int idx[2];
        const char *v[2];
        sweep_point_index(&g, k, idx);
        assert_int_equal(idx[0], k / 3);
        assert_int_equal(idx[1], k % 3);
        sweep_point_values(&g, k, v);
        assert_string_equal(v[0], want[k][0]);
        assert_string_equal(v[1], want[k][1]);
    }
    sweep_grid_fini(&g);
}

static void test_point_names_are_padded_and_parse_back(void **state)
{
    (void)state;
    struct sweep_grid g;
    sweep_grid_init(&g);
    char msg[256], name[32];
    assert_true(sweep_grid_add(&g, "a=1,2,3,4,5,6,7,8,9,10,11,12", msg, sizeof msg));
    sweep_point_name(&g, 0, name, sizeof name);
    assert_string_equal(name, "p000");
    sweep_point_name(&g, 11, name, sizeof name);
    assert_string_equal(name, "p011");
    int k = -1;
    assert_true(sweep_point_parse(&g, "p011", &k));
    assert_int_equal(k, 11);
    assert_true(sweep_point_parse(&g, "7", &k));
    assert_int_equal(k, 7);
    assert_true(sweep_point_parse(&g, "p7", &k));
    assert_int_equal(k, 7);
    assert_false(sweep_point_parse(&g, "12", &k));
    assert_false(sweep_point_parse(&g, "p", &k));
    assert_false(sweep_point_parse(&g, "-1", &k));
    assert_false(sweep_point_parse(&g, "3x", &k));
    assert_false(sweep_point_parse(&g, "", &k));
    /* More points, more digits: names still sort in grid order. */
    assert_true(sweep_grid_add(&g,
                               "b=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
                               "23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,"
                               "43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,"
                               "63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,"
                               "83,84",
                               msg, sizeof msg));
    assert_int_equal(g.npoints, 1008);
    sweep_point_name(&g, 42, name, sizeof name);
    assert_string_equal(name, "p0042");
    sweep_grid_fini(&g);
}

static char *shell(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sweep_shell_word(s, f);
    fclose(f);
    return buf;
}

static void test_shell_words_are_quoted_only_when_needed(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"services.db.size=3,8", "services.db.size=3,8"},
        {"./build/domino", "./build/domino"},
        {"load.x.rate=[{at: 0, rps: 5}]", "'load.x.rate=[{at: 0, rps: 5}]'"},
        {"it's", "'it'\\''s'"},
        {"$HOME", "'$HOME'"},
        {"a b", "'a b'"},
        {"", "''"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = shell(cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

/* ---- overrides on top of a variant ---------------------------------------------- */

static const char scenario[] =
    "name: t\n"
    "duration: 1m\n"
    "services:\n"
    "  - name: api\n"
    "    threads: 10\n"
    "    endpoints: [{name: get, steps: [{call: db.q, policy: db_call}]}]\n"
    "  - name: db\n"
    "    threads: 4\n"
    "    pools:\n"
    "      - {name: conn, size: 3}\n"
    "      - {name: cache, size: 9}\n"
    "    endpoints: [{name: q, steps: [{use: conn, hold: 1ms}]}]\n"
    "policies:\n"
    "  db_call:\n"
    "    timeout: 100ms\n"
    "    retry: {attempts: 3, backoff: fixed, base: 10ms}\n"
    "load:\n"
    "  - {name: users, target: api.get, rate: 100}\n"
    "faults:\n"
    "  - {at: 10s, until: 20s, target: db.conn, kind: slow, factor: 4}\n"
    "  - {at: 30s, until: 40s, target: db, kind: pause}\n"
    "variants:\n"
    "  - name: base\n"
    "  - name: big\n"
    "    services: [{name: db, pools: [{name: conn, size: 30}]}]\n"
    "    policies: {db_call: {breaker: {kind: consecutive, failure_threshold: 5}}}\n";

static struct scn_doc *open_text(const char *text, struct scn_errors *err)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/test_sweep_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    struct scn_doc *doc = scn_open(path, err);
    unlink(path);
    return doc;
}

/* Builds variant v of `scenario` with n overrides (paths and values
 * interleaved); asserts success. */
static void build_with(int v, struct world_config *c, int n, ...)
{
    const char *paths[8], *values[8];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        paths[i] = va_arg(ap, const char *);
        values[i] = va_arg(ap, const char *);
    }
    va_end(ap);
    struct scn_errors err;
    scn_errors_init(&err);
    struct scn_doc *doc = open_text(scenario, &err);
    assert_non_null(doc);
    bool ok = scn_build_with(doc, v, paths, values, n, c, &err);
    if (!ok) scn_errors_print(&err, stderr);
    assert_true(ok);
    assert_int_equal(err.n, 0);
    scn_close(doc);
    scn_errors_fini(&err);
}

static void test_overrides_apply_on_top_of_the_variant(void **state)
{
    (void)state;
    struct world_config c;
    /* The variant sets conn to 30; the override wins, the other pool stays. */
    build_with(1, &c, 1, "services.db.pools.conn.size", "300");
    assert_int_equal(c.services[1].pools[0].size, 300);
    assert_int_equal(c.services[1].pools[1].size, 9);
    assert_true(c.policies[0].has_breaker); /* the rest of the variant is kept */
    world_config_fini(&c);
    /* A path into what only the variant has. */
    build_with(1, &c, 1, "policies.db_call.breaker.failure_threshold", "7");
    assert_int_equal(c.policies[0].breaker.failure_threshold, 7);
    world_config_fini(&c);
    /* No override: exactly scn_build. */
    build_with(1, &c, 0);
    assert_int_equal(c.services[1].pools[0].size, 30);
    world_config_fini(&c);
}

static void test_overrides_follow_the_variant_merge_rule(void **state)
{
    (void)state;
    struct world_config c;
    /* A mapping merges into the one it replaces; null removes a key. */
    build_with(0, &c, 2, "policies.db_call.retry", "{attempts: 5}", "policies.db_call.timeout",
               "null");
    assert_int_equal(c.policies[0].retry.attempts, 5);
    assert_int_equal(c.policies[0].retry.base, 10 * SIM_MS);
    assert_int_equal(c.policies[0].timeout, 0);
    world_config_fini(&c);
    /* A new last key; a later path goes into what an earlier one set. */
    build_with(0, &c, 2, "services.db.queue", "5", "policies.db_call.breaker",
               "{kind: consecutive}");
    assert_int_equal(c.services[1].queue, 5);
    assert_true(c.policies[0].has_breaker);
    world_config_fini(&c);
    build_with(0, &c, 2, "policies.db_call.breaker", "{kind: consecutive}",
               "policies.db_call.breaker.failure_threshold", "9");
    assert_int_equal(c.policies[0].breaker.failure_threshold, 9);
    world_config_fini(&c);
    /* Lists without names by index: the item changes, its siblings stay. */
    build_with(0, &c, 1, "faults.0.factor", "8");
    assert_int_equal(c.nfaults, 2);
    assert_true(c.faults[0].factor == 8);
    assert_int_equal(c.faults[1].kind, FAULT_PAUSE);
    world_config_fini(&c);
    build_with(0, &c, 1, "faults.0", "null");
    assert_int_equal(c.nfaults, 1);
    assert_int_equal(c.faults[0].kind, FAULT_PAUSE);
    world_config_fini(&c);
    /* A whole value: a scalar rate becomes a list of rate points. */
    build_with(0, &c, 1, "load.users.rate", "[{at: 0, rps: 7}, {at: 30s, rps: 9}]");
    assert_int_equal(c.loads[0].nrates, 2);
    assert_true(c.loads[0].rates[1].rps == 9);
    world_config_fini(&c);
}

/* The errors of a build with one override, joined, or NULL on success. */
static char *errors_with(const char *path, const char *value)
{
    struct scn_errors err;
    scn_errors_init(&err);
    struct scn_doc *doc = open_text(scenario, &err);
    assert_non_null(doc);
    struct world_config c;
    bool ok = scn_build_with(doc, 0, &path, &value, 1, &c, &err);
    char *out = NULL;
    if (ok) {
        world_config_fini(&c);
        assert_int_equal(err.n, 0);
    } else {
        assert_true(err.n > 0);
        size_t len = 1;
        for (int i = 0; i < err.n; i++)
            len += strlen(err.lines[i]) + 1;
        out = sim_xcalloc(len, 1);
        for (int i = 0; i < err.n; i++) {
            strcat(out, err.lines[i]);
            strcat(out, "\n");
        }
    }
    scn_close(doc);
    scn_errors_fini(&err);
    return out;
}

static void expect_error(const char *path, const char *value, const char *needle)
{
    char *e = errors_with(path, value);
    if (!e || !strstr(e, needle))
        fail_msg("--set %s=%s: got \"%s\", want \"%s\"", path, value, e ? e : "(success)", needle);
    free(e);
}

static void test_paths_that_name_nothing_are_errors_with_suggestions(void **state)
{
    (void)state;
    expect_error("services.dbb.threads", "3",
                 "--set services.dbb.threads: no item named 'dbb' in services; did you mean 'db'?");
    expect_error("services.db.pools.con.size", "3",
                 "no item named 'con' in services.db.pools; did you mean 'conn'?");
    expect_error("policies.db_cal.timeout", "1s",
                 "no key 'db_cal' in policies; did you mean 'db_call'?");
    expect_error("policies.db_call.breaker.failure_threshold", "3",
                 "no key 'breaker' in policies.db_call");
    expect_error("servics.db.threads", "3",
                 "no key 'servics' in the top level; did you mean "
                 "'services'?");
    expect_error("faults.2.factor", "3", "faults is a list without names; its items are 0 to 1");
    expect_error("duration.x", "3", "duration is a value, not a mapping or list");
    expect_error("services.db", "3", "an item of a named list is not a value");
    expect_error("services.db.name", "x", "cannot be changed");
    expect_error("name", "x", "cannot be changed");
    expect_error("variants.big.seed", "3", "choose one with --variant");
    expect_error("services..threads", "3", "a path is keys and names separated by dots");
}

static void test_bad_values_are_the_loaders_errors(void **state)
{
    (void)state;
    /* The loader's own message, at the line of the value replaced. */
    char *e = errors_with("services.db.threads", "-1");
    assert_non_null(e);
    assert_non_null(strstr(e, ":8:14: error: threads must be an integer >= 1"));
    assert_non_null(strstr(e, "got \"-1\" (set by --set)"));
    free(e);
    expect_error("services.db.pools.conn.sise", "3", "unknown key \"sise\"");
    expect_error("services.db.pools.conn.sise", "3", "did you mean 'size'?");
    expect_error("policies.db_call.retry", "{attempts: 3", "--set policies.db_call.retry");
    /* A value that suits the key builds. */
    assert_null(errors_with("services.db.threads", "unlimited"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_split_at_top_level_commas_only),
        cmocka_unit_test(test_bad_set_arguments_are_refused_with_a_reason),
        cmocka_unit_test(test_grids_past_the_limit_are_refused),
        cmocka_unit_test(test_grid_expands_with_the_first_path_slowest),
        cmocka_unit_test(test_point_names_are_padded_and_parse_back),
        cmocka_unit_test(test_shell_words_are_quoted_only_when_needed),
        cmocka_unit_test(test_overrides_apply_on_top_of_the_variant),
        cmocka_unit_test(test_overrides_follow_the_variant_merge_rule),
        cmocka_unit_test(test_paths_that_name_nothing_are_errors_with_suggestions),
        cmocka_unit_test(test_bad_values_are_the_loaders_errors),
    };
    return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
