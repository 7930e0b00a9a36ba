/* soupbench: experiment configuration (JSON, parsed with cJSON).
 *
 * Every key is validated against one schema table in config.c: an unknown
 * key, a wrong type, an out-of-range value or a value outside an enumeration
 * is reported as
 *     FILE: $.dataset.prompts: expected an integer >= 1, found "3"
 * and a JSON syntax error as
 *     FILE:LINE:COLUMN: JSON syntax error near '...'
 * The resolved configuration (every default filled in) is kept as JSON text
 * for the results file. */
#ifndef SB_CONFIG_H
#define SB_CONFIG_H

#include <stdint.h>

#define SB_MAX_METHODS 32
#define SB_NAME_MAX 64

/* ------------------------------------------------------------------ */
/* the closed sets of the config                                      */
/*
 * Each string-valued key with a fixed list of choices is parsed once into
 * one of these enums; the strings live only in config.c's schema, which
 * maps them both ways (sb_config_to_json writes them back unchanged). The
 * enums are the vocabulary of the code too: the policy form, the
 * transition structure and the answer labels defined here are the ones
 * harness/core uses, so there is one enum for each. */

typedef enum {
    SB_TRANSITION_TREE = 0,   /* s' = s + a: deterministic concatenation */
    SB_TRANSITION_LINEAR = 1, /* P(s'|s,a) = <phi(s,a), mu_{t+1}(s')> */
} SbTransition;

typedef enum {
    SB_INPUTS_EMBEDDING = 0, /* prompt embedding, one-hot tokens so far, one-hot step */
    SB_INPUTS_ONEHOT = 1,    /* the one-hot global state index */
    SB_INPUTS_FEATURES = 2,  /* the state's features phi(s, a) of every action, and a one-hot step */
} SbInputs;

typedef enum {
    SB_REFERENCE_AUTO = 0,    /* uniform on candidate sets, the network on the synthetic track */
    SB_REFERENCE_NETWORK = 1, /* the reference network's own policy */
    SB_REFERENCE_UNIFORM = 2, /* uniform, every policy's logits relative to the network's */
} SbReferencePolicy;

typedef enum {
    SB_WEIGHTS_SIMPLEX = 0, /* on the simplex: Dirichlet($.users.concentration), 1 = uniform */
    SB_WEIGHTS_SIGNED = 1,  /* a uniform direction scaled to unit L1 norm */
} SbWeights;

typedef enum {
    SB_TRAINER_PG = 0,  /* exact KL-regularised policy gradient */
    SB_TRAINER_DPO = 1, /* Bradley-Terry preference optimisation on pairs */
    SB_TRAINERS
} SbTrainer;

/* The form of a trainable policy (harness/core/policy.h). The basis holds
 * one policy per form and basis reward, indexed by this enum; LoRA comes
 * first because the basis has always been trained LoRA first. */
typedef enum {
    SB_POLICY_LORA = 0, /* LoRA adapters on the hidden layers */
    SB_POLICY_FULL = 1, /* every weight of the network */
    SB_POLICY_FORMS
} SbPolicyForm;

/* How the preference between two responses is answered (harness/core/pairs.h). */
typedef enum {
    SB_LABELS_NOISE_FREE = 0,    /* the larger return wins (ties redrawn) */
    SB_LABELS_SAMPLED = 1,       /* Bradley-Terry answer drawn with temperature T */
    SB_LABELS_PROBABILITIES = 2, /* y = the Bradley-Terry probability (no sampling noise) */
} SbLabelKind;

typedef enum {
    SB_BASIS_ASPECTS = 0, /* K = m, one basis reward per aspect */
    SB_BASIS_RANDOM = 1,  /* K seeded signed combinations of the aspects */
    SB_BASIS_NONE = 2,    /* no basis */
    SB_BASIS_FEATURE_SVD = 3,    /* K leading right singular directions of the features phi (then random ones) */
    SB_BASIS_FEATURE_RANDOM = 4, /* K seeded random unit directions in the feature space */
} SbBasisKind;

/* Where the online protocol's two responses come from. */
typedef enum {
    SB_RESPONSES_SOUP_REF = 0,  /* the current policy and pi_ref */
    SB_RESPONSES_SOUP = 1,      /* the current policy, twice */
    SB_RESPONSES_REFERENCE = 2, /* pi_ref, twice */
} SbResponses;

/* The config's spelling of a value, for what the results file and the
 * messages print (the strings are those of config.c's schema). */
