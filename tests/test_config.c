/* soupbench: configuration parsing (harness/config.c).
 *
 * Each error class is pinned by its exact message on stderr, written out by
 * hand here, and the -1 return. Defaults and the round trip through
 * sb_config_to_json are checked against values spelled out in this file,
 * not against the schema table itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "dataset.h"
#include "method.h"
#include "registries.h"

/* ------------------------------------------------------------------ */
/* capturing stderr (or stdout)                                       */

static char captured[16384];
static FILE *capture_file;
static int saved_fd = -1, captured_fd = 2;

static void capture_fd_begin(int fd)
{
    fflush(fd == 1 ? stdout : stderr);
    captured_fd = fd;
    capture_file = tmpfile();
    assert_non_null(capture_file);
    saved_fd = dup(fd);
    assert_true(saved_fd >= 0);
    assert_true(dup2(fileno(capture_file), fd) >= 0);
}

static void capture_begin(void) { capture_fd_begin(2); }

static const char *capture_end(void)
{
    fflush(captured_fd == 1 ? stdout : stderr);
    dup2(saved_fd, captured_fd);
    close(saved_fd);
    rewind(capture_file);
    size_t n = fread(captured, 1, sizeof captured - 1, capture_file);
    captured[n] = '\0';
    fclose(capture_file);
    return captured;
}

/* Parse `text` labelled "test.json"; it must fail with exactly `message`. */
static void assert_parse_fails(const char *text, const char *message)
{
    SbConfig cfg;
    capture_begin();
    int rc = sb_config_parse(text, "test.json", &cfg);
    const char *err = capture_end();
    assert_int_equal(rc, -1);
    assert_string_equal(err, message);
}

