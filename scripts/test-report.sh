#!/usr/bin/env bash
# The HTML report in a real browser: generates a base, writes its report with
# `clientbase report`, and checks it in headless Chromium (from the
# distribution's packages) with scripts/check_report.py: no console errors,
# every chart's numbers equal to its table's, the page's own check agreeing.
# The pages and a screenshot are kept in target/test-artifacts/ (report.html,
# report.png, report-empty.html).
#
# Environment: CARGO_TARGET_DIR (default ./target), CLIENTS (default 3000).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CARGO=${CARGO:-cargo}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR=$ROOT/$CARGO_TARGET_DIR ;; esac
OUT=$CARGO_TARGET_DIR/test-artifacts
CLIENTS=${CLIENTS:-3000}
start=$SECONDS

step() { printf '\n==> %s\n' "$*"; }

step "Chromium and Python from the distribution"
bash scripts/install-deb.sh chromium python3

step "building the command line"
"$CARGO" build --quiet -p clientbase-cli
cli=$CARGO_TARGET_DIR/debug/clientbase

mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "a generated base ($CLIENTS clients) and its report"
"$cli" generate --clients "$CLIENTS" --seed 7 --out "$work/base.json" >/dev/null
"$cli" report --base "$work/base.json" --out "$OUT/report.html" \
    --stages "Розница=Новая заявка,Подбор товара,Ожидает оплаты,Сборка заказа,Доставка" \
    --stages "Опт=Новая заявка,Квалификация,КП отправлено,Согласование договора,Счёт выставлен,Отгрузка"
python3 scripts/check_report.py "$OUT/report.html" --screenshot "$OUT/report.png"

step "an empty base's report"
"$cli" generate --clients 0 --out "$work/empty.json" >/dev/null
"$cli" report --base "$work/empty.json" --out "$OUT/report-empty.html"
python3 scripts/check_report.py "$OUT/report-empty.html" --empty

echo
echo "report: checked in Chromium in $((SECONDS - start)) s; artifacts in $OUT"
