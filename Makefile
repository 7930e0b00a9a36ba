# soupbench: build, run, test.
#
#   make               build ./soupbench
#   make run           the main job: the quickstart synthetic experiment, results and figures
#   make test          the self-contained test suites (cmocka unit tests and end-to-end
#                      checks); suites that need ../shared/data say so and skip without it
#   make check-release the README's two commands on a fresh clone of HEAD (make run, make test)
#   make bench         one table: DGEMM peak, training steps (beside PyTorch), solver, refit,
#                      whole run; installs Debian's python3-torch for the PyTorch column
#   make paper         every experiment of paper/experiments (those up to date skipped), its
#                      figures in paper/figures/, paper/RESULTS.md and the claims checked
#                      (soupbench verify); PRESET=full for the configs' own sizes
#   make paper-pdf     paper/paper.pdf from paper/paper.tex and what make paper generated;
#                      installs Debian's texlive-latex-base
#   make data          download the real data files missing from ../shared/data into the
#                      cache (~/.cache/soupbench) and verify every one's SHA-256
#   make deps          check the Debian packages soupbench needs; install the missing ones
#   make asan          AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
#                      and the fast test suite (make test's) with it
#   make fuzz          libFuzzer targets (tests/fuzz/) built with clang in build-fuzz/, each
#                      run FUZZ_SECONDS (default 60) from its seed corpus
#   make clean         remove build outputs (not results/)
#
# Any CFLAGS works (`make CFLAGS='-O0 -g'`): the flags soupbench needs to
# compile at all (include paths, -std, -D) are in SB_CPPFLAGS, added to every
# compile whatever the command line says.
#
# `run` and `test` first make sure every dependency is installed, then
# re-enter make, so that pkg-config is only asked once the packages exist.

PKGS       := hdf5-serial openblas lapacke libcjson zlib libcrypto sleef
# `make MPI=1`: the same program built with Open MPI (harness/README.md,
# "Threads, MPI and shards"); the flavour is remembered in $(B)/flavour, so
# switching rebuilds what depends on it.
ifeq ($(MPI),1)
PKGS       += ompi-c
SB_MPI_DEF := -DSB_MPI
FLAVOUR    := mpi
else
FLAVOUR    := plain
endif
CC         ?= cc
CFLAGS     ?= -O2 -g
WARNINGS   := -Wall -Wextra -Wshadow

# The harness's rooms, lowest layer first: a room includes only rooms to
# its left (checked by tests/layers.sh).
ROOMS      := harness/base harness/io harness/core harness/eval harness/train \
              datasets methods harness/protocols harness/cli
# The build folder (objects, generated sources, test binaries) and the
# program: build/ and ./soupbench, or build-asan/ and build-fuzz/ for the
# sanitizer and fuzzing builds.
B          ?= build
BIN        ?= soupbench
SB_CPPFLAGS = -std=c11 -D_GNU_SOURCE $(SB_MPI_DEF) $(addprefix -I,$(ROOMS)) -I$(B) $(PKG_CFLAGS)
# Recursively expanded: pkg-config is asked when a recipe needs it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
LDLIBS     = $(PKG_LIBS) -lm -fopenmp
# OpenMP runs a stage's independent units on --threads threads
# (harness/base/units.c); added whatever CFLAGS says.
COMPILE    = $(CC) $(SB_CPPFLAGS) $(CPPFLAGS) $(WARNINGS) $(CFLAGS) -fopenmp
# Quiet by default (one line per file); `make V=1` prints every command.
ifeq ($(V),1)
Q :=
say = @:
else
Q := @
say = @printf '  %-5s %s\n'
endif

