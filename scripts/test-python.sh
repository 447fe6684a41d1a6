#!/usr/bin/env bash
# Builds and installs the Python package the way a user does (`pip install ./python`),
# checks the stubs against the built module and runs the Python tests.
#
# Run from anywhere; needs python3 (3.10+) with venv and pip, and a Rust toolchain.
# Creates .venv at the repository root when missing. Exits non-zero on any failure.
#
#   PYTHON=python3.12 scripts/test-python.sh     # another interpreter for the venv
#   CLIENTBASE_PY_PROFILE=release scripts/...    # optimised build (default: dev, faster to compile)
#   CARGO_TARGET_DIR=...                         # honoured by the build
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"
python="${PYTHON:-python3}"
start=$SECONDS
step() { printf '\n== [%3d s] %s\n' "$((SECONDS - start))" "$*"; }

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "error: $python is older than Python 3.10, the oldest the package supports" >&2
    exit 1
fi
if [[ ! -x "$venv/bin/python" ]]; then
    step "creating $venv"
    "$python" -m venv "$venv"
fi
py="$venv/bin/python"

step "installing build and test tools"
"$py" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.9,<2" "pytest>=8" "mypy>=1.11"
# DataFrame libraries are optional for users and test-only dependencies here: the
# Arrow tests read tables with pyarrow, polars, pandas and DuckDB.
"$py" -m pip install --quiet --disable-pip-version-check \
    "pandas>=2.2" "pyarrow>=14" "polars>=1" "duckdb>=1"
# clientbase.spark's tests run a local Spark: pyspark from PyPI (pinned) and Java 17+
# on PATH. Both are required: a missing one fails the tests, it does not skip them.
"$py" -m pip install --quiet --disable-pip-version-check "pyspark==4.3.0"
if ! java -version >/dev/null 2>&1; then
    echo "error: java is not on PATH; the Spark tests (python/tests/test_spark.py) need Java 17+" >&2
    exit 1
fi
export SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON="$py" PYSPARK_DRIVER_PYTHON="$py"
# Independent references for amounts in words and names in cases (render tests).
"$py" -m pip install --quiet --disable-pip-version-check \
    "num2words>=0.5.13" "pytils>=0.4" "petrovich>=2"

step "pip install ./python (maturin, profile ${CLIENTBASE_PY_PROFILE:-dev})"
MATURIN_PEP517_ARGS="--profile ${CLIENTBASE_PY_PROFILE:-dev}" \
    "$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./python
"$py" -c 'import clientbase, sys; print("clientbase", clientbase.__version__, "from", clientbase.__file__)'

step "stubtest: python/clientbase/_native.pyi against the built module"
"$py" -m mypy.stubtest clientbase \
    --allowlist python/stubtest-allowlist.txt

step "mypy --strict over the tests (the stubs as users see them)"
"$py" -m mypy --strict python/tests

step "pytest python/tests"
status=0
"$py" -m pytest python/tests -q -p no:cacheprovider || status=$?
if [[ $status -eq 5 ]]; then
    echo "error: pytest collected no tests" >&2
fi
if [[ $status -ne 0 ]]; then
    exit "$status"
fi

echo
echo "python: all checks passed in $((SECONDS - start)) s"