const char *sb_transition_name(SbTransition t);
const char *sb_trainer_name(SbTrainer t);
const char *sb_policy_form_name(SbPolicyForm f);
const char *sb_basis_kind_name(SbBasisKind k);

/* ------------------------------------------------------------------ */
/* the configuration                                                  */

typedef struct {
    char kind[SB_NAME_MAX];       /* $.dataset.kind: a kind of the dataset registry ("synthetic", "alpaca_eval", ...) */
    SbTransition transition;      /* $.dataset.transition: "tree" | "linear" */
    int prompts;                  /* $.dataset.prompts: initial states, >= 1 */
    int vocab;                    /* $.dataset.vocab: actions per state, >= 2 */
    int horizon;                  /* $.dataset.horizon: H, 1..8 */
    int states;                   /* $.dataset.states: states per step t >= 1 (linear only), >= 1 */
    int spectral_dim;             /* $.dataset.spectral_dim: d of the features phi, >= 1 */
    int aspects;                  /* $.dataset.aspects: m, 1..16 */
    double misspecification;      /* $.dataset.misspecification: in [0, 1] */
    /* $.dataset.aspect_correlation: synthetic, the pairwise correlation of
     * the aspect rewards' linear parts over all state-action pairs, in
     * [-1/(m-1), 1] (checked against m when the MDP is built); null (NaN
     * here) = independent theta_j, the draws of every run before the key */
    double aspect_correlation;
    SbInputs inputs;              /* $.dataset.inputs: "embedding" | "onehot" (network input of a state) */
    /* $.dataset.aspect_names: candidate sets only, the aspects (human
     * ratings and text scorers, see 'soupbench list'); [] = the dataset's
     * default set */
    int n_aspect_names;
    char aspect_names[16][SB_NAME_MAX];
    char path[256];               /* $.dataset.path: the user's UltraFeedback JSON Lines file (kind "ultrafeedback") */
} SbDatasetConfig;

typedef struct {
    int width;          /* $.reference.width: hidden width, >= 1 */
    int layers;         /* $.reference.layers: hidden layers, >= 1 */
    double temperature; /* $.reference.temperature: logits are divided by it, > 0 */
    double scale;       /* $.reference.scale: every weight and bias multiplied by it, > 0 */
    /* $.reference.policy: "auto" | "network" | "uniform": pi_ref is the
     * network's policy, or uniform with every policy's logits taken
     * relative to the network's (harness/problem.h); "auto" = uniform on
     * candidate sets, the network on the synthetic track */
    SbReferencePolicy policy;
} SbReferenceConfig;

typedef struct {
    int train;                      /* $.users.train: >= 1 */
    int test;                       /* $.users.test: >= 1 */
    SbWeights weights;              /* $.users.weights: "simplex" | "signed" */
    /* $.users.concentration: alpha of the symmetric Dirichlet(alpha) of
     * "simplex" weights, > 0 (1 = uniform on the simplex; small: users near
     * the corners, large: near the centre); "signed" takes only 1 */
    double concentration;
} SbUsersConfig;

typedef struct {
    int rank;     /* $.lora.rank: r, >= 1 */
    double alpha; /* $.lora.alpha: the update is (alpha/r) B A, > 0 */
} SbLoraConfig;

typedef struct {
    SbTrainer trainer;             /* $.train.trainer: "pg" (exact KL-regularised policy gradient) | "dpo" */
    SbPolicyForm form;             /* $.train.form: "full" | "lora": the form of bespoke_rlhf and rlhf_avg */
    int steps;                     /* $.train.steps: Adam steps (the budget), >= 1 */
    double lr;                     /* $.train.lr: peak learning rate, > 0 */
    int warmup;                    /* $.train.warmup: linear warm-up steps, >= 0 */
    int patience;                  /* $.train.patience: early stop after this many steps without improvement, >= 1 */
    int pairs;                     /* $.train.pairs: DPO training pairs, >= 1 */
    int heldout_pairs;             /* $.train.heldout_pairs: DPO held-out pairs, >= 1 */
    SbLabelKind labels;            /* $.train.labels: "noise_free" | "bradley_terry" (SB_LABELS_SAMPLED) */
    double label_temperature;      /* $.train.label_temperature: BT labels P = sigmoid(dR / T), > 0 */
} SbTrainConfig;

