/* soupbench: experiment configuration (harness/config.h).
 *
 * One schema table lists every key with its type, range, default and the
 * offset of its field in SbConfig. Parsing, defaults and sb_config_to_json
 * all walk that table, so a key is added in exactly one place. Defaults are
 * written as JSON text and stored through the same checks as user values,
 * so a default outside its own range is caught at once. */
#include "config.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"

/* ------------------------------------------------------------------ */
/* the schema                                                         */

typedef enum {
    SB_KEY_OBJECT, /* a nested object; its keys are the entries whose parent is its path */
    SB_KEY_INT,    /* integral number stored in an int (size 4) or a 64-bit integer (size 8) */
    SB_KEY_NUMBER, /* finite double; `nullable`: JSON null too, stored as NaN */
    SB_KEY_STRING, /* string of min..max bytes; `name_chars` limits it to [A-Za-z0-9_-] */
    SB_KEY_ENUM,   /* one string out of `choices`, stored as its enum value (an int) */
    SB_KEY_NAME,   /* one string out of the name set `set`, stored as the string */
    SB_KEY_NAMES,  /* array of distinct names out of `set` or, with `names`, enum values */
    SB_KEY_NUMBERS, /* array (possibly empty) of numbers in [min, max]; `integers`: whole numbers only */
} SbKeyType;

typedef struct {
    const char *parent; /* JSON path of the enclosing object: "$" or "$.dataset" */
    const char *key;
    SbKeyType type;
    double min, max;    /* value range, or string length range; +-INFINITY when open */
    int min_open;       /* the range excludes min (temperature > 0) */
    int nullable;       /* SB_KEY_NUMBER: null is a value (stored as NaN, written back as null) */
    const char *def;    /* default value as JSON text */
    size_t offset;      /* field in SbConfig */
    size_t size;        /* field size: int width, string buffer, or one name slot */
    int name_chars;     /* SB_KEY_STRING: only [A-Za-z0-9_-] */
    /* SB_KEY_ENUM, and SB_KEY_NAMES of enum values: the enum's strings,
     * indexed by value, and the values this key accepts in the order its
     * messages list them (ends with -1) */
    const char *const *names;
    int n_names;
    const int *choices;
    SbNameSet set;                       /* SB_KEY_NAME(S) of strings: the registry they come from */
    const char *noun;                    /* SB_KEY_NAMES: "method" */
    size_t count_offset;                 /* SB_KEY_NAMES: the int count field */
    int max_count;                       /* SB_KEY_NAMES, SB_KEY_NUMBERS: capacity of the field */
    int integers;                        /* SB_KEY_NUMBERS: whole numbers only */
    int allow_empty;                     /* SB_KEY_NAMES: [] is valid (the documented default set) */
    const char *hint;                    /* SB_KEY_NAMES: what to do about an unknown name */
} SbKey;

/* The strings of the config's enums (config.h), indexed by value: the one
 * place where a string and its value meet. A key lists the values it
 * accepts (ENUM below) in the order of its messages. */
static const char *const transition_names[] = {[SB_TRANSITION_TREE] = "tree", [SB_TRANSITION_LINEAR] = "linear"};
static const char *const inputs_names[] = {
    [SB_INPUTS_EMBEDDING] = "embedding", [SB_INPUTS_ONEHOT] = "onehot", [SB_INPUTS_FEATURES] = "features"};
static const char *const reference_policy_names[] = {
    [SB_REFERENCE_AUTO] = "auto", [SB_REFERENCE_NETWORK] = "network", [SB_REFERENCE_UNIFORM] = "uniform"};
static const char *const weights_names[] = {[SB_WEIGHTS_SIMPLEX] = "simplex", [SB_WEIGHTS_SIGNED] = "signed"};
static const char *const trainer_names[] = {[SB_TRAINER_PG] = "pg", [SB_TRAINER_DPO] = "dpo"};
static const char *const policy_form_names[] = {[SB_POLICY_LORA] = "lora", [SB_POLICY_FULL] = "full"};
static const char *const label_kind_names[] = {[SB_LABELS_NOISE_FREE] = "noise_free", [SB_LABELS_SAMPLED] = "sampled",
                                               [SB_LABELS_PROBABILITIES] = "probabilities"};
/* $.train.labels names the sampled answers after their model */
static const char *const train_labels_names[] = {[SB_LABELS_NOISE_FREE] = "noise_free",
                                                 [SB_LABELS_SAMPLED] = "bradley_terry"};
static const char *const basis_kind_names[] = {
    [SB_BASIS_ASPECTS] = "aspects", [SB_BASIS_RANDOM] = "random", [SB_BASIS_NONE] = "none",
    [SB_BASIS_FEATURE_SVD] = "feature_svd", [SB_BASIS_FEATURE_RANDOM] = "feature_random"};
static const char *const responses_names[] = {
    [SB_RESPONSES_SOUP_REF] = "soup_ref", [SB_RESPONSES_SOUP] = "soup", [SB_RESPONSES_REFERENCE] = "reference"};

