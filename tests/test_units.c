/* The units runner (harness/base/units.h): every unit's output lands in
 * its slot whatever the thread count; ledger items recorded inside units
 * reach their sink after the stage in unit order (not in the order the
 * threads ran them); units called inside a unit run there, journaled with
 * it; outside units an item is applied at once; the FLOP counter is per
 * thread. Against the serial loop computed here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"
#include "sb.h"
#include "units.h"

#define N 257
static long applied[4 * N];
static int n_applied;

static void sink(const void *data, size_t bytes)
{
    assert_int_equal(bytes, sizeof(long));
    memcpy(&applied[n_applied++], data, sizeof(long));
}

/* unit u: a few numbers of its own, busy for a u-dependent time so that
 * threads finish out of order, and two ledger items u and -u */
static void unit(void *arg, long u, double *out)
{
    (void)arg;
    double acc = 0;
    for (long i = 0; i < (u % 7) * 20000; i++)
        acc += sin((double)i);
    out[0] = (double)u * u;
    out[1] = sqrt((double)u);
    out[2] = acc;
    sb_units_record("test", &u, sizeof u);
    long neg = -u;
    sb_units_record("test", &neg, sizeof neg);
}

static void expected(double *out)
{
    for (long u = 0; u < N; u++) {
        double acc = 0;
        for (long i = 0; i < (u % 7) * 20000; i++)
            acc += sin((double)i);
        out[3 * u] = (double)u * u;
        out[3 * u + 1] = sqrt((double)u);
        out[3 * u + 2] = acc;
    }
}

static void outputs_and_journals_should_not_depend_on_threads(void **state)
{
    (void)state;
    double *want = sb_zeros(3 * N), *got = sb_zeros(3 * N);
    expected(want);
    for (int threads = 1; threads <= 4; threads *= 2) {
        sb_units_set_threads(threads);
        memset(got, 0, sizeof(double) * 3 * N);
        n_applied = 0;
        sb_units_run("test", N, 3, got, unit, NULL, SB_UNITS_SPLIT);
        assert_memory_equal(want, got, sizeof(double) * 3 * N);
        assert_int_equal(n_applied, 2 * N);
        for (long u = 0; u < N; u++) {
            assert_int_equal(applied[2 * u], u);
            assert_int_equal(applied[2 * u + 1], -u);
        }
    }
    sb_units_set_threads(1);
    free(got), free(want);
}

static void outer(void *arg, long u, double *out)
{
    (void)arg;
    double inner[2 * 3];
    sb_units_run("inner", 2, 3, inner, unit, NULL, SB_UNITS_SPLIT); /* units 0 and 1, inline */
    out[0] = u + inner[3];
    long tag = 1000 + u;
    sb_units_record("test", &tag, sizeof tag);
}

static void units_inside_a_unit_should_run_there(void **state)
{
    (void)state;
    sb_units_set_threads(2);
    double out[5];
    n_applied = 0;
    sb_units_run("outer", 5, 1, out, outer, NULL, SB_UNITS_SPLIT);
    assert_int_equal(n_applied, 5 * 5);
    for (long u = 0; u < 5; u++) {
        assert_true(out[u] == u + 1.0);
        long want[5] = {0, 0, 1, -1, 1000 + u}; /* inner unit 0 (0, -0), inner unit 1, then its own */
        for (int i = 0; i < 5; i++)
            assert_int_equal(applied[5 * u + i], want[i]);
    }
    sb_units_set_threads(1);
}

static void an_item_outside_units_should_apply_at_once(void **state)
{
    (void)state;
    n_applied = 0;
    long v = 42;
    sb_units_record("test", &v, sizeof v);
    assert_int_equal(n_applied, 1);
    assert_int_equal(applied[0], 42);
    char buf[64];
    assert_null(sb_units_current(buf, sizeof buf));
    assert_int_equal(sb_units_rank(), 0);
    assert_int_equal(sb_units_size(), 1);
}

static void flops_unit(void *arg, long u, double *out)
{
    (void)arg;
    double before = sb_mlp_flops();
    sb_mlp_count_flops((double)(u + 1));
    out[0] = sb_mlp_flops() - before; /* this thread's own count */
}

static void the_flop_counter_should_be_per_thread(void **state)
{
    (void)state;
    sb_units_set_threads(4);
    double out[64];
    sb_units_run("flops", 64, 1, out, flops_unit, NULL, SB_UNITS_SPLIT);
    for (int u = 0; u < 64; u++)
        assert_true(out[u] == u + 1.0);
    sb_units_set_threads(1);
}

int main(void)
{
    sb_units_sink("test", sink);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outputs_and_journals_should_not_depend_on_threads),
        cmocka_unit_test(units_inside_a_unit_should_run_there),
        cmocka_unit_test(an_item_outside_units_should_apply_at_once),
        cmocka_unit_test(the_flop_counter_should_be_per_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
