#!/bin/sh
# soupbench: make sure the Debian packages needed to build, run and test are
# installed (run by `make deps`, hence by `make run` and `make test`).
#
# Fast path: when nothing is missing, print nothing and exit 0. Otherwise
# install the missing packages with apt-get (as root, or through sudo), or,
# when that is impossible, say what to install and exit 1.
#
# `--bench` checks (and installs) the benchmark's optional dependency
# instead: Debian's python3-torch, importable by /usr/bin/python3, for the
# PyTorch column of `make bench` (which runs without it and says so).
# `--fuzz` checks what `make fuzz` alone needs: clang and its libFuzzer
# runtime (Debian's clang and libclang-rt-14-dev); `make test` and
# `make asan` need neither.
#
# `--mpi` checks (and installs) what `make MPI=1` and the MPI tests need:
# Open MPI's headers and libraries, and mpirun.
# `--latex` checks (and installs) what `make paper-pdf` needs: pdflatex and
# the LaTeX classes and packages paper/paper.tex uses, all in Debian's
# texlive-latex-base.
#
# Environment (for testing this script): SB_DEPS_MODULES, SB_DEPS_COMMANDS,
# SB_DEPS_PYTHON (module imports) and SB_DEPS_TEX (LaTeX files found by
# kpsewhich) replace the lists checked below.
set -u

MODULES=${SB_DEPS_MODULES-"hdf5-serial openblas lapacke libcjson zlib libcrypto sleef cmocka"}
COMMANDS=${SB_DEPS_COMMANDS-"cc make pkg-config gnuplot h5dump h5diff git curl"}
PYTHON_MODULES=${SB_DEPS_PYTHON-""}
TEX_FILES=${SB_DEPS_TEX-""}
if [ "${1:-}" = --bench ]; then
    MODULES=${SB_DEPS_MODULES-""}
    COMMANDS=${SB_DEPS_COMMANDS-""}
    PYTHON_MODULES=${SB_DEPS_PYTHON-"torch"}
elif [ "${1:-}" = --fuzz ]; then
    MODULES=${SB_DEPS_MODULES-""}
    COMMANDS=${SB_DEPS_COMMANDS-"clang libfuzzer"}
elif [ "${1:-}" = --mpi ]; then
    MODULES=${SB_DEPS_MODULES-"ompi-c"}
    COMMANDS=${SB_DEPS_COMMANDS-"mpirun"}
elif [ "${1:-}" = --latex ]; then
    MODULES=${SB_DEPS_MODULES-""}
    COMMANDS=${SB_DEPS_COMMANDS-"pdflatex kpsewhich"}
    PYTHON_MODULES=${SB_DEPS_PYTHON-""}
    TEX_FILES=${SB_DEPS_TEX-"article.cls geometry.sty graphicx.sty amsmath.sty hyperref.sty"}
fi

# The Debian package providing a pkg-config module or a command.
package_of() {
    case $1 in
    hdf5-serial) echo libhdf5-dev ;;
    openblas) echo libopenblas-dev ;;
    lapacke) echo liblapacke-dev ;;
    libcjson) echo libcjson-dev ;;
    zlib) echo zlib1g-dev ;;
    cmocka) echo libcmocka-dev ;;
    libcrypto) echo libssl-dev ;;
    sleef) echo libsleef-dev ;;
    cc | make) echo build-essential ;;
    pkg-config) echo pkg-config ;;
    gnuplot) echo gnuplot-nox ;;
    h5dump | h5diff) echo hdf5-tools ;;
    git) echo git ;;
    curl) echo curl ;;
    torch) echo python3-torch ;;
    clang) echo clang ;;
    libfuzzer) echo libclang-rt-14-dev ;;
    ompi-c) echo libopenmpi-dev ;;
    mpirun) echo openmpi-bin ;;
    pdflatex | kpsewhich | *.cls | *.sty) echo texlive-latex-base ;;
    *) echo "$1" ;;
    esac
}

have() {
    if [ "$1" = libfuzzer ]; then # a runtime, not a command: link a target
        have clang || return 1
        d=$(mktemp -d) || return 1
        printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }\n' > "$d/t.c"
        clang -fsanitize=fuzzer -o "$d/t" "$d/t.c" >/dev/null 2>&1
        rc=$?
        rm -rf "$d"
        return $rc
    fi
    command -v "$1" >/dev/null 2>&1
}

# Sets $missing (what is absent) and $packages (what provides it, each once).
check() {
    missing=
    packages=
    for m in $MODULES; do
        # Without pkg-config no module can be found, so each counts as missing.
        if ! have pkg-config || ! pkg-config --exists "$m"; then
            add "$m"
        fi
    done
    for c in $COMMANDS; do
        have "$c" || add "$c"
    done
    # Debian's Python modules live under /usr/bin/python3, whatever python3
    # comes first on PATH.
    for py in $PYTHON_MODULES; do
        [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import $py" >/dev/null 2>&1 || add "$py"
    done
    # LaTeX packages are files kpsewhich finds (none can be found without it)
    for f in $TEX_FILES; do
        have kpsewhich && [ -n "$(kpsewhich "$f" 2>/dev/null)" ] || add "$f"
    done
}

add() {
    missing="$missing $1"
    p=$(package_of "$1")
    case " $packages " in
    *" $p "*) ;;
    *) packages="$packages $p" ;;
    esac
}

check
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=
elif have sudo; then
    as_root=sudo
else
    as_root=none
fi

if [ "$as_root" = none ] || ! have apt-get; then
    echo "soupbench: missing dependencies:$missing; install them with: sudo apt-get install -y$packages" >&2
    exit 1
fi

echo "soupbench: missing dependencies:$missing; installing:$packages" >&2
# A failed update (offline mirror) may still leave an installable cache, so
# go on; the re-check below decides.
$as_root apt-get update || echo "soupbench: warning: apt-get update failed" >&2
# $packages is a space-separated list of package names: split on purpose.
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages

check
if [ -n "$missing" ]; then
    echo "soupbench: still missing after apt-get install:$missing (packages:$packages)" >&2
    exit 1
fi
exit 0