#define N_NAMES(table) ((int)(sizeof(table) / sizeof((table)[0])))

static const char *name_of(const char *const *names, int n, int value)
{
    SB_ASSERT(value >= 0 && value < n && names[value]);
    return names[value];
}

const char *sb_transition_name(SbTransition t) { return name_of(transition_names, N_NAMES(transition_names), t); }
const char *sb_trainer_name(SbTrainer t) { return name_of(trainer_names, N_NAMES(trainer_names), t); }
const char *sb_policy_form_name(SbPolicyForm f) { return name_of(policy_form_names, N_NAMES(policy_form_names), f); }
const char *sb_basis_kind_name(SbBasisKind k) { return name_of(basis_kind_names, N_NAMES(basis_kind_names), k); }


/* The name sets, installed by the registries' room (config.h). */
static const char *(*name_sets[SB_NAME_SETS])(int i);

void sb_config_set_names(SbNameSet set, const char *(*name_at)(int i))
{
    SB_ASSERT(set >= 0 && set < SB_NAME_SETS && name_at);
    name_sets[set] = name_at;
}

/* The i-th name of the key's set. */
static const char *set_name(const SbKey *k, int i)
{
    if (!name_sets[k->set])
        sb_fail(SB_EXIT_FAIL, "internal error: %s.%s parsed before its names were installed (sb_registries_install)",
                k->parent, k->key);
    return name_sets[k->set](i);
}

/* Is name in the key's set? Defaults are taken on trust until the set is
 * installed (config.h). */
static int name_known(const SbKey *k, const char *name, int is_default)
{
    if (is_default && !name_sets[k->set])
        return 1;
    const char *known;
    for (int i = 0; (known = set_name(k, i)); i++)
        if (strcmp(known, name) == 0)
            return 1;
    return 0;
}

/* Designated initializers: each kind of key names only what it uses. */
#define FIELD(f) .offset = offsetof(SbConfig, f), .size = sizeof(((SbConfig *)0)->f)
#define OBJECT(p, k) {.parent = p, .key = k, .type = SB_KEY_OBJECT}
#define INT(p, k, lo, hi, d, f) {.parent = p, .key = k, .type = SB_KEY_INT, .min = lo, .max = hi, .def = d, FIELD(f)}
#define NUMBER(p, k, lo, open, hi, d, f) \
    {.parent = p, .key = k, .type = SB_KEY_NUMBER, .min = lo, .min_open = open, .max = hi, .def = d, FIELD(f)}
/* A number or null: null (NaN in the field) selects a documented behaviour
 * of its own, e.g. $.dataset.aspect_correlation = null, independent draws. */
#define NUMBER_OR_NULL(p, k, lo, hi, d, f) \
    {.parent = p, .key = k, .type = SB_KEY_NUMBER, .min = lo, .max = hi, .nullable = 1, .def = d, FIELD(f)}
#define STRING(p, k, lo, hi, chars, d, f) \
    {.parent = p, .key = k, .type = SB_KEY_STRING, .min = lo, .max = hi, .name_chars = chars, .def = d, FIELD(f)}
#define ENUM(p, k, d, f, table, ...)                                                                      \
    {.parent = p, .key = k, .type = SB_KEY_ENUM, .def = d, FIELD(f), .names = table, .n_names = N_NAMES(table), \
     .choices = (const int[]){__VA_ARGS__, -1}}
#define NAME(p, k, names, d, f) {.parent = p, .key = k, .type = SB_KEY_NAME, .def = d, FIELD(f), .set = names}
#define NAMES_KEY(p, k, names, what, why, empty, d, f, count)                                             \
    {.parent = p, .key = k, .type = SB_KEY_NAMES, .def = d, .offset = offsetof(SbConfig, f),              \
     .size = sizeof(((SbConfig *)0)->f[0]), .set = names, .noun = what, .hint = why,                       \
     .allow_empty = empty, .count_offset = offsetof(SbConfig, count),                                      \
     .max_count = (int)(sizeof(((SbConfig *)0)->f) / sizeof(((SbConfig *)0)->f[0]))}
#define NAMES(p, k, names, what, why, d, f, count) NAMES_KEY(p, k, names, what, why, 0, d, f, count)
/* A non-empty array of distinct values of an enum, every one accepted. */
#define ENUM_LIST(p, k, table, what, why, d, f, count)                                                     \
    {.parent = p, .key = k, .type = SB_KEY_NAMES, .def = d, .offset = offsetof(SbConfig, f),              \
     .size = sizeof(((SbConfig *)0)->f[0]), .names = table, .n_names = N_NAMES(table), .noun = what,       \
     .hint = why, .count_offset = offsetof(SbConfig, count),                                               \
     .max_count = (int)(sizeof(((SbConfig *)0)->f) / sizeof(((SbConfig *)0)->f[0]))}

#define NUMBERS(p, k, lo, hi, whole, d, f, count)                                                         \
    {.parent = p, .key = k, .type = SB_KEY_NUMBERS, .min = lo, .max = hi, .integers = whole, .def = d,     \
     .offset = offsetof(SbConfig, f), .size = sizeof(double), .count_offset = offsetof(SbConfig, count),   \
     .max_count = (int)(sizeof(((SbConfig *)0)->f) / sizeof(double))}

