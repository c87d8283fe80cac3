# domino - build, test, benchmark.
#
#   make                 build ./domino (installs missing packages first, see `make deps`)
#   make test            build and run every test suite (cmocka summaries on stdout)
#   make help            list every target and knob
#
# Knobs: SANITIZE=address,undefined  WERROR=1  DEBUG=1. Each configuration
# builds in its own folder under build/, so switching knobs never mixes objects.

.DEFAULT_GOAL := all
.SUFFIXES:
SHELL := /bin/sh

CC ?= cc
SANITIZE ?=
WERROR ?=
DEBUG ?=

CFG := $(if $(DEBUG),debug,release)$(if $(SANITIZE),-san)$(if $(WERROR),-werror)
B := build/$(CFG)

# Dependencies: scripts/deps.sh installs what is missing and writes the
# pkg-config flags to build/deps.mk. Including it makes GNU make run the script
# before anything else whenever the fragment is absent (make remakes included
# makefiles first, then restarts), so `make` on a fresh machine is enough.
NODEPS_GOALS := help clean deps
ifeq ($(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
else
include build/deps.mk
endif
build/deps.mk: scripts/deps.sh
	@./scripts/deps.sh $@

.PHONY: deps
deps:
	@rm -f build/deps.mk
	@./scripts/deps.sh build/deps.mk
	@echo "deps: all present"

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wold-style-definition -Wwrite-strings -Wundef -Wvla -Wdouble-promotion \
        -Wformat=2 -Wno-format-nonliteral -fno-common
# -O3 over -O2: +4% on mm1 (15.3 vs 14.7 M events/s, medians of 5), same
# results byte for byte (no -ffast-math: floating point is evaluated as written).
OPT := $(if $(DEBUG),-O0 -g3,-O3 -g)
CFLAGS_ALL := -std=c11 $(OPT) $(WARN) $(if $(WERROR),-Werror) \
              $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer) \
              -I. $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(if $(SANITIZE),-fsanitize=$(SANITIZE)) $(LDFLAGS)
LIBS_ALL := $(PKG_LIBS) -lm

KERNEL_SRC := $(sort $(wildcard sim/kernel/*.c))
MODELS_SRC := $(sort $(wildcard models/*.c))
APP_SRC := $(filter-out sim/app/main.c,$(sort $(wildcard sim/app/*.c)))

LIBSIM := $(B)/libsim.a
LIBMODELS := $(B)/libmodels.a
LIBAPP := $(B)/libapp.a

obj = $(patsubst %.c,$(B)/%.o,$(1))

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(B)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CMOCKA_CFLAGS) -MMD -MP -c $< -o $@

$(LIBSIM): $(call obj,$(KERNEL_SRC))
$(LIBMODELS): $(call obj,$(MODELS_SRC))
$(LIBAPP): $(call obj,$(APP_SRC))
$(LIBSIM) $(LIBMODELS) $(LIBAPP):
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/domino: $(call obj,sim/app/main.c) $(LIBAPP) $(LIBMODELS) $(LIBSIM)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

.PHONY: all
all: domino
domino: $(B)/domino
	cp $< $@

# The newcomer's first command: build, run the main scenario, plot it.
.PHONY: run
run: domino
	./domino run scenarios/valentine.yaml
	./domino plot out/valentine
	@echo "results: out/valentine/<variant>/ (summary.json, timeseries.csv, timeline.log, plots *.png)"

# The README's figures, the only generated files committed: Valentine's
# threads (the cascade), queues and breakers, and the projection's queues,
# 900x600. Rendered from runs of their own in build/, so out/ is left alone.
# $(1) variant, $(2) plot, $(3) image name under docs/, $(4) scenario
# (default valentine).
DOCS_PLOT = gnuplot -e "dir='build/docs-plots/$(or $(4),valentine)/$(1)'; out='docs/$(3)'; png_w=900; png_h=600; formats='png'" plots/$(2).gp
.PHONY: docs-plots
docs-plots: domino
	./domino run scenarios/valentine.yaml --quiet --out build/docs-plots
	./domino plot build/docs-plots/valentine --quiet
	@mkdir -p docs
	$(call DOCS_PLOT,none,threads,valentine-threads)
	$(call DOCS_PLOT,none,queues,valentine-queues)
	$(call DOCS_PLOT,both,threads,valentine-both-threads)
	$(call DOCS_PLOT,breaker,breakers,valentine-breaker-breakers)
	./domino run scenarios/profile-projection.yaml --quiet --out build/docs-plots
	./domino plot build/docs-plots/profile-projection --quiet
	$(call DOCS_PLOT,slow-projector,queues,projection-queues,profile-projection)
	@echo "docs-plots: docs/valentine-{threads,queues,both-threads,breaker-breakers}.png docs/projection-queues.png"

# --- tests -----------------------------------------------------------------
# One cmocka binary per module. A kernel test links only the kernel; a model
# test links models + kernel; an app test links all three.
KTESTS := $(patsubst tests/kernel/%.c,$(B)/tests/kernel/%,$(sort $(wildcard tests/kernel/test_*.c)))
MTESTS := $(patsubst tests/models/%.c,$(B)/tests/models/%,$(sort $(wildcard tests/models/test_*.c)))
ATESTS := $(patsubst tests/app/%.c,$(B)/tests/app/%,$(sort $(wildcard tests/app/test_*.c)))
TEST_SUPPORT := $(call obj,$(sort $(wildcard tests/support/*.c)))

$(KTESTS): $(B)/tests/kernel/%: $(B)/tests/kernel/%.o $(call obj,tests/support/abort.c) $(LIBSIM)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CMOCKA_LIBS) $(LIBS_ALL)
$(MTESTS): $(B)/tests/models/%: $(B)/tests/models/%.o $(TEST_SUPPORT) $(LIBMODELS) $(LIBSIM)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CMOCKA_LIBS) $(LIBS_ALL)
$(ATESTS): $(B)/tests/app/%: $(B)/tests/app/%.o $(LIBAPP) $(LIBMODELS) $(LIBSIM)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CMOCKA_LIBS) $(LIBS_ALL)

UNIT_TESTS := $(KTESTS) $(MTESTS) $(ATESTS)

.PHONY: test check unit cli-test
test check: unit cli-test
# Every suite runs even when one fails; the target fails at the end if any did.
unit: $(UNIT_TESTS)
	@fail=0; for t in $(UNIT_TESTS); do \
	    echo "== $$t"; $$t || fail=$$((fail + 1)); \
	done; \
	if [ $$fail -ne 0 ]; then echo "unit: $$fail suite(s) failed"; exit 1; fi
# End-to-end checks through ./domino: bad input, goldens, determinism, plot,
# compare, sweep, sagas (tests/cli/run.sh).
cli-test: $(B)/domino
	@if [ -x tests/cli/run.sh ]; then tests/cli/run.sh $(B)/domino; fi

.PHONY: golden-update
golden-update: $(B)/domino
	tests/cli/golden.sh --update $(B)/domino

.PHONY: validate
validate: $(B)/domino $(MTESTS)
	DOMINO_VALIDATE_LONG=1 $(B)/tests/models/test_validation

# --- benchmarks ------------------------------------------------------------
BENCH_BINS := $(patsubst bench/%.c,$(B)/bench/%,$(sort $(wildcard bench/*.c)))
$(BENCH_BINS): $(B)/bench/%: $(B)/bench/%.o $(LIBSIM)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

# BENCH_BASE=<rev>: the same table for that revision too, built from a
# `git archive` of it under build/bench-base/, so a regression shows as a
# change column. BENCH_RUNS=<n> sets how many runs each median takes.
BENCH_BASE ?=
BASE_SRC := build/bench-base/$(BENCH_BASE)
.PHONY: bench
bench: $(BENCH_BINS) $(B)/domino
	@for b in $(BENCH_BINS); do $$b; done
ifneq ($(BENCH_BASE),)
	@rm -rf $(BASE_SRC) && mkdir -p $(BASE_SRC)
	@git archive --format=tar $(BENCH_BASE) | tar -x -C $(BASE_SRC)
	@$(MAKE) -s -C $(BASE_SRC) build/release/domino build/release/bench/bench_kernel >/dev/null
	@bench/bench.sh $(B) $(BASE_SRC)/build/release $(BENCH_BASE)
else
	@bench/bench.sh $(B)
endif

# --- hygiene -----------------------------------------------------------------
# Layer rules of DESIGN.md: the kernel includes only kernel headers (plus libc
# and GSL), models never include the app, and neither reads the clock, the
# environment or libc's global RNG (they would break determinism).
.PHONY: check-deps
check-deps:
	@status=0; \
	bad=$$(grep -nE '#include "(models|sim/app)/' sim/kernel/*.[ch]); \
	[ -z "$$bad" ] || { echo "kernel includes a higher layer:"; echo "$$bad"; status=1; }; \
	bad=$$(grep -nE '#include [<"](sim/app/|yaml\.h)' models/*.[ch]); \
	[ -z "$$bad" ] || { echo "models include the app layer:"; echo "$$bad"; status=1; }; \
	bad=$$(grep -nE '\b(time|clock_gettime|gettimeofday|getenv|rand|srand|gsl_rng_env_setup)\(|%p|<yaml\.h>|fopen\(' sim/kernel/*.[ch] models/*.[ch]); \
	[ -z "$$bad" ] || { echo "nondeterminism or I/O in kernel/models:"; echo "$$bad"; status=1; }; \
	[ $$status -eq 0 ] && echo "check-deps: layers and determinism rules hold"; exit $$status

.PHONY: format format-check
format:
	clang-format -i $$(git ls-files '*.c' '*.h')
format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

.PHONY: clean
clean:
	rm -rf build domino

.PHONY: help
help:
	@echo "targets:"
	@echo "  all (default)  build ./domino"
	@echo "  test           build and run all tests: cmocka unit suites, then the CLI checks (tests/cli/run.sh)"
	@echo "  validate       longer validation runs against queueing theory (tighter tolerances)"
	@echo "  bench          benchmark table (medians); BENCH_BASE=<rev> adds that revision for comparison"
	@echo "  run            run scenarios/valentine.yaml (every variant) and render its plots"
	@echo "  docs-plots     re-render the README's figures under docs/ (Valentine's and the projection's)"
	@echo "  golden-update  regenerate tests/golden/ on purpose"
	@echo "  check-deps     enforce the layer and determinism rules"
	@echo "  fuzz           libFuzzer on the scenario loader for FUZZ_SECONDS (default 60; clang)"
	@echo "  format         clang-format every source; format-check to verify"
	@echo "  deps           install missing packages (apt-get, as root)"
	@echo "  clean          remove build/ and ./domino"
	@echo "knobs: SANITIZE=address,undefined  WERROR=1  DEBUG=1  (each builds in build/<config>/)"

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# --- fuzzing -----------------------------------------------------------------
# libFuzzer on the scenario loader (tests/fuzz/fuzz_scn.c): the loader's
# sources compiled straight into one clang binary with ASan + UBSan (LSan
# included), run for FUZZ_SECONDS on build/fuzz/corpus, which is seeded from
# tests/fuzz/corpus and keeps what it finds across runs. Crash, leak and
# timeout inputs are written to build/fuzz/. Not part of `all` or `test`.
# libFuzzer's runtime is in libclang-rt-N-dev: installed like scripts/deps.sh
# does (apt-get as root), otherwise the command to run is printed.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SRC := $(KERNEL_SRC) models/config.c $(sort $(wildcard sim/app/scn_*.c))
FUZZ_HDR := $(wildcard sim/kernel/*.h sim/app/scn*.h models/config.h)
FUZZ_FLAGS := -std=c11 -g -O1 $(WARN) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer -I. $(PKG_CFLAGS)

build/fuzz/rt-ok:
	@mkdir -p $(@D)
	@echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n); int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' >$(@D)/rt.c
	@if ! $(FUZZ_CC) -fsanitize=fuzzer $(@D)/rt.c -o $(@D)/rt 2>/dev/null; then \
	    pkg=libclang-rt-$$($(FUZZ_CC) -dumpversion | cut -d. -f1)-dev; \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	        echo "fuzz: installing $$pkg" >&2; \
	        export DEBIAN_FRONTEND=noninteractive; \
	        apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends $$pkg >&2; \
	        $(FUZZ_CC) -fsanitize=fuzzer $(@D)/rt.c -o $(@D)/rt || exit 1; \
	    else \
	        echo "fuzz: $(FUZZ_CC) -fsanitize=fuzzer does not link; run:  sudo apt-get install -y $$pkg" >&2; \
	        exit 1; \
	    fi; \
	fi
	@touch $@

build/fuzz/fuzz_scn: tests/fuzz/fuzz_scn.c $(FUZZ_SRC) $(FUZZ_HDR) | build/fuzz/rt-ok
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_scn.c $(FUZZ_SRC) $(PKG_LIBS) -lm

.PHONY: fuzz
fuzz: build/fuzz/fuzz_scn
	@mkdir -p build/fuzz/corpus
	cp tests/fuzz/corpus/* build/fuzz/corpus/
	build/fuzz/fuzz_scn -max_len=65536 -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -dict=tests/fuzz/scn.dict -artifact_prefix=build/fuzz/ -print_final_stats=1 build/fuzz/corpus