typedef struct {
    SbBasisKind kind;              /* $.basis.kind: "aspects" (K = m) | "random" (K signed combinations) |
                                      "feature_svd" | "feature_random" (K directions of phi) | "none" */
    int size;                      /* $.basis.size: K for every kind but "aspects" and "none", >= 1 */
    /* How the basis and the aspect experts are trained (the paper trains
     * them on preference pairs): $.basis.trainer "dpo" | "pg", and DPO's
     * pairs from pi_ref with their labels; steps, learning rate and the
     * rest of the budget are $.train's */
    SbTrainer trainer;
    int pairs, heldout_pairs;
    SbLabelKind labels;
    double label_temperature;
    char load[256];                /* $.basis.load: results file whose /basis is reused ("" = train) */
    double rank_tol;               /* $.basis.rank_tol: numerical rank counts sv > rank_tol * sv[0], in (0, 1) */
    int spectrum_rows;             /* $.basis.spectrum_rows: state-action rows of the implicit-Q matrix, >= 1 */
} SbBasisConfig;

typedef struct {
    int pairs;                     /* $.soup.pairs: feedback pairs per user (offline protocol), >= 1 */
    double train_prompts;          /* $.soup.train_prompts: share of prompts (the first ones) feedback is drawn on, (0, 1] */
    SbLabelKind labels;            /* $.soup.labels: "probabilities" | "sampled" | "noise_free" */
    double temperature;            /* $.soup.temperature: the user's Bradley-Terry temperature, > 0 */
    double l2;                     /* $.soup.l2: L2 strength of the logistic regressions, >= 0 */
    SbPolicyForm form;             /* $.soup.form: basis form merged in outputs, "lora" | "full" */
    int cat_steps;                 /* $.soup.cat_steps: Adam steps fitting lora_soup_cat's coefficients, >= 1 */
    double cat_lr;                 /* $.soup.cat_lr: their learning rate, > 0 */
    int implicit_samples;          /* $.soup.implicit_samples: trajectories sampled per user by spectral_soup_implicit, >= 1 */
    int implicit_budget;           /* $.soup.implicit_budget: its proposals per token before the fallback, in [1, 2^20] */
    int n_implicit_budgets;        /* $.soup.implicit_budgets: budgets swept for its figure, integers in [1, 2^20] (empty: no sweep) */
    double implicit_budgets[16];
} SbSoupConfig;

/* The regime a run declares (harness/train/regime.h): a trained policy
 * that reaches min_gain of the oracle's gain should move its weights by at
 * most max_change of their norm; a run outside it is warned about. */
typedef struct {
    double max_change;             /* $.regime.max_change: > 0 */
    double min_gain;               /* $.regime.min_gain: in [0, 1] */
} SbRegimeConfig;

/* The learned inputs of the weight-based baselines (harness/train/learned.h). */
typedef struct {
    int samples;                   /* $.learned.samples: pi_ref trajectories on the training prompts, >= 1 */
    double l2;                     /* $.learned.l2: ridge strength of the reward models and successor features, >= 0 */
} SbLearnedConfig;

/* The spectral-gap sweep (issue: where merging in parameters, reward-weighted
 * decoding and Q-weighted output merging part ways): for every
 * misspecification x transition x horizon, a fresh MDP, basis and the
 * listed methods, each method's gap to the oracle and the residual of the
 * user's Q* on the basis span. Off when horizons is empty. */
typedef struct {
    int n_horizons;                /* $.gap.horizons: integers in [1, 8] (empty: no sweep) */
    double horizons[8];
    int n_transitions;             /* $.gap.transitions: "tree", "linear" */
    SbTransition transitions[2];
    int n_misspecification;        /* $.gap.misspecification: numbers in [0, 1] */
    double misspecification[4];
    int n_methods;                 /* $.gap.methods: method names */
    char methods[SB_MAX_METHODS][SB_NAME_MAX];
} SbGapConfig;

typedef struct {
    int rounds;                    /* $.online.rounds: answers per user T (0: no online protocol) */
    int users;                     /* $.online.users: held-out users adapted to (the first ones), >= 1 */
    int seeds;                     /* $.online.seeds: answer streams per user, >= 1 */
    SbResponses responses;         /* $.online.responses: "soup_ref" | "soup" | "reference" */
    SbLabelKind labels;            /* $.online.labels: "sampled" | "noise_free" | "probabilities" */
    double temperature;            /* $.online.temperature: Bradley-Terry temperature, > 0 */
    double l2;                     /* $.online.l2: L2 strength of the online logistic regressions, > 0 */
    int active;                    /* $.online.active: also run spectral_soup with active queries (0/1) */
    int candidates;                /* $.online.candidates: candidate pairs per active query, >= 2 */
} SbOnlineConfig;