#define INF INFINITY
#define MAX_EXACT 9007199254740992.0 /* 2^53: every integer up to it is exact in a double */

/* Schema order is the key order of sb_config_to_json; an object's entry
 * comes before its keys. Ranges follow config.h. */
static const SbKey schema[] = {
    STRING("$", "name", 1, SB_NAME_MAX - 1, 1, "\"experiment\"", name),
    STRING("$", "description", 0, 255, 0, "\"\"", description),
    INT("$", "seed", 0, MAX_EXACT, "1", seed),
    NUMBER("$", "beta", 0, 1, INF, "1.0", beta),
    OBJECT("$", "dataset"),
    NAME("$.dataset", "kind", SB_NAMES_DATASET, "\"synthetic\"", dataset.kind),
    ENUM("$.dataset", "transition", "\"tree\"", dataset.transition, transition_names, SB_TRANSITION_TREE,
         SB_TRANSITION_LINEAR),
    INT("$.dataset", "prompts", 1, INF, "8", dataset.prompts),
    INT("$.dataset", "vocab", 2, INF, "4", dataset.vocab),
    INT("$.dataset", "horizon", 1, 8, "3", dataset.horizon),
    INT("$.dataset", "states", 1, INF, "16", dataset.states),
    INT("$.dataset", "spectral_dim", 1, INF, "6", dataset.spectral_dim),
    INT("$.dataset", "aspects", 1, 16, "3", dataset.aspects),
    NUMBER("$.dataset", "misspecification", 0, 0, 1, "0.0", dataset.misspecification),
    NUMBER_OR_NULL("$.dataset", "aspect_correlation", -1, 1, "null", dataset.aspect_correlation),
    ENUM("$.dataset", "inputs", "\"features\"", dataset.inputs, inputs_names, SB_INPUTS_EMBEDDING, SB_INPUTS_ONEHOT,
         SB_INPUTS_FEATURES),
    NAMES_KEY("$.dataset", "aspect_names", SB_NAMES_ASPECT, "aspect", "see 'soupbench list'", 1, "[]",
              dataset.aspect_names, dataset.n_aspect_names),
    STRING("$.dataset", "path", 0, 255, 0, "\"\"", dataset.path),
    OBJECT("$", "reference"),
    INT("$.reference", "width", 1, INF, "128", reference.width),
    INT("$.reference", "layers", 1, 8, "2", reference.layers),
    NUMBER("$.reference", "temperature", 0, 1, INF, "1.0", reference.temperature),
    NUMBER("$.reference", "scale", 0, 1, INF, "1.0", reference.scale),
    ENUM("$.reference", "policy", "\"auto\"", reference.policy, reference_policy_names, SB_REFERENCE_AUTO,
         SB_REFERENCE_NETWORK, SB_REFERENCE_UNIFORM),
    OBJECT("$", "users"),
    INT("$.users", "train", 1, INF, "16", users.train),
    INT("$.users", "test", 1, INF, "16", users.test),
    ENUM("$.users", "weights", "\"simplex\"", users.weights, weights_names, SB_WEIGHTS_SIMPLEX, SB_WEIGHTS_SIGNED),
    NUMBER("$.users", "concentration", 0, 1, INF, "1.0", users.concentration),
    OBJECT("$", "lora"),
    INT("$.lora", "rank", 1, 1024, "16", lora.rank),
    NUMBER("$.lora", "alpha", 0, 1, INF, "32.0", lora.alpha),
    OBJECT("$", "train"),
    ENUM("$.train", "trainer", "\"pg\"", train.trainer, trainer_names, SB_TRAINER_PG, SB_TRAINER_DPO),
    ENUM("$.train", "form", "\"full\"", train.form, policy_form_names, SB_POLICY_FULL, SB_POLICY_LORA),
    INT("$.train", "steps", 1, INF, "600", train.steps),
    NUMBER("$.train", "lr", 0, 1, INF, "0.002", train.lr),
    INT("$.train", "warmup", 0, INF, "10", train.warmup),
    INT("$.train", "patience", 1, INF, "50", train.patience),
    INT("$.train", "pairs", 1, INF, "4096", train.pairs),
    INT("$.train", "heldout_pairs", 1, INF, "1024", train.heldout_pairs),
    ENUM("$.train", "labels", "\"bradley_terry\"", train.labels, train_labels_names, SB_LABELS_NOISE_FREE,
         SB_LABELS_SAMPLED),
    NUMBER("$.train", "label_temperature", 0, 1, INF, "1.0", train.label_temperature),
    OBJECT("$", "basis"),
    ENUM("$.basis", "kind", "\"aspects\"", basis.kind, basis_kind_names, SB_BASIS_ASPECTS, SB_BASIS_RANDOM,
         SB_BASIS_FEATURE_SVD, SB_BASIS_FEATURE_RANDOM, SB_BASIS_NONE),
    INT("$.basis", "size", 1, 256, "6", basis.size),
    ENUM("$.basis", "trainer", "\"dpo\"", basis.trainer, trainer_names, SB_TRAINER_PG, SB_TRAINER_DPO),
    INT("$.basis", "pairs", 1, INF, "4096", basis.pairs),
    INT("$.basis", "heldout_pairs", 1, INF, "1024", basis.heldout_pairs),
    ENUM("$.basis", "labels", "\"bradley_terry\"", basis.labels, train_labels_names, SB_LABELS_NOISE_FREE,
         SB_LABELS_SAMPLED),
    NUMBER("$.basis", "label_temperature", 0, 1, INF, "1.0", basis.label_temperature),
    STRING("$.basis", "load", 0, 255, 0, "\"\"", basis.load),
    NUMBER("$.basis", "rank_tol", 0, 1, 1, "1e-8", basis.rank_tol),
    INT("$.basis", "spectrum_rows", 1, INF, "4096", basis.spectrum_rows),
    OBJECT("$", "soup"),
    INT("$.soup", "pairs", 1, INF, "256", soup.pairs),
    NUMBER("$.soup", "train_prompts", 0, 1, 1, "0.5", soup.train_prompts),
    ENUM("$.soup", "labels", "\"probabilities\"", soup.labels, label_kind_names, SB_LABELS_PROBABILITIES,
         SB_LABELS_SAMPLED, SB_LABELS_NOISE_FREE),
    NUMBER("$.soup", "temperature", 0, 1, INF, "1.0", soup.temperature),
    NUMBER("$.soup", "l2", 0, 0, INF, "1e-4", soup.l2),
    ENUM("$.soup", "form", "\"full\"", soup.form, policy_form_names, SB_POLICY_LORA, SB_POLICY_FULL),
    INT("$.soup", "cat_steps", 1, INF, "200", soup.cat_steps),
    NUMBER("$.soup", "cat_lr", 0, 1, INF, "0.05", soup.cat_lr),
    INT("$.soup", "implicit_samples", 1, INF, "2000", soup.implicit_samples),
    INT("$.soup", "implicit_budget", 1, 1 << 20, "16", soup.implicit_budget),
    NUMBERS("$.soup", "implicit_budgets", 1, 1 << 20, 1, "[]", soup.implicit_budgets, soup.n_implicit_budgets),
    OBJECT("$", "regime"),
    NUMBER("$.regime", "max_change", 0, 1, INF, "0.25", regime.max_change),
    NUMBER("$.regime", "min_gain", 0, 0, 1, "0.9", regime.min_gain),
    OBJECT("$", "learned"),
    INT("$.learned", "samples", 1, 1 << 24, "2048", learned.samples),
    NUMBER("$.learned", "l2", 0, 0, INF, "1e-4", learned.l2),
    OBJECT("$", "gap"),
    NUMBERS("$.gap", "horizons", 1, 8, 1, "[]", gap.horizons, gap.n_horizons),
    ENUM_LIST("$.gap", "transitions", transition_names, "transition", "expected \"tree\" or \"linear\"",
              "[\"tree\", \"linear\"]", gap.transitions, gap.n_transitions),
    NUMBERS("$.gap", "misspecification", 0, 1, 0, "[0]", gap.misspecification, gap.n_misspecification),
    NAMES("$.gap", "methods", SB_NAMES_METHOD, "method", "see 'soupbench list'",
          "[\"spectral_soup\", \"spectral_soup_param\", \"mod\", \"pad\", \"pad_sf\"]", gap.methods,
          gap.n_methods),
    OBJECT("$", "online"),
    INT("$.online", "rounds", 0, 1 << 20, "0", online.rounds),
    INT("$.online", "users", 1, INF, "16", online.users),
    INT("$.online", "seeds", 1, INF, "2", online.seeds),
    ENUM("$.online", "responses", "\"soup_ref\"", online.responses, responses_names, SB_RESPONSES_SOUP_REF,
         SB_RESPONSES_SOUP, SB_RESPONSES_REFERENCE),
    ENUM("$.online", "labels", "\"sampled\"", online.labels, label_kind_names, SB_LABELS_SAMPLED,
         SB_LABELS_NOISE_FREE, SB_LABELS_PROBABILITIES),
    NUMBER("$.online", "temperature", 0, 1, INF, "1.0", online.temperature),
    NUMBER("$.online", "l2", 0, 1, INF, "1.0", online.l2),
    INT("$.online", "active", 0, 1, "0", online.active),
    INT("$.online", "candidates", 2, INF, "16", online.candidates),
    OBJECT("$", "ablation"),
    NUMBERS("$.ablation", "K", 1, 256, 1, "[]", ablation.K, ablation.n_K),
    NUMBERS("$.ablation", "widths", 1, 4096, 1, "[]", ablation.widths, ablation.n_widths),
    INT("$.ablation", "rounds", 1, 1 << 20, "64", ablation.rounds),
    INT("$.ablation", "users", 1, INF, "8", ablation.users),
    NAMES("$", "methods", SB_NAMES_METHOD, "method", "see 'soupbench list'", "[\"reference\", \"oracle\"]", methods,
          n_methods),
    OBJECT("$", "pareto"),
    INT("$.pareto", "grid", 2, 1001, "11", pareto_grid),
    OBJECT("$", "winrate"),
    INT("$.winrate", "max_enumerate", 0, INF, "1000000", winrate_max_enumerate),
    INT("$.winrate", "samples", 1, INF, "20000", winrate_samples),
    INT("$", "bootstrap", 1, INF, "1000", bootstrap),
    NUMBER("$", "normalized_guard", 0, 0, 0.99, "0.05", normalized_guard),
};
#define N_KEYS (sizeof(schema) / sizeof(schema[0]))

