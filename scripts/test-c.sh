#!/usr/bin/env bash
# Tests the C library the way a C user meets it, from the repository root on a
# fresh machine; exits non-zero on any failure.
#
#  1. installs what is missing: a C compiler, pkg-config and valgrind (apt-get),
#     cbindgen (cargo install, pinned);
#  2. regenerates include/clientbase.h and fails on any difference from the
#     committed header (run with BLESS=1 to update the committed header instead);
#  3. builds bindings/c with plain cargo and stages it like `cargo cinstall`
#     would: lib/libclientbase.{so,a}, include/clientbase/clientbase.h and
#     lib/pkgconfig/clientbase.pc, so that C programs are built with
#     `pkg-config --cflags --libs clientbase` (no cargo-c needed); in the debug
#     profile the release layout's libraries are stripped of debug info (the
#     .so from ~120 MB to ~20 MB), PROFILE=release builds a release instead;
#  4. compiles the C tests with -std=c11 -Wall -Wextra -Werror and runs them
#     under valgrind (no leaks, no errors): the API test against a library built
#     with the `test-panic` feature, the shared vectors, the ERP example (its
#     output compared with tests/c/data/example_erp.expected), duplicates and
#     merges (tests/c/test_dedup.c), the bridge and tables through Arrow
#     (tests/c/test_capability.c), client value from tables and Arrow
#     (tests/c/test_value.c), base files (tests/c/test_storage.c), segments
#     (tests/c/test_segment.c), scoring (tests/c/test_scoring.c), audiences and call tasks
#     (tests/c/test_audience.c), templates (tests/c/test_render.c), a client's history and
#     the HTML report (tests/c/test_history.c), reminders and routing
#     (tests/c/test_automation.c), DOCX (tests/c/test_render_docx.c), the shared capability
#     vectors through the
#     generic bridge (tests/c/test_capability_vectors.c), role views and export
#     policies (tests/c/test_access.c), and the example once more linked
#     statically against libclientbase.a;
#  5. contact normalization (tests/c/test_normalize.c), the email and name
#     vectors (with the shared vectors above) and the phone corpus
#     (tests/vectors/phones.json, 30 000 cases). Phone parsing in a debug build
#     is slow under valgrind (hundreds of milliseconds per foreign number), so
#     valgrind checks a slice: test_normalize with a 2 000-number batch and the
#     first CORPUS_SLICE corpus cases (default 100); then both run natively in
#     full (a 100 000-number batch, every corpus case, by batch and one by one).
#
# Environment: CARGO_TARGET_DIR (default ./target), PROFILE (debug or release,
# default debug), CC (default cc), BLESS=1 (rewrite the header and the example's
# expected output instead of comparing), CORPUS_SLICE (phone corpus cases run
# under valgrind, default 100).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CBINDGEN_VERSION=0.29.4
PROFILE=${PROFILE:-debug}
CC=${CC:-cc}
CARGO=${CARGO:-cargo}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR=$ROOT/$CARGO_TARGET_DIR ;; esac
STAGE=$CARGO_TARGET_DIR/capi
BUILD=$STAGE/build
CFLAGS_STRICT=(-std=c11 -Wall -Wextra -Werror -g -O1)
# How many phone corpus cases run under valgrind (all of them run natively).
CORPUS_SLICE=${CORPUS_SLICE:-100}

step() { printf '\n==> %s\n' "$*"; }