typedef struct {
    int n_K;                       /* $.ablation.K: basis sizes (empty: no ablation) */
    double K[32];
    int n_widths;                  /* $.ablation.widths: reference widths (empty: the config's only) */
    double widths[8];
    int rounds;                    /* $.ablation.rounds: answers per user, >= 1 */
    int users;                     /* $.ablation.users: held-out users, >= 1 */
} SbAblationConfig;

typedef struct {
    char name[SB_NAME_MAX];        /* $.name: experiment name, [A-Za-z0-9_-]+ */
    char description[256];         /* $.description */
    uint64_t seed;                 /* $.seed: >= 0 */
    double beta;                   /* $.beta: KL strength, > 0 */
    SbDatasetConfig dataset;       /* $.dataset */
    SbReferenceConfig reference;   /* $.reference */
    SbUsersConfig users;           /* $.users */
    SbLoraConfig lora;             /* $.lora */
    SbTrainConfig train;           /* $.train */
    SbBasisConfig basis;           /* $.basis */
    SbSoupConfig soup;             /* $.soup */
    SbRegimeConfig regime;         /* $.regime */
    SbLearnedConfig learned;       /* $.learned */
    SbGapConfig gap;               /* $.gap */
    SbOnlineConfig online;         /* $.online */
    SbAblationConfig ablation;     /* $.ablation */
    int n_methods;                 /* $.methods: array of method names, each known to the registry */
    char methods[SB_MAX_METHODS][SB_NAME_MAX];
    int pareto_grid;               /* $.pareto.grid: points per aspect pair, >= 2 */
    int64_t winrate_max_enumerate; /* $.winrate.max_enumerate: trajectory pairs per prompt enumerated exactly, >= 0 */
    int winrate_samples;           /* $.winrate.samples: sampled pairs otherwise, >= 1 */
    int bootstrap;                 /* $.bootstrap: resamples for confidence intervals, >= 1 */
    /* $.normalized_guard: a user whose bespoke_rlhf policy gains less than
     * this share of the oracle's gain over pi_ref is left out of the
     * per-user normalised mean (and counted), in [0, 0.99] */
    double normalized_guard;
} SbConfig;

/* ------------------------------------------------------------------ */
/* names that only higher rooms know                                  */
/*
 * $.dataset.kind, $.dataset.aspect_names, $.methods and $.gap.methods
 * name entries of registries that live above this room (datasets/,
 * methods/), which config.c may not include (tests/layers.sh). So the
 * registries hand their names down: sb_registries_install
 * (harness/cli/registries.c) installs one function per set, once, before
 * a config is loaded (main, and the tests that parse such names).
 *
 * Why a hook rather than a second pass in a higher room that walks the
 * parsed names: the check stays inside the one validation pass, so the
 * first error met in the file is still the one reported, with the same
 * text and JSON path as before (an unknown method before a bad key that
 * follows it, an unknown name before a duplicate of it), and no caller can
 * load a config and forget part of its validation. Parsing a name before
 * its set is installed is an internal error. The defaults, written in
 * config.c, are checked too once the sets are installed, and stored
 * unchecked before (test binaries that never parse a name). */
typedef enum {
    SB_NAMES_DATASET = 0, /* $.dataset.kind: datasets/registry.c */
    SB_NAMES_ASPECT = 1,  /* $.dataset.aspect_names: the datasets' ratings and the text scorers */
    SB_NAMES_METHOD = 2,  /* $.methods, $.gap.methods: methods/registry.c */
    SB_NAME_SETS
} SbNameSet;

/* name_at(i): the i-th name of the set, NULL past the last; messages list
 * a set's names in that order. */
void sb_config_set_names(SbNameSet set, const char *(*name_at)(int i));

/* Parse and validate the file. On any error prints the message described
 * above to stderr and returns -1 (the caller exits with code 2); on success
 * returns 0 and fills *cfg. */
int sb_config_load(const char *path, SbConfig *cfg);
/* Same, from a string; `label` names the source in messages. */
int sb_config_parse(const char *text, const char *label, SbConfig *cfg);
/* The resolved configuration as pretty JSON (malloc'd). */
char *sb_config_to_json(const SbConfig *cfg);
/* Defaults for every key. */
void sb_config_defaults(SbConfig *cfg);

#endif
