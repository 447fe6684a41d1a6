# The two commands a person and CI run: `make demo` and `make test`.
# Both install what they need (Python venv, maturin, pytest, cbindgen) from the registries.

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: demo test test-rust test-c test-python lint bench test-report bench-spark

demo:
	$(CARGO) run --release --quiet -p clientbase-cli -- demo

test: lint test-rust test-c test-python test-report

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --exclude clientbase-python -- -D warnings

test-rust:
	bash scripts/install-deb.sh libreoffice-writer-nogui poppler-utils
	$(CARGO) test --workspace --exclude clientbase-python
	$(CARGO) test -p clientbase --no-default-features --lib --tests

test-c:
	bash scripts/test-c.sh

test-python:
	bash scripts/test-python.sh

bench:
	$(CARGO) bench -p clientbase-benches
	$(MAKE) bench-spark

# clientbase.spark against MatchIndex.dedupe in Spark local mode (benches/RESULTS.md);
# the package built in release into .venv.
bench-spark:
	test -x .venv/bin/python || python3 -m venv .venv
	.venv/bin/python -m pip install --quiet --disable-pip-version-check \
	    "maturin>=1.9,<2" "pyarrow>=14" "pandas>=2.2" "pyspark==4.3.0"
	.venv/bin/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./python
	.venv/bin/python benches/python/spark_dedupe.py --clients 100000

# The HTML report opened in headless Chromium: no console errors, charts equal
# to their tables; the page and a screenshot kept in target/test-artifacts/.
test-report:
	bash scripts/test-report.sh