/* ------------------------------------------------------------------ */
/* messages                                                           */

static void path_of(const SbKey *k, char *buf, size_t n) { snprintf(buf, n, "%s.%s", k->parent, k->key); }

/* Shortest text that reads back as exactly x, so printed values (messages,
 * to_json) look like what the user wrote and round-trip; whole numbers
 * without an exponent (3000000000, not 3e+09). */
static void format_number(double x, char *buf, size_t n)
{
    if (x == floor(x) && fabs(x) < 1e17) {
        snprintf(buf, n, "%.0f", x);
        return;
    }
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, n, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* The JSON value as a reader would recognise it in the file. */
static void describe_found(const cJSON *v, char *buf, size_t n)
{
    if (cJSON_IsString(v)) {
        char *json = cJSON_PrintUnformatted(v); /* quoted and escaped */
        char *s = sb_printable(json, 0, 0);     /* and no byte that is not UTF-8 */
        free(json);
        if (strlen(s) > 60)
            snprintf(buf, n, "%.56s...\"", s);
        else
            snprintf(buf, n, "%s", s);
        free(s);
    } else if (cJSON_IsNumber(v)) {
        if (isfinite(v->valuedouble))
            format_number(v->valuedouble, buf, n);
        else
            snprintf(buf, n, "a number too large for a double");
    } else if (cJSON_IsBool(v)) {
        snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNull(v)) {
        snprintf(buf, n, "null");
    } else if (cJSON_IsArray(v)) {
        snprintf(buf, n, "an array");
    } else {
        snprintf(buf, n, "an object");
    }
}

/* What a key accepts, e.g. "an integer >= 1", "a number in [0, 1]". `max`
 * is passed separately so an open-ended int can name its storage limit. */
static void describe_expected(const SbKey *k, double max, char *buf, size_t n)
{
    char lo[32], hi[32];
    format_number(k->min, lo, sizeof lo);
    format_number(max, hi, sizeof hi);
    switch (k->type) {
    case SB_KEY_INT:
    case SB_KEY_NUMBER: {
        const char *what = k->type == SB_KEY_INT ? "an integer" : "a number";
        if (isinf(max))
            snprintf(buf, n, "%s %s %s", what, k->min_open ? ">" : ">=", lo);
        else
            snprintf(buf, n, "%s in %c%s, %s]", what, k->min_open ? '(' : '[', lo, hi);
        if (k->nullable)
            snprintf(buf + strlen(buf), n - strlen(buf), " or null");
        break;
    }
    case SB_KEY_STRING:
        if (k->name_chars)
            snprintf(buf, n, "a name of 1 to %s characters from [A-Za-z0-9_-]", hi);
        else
            snprintf(buf, n, "a string of at most %s bytes", hi);
        break;
    case SB_KEY_ENUM: {
        size_t used = (size_t)snprintf(buf, n, "one of ");
        for (const int *c = k->choices; *c >= 0 && used < n; c++)
            used += (size_t)snprintf(buf + used, n - used, "%s\"%s\"", c == k->choices ? "" : ", ",
                                     name_of(k->names, k->n_names, *c));
        break;
    }
    case SB_KEY_NAME: {
        size_t used = (size_t)snprintf(buf, n, "one of ");
        const char *name;
        for (int i = 0; (name = set_name(k, i)) && used < n; i++)
            used += (size_t)snprintf(buf + used, n - used, "%s\"%s\"", i ? ", " : "", name);
        break;
    }
    case SB_KEY_NAMES:
        snprintf(buf, n, "an array of %s names", k->noun);
        break;
    case SB_KEY_NUMBERS:
        snprintf(buf, n, "an array of at most %d %s in [%s, %s]", k->max_count,
                 k->integers ? "integers" : "numbers", lo, hi);
        break;
    case SB_KEY_OBJECT:
        snprintf(buf, n, "an object");
        break;
    }
}

static int fail_expected(const char *label, const char *path, const SbKey *k, double max, const cJSON *v)
{
    char expected[256], found[96];
    describe_expected(k, max, expected, sizeof expected);
    describe_found(v, found, sizeof found);
    fprintf(stderr, "%s: %s: expected %s, found %s\n", label, path, expected, found);
    return -1;
}

/* ------------------------------------------------------------------ */
/* storing one value                                                  */

static int name_chars_ok(const char *s)
{
    for (; *s; s++)
        if (!(('A' <= *s && *s <= 'Z') || ('a' <= *s && *s <= 'z') || ('0' <= *s && *s <= '9') ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* The value of the string s among the key's choices (all of the enum's
 * values for a list key), or -1. */
static int enum_value(const SbKey *k, const char *s)
{
    if (k->choices) {
        for (const int *c = k->choices; *c >= 0; c++)
            if (strcmp(s, name_of(k->names, k->n_names, *c)) == 0)
                return *c;
        return -1;
    }
    for (int value = 0; value < k->n_names; value++)
        if (k->names[value] && strcmp(s, k->names[value]) == 0)
            return value;
    return -1;
}

static int store_names(const SbKey *k, const cJSON *v, const char *label, const char *path, char *base,
                       int is_default)
{
    if (!cJSON_IsArray(v))
        return fail_expected(label, path, k, k->max, v);
    int n = cJSON_GetArraySize(v);
    if (n == 0 && !k->allow_empty) {
        fprintf(stderr, "%s: %s: expected at least one %s, found an empty array\n", label, path, k->noun);
        return -1;
    }
    if (n > k->max_count) {
        fprintf(stderr, "%s: %s: expected at most %d %ss, found an array of %d\n", label, path, k->max_count, k->noun, n);
        return -1;
    }
    /* strings in SB_NAME_MAX slots, or enum values in int slots */
    char (*names)[SB_NAME_MAX] = (char (*)[SB_NAME_MAX])(base + k->offset);
    int *values = (int *)(base + k->offset);
    SB_ASSERT(k->size == (k->names ? sizeof(int) : SB_NAME_MAX));
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        char found[96];
        if (!cJSON_IsString(item)) {
            describe_found(item, found, sizeof found);
            fprintf(stderr, "%s: %s[%d]: expected a %s name (a string), found %s\n", label, path, i, k->noun, found);
            return -1;
        }
        const char *s = item->valuestring;
        int value = k->names ? enum_value(k, s) : 0;
        if (k->names ? value < 0 : !name_known(k, s, is_default)) {
            describe_found(item, found, sizeof found);
            fprintf(stderr, "%s: %s[%d]: unknown %s %s (%s)\n", label, path, i, k->noun, found, k->hint);
            return -1;
        }
        for (int j = 0; j < i; j++)
            if (k->names ? values[j] == value : strcmp(names[j], s) == 0) {
                fprintf(stderr, "%s: %s[%d]: duplicate %s \"%s\" (already at %s[%d])\n", label, path, i, k->noun, s,
                        path, j);
                return -1;
            }
        if (k->names) {
            values[i] = value;
            continue;
        }
        SB_ASSERT(strlen(s) < SB_NAME_MAX); /* registered names are short */
        memset(names[i], 0, SB_NAME_MAX);
        strcpy(names[i], s);
    }
    /* deterministic struct bytes */
    memset(base + k->offset + (size_t)n * k->size, 0, (size_t)(k->max_count - n) * k->size);
    *(int *)(base + k->count_offset) = n;
    return 0;
}

static int store_numbers(const SbKey *k, const cJSON *v, const char *label, const char *path, char *base)
{
    int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    if (n < 0 || n > k->max_count)
        return fail_expected(label, path, k, k->max, v);
    double *values = (double *)(base + k->offset);
    SbKey one = *k; /* each element is checked as a scalar key */
    one.type = k->integers ? SB_KEY_INT : SB_KEY_NUMBER;
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        double x = cJSON_IsNumber(item) ? item->valuedouble : NAN;
        if (!isfinite(x) || x < k->min || x > k->max || (k->integers && x != floor(x))) {
            char at[160];
            snprintf(at, sizeof at, "%s[%d]", path, i);
            return fail_expected(label, at, &one, k->max, item);
        }
        values[i] = x;
    }
    memset(values + n, 0, sizeof(double) * (size_t)(k->max_count - n)); /* deterministic struct bytes */
    *(int *)(base + k->count_offset) = n;
    return 0;
}

/* Validate v against k and write it into the field of cfg; is_default: v
 * is the schema's own default. */
static int store(const SbKey *k, const cJSON *v, const char *label, SbConfig *cfg, int is_default)
{
    char path[128];
    path_of(k, path, sizeof path);
    char *base = (char *)cfg, *field = base + k->offset;
    switch (k->type) {
    case SB_KEY_INT: {
        /* The storage type bounds an open range: int, or 2^53 for 64-bit
         * fields (beyond it a JSON number is no longer an exact integer). */
        double limit = k->size == sizeof(int) ? 2147483647.0 : MAX_EXACT;
        double max = fmin(k->max, limit);
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
            v->valuedouble < k->min || v->valuedouble > max)
            return fail_expected(label, path, k, cJSON_IsNumber(v) && v->valuedouble > max ? max : k->max, v);
        if (k->size == sizeof(int))
            *(int *)field = (int)v->valuedouble;
        else /* int64_t or uint64_t; the value is >= 0 here or fits either */
            *(int64_t *)field = (int64_t)v->valuedouble;
        return 0;
    }
    case SB_KEY_NUMBER: {
        if (k->nullable && cJSON_IsNull(v)) {
            *(double *)field = NAN;
            return 0;
        }
        double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        if (!isfinite(x) || (k->min_open ? x <= k->min : x < k->min) || x > k->max)
            return fail_expected(label, path, k, k->max, v);
        *(double *)field = x;
        return 0;
    }
    case SB_KEY_ENUM: {
        int value = cJSON_IsString(v) ? enum_value(k, v->valuestring) : -1;
        if (value < 0)
            return fail_expected(label, path, k, k->max, v);
        SB_ASSERT(k->size == sizeof(int)); /* an enum field */
        *(int *)field = value;
        return 0;
    }
    case SB_KEY_STRING:
    case SB_KEY_NAME: {
        if (!cJSON_IsString(v))
            return fail_expected(label, path, k, k->max, v);
        const char *s = v->valuestring;
        size_t len = strlen(s);
        int ok = 1;
        if (k->type == SB_KEY_NAME) {
            ok = name_known(k, s, is_default);
        } else {
            ok = len >= k->min && len <= k->max && (!k->name_chars || name_chars_ok(s));
        }
        if (!ok)
            return fail_expected(label, path, k, k->max, v);
        SB_ASSERT(len < k->size);
        memset(field, 0, k->size);
        memcpy(field, s, len);
        return 0;
    }
    case SB_KEY_NAMES:
        return store_names(k, v, label, path, base, is_default);
    case SB_KEY_NUMBERS:
        return store_numbers(k, v, label, path, base);
    case SB_KEY_OBJECT:
        break;
    }
    SB_ASSERT(0 && "store called on an object key");
    return -1;
}