LIB_SRC    := $(filter-out harness/cli/main.c,$(foreach r,$(ROOMS),$(wildcard $(r)/*.c)))
LIB_OBJ    := $(LIB_SRC:%.c=$(B)/%.o) $(B)/plot_templates.o $(B)/manifest_data.o $(B)/version.o
TEST_SRC   := $(wildcard tests/test_*.c)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(B)/tests/%)

QUICKSTART := paper/experiments/quickstart.json

.PHONY: all run bench data test check-release deps clean asan fuzz paper paper-pdf FORCE
all: $(BIN)

$(BIN): $(B)/harness/cli/main.o $(LIB_OBJ) $(B)/flavour
	$(say) LINK $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

# plain or mpi: rewritten only when it changes, so `make MPI=1` after `make`
# rebuilds the units runner and relinks, and nothing else.
$(B)/flavour: FORCE
	@mkdir -p $(B)
	@echo $(FLAVOUR) > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi
$(B)/harness/base/units.o: $(B)/flavour

# -MMD -MP: each object depends on exactly the headers it includes.
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(COMPILE) -MMD -MP -c -o $@ $<

# The commit and the dirty flag, in one small object: version.c is
# rewritten (hence version.o rebuilt and soupbench relinked) whenever HEAD
# or the dirty state changes, and left alone otherwise.
GIT_COMMIT = $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
$(B)/version.c: FORCE
	@mkdir -p $(B)
	@printf '/* Generated by the Makefile: do not edit. */\nconst char sb_git_commit[] = "%s";\n' '$(GIT_COMMIT)' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

# The gnuplot templates in plots/ are compiled into the binary, so that
# `soupbench plot` works from any folder.
$(B)/plot_templates.c: $(wildcard plots/*.gp) harness/embed_templates.sh
	@mkdir -p $(B)
	sh harness/embed_templates.sh plots/*.gp > $@

# The data manifest (pinned URLs and SHA-256s) is compiled in the same way,
# as one string sb_manifest_json, parsed by datasets/manifest.c.
$(B)/manifest_data.c: datasets/manifest.json
	@mkdir -p $(B)
	{ echo '/* Generated by the Makefile from datasets/manifest.json: do not edit. */'; \
	  echo 'extern const char sb_manifest_json[];'; \
	  echo 'const char sb_manifest_json[] ='; \
	  sed -e 's/\r$$//' -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' \
	      -e 's/^/    "/' -e 's/$$/\\n"/' datasets/manifest.json; \
	  echo '    "";'; } > $@

$(B)/tests/%: tests/%.c $(LIB_OBJ)
	@mkdir -p $(B)/tests
	$(say) LINK $@
	$(Q)$(COMPILE) -Itests -MMD -MP -o $@ $< $(LIB_OBJ) $(LDLIBS) $(shell pkg-config --libs cmocka)

deps:
	@sh harness/ensure_deps.sh
	@if [ "$(MPI)" = 1 ]; then sh harness/ensure_deps.sh --mpi; fi

run: deps
	@$(MAKE) --no-print-directory soupbench
	./soupbench run $(QUICKSTART) --out results/quickstart.h5
	./soupbench plot results/quickstart.h5 --outdir plots/quickstart --format png,svg,pdf

# PyTorch is optional: without it the table has the C figures and says why
# the C/PyTorch column is missing.
bench: deps
	@sh harness/ensure_deps.sh --bench || echo "soupbench: no PyTorch: the bench prints the C figures only" >&2
	@$(MAKE) --no-print-directory soupbench
	./soupbench bench $(QUICKSTART)

# The quick preset (default) runs paper/experiments with the sizes of
# paper/experiments/quick/ into paper/results/; full runs them as they are
# into paper/results/full/. Exit 1 when a harness claim fails.
PRESET     ?= quick
PAPER_JOBS ?= 2
# MPIRUN="mpirun -n 4" runs each experiment under MPI (built with MPI=1);
# SHARDS=N prints a job array's shard and merge commands instead.
paper: deps
	@$(MAKE) --no-print-directory soupbench
	./soupbench paper --preset $(PRESET) $(if $(MPIRUN),--mpirun "$(MPIRUN)",--jobs $(PAPER_JOBS)) $(if $(SHARDS),--shards $(SHARDS))

# LaTeX is optional: without it (and no way to install it) this says what
# is missing and stops.
paper-pdf:
	@sh harness/ensure_deps.sh --latex || { echo "soupbench: make paper-pdf needs LaTeX (above); make paper works without it" >&2; exit 1; }
	@[ -f paper/generated/claims.tex ] || { echo "soupbench: paper/generated/ is empty: run make paper first" >&2; exit 1; }
	cd paper && for pass in 1 2; do \
	    pdflatex -interaction=nonstopmode -halt-on-error paper.tex > paper.log 2>&1 || \
	    { tail -20 paper.log >&2; echo "soupbench: pdflatex failed: paper/paper.log" >&2; exit 1; }; done
	@echo "wrote paper/paper.pdf"

data: deps
	@$(MAKE) --no-print-directory soupbench
	./soupbench data fetch

test: deps
	@$(MAKE) -s --no-print-directory soupbench $(TEST_BIN) $(REPLAY_BIN)
	@sh tests/run.sh $(TEST_BIN) $(REPLAY_BIN)

check-release: deps
	@sh tests/run.sh --scripts tests/release/*.sh

# ---- sanitizers and fuzzing ------------------------------------------
# make asan: every object and test in build-asan/ with ASan and UBSan (any
# report fails the test that triggered it), then make test's suites with
# that build (tests/asan.sh runs them from build-asan/run, where
# ./soupbench is the sanitized program).
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
asan: deps
	@$(MAKE) -s --no-print-directory B=build-asan BIN=build-asan/soupbench CFLAGS='$(ASAN_FLAGS)' \
	    LDFLAGS='$(ASAN_FLAGS)' build-asan/soupbench $(TEST_SRC:tests/%.c=build-asan/tests/%) \
	    $(FUZZ_SRC:tests/fuzz/fuzz_%.c=build-asan/tests/replay_%)
	@sh tests/asan.sh $(TEST_SRC:tests/%.c=build-asan/tests/%) $(FUZZ_SRC:tests/fuzz/fuzz_%.c=build-asan/tests/replay_%)

# make fuzz: the libFuzzer targets tests/fuzz/fuzz_*.c, linked with the
# harness built by clang with ASan and UBSan in build-fuzz/; each runs
# FUZZ_SECONDS from tests/fuzz/corpus/<target> (the seeds, committed) and
# build-fuzz/corpus/<target> (what it found, kept between runs). A crash is
# written to build-fuzz/findings/<target>/ and fails the target.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=undefined
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
$(B)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(LIB_OBJ)
	@mkdir -p $(B)/fuzz
	$(say) LINK $@
	$(Q)$(COMPILE) -Itests -Itests/fuzz -fsanitize=fuzzer -o $@ $< $(LIB_OBJ) $(LDLIBS)
# The same targets without libFuzzer (tests/fuzz/replay.c): make test runs
# each over its seed corpus and its regressions.
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(B)/tests/replay_%)
$(B)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(wildcard tests/fuzz/*.h) $(LIB_OBJ)
	@mkdir -p $(B)/tests
	$(say) LINK $@
	$(Q)$(COMPILE) -Itests -Itests/fuzz -DFUZZ_TARGET='"$*"' -o $@ $< tests/fuzz/replay.c $(LIB_OBJ) $(LDLIBS)
fuzz: deps
	@sh harness/ensure_deps.sh --fuzz
	@$(MAKE) -s --no-print-directory CC=clang B=build-fuzz BIN=build-fuzz/soupbench CFLAGS='$(FUZZ_FLAGS)' \
	    $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)

clean:
	rm -rf build build-asan build-fuzz build-mpi soupbench

-include $(shell find $(B) -name '*.d' 2>/dev/null)