# ---- 1. tools -------------------------------------------------------------------
missing=()
command -v "$CC" >/dev/null || missing+=(gcc libc6-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v valgrind >/dev/null || missing+=(valgrind)
if ((${#missing[@]})); then
    step "installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! cbindgen --version 2>/dev/null | grep -qx "cbindgen $CBINDGEN_VERSION"; then
    step "installing cbindgen $CBINDGEN_VERSION"
    "$CARGO" install cbindgen --locked --version "$CBINDGEN_VERSION"
fi
CBINDGEN=$(command -v cbindgen || echo "${CARGO_HOME:-$HOME/.cargo}/bin/cbindgen")

# ---- 2. the header ----------------------------------------------------------------
step "include/clientbase.h is what cbindgen generates"
mkdir -p "$BUILD"
"$CBINDGEN" --quiet --config bindings/c/cbindgen.toml --output "$BUILD/clientbase.h" bindings/c
if [ "${BLESS:-}" = 1 ]; then
    cp "$BUILD/clientbase.h" include/clientbase.h
elif ! diff -u include/clientbase.h "$BUILD/clientbase.h"; then
    echo "include/clientbase.h is out of date: run BLESS=1 bash scripts/test-c.sh and commit it" >&2
    exit 1
fi
echo "header up to date"

# ---- 3. build and stage -------------------------------------------------------------
profile_flag=()
[ "$PROFILE" = release ] && profile_flag=(--release)
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)

# The libraries a static link needs besides libclientbase.a: those of Rust's std,
# which is what rustc reports for a staticlib without native dependencies.
native_static_libs() {
    local dir
    dir=$(mktemp -d)
    echo '#![no_main]' >"$dir/empty.rs"
    rustc --crate-type staticlib --crate-name empty -o "$dir/libempty.a" \
        --print native-static-libs "$dir/empty.rs" 2>&1 |
        sed -n 's/^note: native-static-libs: //p'
    rm -rf "$dir"
}
LIBS_PRIVATE=$(native_static_libs)

# stage <prefix> [cargo feature]: build and lay out a prefix as cargo-c installs it.
# A debug build's libraries carry ~90 MB of debug info each: the release layout
# (no feature) gets them stripped of it, as an installed library would be; the
# test-panic layout keeps it for readable valgrind reports.
stage() {
    local prefix=$1 features=()
    [ -n "${2:-}" ] && features=(--features "$2")
    "$CARGO" build --quiet -p clientbase-c "${profile_flag[@]}" "${features[@]}"
    rm -rf "$prefix"
    mkdir -p "$prefix/lib/pkgconfig" "$prefix/include/clientbase"
    cp "$CARGO_TARGET_DIR/$PROFILE/libclientbase_c.so" "$prefix/lib/libclientbase.so"
    cp "$CARGO_TARGET_DIR/$PROFILE/libclientbase_c.a" "$prefix/lib/libclientbase.a"
    if [ -z "${2:-}" ] && [ "$PROFILE" != release ]; then
        strip --strip-debug "$prefix/lib/libclientbase.so" "$prefix/lib/libclientbase.a"
    fi
    cp include/clientbase.h "$prefix/include/clientbase/clientbase.h"
    cat >"$prefix/lib/pkgconfig/clientbase.pc" <<EOF
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: clientbase
Description: Embeddable engine for a company's client base (CRM)
Version: $VERSION
Libs: -L\${libdir} -lclientbase
Libs.private: $LIBS_PRIVATE
Cflags: -I\${includedir}/clientbase
EOF
}

step "building the test-panic library (for the API test) and the release layout"
stage "$STAGE/test-panic" test-panic
stage "$STAGE/prefix"

# ---- 4. C tests ------------------------------------------------------------------------
# compile <prefix> <output> <source> [extra cflags]: a dynamic link found by pkg-config.
compile() {
    local prefix=$1 out=$2 src=$3
    shift 3
    local pc=(env PKG_CONFIG_PATH="$prefix/lib/pkgconfig")
    # shellcheck disable=SC2046
    "$CC" "${CFLAGS_STRICT[@]}" "$@" $("${pc[@]}" pkg-config --cflags clientbase) \
        "$src" -o "$out" $("${pc[@]}" pkg-config --libs clientbase) \
        -Wl,-rpath,"$("${pc[@]}" pkg-config --variable=libdir clientbase)"
}

VALGRIND=(valgrind --quiet --error-exitcode=99 --leak-check=full
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
    --track-origins=yes)
failures=0
run() {
    local name=$1
    shift
    echo "-- $name" >&2
    local started=$SECONDS
    if ! "${VALGRIND[@]}" "$@"; then
        echo "FAILED: $name" >&2
        failures=$((failures + 1))
        return 1
    fi
    echo "   ($((SECONDS - started)) s)" >&2
}
# run_native <name> <program> [args]: like run, without valgrind, for long runs.
run_native() {
    local name=$1
    shift
    echo "-- $name (native)" >&2
    local started=$SECONDS
    if ! "$@"; then
        echo "FAILED: $name" >&2
        failures=$((failures + 1))
        return 1
    fi
    echo "   ($((SECONDS - started)) s)" >&2
}

step "compiling the C tests (-std=c11 -Wall -Wextra -Werror) with pkg-config"
compile "$STAGE/test-panic" "$BUILD/test_api" tests/c/test_api.c -DCB_TEST_PANIC
compile "$STAGE/prefix" "$BUILD/test_vectors" tests/c/test_vectors.c
compile "$STAGE/prefix" "$BUILD/example_erp" tests/c/example_erp.c
compile "$STAGE/prefix" "$BUILD/test_normalize" tests/c/test_normalize.c
compile "$STAGE/prefix" "$BUILD/test_dedup" tests/c/test_dedup.c
compile "$STAGE/prefix" "$BUILD/test_capability_vectors" tests/c/test_capability_vectors.c
compile "$STAGE/prefix" "$BUILD/test_capability" tests/c/test_capability.c
compile "$STAGE/prefix" "$BUILD/test_unknown_keys" tests/c/test_unknown_keys.c
compile "$STAGE/prefix" "$BUILD/test_value" tests/c/test_value.c
compile "$STAGE/prefix" "$BUILD/test_storage" tests/c/test_storage.c
compile "$STAGE/prefix" "$BUILD/test_segment" tests/c/test_segment.c
compile "$STAGE/prefix" "$BUILD/test_scoring" tests/c/test_scoring.c
compile "$STAGE/prefix" "$BUILD/test_analytics" tests/c/test_analytics.c
compile "$STAGE/prefix" "$BUILD/test_audience" tests/c/test_audience.c
compile "$STAGE/prefix" "$BUILD/test_render" tests/c/test_render.c
compile "$STAGE/prefix" "$BUILD/test_history" tests/c/test_history.c
compile "$STAGE/prefix" "$BUILD/test_automation" tests/c/test_automation.c
compile "$STAGE/prefix" "$BUILD/test_render_docx" tests/c/test_render_docx.c
compile "$STAGE/prefix" "$BUILD/test_access" tests/c/test_access.c

# The same example linked statically: libclientbase.a plus Libs.private.
PC=(env PKG_CONFIG_PATH="$STAGE/prefix/lib/pkgconfig")
# shellcheck disable=SC2046
"$CC" "${CFLAGS_STRICT[@]}" $("${PC[@]}" pkg-config --cflags clientbase) tests/c/example_erp.c \
    -o "$BUILD/example_erp_static" "$("${PC[@]}" pkg-config --variable=libdir clientbase)/libclientbase.a" \
    $("${PC[@]}" pkg-config --static --libs-only-l clientbase | sed 's/-lclientbase\b//')
if readelf -d "$BUILD/example_erp_static" | grep -q 'libclientbase'; then
    echo "example_erp_static depends on the shared library" >&2
    exit 1
fi

step "running the C tests under valgrind"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
run test_api "$BUILD/test_api" "$SCRATCH" || true
run test_vectors "$BUILD/test_vectors" tests/vectors/base.json tests/vectors/emails.json \
    tests/vectors/names.json || true
run test_normalize "$BUILD/test_normalize" 2000 || true
run test_dedup "$BUILD/test_dedup" || true
run test_capability_vectors "$BUILD/test_capability_vectors" tests/vectors/capabilities.json || true
run test_capability "$BUILD/test_capability" || true
run test_unknown_keys "$BUILD/test_unknown_keys" || true
run test_value "$BUILD/test_value" || true
run test_storage "$BUILD/test_storage" "$SCRATCH" || true
run test_segment "$BUILD/test_segment" || true
run test_scoring "$BUILD/test_scoring" || true
run test_analytics "$BUILD/test_analytics" || true
run test_audience "$BUILD/test_audience" || true
run test_render "$BUILD/test_render" || true
run test_history "$BUILD/test_history" "$SCRATCH" || true
run test_automation "$BUILD/test_automation" || true
run test_render_docx "$BUILD/test_render_docx" crates/clientbase/tests/inputs/docx "$SCRATCH" || true
run test_access "$BUILD/test_access" "$SCRATCH" || true
run "phone corpus, first $CORPUS_SLICE cases" \
    "$BUILD/test_vectors" --cases "$CORPUS_SLICE" tests/vectors/phones.json || true

# The example is checked against its expected output (a snapshot).
EXPECTED=tests/c/data/example_erp.expected
for variant in example_erp example_erp_static; do
    if run "$variant" "$BUILD/$variant" tests/c/data/clients_export.csv >"$SCRATCH/$variant.out"; then
        cat "$SCRATCH/$variant.out"
        if [ "${BLESS:-}" = 1 ] && [ "$variant" = example_erp ]; then
            cp "$SCRATCH/$variant.out" "$EXPECTED"
        fi
        if diff -u "$EXPECTED" "$SCRATCH/$variant.out"; then
            echo "1 passed, 0 failed"
        else
            echo "FAILED: $variant output differs from $EXPECTED" >&2
            echo "(if the change is intended: BLESS=1 bash scripts/test-c.sh, then commit it)" >&2
            echo "0 passed, 1 failed"
            failures=$((failures + 1))
        fi
    fi
done

step "contact normalization and the whole phone corpus, natively"
run_native test_normalize "$BUILD/test_normalize" 100000 || true
run_native "phone corpus" "$BUILD/test_vectors" tests/vectors/phones.json || true

step "Rust tests of the C crate, with the deliberate panic"
"$CARGO" test --quiet -p clientbase-c --features test-panic --lib

if ((failures)); then
    echo "C tests: $failures program(s) failed" >&2
    exit 1
fi
echo "C tests: all passed"