/* ------------------------------------------------------------------ */
/* walking the document                                               */

static const SbKey *find_key(const char *parent, const char *key)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(schema[i].parent, parent) == 0 && strcmp(schema[i].key, key) == 0)
            return &schema[i];
    return NULL;
}

static int fail_unknown_key(const char *label, const char *parent, const char *key)
{
    fprintf(stderr, "%s: %s.%s: unknown key (expected one of: ", label, parent, key);
    const char *sep = "";
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(schema[i].parent, parent) == 0) {
            fprintf(stderr, "%s%s", sep, schema[i].key);
            sep = ", ";
        }
    fprintf(stderr, ")\n");
    return -1;
}

/* Check every key of the object `obj` found at `path`, storing leaves and
 * descending into nested objects. Absent keys keep their defaults. */
static int walk_object(const cJSON *obj, const char *path, const char *label, SbConfig *cfg)
{
    for (const cJSON *item = obj->child; item; item = item->next) {
        /* cJSON keeps repeated keys; a silent "last one wins" would hide typos. */
        for (const cJSON *prev = obj->child; prev != item; prev = prev->next)
            if (strcmp(prev->string, item->string) == 0) {
                fprintf(stderr, "%s: %s.%s: duplicate key\n", label, path, item->string);
                return -1;
            }
        const SbKey *k = find_key(path, item->string);
        if (!k)
            return fail_unknown_key(label, path, item->string);
        if (k->type != SB_KEY_OBJECT) {
            if (store(k, item, label, cfg, 0) < 0)
                return -1;
            continue;
        }
        char child[128];
        path_of(k, child, sizeof child);
        if (!cJSON_IsObject(item))
            return fail_expected(label, child, k, k->max, item);
        if (walk_object(item, child, label, cfg) < 0)
            return -1;
    }
    return 0;
}