/* A file holding `text`, at a path written into `path` (char[64]). */
static void write_temp_file(char *path, const char *text)
{
    strcpy(path, "/tmp/soupbench_test_config_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
}

/* ------------------------------------------------------------------ */
/* error classes                                                      */

static void config_should_report_syntax_error_with_line_and_column(void **state)
{
    (void)state;
    char path[64], expected[256];
    write_temp_file(path, "{\n  \"seed\": 1\n  \"beta\": 2.0, \"bootstrap\": 10\n}\n");
    SbConfig cfg;
    capture_begin();
    int rc = sb_config_load(path, &cfg);
    const char *err = capture_end();
    unlink(path);
    /* The missing comma is noticed at the next key: line 3, column 3. */
    snprintf(expected, sizeof expected, "%s:3:3: JSON syntax error near '\"beta\": 2.0, \"bootst'\n", path);
    assert_int_equal(rc, -1);
    assert_string_equal(err, expected);
}

static void config_should_report_trailing_garbage_as_syntax_error(void **state)
{
    (void)state;
    assert_parse_fails("{}\n  x", "test.json:2:3: JSON syntax error near 'x'\n");
}

static void config_should_report_empty_input_as_syntax_error(void **state)
{
    (void)state;
    assert_parse_fails("", "test.json:1:1: JSON syntax error at end of input\n");
}

static void config_should_reject_top_level_array(void **state)
{
    (void)state;
    assert_parse_fails("[1, 2]", "test.json: $: expected an object, found an array\n");
}

static void config_should_reject_unknown_top_level_key(void **state)
{
    (void)state;
    assert_parse_fails("{\"sede\": 3}",
                       "test.json: $.sede: unknown key (expected one of: name, description, seed, beta, "
                       "dataset, reference, users, lora, train, basis, soup, regime, learned, gap, online, ablation, methods, "
                       "pareto, winrate, bootstrap, normalized_guard)\n");
}

static void config_should_reject_unknown_nested_key(void **state)
{
    (void)state;
    assert_parse_fails("{\"dataset\": {\"horizn\": 3}}",
                       "test.json: $.dataset.horizn: unknown key (expected one of: kind, transition, prompts, "
                       "vocab, horizon, states, spectral_dim, aspects, misspecification, aspect_correlation, inputs, "
                       "aspect_names, path)\n");
}

static void config_should_reject_duplicate_key(void **state)
{
    (void)state;
    assert_parse_fails("{\"seed\": 1, \"seed\": 2}", "test.json: $.seed: duplicate key\n");
}

static void config_should_reject_string_for_integer(void **state)
{
    (void)state;
    assert_parse_fails("{\"dataset\": {\"prompts\": \"3\"}}",
                       "test.json: $.dataset.prompts: expected an integer >= 1, found \"3\"\n");
}

static void config_should_reject_wrong_types_naming_what_was_found(void **state)
{
    (void)state;
    assert_parse_fails("{\"beta\": true}", "test.json: $.beta: expected a number > 0, found true\n");
    assert_parse_fails("{\"beta\": null}", "test.json: $.beta: expected a number > 0, found null\n");
    assert_parse_fails("{\"beta\": [1]}", "test.json: $.beta: expected a number > 0, found an array\n");
    assert_parse_fails("{\"beta\": {}}", "test.json: $.beta: expected a number > 0, found an object\n");
    assert_parse_fails("{\"dataset\": 3}", "test.json: $.dataset: expected an object, found 3\n");
    assert_parse_fails("{\"name\": 7}",
                       "test.json: $.name: expected a name of 1 to 63 characters from [A-Za-z0-9_-], found 7\n");
    /* a number that may be null says so */
    assert_parse_fails("{\"dataset\": {\"aspect_correlation\": \"-0.4\"}}",
                       "test.json: $.dataset.aspect_correlation: expected a number in [-1, 1] or null, found "
                       "\"-0.4\"\n");
    assert_parse_fails("{\"dataset\": {\"aspect_correlation\": -1.5}}",
                       "test.json: $.dataset.aspect_correlation: expected a number in [-1, 1] or null, found -1.5\n");
}

static void config_should_reject_fraction_for_integer(void **state)
{
    (void)state;
    assert_parse_fails("{\"dataset\": {\"horizon\": 2.5}}",
                       "test.json: $.dataset.horizon: expected an integer in [1, 8], found 2.5\n");
}

static void config_should_reject_value_below_range(void **state)
{
    (void)state;
    assert_parse_fails("{\"dataset\": {\"vocab\": 1}}",
                       "test.json: $.dataset.vocab: expected an integer >= 2, found 1\n");
    assert_parse_fails("{\"seed\": -1}",
                       "test.json: $.seed: expected an integer in [0, 9007199254740992], found -1\n");
    assert_parse_fails("{\"users\": {\"concentration\": 0}}",
                       "test.json: $.users.concentration: expected a number > 0, found 0\n");
}

static void config_should_reject_value_above_range(void **state)
{
    (void)state;
    assert_parse_fails("{\"dataset\": {\"horizon\": 9}}",
                       "test.json: $.dataset.horizon: expected an integer in [1, 8], found 9\n");
    assert_parse_fails("{\"dataset\": {\"misspecification\": 1.5}}",
                       "test.json: $.dataset.misspecification: expected a number in [0, 1], found 1.5\n");
    /* An open-ended int field still names the limit of its storage. */
    assert_parse_fails("{\"users\": {\"train\": 3000000000}}",
                       "test.json: $.users.train: expected an integer in [1, 2147483647], found 3000000000\n");
}

static void config_should_reject_zero_for_exclusive_bound(void **state)
{
    (void)state;
    assert_parse_fails("{\"reference\": {\"temperature\": 0}}",
                       "test.json: $.reference.temperature: expected a number > 0, found 0\n");
}

static void config_should_reject_bad_name_and_long_description(void **state)
{
    (void)state;
    assert_parse_fails("{\"name\": \"my run\"}",
                       "test.json: $.name: expected a name of 1 to 63 characters from [A-Za-z0-9_-], "
                       "found \"my run\"\n");
    char text[512] = "{\"description\": \"";
    memset(text + strlen(text), 'a', 256);
    strcat(text, "\"}");
    assert_parse_fails(text, "test.json: $.description: expected a string of at most 255 bytes, found "
                             "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"\n");
}

static void config_should_reject_value_outside_enum(void **state)
{
    (void)state;
    assert_parse_fails("{\"dataset\": {\"transition\": \"grid\"}}",
                       "test.json: $.dataset.transition: expected one of \"tree\", \"linear\", found \"grid\"\n");
}

static void config_should_reject_bad_number_list_element(void **state)
{
    (void)state;
    assert_parse_fails("{\"gap\": {\"horizons\": [1, 2, 9]}}",
                       "test.json: $.gap.horizons[2]: expected an integer in [1, 8], found 9\n");
    assert_parse_fails("{\"gap\": {\"misspecification\": [0.5, \"x\"]}}",
                       "test.json: $.gap.misspecification[1]: expected a number in [0, 1], found \"x\"\n");
    assert_parse_fails("{\"gap\": {\"horizons\": 3}}",
                       "test.json: $.gap.horizons: expected an array of at most 8 integers in [1, 8], found 3\n");
    assert_parse_fails("{\"soup\": {\"implicit_budgets\": [4, 0]}}",
                       "test.json: $.soup.implicit_budgets[1]: expected an integer in [1, 1048576], found 0\n");
    assert_parse_fails("{\"soup\": {\"implicit_budget\": 0}}",
                       "test.json: $.soup.implicit_budget: expected an integer in [1, 1048576], found 0\n");
    assert_parse_fails("{\"gap\": {\"transitions\": [\"tree\", \"grid\"]}}",
                       "test.json: $.gap.transitions[1]: unknown transition \"grid\" (expected \"tree\" or "
                       "\"linear\")\n");
}

static void config_should_reject_unknown_method(void **state)
{
    (void)state;
    assert_parse_fails("{\"methods\": [\"reference\", \"foo\"]}",
                       "test.json: $.methods[1]: unknown method \"foo\" (see 'soupbench list')\n");
    assert_parse_fails("{\"methods\": []}", "test.json: $.methods: expected at least one method, found an empty array\n");
}

static void config_should_check_aspect_names_and_allow_the_default_set(void **state)
{
    (void)state;
    assert_parse_fails("{\"dataset\": {\"kind\": \"alpaca_eval\", \"aspect_names\": [\"judge\", \"wit\"]}}",
                       "test.json: $.dataset.aspect_names[1]: unknown aspect \"wit\" (see 'soupbench list')\n");
    /* the choices are the dataset registry's: the SPEC's four first, then
     * any dataset added after them */
    SbConfig bad;
    capture_begin();
    int rc = sb_config_parse("{\"dataset\": {\"kind\": \"imdb\"}}", "test.json", &bad);
    const char *err = capture_end();
    assert_int_equal(rc, -1);
    const char *head = "test.json: $.dataset.kind: expected one of \"synthetic\", \"alpaca_eval\", \"topical_chat\", "
                       "\"ultrafeedback\"",
               *tail = ", found \"imdb\"\n";
    assert_memory_equal(err, head, strlen(head));
    assert_string_equal(err + strlen(err) - strlen(tail), tail);
    const SbDataset *d;
    for (int i = 0; (d = sb_dataset_at(i)); i++) {
        char quoted[80];
        snprintf(quoted, sizeof quoted, "\"%s\"", d->name);
        assert_non_null(strstr(err, quoted));
    }
    SbConfig c;
    assert_int_equal(sb_config_parse("{\"dataset\": {\"kind\": \"topical_chat\", \"aspect_names\": []}}", "t.json", &c), 0);
    assert_int_equal(c.dataset.n_aspect_names, 0);
}

static void config_should_reject_duplicate_method(void **state)
{
    (void)state;
    assert_parse_fails("{\"methods\": [\"oracle\", \"reference\", \"oracle\"]}",
                       "test.json: $.methods[2]: duplicate method \"oracle\" (already at $.methods[0])\n");
}

static void config_should_reject_empty_methods(void **state)
{
    (void)state;
    assert_parse_fails("{\"methods\": []}",
                       "test.json: $.methods: expected at least one method, found an empty array\n");
}

static void config_should_reject_non_string_method(void **state)
{
    (void)state;
    assert_parse_fails("{\"methods\": \"oracle\"}",
                       "test.json: $.methods: expected an array of method names, found \"oracle\"\n");
    assert_parse_fails("{\"methods\": [\"oracle\", 3]}",
                       "test.json: $.methods[1]: expected a method name (a string), found 3\n");
}

static void config_should_report_missing_file(void **state)
{
    (void)state;
    SbConfig cfg;
    capture_begin();
    int rc = sb_config_load("/nonexistent/soupbench/none.json", &cfg);
    const char *err = capture_end();
    assert_int_equal(rc, -1);
    assert_string_equal(err, "/nonexistent/soupbench/none.json: cannot read config: No such file or directory\n");
}

/* ------------------------------------------------------------------ */
/* the enums                                                          */

/* Every closed set of the config, spelled out by hand: the strings in the
 * order its messages list them and the enum value each one parses to. */
typedef struct {
    const char *object, *key; /* "train", "form" */
    size_t offset;            /* of the enum field in SbConfig */
    const char *strings[5];
    int values[5];
} EnumKey;

#define AT(f) offsetof(SbConfig, f)
static const EnumKey enum_keys[] = {
    {"dataset", "transition", AT(dataset.transition), {"tree", "linear"}, {SB_TRANSITION_TREE, SB_TRANSITION_LINEAR}},
    {"dataset", "inputs", AT(dataset.inputs), {"embedding", "onehot", "features"}, {SB_INPUTS_EMBEDDING, SB_INPUTS_ONEHOT, SB_INPUTS_FEATURES}},
    {"reference", "policy", AT(reference.policy), {"auto", "network", "uniform"},
     {SB_REFERENCE_AUTO, SB_REFERENCE_NETWORK, SB_REFERENCE_UNIFORM}},
    {"users", "weights", AT(users.weights), {"simplex", "signed"}, {SB_WEIGHTS_SIMPLEX, SB_WEIGHTS_SIGNED}},
    {"train", "trainer", AT(train.trainer), {"pg", "dpo"}, {SB_TRAINER_PG, SB_TRAINER_DPO}},
    {"train", "form", AT(train.form), {"full", "lora"}, {SB_POLICY_FULL, SB_POLICY_LORA}},
    {"train", "labels", AT(train.labels), {"noise_free", "bradley_terry"}, {SB_LABELS_NOISE_FREE, SB_LABELS_SAMPLED}},
    {"basis", "kind", AT(basis.kind), {"aspects", "random", "feature_svd", "feature_random", "none"},
     {SB_BASIS_ASPECTS, SB_BASIS_RANDOM, SB_BASIS_FEATURE_SVD, SB_BASIS_FEATURE_RANDOM, SB_BASIS_NONE}},
    {"soup", "labels", AT(soup.labels), {"probabilities", "sampled", "noise_free"},
     {SB_LABELS_PROBABILITIES, SB_LABELS_SAMPLED, SB_LABELS_NOISE_FREE}},
    {"soup", "form", AT(soup.form), {"lora", "full"}, {SB_POLICY_LORA, SB_POLICY_FULL}},
    {"online", "responses", AT(online.responses), {"soup_ref", "soup", "reference"},
     {SB_RESPONSES_SOUP_REF, SB_RESPONSES_SOUP, SB_RESPONSES_REFERENCE}},
    {"online", "labels", AT(online.labels), {"sampled", "noise_free", "probabilities"},
     {SB_LABELS_SAMPLED, SB_LABELS_NOISE_FREE, SB_LABELS_PROBABILITIES}},
};

static int enum_field(const SbConfig *c, const EnumKey *k)
{
    int v;
    memcpy(&v, (const char *)c + k->offset, sizeof v); /* every enum field is int-sized */
    return v;
}

/* Is `"key":\t"value"` a member of the object `"object":\t{ ... }` in the
 * printed JSON (no nested objects below the config's second level)? */
static int json_has_member(const char *json, const char *object, const char *key, const char *value)
{
    char open[64], member[128];
    snprintf(open, sizeof open, "\"%s\":\t{", object);
    snprintf(member, sizeof member, "\"%s\":\t\"%s\"", key, value);
    const char *at = strstr(json, open), *end = at ? strchr(at, '}') : NULL, *found = at ? strstr(at, member) : NULL;
    return found && found < end;
}

static void config_should_round_trip_every_enum_value(void **state)
{
    (void)state;
    assert_int_equal(sizeof(SbPolicyForm), sizeof(int));
    for (size_t i = 0; i < sizeof enum_keys / sizeof enum_keys[0]; i++) {
        const EnumKey *k = &enum_keys[i];
        for (int j = 0; j < 5 && k->strings[j]; j++) {
            char text[160];
            snprintf(text, sizeof text, "{\"%s\": {\"%s\": \"%s\"}}", k->object, k->key, k->strings[j]);
            SbConfig c, back;
            assert_int_equal(sb_config_parse(text, "enum.json", &c), 0);
            if (enum_field(&c, k) != k->values[j])
                fail_msg("%s parsed to %d, expected %d", text, enum_field(&c, k), k->values[j]);
            char *json = sb_config_to_json(&c);
            if (!json_has_member(json, k->object, k->key, k->strings[j]))
                fail_msg("$.%s.%s = \"%s\" not written back in:\n%s", k->object, k->key, k->strings[j], json);
            assert_int_equal(sb_config_parse(json, "back.json", &back), 0);
            assert_memory_equal(&c, &back, sizeof c);
            free(json);
        }
    }
    /* the spellings the code prints (results attributes, messages) */
    assert_string_equal(sb_transition_name(SB_TRANSITION_TREE), "tree");
    assert_string_equal(sb_transition_name(SB_TRANSITION_LINEAR), "linear");
    assert_string_equal(sb_trainer_name(SB_TRAINER_PG), "pg");
    assert_string_equal(sb_trainer_name(SB_TRAINER_DPO), "dpo");
    assert_string_equal(sb_policy_form_name(SB_POLICY_LORA), "lora");
    assert_string_equal(sb_policy_form_name(SB_POLICY_FULL), "full");
    assert_string_equal(sb_basis_kind_name(SB_BASIS_ASPECTS), "aspects");
    assert_string_equal(sb_basis_kind_name(SB_BASIS_RANDOM), "random");
    assert_string_equal(sb_basis_kind_name(SB_BASIS_NONE), "none");
    assert_string_equal(sb_basis_kind_name(SB_BASIS_FEATURE_SVD), "feature_svd");
    assert_string_equal(sb_basis_kind_name(SB_BASIS_FEATURE_RANDOM), "feature_random");
}

static void config_should_refuse_an_unknown_enum_value_naming_path_and_choices(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof enum_keys / sizeof enum_keys[0]; i++) {
        const EnumKey *k = &enum_keys[i];
        char text[160], message[256];
        snprintf(text, sizeof text, "{\"%s\": {\"%s\": \"bogus\"}}", k->object, k->key);
        size_t used = (size_t)snprintf(message, sizeof message, "test.json: $.%s.%s: expected one of ", k->object,
                                       k->key);
        for (int j = 0; j < 5 && k->strings[j]; j++)
            used += (size_t)snprintf(message + used, sizeof message - used, "%s\"%s\"", j ? ", " : "", k->strings[j]);
        snprintf(message + used, sizeof message - used, ", found \"bogus\"\n");
        assert_parse_fails(text, message);
    }
    /* a value of another key's vocabulary is not accepted */
    assert_parse_fails("{\"train\": {\"labels\": \"sampled\"}}",
                       "test.json: $.train.labels: expected one of \"noise_free\", \"bradley_terry\", found "
                       "\"sampled\"\n");
}

static void config_should_parse_gap_transitions_into_enum_values(void **state)
{
    (void)state;
    SbConfig c;
    assert_int_equal(sb_config_parse("{\"gap\": {\"transitions\": [\"linear\", \"tree\"]}}", "gap.json", &c), 0);
    assert_int_equal(c.gap.n_transitions, 2);
    assert_int_equal(c.gap.transitions[0], SB_TRANSITION_LINEAR);
    assert_int_equal(c.gap.transitions[1], SB_TRANSITION_TREE);
    char *json = sb_config_to_json(&c);
    assert_non_null(strstr(json, "\"transitions\":\t[\"linear\", \"tree\"]"));
    free(json);
    assert_parse_fails("{\"gap\": {\"transitions\": [\"linear\", \"linear\"]}}",
                       "test.json: $.gap.transitions[1]: duplicate transition \"linear\" (already at "
                       "$.gap.transitions[0])\n");
}

/* ------------------------------------------------------------------ */
/* the registries' names                                              */

static void config_should_accept_every_registered_dataset_and_list_it(void **state)
{
    (void)state;
    char *argv[] = {"list", NULL};
    capture_fd_begin(1);
    int rc = sb_cmd_list(1, argv);
    const char *listed = capture_end();
    assert_int_equal(rc, 0);
    const SbDataset *d;
    int n = 0;
    for (int i = 0; (d = sb_dataset_at(i)); i++, n++) {
        char text[160], line[96];
        snprintf(text, sizeof text, "{\"dataset\": {\"kind\": \"%s\"}}", d->name);
        SbConfig c;
        assert_int_equal(sb_config_parse(text, "kind.json", &c), 0);
        assert_string_equal(c.dataset.kind, d->name);
        assert_ptr_equal(sb_dataset_find(c.dataset.kind), d);
        snprintf(line, sizeof line, "\n  %-24s %s\n", d->name, d->description);
        if (!strstr(listed, line))
            fail_msg("dataset %s missing from 'soupbench list':\n%s", d->name, listed);
        /* its default aspects are names the config accepts */
        for (const char *const *a = d->default_aspects; a && *a; a++) {
            snprintf(text, sizeof text, "{\"dataset\": {\"kind\": \"%s\", \"aspect_names\": [\"%s\"]}}",
                     d->name, *a);
            assert_int_equal(sb_config_parse(text, "aspect.json", &c), 0);
        }
    }
    /* the kinds of SPEC section 5 are there; only the synthetic track is built, not loaded */
    assert_true(n >= 4);
    static const char *const spec_kinds[] = {"synthetic", "alpaca_eval", "topical_chat", "ultrafeedback"};
    for (int i = 0; i < 4; i++)
        assert_non_null(sb_dataset_find(spec_kinds[i]));
    assert_null(sb_dataset_find("synthetic")->load);
    assert_non_null(sb_dataset_find("topical_chat")->load);
    assert_null(sb_dataset_find("imdb"));
}

static void config_should_accept_every_registered_method_and_check_its_defaults(void **state)
{
    (void)state;
    int n;
    const SbMethod *const *all = sb_method_all(&n);
    for (int i = 0; i < n; i++) {
        char text[160];
        snprintf(text, sizeof text, "{\"methods\": [\"%s\"], \"gap\": {\"methods\": [\"%s\"]}}", all[i]->name,
                 all[i]->name);
        SbConfig c;
        assert_int_equal(sb_config_parse(text, "method.json", &c), 0);
        assert_string_equal(c.methods[0], all[i]->name);
    }
    /* the defaults written in config.c name registered methods and a
     * registered kind: with the sets installed they pass the same checks */
    SbConfig c;
    sb_config_defaults(&c);
    char *json = sb_config_to_json(&c);
    assert_int_equal(sb_config_parse(json, "defaults.json", &c), 0);
    free(json);
}

/* ------------------------------------------------------------------ */
/* defaults and round trip                                            */

static void config_should_fill_defaults_for_absent_keys(void **state)
{
    (void)state;
    char path[64];
    write_temp_file(path, "{\"dataset\": {\"horizon\": 5}, \"users\": {}}\n");
    SbConfig c;
    int rc = sb_config_load(path, &c);
    unlink(path);
    assert_int_equal(rc, 0);
    /* The documented defaults of a small fast experiment. */
    assert_string_equal(c.name, "experiment");
    assert_string_equal(c.description, "");
    assert_true(c.seed == 1);
    assert_true(c.beta == 1.0);
    assert_string_equal(c.dataset.kind, "synthetic");
    assert_int_equal(c.dataset.transition, SB_TRANSITION_TREE);
    assert_int_equal(c.dataset.prompts, 8);
    assert_int_equal(c.dataset.vocab, 4);
    assert_int_equal(c.dataset.horizon, 5); /* the one key given */
    assert_int_equal(c.dataset.states, 16);
    assert_int_equal(c.dataset.spectral_dim, 6);
    assert_int_equal(c.dataset.aspects, 3);
    assert_true(c.dataset.misspecification == 0.0);
    assert_true(isnan(c.dataset.aspect_correlation)); /* null: independent theta_j */
    assert_int_equal(c.dataset.inputs, SB_INPUTS_FEATURES);
    assert_int_equal(c.reference.width, 128);
    assert_true(c.reference.scale == 1.0);
    assert_int_equal(c.reference.layers, 2);
    assert_true(c.reference.temperature == 1.0);
    assert_int_equal(c.users.train, 16);
    assert_int_equal(c.users.test, 16);
    assert_int_equal(c.users.weights, SB_WEIGHTS_SIMPLEX);
    assert_true(c.users.concentration == 1.0);
    assert_int_equal(c.lora.rank, 16);
    assert_true(c.lora.alpha == 32.0);
    assert_int_equal(c.train.trainer, SB_TRAINER_PG);
    assert_int_equal(c.train.form, SB_POLICY_FULL);
    assert_int_equal(c.train.steps, 600);
    assert_true(c.train.lr == 0.002);
    assert_int_equal(c.train.warmup, 10);
    assert_int_equal(c.train.patience, 50);
    assert_int_equal(c.train.pairs, 4096);
    assert_int_equal(c.train.heldout_pairs, 1024);
    assert_int_equal(c.train.labels, SB_LABELS_SAMPLED);
    assert_true(c.train.label_temperature == 1.0);
    assert_int_equal(c.basis.size, 6);
    assert_int_equal(c.basis.trainer, SB_TRAINER_DPO);
    assert_int_equal(c.basis.pairs, 4096);
    assert_int_equal(c.basis.heldout_pairs, 1024);
    assert_int_equal(c.basis.labels, SB_LABELS_SAMPLED);
    assert_true(c.regime.max_change == 0.25 && c.regime.min_gain == 0.9);
    assert_int_equal(c.basis.size, 6);
    assert_string_equal(c.basis.load, "");
    assert_true(c.basis.rank_tol == 1e-8);
    assert_int_equal(c.basis.spectrum_rows, 4096);
    assert_int_equal(c.soup.pairs, 256);
    assert_true(c.soup.train_prompts == 0.5);
    assert_int_equal(c.soup.labels, SB_LABELS_PROBABILITIES);
    assert_true(c.soup.temperature == 1.0);
    assert_true(c.soup.l2 == 1e-4);
    assert_int_equal(c.soup.form, SB_POLICY_FULL);
    assert_int_equal(c.soup.cat_steps, 200);
    assert_true(c.soup.cat_lr == 0.05);
    assert_int_equal(c.soup.implicit_samples, 2000);
    assert_int_equal(c.soup.implicit_budget, 16);
    assert_int_equal(c.soup.n_implicit_budgets, 0);
    assert_int_equal(c.learned.samples, 2048);
    assert_true(c.learned.l2 == 1e-4);
    assert_true(c.normalized_guard == 0.05);
    assert_int_equal(c.gap.n_horizons, 0);
    assert_int_equal(c.gap.n_transitions, 2);
    assert_int_equal(c.gap.transitions[0], SB_TRANSITION_TREE);
    assert_int_equal(c.gap.transitions[1], SB_TRANSITION_LINEAR);
    assert_int_equal(c.gap.n_misspecification, 1);
    assert_true(c.gap.misspecification[0] == 0.0);
    assert_int_equal(c.gap.n_methods, 5);
    assert_string_equal(c.gap.methods[0], "spectral_soup");
    assert_int_equal(c.online.rounds, 0);
    assert_int_equal(c.online.users, 16);
    assert_int_equal(c.online.seeds, 2);
    assert_int_equal(c.online.responses, SB_RESPONSES_SOUP_REF);
    assert_int_equal(c.online.labels, SB_LABELS_SAMPLED);
    assert_true(c.online.temperature == 1.0 && c.online.l2 == 1.0);
    assert_int_equal(c.online.active, 0);
    assert_int_equal(c.online.candidates, 16);
    assert_int_equal(c.ablation.n_K, 0);
    assert_int_equal(c.ablation.n_widths, 0);
    assert_int_equal(c.ablation.rounds, 64);
    assert_int_equal(c.ablation.users, 8);
    assert_int_equal(c.n_methods, 2);
    assert_string_equal(c.methods[0], "reference");
    assert_string_equal(c.methods[1], "oracle");
    assert_int_equal(c.pareto_grid, 11);
    assert_true(c.winrate_max_enumerate == 1000000);
    assert_int_equal(c.winrate_samples, 20000);
    assert_int_equal(c.bootstrap, 1000);

    /* An empty object is exactly the defaults. */
    SbConfig empty, defaults;
    assert_int_equal(sb_config_parse("{}", "empty.json", &empty), 0);
    sb_config_defaults(&defaults);
    assert_memory_equal(&empty, &defaults, sizeof defaults);
}

/* Every key away from its default; values chosen to stress printing: a
 * seed past 15 digits, a double needing 17 digits, escapes in a string. */
static const char *const every_key_changed =
    "{\"name\": \"my-run_2\", \"description\": \"say \\\"hi\\\" \\\\ caf\\u00e9\\ttab\","
    " \"seed\": 9007199254740992, \"beta\": 0.1,"
    " \"dataset\": {\"kind\": \"synthetic\", \"transition\": \"linear\", \"prompts\": 3, \"vocab\": 5,"
    "  \"horizon\": 8, \"states\": 7, \"spectral_dim\": 2, \"aspects\": 16,"
    "  \"misspecification\": 0.30000000000000004, \"aspect_correlation\": -0.4, \"inputs\": \"onehot\", \"aspect_names\": [\"sentiment\", \"judge\"],"
    "  \"path\": \"uf/my file.jsonl\"},"
    " \"reference\": {\"width\": 33, \"layers\": 8, \"temperature\": 1e-3, \"policy\": \"uniform\"},"
    " \"users\": {\"train\": 1, \"test\": 2, \"weights\": \"signed\", \"concentration\": 0.25},"
    " \"lora\": {\"rank\": 3, \"alpha\": 0.7},"
    " \"train\": {\"trainer\": \"dpo\", \"form\": \"lora\", \"steps\": 9, \"lr\": 0.003, \"warmup\": 0,"
    "  \"patience\": 4, \"pairs\": 10, \"heldout_pairs\": 11, \"labels\": \"bradley_terry\","
    "  \"label_temperature\": 2.5},"
    " \"basis\": {\"kind\": \"random\", \"size\": 12, \"load\": \"old.h5\", \"rank_tol\": 1e-6,"
    "  \"spectrum_rows\": 99},"
    " \"soup\": {\"pairs\": 7, \"train_prompts\": 1, \"labels\": \"sampled\", \"temperature\": 0.25,"
    "  \"l2\": 0, \"form\": \"full\", \"cat_steps\": 3, \"cat_lr\": 0.5, \"implicit_samples\": 9,"
    "  \"implicit_budget\": 3, \"implicit_budgets\": [1, 64]},"
    " \"gap\": {\"horizons\": [4, 1], \"transitions\": [\"linear\"], \"misspecification\": [0.25, 1],"
    "  \"methods\": [\"pad\"]},"
    " \"online\": {\"rounds\": 5, \"users\": 3, \"seeds\": 4, \"responses\": \"soup\", \"labels\": \"noise_free\","
    "  \"temperature\": 2, \"l2\": 0.5, \"active\": 1, \"candidates\": 3},"
    " \"ablation\": {\"K\": [1, 3], \"widths\": [5], \"rounds\": 7, \"users\": 2},"
    " \"methods\": [\"oracle\", \"reference\"],"
    " \"pareto\": {\"grid\": 1001}, \"winrate\": {\"max_enumerate\": 0, \"samples\": 1},"
    " \"bootstrap\": 7}";

static void config_should_round_trip_through_to_json(void **state)
{
    (void)state;
    SbConfig a, b;
    assert_int_equal(sb_config_parse(every_key_changed, "all.json", &a), 0);
    assert_string_equal(a.description, "say \"hi\" \\ caf\xc3\xa9\ttab");
    assert_true(a.seed == 9007199254740992ULL);
    assert_true(a.dataset.misspecification == 0.1 + 0.2);
    assert_true(a.dataset.aspect_correlation == -0.4 && a.users.concentration == 0.25);
    assert_true(a.reference.temperature == 0.001);
    assert_string_equal(a.methods[0], "oracle");
    assert_int_equal(a.gap.n_horizons, 2);
    assert_true(a.gap.horizons[0] == 4 && a.gap.misspecification[1] == 1);

    char *json = sb_config_to_json(&a);
    assert_non_null(strstr(json, "9007199254740992"));
    assert_non_null(strstr(json, "0.30000000000000004"));
    assert_int_equal(sb_config_parse(json, "round.json", &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    free(json);

    /* null, the default of $.dataset.aspect_correlation, is written back as null */
    sb_config_defaults(&a);
    json = sb_config_to_json(&a);
    assert_non_null(strstr(json, "\"aspect_correlation\":\tnull"));
    assert_int_equal(sb_config_parse(json, "round.json", &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    free(json);
}

static void config_should_emit_every_key_in_schema_order(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "\"name\"",   "\"description\"",  "\"seed\"",        "\"beta\"",         "\"dataset\"",
        "\"kind\"",   "\"transition\"",   "\"prompts\"",     "\"vocab\"",        "\"horizon\"",
        "\"states\"", "\"spectral_dim\"", "\"aspects\"",     "\"misspecification\"", "\"aspect_correlation\"", "\"inputs\"", "\"aspect_names\"", "\"path\"",
        "\"reference\"", "\"width\"",     "\"layers\"",      "\"temperature\"", "\"policy\"",  "\"users\"",
        "\"train\"",  "\"test\"",         "\"weights\"",     "\"concentration\"", "\"lora\"",         "\"rank\"",
        "\"alpha\"",  "\"train\"",        "\"trainer\"",     "\"form\"",         "\"steps\"",
        "\"lr\"",     "\"warmup\"",       "\"patience\"",    "\"pairs\"",        "\"heldout_pairs\"",
        "\"labels\"", "\"label_temperature\"", "\"basis\"",  "\"kind\"",         "\"size\"",
        "\"load\"",   "\"rank_tol\"",     "\"spectrum_rows\"", "\"soup\"",       "\"pairs\"",
        "\"train_prompts\"", "\"labels\"", "\"temperature\"", "\"l2\"",         "\"form\"",
        "\"cat_steps\"", "\"cat_lr\"",    "\"implicit_samples\"", "\"implicit_budget\"",
        "\"implicit_budgets\"", "\"gap\"",     "\"horizons\"",
        "\"transitions\"", "\"misspecification\"", "\"methods\"", "\"online\"",  "\"rounds\"",
        "\"users\"",  "\"seeds\"",        "\"responses\"",   "\"labels\"",       "\"temperature\"",
        "\"l2\"",     "\"active\"",       "\"candidates\"",  "\"ablation\"",     "\"K\"",
        "\"widths\"", "\"rounds\"",       "\"users\"",       "\"methods\"",      "\"pareto\"",
        "\"grid\"",   "\"winrate\"",      "\"max_enumerate\"", "\"samples\"",    "\"bootstrap\"",
    };
    SbConfig c;
    sb_config_defaults(&c);
    char *json = sb_config_to_json(&c);
    const char *at = json;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *found = strstr(at, keys[i]);
        if (!found)
            fail_msg("key %s missing or out of order in:\n%s", keys[i], json);
        at = found + strlen(keys[i]);
    }
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_should_report_syntax_error_with_line_and_column),
        cmocka_unit_test(config_should_report_trailing_garbage_as_syntax_error),
        cmocka_unit_test(config_should_report_empty_input_as_syntax_error),
        cmocka_unit_test(config_should_reject_top_level_array),
        cmocka_unit_test(config_should_reject_unknown_top_level_key),
        cmocka_unit_test(config_should_reject_unknown_nested_key),
        cmocka_unit_test(config_should_reject_duplicate_key),
        cmocka_unit_test(config_should_reject_string_for_integer),
        cmocka_unit_test(config_should_reject_wrong_types_naming_what_was_found),
        cmocka_unit_test(config_should_reject_fraction_for_integer),
        cmocka_unit_test(config_should_reject_value_below_range),
        cmocka_unit_test(config_should_reject_value_above_range),
        cmocka_unit_test(config_should_reject_zero_for_exclusive_bound),
        cmocka_unit_test(config_should_reject_bad_name_and_long_description),
        cmocka_unit_test(config_should_reject_value_outside_enum),
        cmocka_unit_test(config_should_reject_bad_number_list_element),
        cmocka_unit_test(config_should_reject_unknown_method),
        cmocka_unit_test(config_should_check_aspect_names_and_allow_the_default_set),
        cmocka_unit_test(config_should_reject_duplicate_method),
        cmocka_unit_test(config_should_reject_empty_methods),
        cmocka_unit_test(config_should_reject_non_string_method),
        cmocka_unit_test(config_should_report_missing_file),
        cmocka_unit_test(config_should_round_trip_every_enum_value),
        cmocka_unit_test(config_should_refuse_an_unknown_enum_value_naming_path_and_choices),
        cmocka_unit_test(config_should_parse_gap_transitions_into_enum_values),
        cmocka_unit_test(config_should_accept_every_registered_dataset_and_list_it),
        cmocka_unit_test(config_should_accept_every_registered_method_and_check_its_defaults),
        cmocka_unit_test(config_should_fill_defaults_for_absent_keys),
        cmocka_unit_test(config_should_round_trip_through_to_json),
        cmocka_unit_test(config_should_emit_every_key_in_schema_order),
    };
    sb_registries_install(); /* as main() does: the names of $.dataset.kind, $.methods, ... */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
