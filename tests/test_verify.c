/* Tests of soupbench verify (harness/cli/verify.c) on small hand-made
 * results files: every verdict of each comparison, each exit code, the
 * interval rule of "beats" (paired bootstrap over users where per-user
 * values are stored, non-overlapping intervals where they are not), a file
 * changed beyond a harness claim's tolerance, the messages of a malformed
 * claims file and of a missing results file. Each expected value is
 * computed here from the numbers written, not by verify's code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "commands.h"
#include "doctable.h"
#include "results.h"
#include "sb.h"

static char dir[64];
static char err[8192];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/sb_test_verify_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char results[128];
    snprintf(results, sizeof results, "%s/results", dir);
    return mkdir(results, 0755);
}

static int teardown(void **state)
{
    (void)state;
    return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *path_in(const char *name)
{
    static char buf[4][256];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

/* ---- hand-made results files ---- */

static SbResults *new_file(const char *experiment)
{
    char name[128];
    snprintf(name, sizeof name, "results/%s.h5", experiment);
    SbResults *r = sb_results_create(path_in(name));
    sb_results_attr_int(r, "/", "format_version", SB_FORMAT_VERSION);
    sb_results_attr_str(r, "/", "config", "{\"name\": \"x\"}");
    sb_results_attr_int(r, "/", "seed", 1);
    return r;
}

#define SUMMARY_COLS "J_mean,J_lo,J_hi,normalized_pooled_mean,normalized_pooled_lo,normalized_pooled_hi"

/* /summary: per method J (mean, lo, hi) and the pooled score (mean, lo, hi). */
static void write_summary(SbResults *r, const char *rows, int n, const double *data)
{
    sb_results_write_table(r, "/summary", n, 6, data, SUMMARY_COLS, "hand-made summary");
    sb_results_attr_str(r, "/summary", "rows", rows);
}

static void write_users(SbResults *r, const char *method, int n, const double *J)
{
    double *t = sb_zeros(2 * n);
    for (int i = 0; i < n; i++) {
        t[2 * i] = J[i];
        t[2 * i + 1] = NAN;
    }
    char path[128];
    snprintf(path, sizeof path, "/methods/%s/users", method);
    sb_results_write_table(r, path, n, 2, t, "J,normalized", "hand-made users");
    free(t);
}

/* One online checkpoint t = 64 with the pooled score's mean and interval. */
static void write_online(SbResults *r, const char *method, double mean, double lo, double hi)
{
    double t[2][4] = {{0, 0, 0, 0}, {64, mean, lo, hi}};
    char path[128];
    snprintf(path, sizeof path, "/methods/%s/online", method);
    sb_results_write_table(r, path, 2, 4, &t[0][0], "t,normalized_pooled_mean,normalized_pooled_lo,normalized_pooled_hi",
                           "hand-made curve");
}

static void write_claims(const char *claims)
{
    FILE *f = fopen(path_in("claims.json"), "w");
    assert_non_null(f);
    fputs(claims, f);
    fclose(f);
}

