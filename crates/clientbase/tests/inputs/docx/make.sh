#!/usr/bin/env bash
# Remakes the LibreOffice-made DOCX templates from their flat ODT sources:
# bash crates/clientbase/tests/inputs/docx/make.sh
set -euo pipefail
cd "$(dirname "$0")"
soffice --headless --norestore --convert-to docx:"MS Word 2007 XML" --outdir . offer.fodt contract.fodt broken.fodt offer_ascii.fodt
