#!/usr/bin/env bash
# The HTML report in a real browser: generates a base, writes its report with
# `clientbase report`, and checks it in headless Chromium (from the
# distribution's packages) with scripts/check_report.py: no console errors,
# every chart's numbers equal to its table's, the page's own check agreeing.
# The pages and a screenshot are kept in target/test-artifacts/ (report.html,
# report.png, report-hostile.html, report-empty.html).
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

step "a report of hostile names: markup and scripts in every name stay text"
python3 - "$work/hostile.json" <<'PY'
import json, sys
evil = "<img src=x onerror=console.error(1)><script>console.error(2)</script> & \"'"
deals = []
for i, status in enumerate(["won", "lost", "open", "won"]):
    deals.append({
        "id": i + 1, "client": 1 + i % 2, "title": evil, "status": status,
        "amount": {"amount": "1234567.89", "currency": "RUB"}, "owner": evil + str(i % 2),
        "pipeline": evil, "stage": evil + " этап",
        "created_at": f"2025-0{i + 1}-03T10:00:00Z",
        **({} if status == "open" else {"closed_at": f"2025-0{i + 2}-03T10:00:00Z"}),
        "lines": [{"product": evil, "category": evil, "quantity": "1",
                   "unit_price": {"amount": "1234567.89", "currency": "RUB"}}],
    })
base = {
    "format": "clientbase", "version": 1, "schema": {}, "next_ids": {"activity": 1, "client": 3, "deal": 5},
    "clients": [
        {"id": 1, "kind": "company", "legal_name": evil, "owner": evil, "source": evil,
         "created_at": "2025-01-01T09:00:00Z", "phones": [{"raw": "+79161234567"}]},
        {"id": 2, "kind": "person", "surname": evil, "given": "Анна", "city": evil,
         "created_at": "2025-01-02T09:00:00Z", "emails": [{"raw": "a@mail.ru"}]},
    ],
    "deals": deals,
}
json.dump(base, open(sys.argv[1], "w"), ensure_ascii=False)
PY
"$cli" report --base "$work/hostile.json" --out "$OUT/report-hostile.html" --title "<script>console.error(3)</script>"
python3 scripts/check_report.py "$OUT/report-hostile.html" --small

step "an empty base's report"
"$cli" generate --clients 0 --out "$work/empty.json" >/dev/null
"$cli" report --base "$work/empty.json" --out "$OUT/report-empty.html"
python3 scripts/check_report.py "$OUT/report-empty.html" --empty

echo
echo "report: checked in Chromium in $((SECONDS - start)) s; artifacts in $OUT"