static void verify_child(void *arg)
{
    (void)arg;
    char claims[256], results[256];
    snprintf(claims, sizeof claims, "%s/claims.json", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    char *argv[] = {"verify", claims, "--results", results, NULL};
    exit(sb_cmd_verify(4, argv));
}

/* Run verify on claims.json; its exit status, stderr in err. */
static int verify(const char *claims)
{
    write_claims(claims);
    remove(path_in("RESULTS.md"));
    return run_child(verify_child, NULL, err, sizeof err);
}

/* Cell `col` of the row of claim `id` in the table verify wrote into
 * RESULTS.md (columns: claim, statement, kind, experiment, measured,
 * threshold, verdict). */
static const char *cell(const char *id, int col)
{
    static char out[512];
    size_t len;
    char *text = sb_read_file(path_in("RESULTS.md"), &len);
    assert_non_null(text);
    char key[128];
    snprintf(key, sizeof key, "\n| %s |", id);
    char *row = strstr(text, key);
    if (!row) {
        fail_msg("no row for %s in RESULTS.md:\n%s", id, text);
        free(text);
        return "";
    }
    row += 2; /* past "\n|": at the first cell */
    row[strcspn(row, "\n")] = '\0';
    /* split on " | ", the statement holds no '|' */
    char *p = row;
    for (int c = 0; c < col; c++) {
        p = strstr(p, " | ");
        assert_non_null(p);
        p += 3;
    }
    char *q = strstr(p, " |");
    snprintf(out, sizeof out, "%.*s", (int)(q - p), p);
    free(text);
    return out;
}

static const char *verdict(const char *id) { return cell(id, 6); }
static const char *measured(const char *id) { return cell(id, 4); }

#define CLAIM(id, kind, exp, rest)                                                                                \
    "{\"id\": \"" id "\", \"kind\": \"" kind "\", \"claim\": \"c\", \"experiment\": \"" exp "\", " rest "}"

/* ---- thresholds ---- */

static void verify_thresholds_should_hold_refute_or_be_inconclusive_by_the_interval(void **state)
{
    (void)state;
    /* pooled scores: a 85 [84, 86], b 83 [81, 85], c 70 [68, 72], d 84 [82.6, 85] */
    double s[4][6] = {{0, 0, 0, 85, 84, 86}, {0, 0, 0, 83, 81, 85}, {0, 0, 0, 70, 68, 72}, {0, 0, 0, 84, 82.6, 85}};
    SbResults *r = new_file("t");
    write_summary(r, "a,b,c,d", 4, &s[0][0]);
    sb_results_commit(r);
#define POOLED(m) "\"quantity\": {\"path\": \"/summary\", \"row\": \"" m "\", \"stat\": \"normalized_pooled\"}, "
    int rc = verify("{\"claims\": ["
                    CLAIM("a_ge", "paper", "t", POOLED("a") "\"compare\": \">=\", \"threshold\": 83") ","
                    CLAIM("b_ge", "paper", "t", POOLED("b") "\"compare\": \">=\", \"threshold\": 83") ","
                    CLAIM("c_ge", "paper", "t", POOLED("c") "\"compare\": \">=\", \"threshold\": 83") ","
                    CLAIM("d_ge", "paper", "t", POOLED("d") "\"compare\": \">=\", \"threshold\": 83") ","
                    CLAIM("d_ge_tol", "paper", "t", POOLED("d") "\"compare\": \">=\", \"threshold\": 83, \"tolerance\": 0.5") ","
                    CLAIM("c_le", "paper", "t", POOLED("c") "\"compare\": \"<=\", \"threshold\": 75") ","
                    CLAIM("a_le", "paper", "t", POOLED("a") "\"compare\": \"<=\", \"threshold\": 75") ","
                    CLAIM("a_in", "paper", "t", POOLED("a") "\"compare\": \"between\", \"threshold\": [80, 90]") ","
                    CLAIM("b_in", "paper", "t", POOLED("b") "\"compare\": \"between\", \"threshold\": [84, 90]") ","
                    CLAIM("b_out", "paper", "t", POOLED("b") "\"compare\": \"between\", \"threshold\": [86, 90]")
                    "]}");
    assert_int_equal(rc, 0); /* findings never fail */
    assert_string_equal(verdict("a_ge"), "holds");
    assert_string_equal(verdict("b_ge"), "inconclusive");
    assert_string_equal(verdict("c_ge"), "refuted");
    assert_string_equal(verdict("d_ge"), "inconclusive");
    assert_string_equal(verdict("d_ge_tol"), "holds"); /* 82.6 >= 83 - 0.5 */
    assert_string_equal(verdict("c_le"), "holds");
    assert_string_equal(verdict("a_le"), "refuted");
    assert_string_equal(verdict("a_in"), "holds");
    assert_string_equal(verdict("b_in"), "inconclusive");
    assert_string_equal(verdict("b_out"), "refuted");
    assert_string_equal(measured("b_ge"), "83 [81, 85]");
    assert_string_equal(cell("d_ge_tol", 5), ">= 83 (tol 0.500)");
}

/* ---- "beats" ---- */

#define N_USERS 24

/* Users' J spread widely (so the marginal intervals overlap) with a - b =
 * d[i] for each user; reference 0 and bespoke 1 for every user. */
static void write_paired(const char *experiment, const double *d)
{
    double ja[N_USERS], jb[N_USERS], ref[N_USERS], bes[N_USERS];
    for (int i = 0; i < N_USERS; i++) {
        jb[i] = 2.0 * i / N_USERS;
        ja[i] = jb[i] + d[i];
        ref[i] = 0;
        bes[i] = 1;
    }
    /* the stored marginal intervals overlap, as they would for such users */
    double s[4][6] = {{0, 0, 0, 0, 0, 0}, {1, 1, 1, 100, 100, 100}, {1.05, 0.7, 1.4, 105, 70, 140},
                      {1.0, 0.65, 1.35, 100, 65, 135}};
    SbResults *r = new_file(experiment);
    write_summary(r, "reference,bespoke_rlhf,a,b", 4, &s[0][0]);
    write_users(r, "reference", N_USERS, ref);
    write_users(r, "bespoke_rlhf", N_USERS, bes);
    write_users(r, "a", N_USERS, ja);
    write_users(r, "b", N_USERS, jb);
    sb_results_commit(r);
}

#define BEATS(stat) \
    "\"quantity\": {\"path\": \"/summary\", \"row\": \"{method}\", \"stat\": \"" stat "\"}, \"compare\": \"beats\", " \
    "\"method\": \"a\", \"against\": \"b\""

static void verify_beats_should_bootstrap_the_paired_difference_over_users(void **state)
{
    (void)state;
    double up[N_USERS], mixed[N_USERS], down[N_USERS];
    double sum = 0;
    for (int i = 0; i < N_USERS; i++) {
        up[i] = 0.041 + 0.01 * (i % 3); /* every user gains */
        mixed[i] = i % 2 ? 0.1 : -0.1;
        down[i] = -up[i];
        sum += up[i];
    }
    write_paired("up", up);
    write_paired("mixed", mixed);
    write_paired("down", down);
    int rc = verify("{\"claims\": [" CLAIM("up_J", "paper", "up", BEATS("J")) ","
                    CLAIM("up_pooled", "paper", "up", BEATS("normalized_pooled")) ","
                    CLAIM("mixed_pooled", "paper", "mixed", BEATS("normalized_pooled")) ","
                    CLAIM("down_pooled", "paper", "down", BEATS("normalized_pooled")) "]}");
    assert_int_equal(rc, 0);
    /* the stored intervals of a and b overlap, yet each user gains: paired, it holds */
    assert_string_equal(verdict("up_J"), "holds");
    assert_string_equal(verdict("up_pooled"), "holds");
    assert_string_equal(verdict("mixed_pooled"), "inconclusive");
    assert_string_equal(verdict("down_pooled"), "refuted");
    /* the pooled difference is 100 sum(J_a - J_b) / sum(J_bespoke - J_ref) */
    char want[32];
    sb_doc_number(100 * sum / N_USERS, want, sizeof want);
    const char *got = measured("up_pooled");
    assert_true(strncmp(got, want, strlen(want)) == 0 && got[strlen(want)] == ' ');
    /* its interval lies within the smallest and largest per-user difference */
    double lo, hi;
    assert_int_equal(sscanf(strchr(got, '[') + 1, "%lf, %lf", &lo, &hi), 2);
    assert_true(lo >= 100 * 0.041 - 1e-9 && hi <= 100 * 0.061 + 1e-9 && lo <= hi);
}

static void verify_beats_without_users_should_need_intervals_that_do_not_overlap(void **state)
{
    (void)state;
    SbResults *r = new_file("curves");
    write_online(r, "a", 1.05, 0.7, 1.4);  /* overlaps b */
    write_online(r, "b", 1.0, 0.65, 1.35);
    write_online(r, "c", 2.0, 1.9, 2.1);   /* above b */
    write_online(r, "d", 0.5, 0.45, 0.6);  /* below b */
    sb_results_commit(r);
#define ONLINE_BEATS(a, b)                                                                                       \
    "\"quantity\": {\"path\": \"/methods/{method}/online\", \"where\": {\"t\": 64}, \"stat\": \"normalized_pooled\"}, " \
    "\"compare\": \"beats\", \"method\": \"" a "\", \"against\": \"" b "\""
    int rc = verify("{\"claims\": [" CLAIM("ab", "paper", "curves", ONLINE_BEATS("a", "b")) ","
                    CLAIM("cb", "paper", "curves", ONLINE_BEATS("c", "b")) ","
                    CLAIM("db", "paper", "curves", ONLINE_BEATS("d", "b")) ","
                    CLAIM("order", "paper", "curves",
                          "\"quantity\": {\"path\": \"/methods/{method}/online\", \"where\": {\"t\": 64}, \"stat\": "
                          "\"normalized_pooled\"}, \"compare\": \"order\", \"methods\": [\"c\", \"b\", \"d\"]") ","
                    CLAIM("order_wrong", "paper", "curves",
                          "\"quantity\": {\"path\": \"/methods/{method}/online\", \"where\": {\"t\": 64}, \"stat\": "
                          "\"normalized_pooled\"}, \"compare\": \"order\", \"methods\": [\"c\", \"d\", \"b\"]") "]}");
    assert_int_equal(rc, 0);
    assert_string_equal(verdict("ab"), "inconclusive");
    assert_string_equal(verdict("cb"), "holds");
    assert_string_equal(verdict("db"), "refuted");
    /* the conservative interval of c - b: [1.9 - 1.35, 2.1 - 0.65] */
    assert_string_equal(measured("cb"), "1 [0.550, 1.45]");
    assert_string_equal(verdict("order"), "holds");
    assert_string_equal(verdict("order_wrong"), "refuted");
}

static void verify_ratio_should_bound_the_interval_by_interval_arithmetic(void **state)
{
    (void)state;
    double s[2][6] = {{0, 0, 0, 4, 3, 5}, {0, 0, 0, 8, 6, 10}};
    SbResults *r = new_file("ratio");
    write_summary(r, "a,b", 2, &s[0][0]);
    sb_results_commit(r);
#define RATIO "\"quantity\": {\"ratio\": [{\"path\": \"/summary\", \"row\": \"a\", \"stat\": \"normalized_pooled\"}, " \
              "{\"path\": \"/summary\", \"row\": \"b\", \"stat\": \"normalized_pooled\"}]}, "
    int rc = verify("{\"claims\": [" CLAIM("r1", "paper", "ratio", RATIO "\"compare\": \"<=\", \"threshold\": 0.9") ","
                    CLAIM("r2", "paper", "ratio", RATIO "\"compare\": \"<=\", \"threshold\": 0.6") ","
                    CLAIM("r3", "paper", "ratio", RATIO "\"compare\": \"<=\", \"threshold\": 0.2") "]}");
    assert_int_equal(rc, 0);
    /* 4 / 8 = 0.5 within [3 / 10, 5 / 6] */
    assert_string_equal(measured("r1"), "0.500 [0.300, 0.833]");
    assert_string_equal(verdict("r1"), "holds");
    assert_string_equal(verdict("r2"), "inconclusive");
    assert_string_equal(verdict("r3"), "refuted");
}

/* ---- harness claims and exit codes ---- */

static void write_gap(const char *experiment, double residual)
{
    double t[2][3] = {{1, 0, residual}, {2, 0, 0.05}};
    SbResults *r = new_file(experiment);
    sb_results_write_table(r, "/gap/results", 2, 3, &t[0][0], "horizon,linear,residual_exact", "hand-made sweep");
    sb_results_commit(r);
}

#define EXACT                                                                                                     \
    "\"quantity\": {\"path\": \"/gap/results\", \"where\": {\"horizon\": 1}, \"column\": \"residual_exact\"}, " \
    "\"compare\": \"<=\", \"threshold\": 0, \"tolerance\": 1e-9"

static void verify_should_exit_1_when_a_file_moves_beyond_a_harness_tolerance(void **state)
{
    (void)state;
    const char *claims = "{\"claims\": [" CLAIM("exact", "harness", "gap", EXACT) ","
                         CLAIM("finding", "paper", "gap", EXACT) "]}";
    write_gap("gap", 1e-12);
    assert_int_equal(verify(claims), 0);
    assert_string_equal(verdict("exact"), "holds");
    write_gap("gap", 5e-10); /* within the tolerance */
    assert_int_equal(verify(claims), 0);
    assert_string_equal(verdict("exact"), "holds");
    write_gap("gap", 1e-6); /* beyond it: a regression */
    assert_int_equal(verify(claims), 1);
    assert_string_equal(verdict("exact"), "FAILS");
    /* the same comparison as a paper claim is a finding, not a failure */
    assert_string_equal(verdict("finding"), "refuted");
    write_claims("{\"claims\": [" CLAIM("finding", "paper", "gap", EXACT) "]}");
    assert_int_equal(run_child(verify_child, NULL, err, sizeof err), 0);
}

/* Two methods and an oracle, per user and on two Pareto pairs. */
static void write_fronts(const char *experiment, double excess)
{
    SbResults *r = new_file(experiment);
    double s[3][6] = {{0}};
    write_summary(r, "oracle,m1,m2", 3, &s[0][0]);
    double J[3][4] = {{1, 2, 3, 4}, {0.5, 1.5, 2.5, 3}, {0.8, 1, 2.8, 3.9}};
    static const char *const names[] = {"oracle", "m1", "m2"};
    static const char *const pairs[] = {"a1_a2", "a1_a3"};
    for (int m = 0; m < 3; m++) {
        write_users(r, names[m], 4, J[m]);
        for (int p = 0; p < 2; p++) {
            double t[3][2] = {{0, J[m][0]}, {0.5, J[m][1]}, {1, J[m][2]}};
            if (m == 2 && p == 1)
                t[2][1] = J[0][2] + excess; /* m2 against the oracle at one grid point */
            char path[128];
            snprintf(path, sizeof path, "/methods/%s/pareto/%s", names[m], pairs[p]);
            sb_results_write_table(r, path, 3, 2, &t[0][0], "w_a1,J", "hand-made front");
            sb_results_attr_double(r, path, "hypervolume", m == 0 ? 2.0 : 1.0 + excess);
        }
    }
    sb_results_commit(r);
}

static void verify_above_all_should_find_the_least_margin_over_methods_and_pairs(void **state)
{
    (void)state;
    const char *claims =
        "{\"claims\": ["
        CLAIM("users", "harness", "fronts", "\"quantity\": {\"path\": \"/methods/{method}/users\", \"column\": \"J\"}, "
                                            "\"compare\": \"above_all\", \"method\": \"oracle\", \"tolerance\": 1e-9") ","
        CLAIM("front", "harness", "fronts",
              "\"quantity\": {\"path\": \"/methods/{method}/pareto/{pair}\", \"column\": \"J\"}, "
              "\"compare\": \"above_all\", \"method\": \"oracle\", \"tolerance\": 1e-9") ","
        CLAIM("hv", "harness", "fronts",
              "\"quantity\": {\"path\": \"/methods/{method}/pareto/{pair}\", \"attribute\": \"hypervolume\"}, "
              "\"compare\": \"above_all\", \"method\": \"oracle\"") "]}";
    write_fronts("fronts", 1e-12);
    assert_int_equal(verify(claims), 0);
    assert_string_equal(verdict("users"), "holds");
    assert_string_equal(measured("users"), "0.100"); /* oracle - m2 for the last user: 4 - 3.9 */
    assert_string_equal(verdict("front"), "holds");  /* -1e-12 is within the tolerance */
    assert_string_equal(verdict("hv"), "holds");
    write_fronts("fronts", 1e-6);
    assert_int_equal(verify(claims), 1);
    assert_string_equal(verdict("front"), "FAILS");
    assert_string_equal(measured("front"), "-1e-06");
    size_t len;
    char *text = sb_read_file(path_in("RESULTS.md"), &len);
    assert_non_null(strstr(text, "at m2 a1_a3, element 2")); /* where the oracle is beaten */
    free(text);
}

/* A file written twice from the same numbers, the second with a change. */
static void write_run(const char *experiment, double last, double seconds, double cost)
{
    SbResults *r = new_file(experiment);
    double t[3] = {0.1, 0.2, last};
    sb_results_write_table(r, "/methods/m/users", 3, 1, t, "J", "users");
    double training[2] = {600, seconds};
    sb_results_write_table(r, "/basis/full/training", 1, 2, training, "steps,seconds", "training");
    sb_results_write_table(r, "/cost/basis/full", 1, 1, &cost, "seconds", "wall time");
    sb_results_commit(r);
}

static void verify_identical_should_compare_every_dataset_bit_for_bit(void **state)
{
    (void)state;
    const char *claims =
        "{\"claims\": [" CLAIM("same", "harness", "run", "\"compare\": \"identical\", \"other\": \"rerun\", "
                                                         "\"exclude_columns\": [\"seconds\"]") "]}";
    write_run("run", 0.3, 1.0, 5.0);
    write_run("rerun", 0.3, 1.7, 6.0); /* wall times only: /cost and a seconds column */
    assert_int_equal(verify(claims), 0);
    assert_string_equal(verdict("same"), "holds");
    assert_string_equal(measured("same"), "0 differ");
    write_run("rerun", nextafter(0.3, 1.0), 1.7, 6.0); /* one bit */
    assert_int_equal(verify(claims), 1);
    assert_string_equal(verdict("same"), "FAILS");
    assert_string_equal(measured("same"), "1 differ");
    /* a tolerance admits it; without exclude_columns the seconds differ too */
    assert_int_equal(verify("{\"claims\": [" CLAIM("tol", "harness", "run",
                                                   "\"compare\": \"identical\", \"other\": \"rerun\", "
                                                   "\"exclude_columns\": [\"seconds\"], \"tolerance\": 1e-12") "]}"),
                     0);
    assert_int_equal(verify("{\"claims\": [" CLAIM("cols", "harness", "run",
                                                   "\"compare\": \"identical\", \"other\": \"rerun\", "
                                                   "\"tolerance\": 1e-12") "]}"),
                     1);
    assert_string_equal(measured("cols"), "1 differ");
}

static void verify_mean_should_leave_out_nan_and_bootstrap_the_rest(void **state)
{
    (void)state;
    SbResults *r = new_file("mean");
    double t[5] = {1, NAN, 2, 3, 6};
    sb_results_write_table(r, "/methods/m/users", 5, 1, t, "normalized", "users");
    sb_results_commit(r);
    assert_int_equal(verify("{\"claims\": [" CLAIM("mean", "paper", "mean",
                                                    "\"quantity\": {\"path\": \"/methods/m/users\", \"column\": "
                                                    "\"normalized\", \"reduce\": \"mean\"}, \"compare\": \">=\", "
                                                    "\"threshold\": 0") "]}"),
                     0);
    const char *got = measured("mean");
    assert_true(strncmp(got, "3 [", 3) == 0); /* (1 + 2 + 3 + 6) / 4 */
    double lo, hi;
    assert_int_equal(sscanf(got + 3, "%lf, %lf", &lo, &hi), 2);
    assert_true(lo >= 1 && hi <= 6 && lo < 3 && hi > 3);
    assert_string_equal(verdict("mean"), "holds");
}

/* ---- bad input ---- */

static void expect_usage_error(const char *claims, const char *message)
{
    assert_int_equal(verify(claims), 2);
    if (!strstr(err, message))
        fail_msg("expected \"%s\" in: %s", message, err);
}

static void verify_should_name_the_json_path_of_a_malformed_claims_file(void **state)
{
    (void)state;
    write_gap("gap", 0);
    expect_usage_error("{\"claims\": [" CLAIM("x", "harness", "gap", EXACT ", \"quantit\": 1") "]}",
                       "claims.json: $.claims[0].quantit: unknown key");
    expect_usage_error("{\"claims\": [" CLAIM("x", "sometimes", "gap", EXACT) "]}",
                       "$.claims[0].kind: expected \"paper\" or \"harness\", found \"sometimes\"");
    expect_usage_error("{\"claims\": [" CLAIM("x", "paper", "gap",
                                              "\"quantity\": {\"path\": \"/gap/results\", \"column\": \"r\"}, "
                                              "\"compare\": \"~\", \"threshold\": 1") "]}",
                       "$.claims[0].compare: expected one of >=");
    expect_usage_error("{\"claims\": [" CLAIM("x", "paper", "gap",
                                              "\"quantity\": {\"path\": \"/gap/results\", \"column\": \"r\"}, "
                                              "\"compare\": \">=\"") "]}",
                       "$.claims[0].threshold: expected a number, found nothing");
    expect_usage_error("{\"claims\": [" CLAIM("x", "paper", "gap",
                                              "\"quantity\": {\"path\": \"/gap/results\", \"column\": \"r\", "
                                              "\"stat\": \"s\"}, \"compare\": \">=\", \"threshold\": 1") "]}",
                       "$.claims[0].quantity: expected exactly one of \"stat\"");
    expect_usage_error("{\"claims\": [" CLAIM("x", "paper", "gap",
                                              "\"quantity\": {\"diff\": [{\"path\": \"/a\", \"column\": \"r\"}, "
                                              "{\"path\": 3}]}, \"compare\": \">=\", \"threshold\": 1") "]}",
                       "$.claims[0].quantity.diff[1].path: expected a non-empty string, found 3");
    expect_usage_error("{\"claims\": [" CLAIM("x", "paper", "gap", BEATS("J") ", \"tolerance\": 1") "]}",
                       "$.claims[0].tolerance: \"beats\" takes no tolerance");
    expect_usage_error("{\"claims\": [" CLAIM("x", "harness", "gap", EXACT) "," CLAIM("x", "harness", "gap", EXACT) "]}",
                       "$.claims[1].id: \"x\" is already the id of $.claims[0]");
    expect_usage_error("{\"claims\": []}", "$.claims: expected a non-empty array of claims");
    expect_usage_error("{\"claims\": [\n  {\"id\": \"x\",,}\n]}", "claims.json:2: JSON syntax error");
}

static void verify_should_name_the_command_that_makes_a_missing_results_file(void **state)
{
    (void)state;
    expect_usage_error("{\"claims\": [" CLAIM("x", "harness", "nowhere", EXACT) "]}", "results/nowhere.h5 is missing");
    assert_non_null(strstr(err, "make it with `make paper`"));
    assert_non_null(strstr(err, "$.claims[0].experiment"));
    /* a file without the dataset, the row or the column the claim reads */
    write_gap("gap", 0);
    expect_usage_error("{\"claims\": [" CLAIM("x", "harness", "gap",
                                              "\"quantity\": {\"path\": \"/summary\", \"row\": \"a\", \"stat\": "
                                              "\"J\"}, \"compare\": \">=\", \"threshold\": 0") "]}",
                       "/summary");
    expect_usage_error("{\"claims\": [" CLAIM("x", "harness", "gap",
                                              "\"quantity\": {\"path\": \"/gap/results\", \"column\": "
                                              "\"residual_exact\"}, \"compare\": \">=\", \"threshold\": 0") "]}",
                       "the quantity selects 2 rows of /gap/results");
    expect_usage_error("{\"claims\": [" CLAIM("x", "harness", "gap",
                                              "\"quantity\": {\"path\": \"/gap/results\", \"where\": {\"horizon\": "
                                              "1}, \"column\": \"gap_soup\"}, \"compare\": \">=\", \"threshold\": "
                                              "0") "]}",
                       "/gap/results has no column \"gap_soup\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verify_thresholds_should_hold_refute_or_be_inconclusive_by_the_interval),
        cmocka_unit_test(verify_beats_should_bootstrap_the_paired_difference_over_users),
        cmocka_unit_test(verify_beats_without_users_should_need_intervals_that_do_not_overlap),
        cmocka_unit_test(verify_ratio_should_bound_the_interval_by_interval_arithmetic),
        cmocka_unit_test(verify_should_exit_1_when_a_file_moves_beyond_a_harness_tolerance),
        cmocka_unit_test(verify_above_all_should_find_the_least_margin_over_methods_and_pairs),
        cmocka_unit_test(verify_identical_should_compare_every_dataset_bit_for_bit),
        cmocka_unit_test(verify_mean_should_leave_out_nan_and_bootstrap_the_rest),
        cmocka_unit_test(verify_should_name_the_json_path_of_a_malformed_claims_file),
        cmocka_unit_test(verify_should_name_the_command_that_makes_a_missing_results_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