static void report_syntax_error(const char *text, size_t len, const char *at, const char *label)
{
    int line = 1, col = 1;
    for (const char *p = text; p < at; p++) {
        col++;
        if (*p == '\n') {
            line++;
            col = 1;
        }
    }
    size_t left = len - (size_t)(at - text), n = 0;
    if (left == 0) {
        fprintf(stderr, "%s:%d:%d: JSON syntax error at end of input\n", label, line, col);
        return;
    }
    while (n < 20 && n < left && at[n] != '\n' && at[n] != '\r' && at[n] != '\0')
        n++;
    char *raw = sb_malloc(n + 1);
    memcpy(raw, at, n);
    raw[n] = '\0';
    char *near = sb_printable(raw, 0, 0); /* binary garbage is not echoed raw */
    fprintf(stderr, "%s:%d:%d: JSON syntax error near '%s'\n", label, line, col, near);
    free(near);
    free(raw);
}

/* LINE:COLUMN of `at` in text. */
static void line_col(const char *text, const char *at, int *line, int *col)
{
    *line = 1, *col = 1;
    for (const char *p = text; p < at; p++) {
        (*col)++;
        if (*p == '\n')
            (*line)++, *col = 1;
    }
}

static int parse_text(const char *text, size_t len, const char *label, SbConfig *cfg)
{
    sb_config_defaults(cfg);
    /* cJSON would end a string at a NUL (\u0000) and say nothing */
    const char *nul = sb_json_find_nul(text, len);
    if (nul) {
        int line, col;
        line_col(text, nul, &line, &col);
        fprintf(stderr, "%s:%d:%d: expected no NUL character in a config, found %s\n", label, line, col,
                *nul ? "\\u0000 in a string" : "a NUL byte");
        return -1;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    /* Past the value only whitespace may follow (a NUL byte included). */
    if (root) {
        while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
            end++;
        if (end < text + len) {
            cJSON_Delete(root);
            root = NULL;
        }
    }
    if (!root) {
        report_syntax_error(text, len, end ? end : text, label);
        return -1;
    }
    int rc;
    if (!cJSON_IsObject(root)) {
        char found[96];
        describe_found(root, found, sizeof found);
        fprintf(stderr, "%s: $: expected an object, found %s\n", label, found);
        rc = -1;
    } else {
        rc = walk_object(root, "$", label, cfg);
    }
    cJSON_Delete(root);
    return rc;
}

/* ------------------------------------------------------------------ */
/* public API                                                         */

void sb_config_defaults(SbConfig *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < N_KEYS; i++) {
        if (schema[i].type == SB_KEY_OBJECT)
            continue;
        cJSON *v = cJSON_Parse(schema[i].def);
        SB_ASSERT(v != NULL);
        SB_ASSERT(store(&schema[i], v, "default", cfg, 1) == 0);
        cJSON_Delete(v);
    }
}

int sb_config_parse(const char *text, const char *label, SbConfig *cfg)
{
    return parse_text(text, strlen(text), label, cfg);
}

int sb_config_load(const char *path, SbConfig *cfg)
{
    size_t len;
    char *text = sb_read_file(path, &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read config: %s\n", path, strerror(errno));
        return -1;
    }
    /* A UTF-8 byte order mark is legal in a file but not in JSON. */
    size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    int rc = parse_text(text + skip, len - skip, path, cfg);
    free(text);
    return rc;
}

/* The cJSON node of an object path such as "$.dataset" in the tree being built. */
static cJSON *object_at(cJSON *root, const char *path)
{
    cJSON *node = root;
    for (const char *p = strchr(path, '.'); p; p = strchr(p + 1, '.')) {
        const char *next = strchr(p + 1, '.');
        size_t n = next ? (size_t)(next - p - 1) : strlen(p + 1);
        char key[64];
        SB_ASSERT(n < sizeof key);
        memcpy(key, p + 1, n);
        key[n] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, key);
        SB_ASSERT(node != NULL);
    }
    return node;
}

char *sb_config_to_json(const SbConfig *cfg)
{
    cJSON *root = cJSON_CreateObject();
    const char *base = (const char *)cfg;
    for (size_t i = 0; i < N_KEYS; i++) {
        const SbKey *k = &schema[i];
        cJSON *parent = object_at(root, k->parent);
        const char *field = base + k->offset;
        char num[32];
        switch (k->type) {
        case SB_KEY_OBJECT:
            cJSON_AddObjectToObject(parent, k->key);
            break;
        case SB_KEY_INT:
            /* Raw text: cJSON prints numbers with 15 significant digits, which
             * would round a large seed. */
            if (k->size == sizeof(int))
                snprintf(num, sizeof num, "%d", *(const int *)field);
            else
                snprintf(num, sizeof num, "%lld", (long long)*(const int64_t *)field);
            cJSON_AddRawToObject(parent, k->key, num);
            break;
        case SB_KEY_NUMBER:
            if (k->nullable && isnan(*(const double *)field)) {
                cJSON_AddNullToObject(parent, k->key);
                break;
            }
            format_number(*(const double *)field, num, sizeof num);
            cJSON_AddRawToObject(parent, k->key, num);
            break;
        case SB_KEY_STRING:
        case SB_KEY_NAME:
            cJSON_AddStringToObject(parent, k->key, field);
            break;
        case SB_KEY_ENUM:
            cJSON_AddStringToObject(parent, k->key, name_of(k->names, k->n_names, *(const int *)field));
            break;
        case SB_KEY_NAMES: {
            cJSON *arr = cJSON_AddArrayToObject(parent, k->key);
            int n = *(const int *)(base + k->count_offset);
            for (int j = 0; j < n; j++) {
                const char *item = field + (size_t)j * k->size;
                if (k->names)
                    item = name_of(k->names, k->n_names, *(const int *)item);
                cJSON_AddItemToArray(arr, cJSON_CreateString(item));
            }
            break;
        }
        case SB_KEY_NUMBERS: {
            cJSON *arr = cJSON_AddArrayToObject(parent, k->key);
            int n = *(const int *)(base + k->count_offset);
            for (int j = 0; j < n; j++) {
                format_number(((const double *)field)[j], num, sizeof num);
                cJSON_AddItemToArray(arr, cJSON_CreateRaw(num));
            }
            break;
        }
        }
    }
    char *text = cJSON_Print(root);
    SB_ASSERT(text != NULL);
    cJSON_Delete(root);
    return text;
}
