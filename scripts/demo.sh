#!/usr/bin/env bash
# The demo: validate the sample deals, then write each one's PO, SOW and onboarding form.
# A document that findings block is written as a marked DRAFT listing what blocks it.
set -uo pipefail
BIN=${1:-.venv/bin}
OUT=${2:-out}
DATE=2026-11-22
mkdir -p "$OUT"
echo "== docgen catalogue verify"
"$BIN/docgen" catalogue verify || exit $?
echo
echo "== docgen validate examples/deals/*.yaml"
"$BIN/docgen" validate examples/deals/*.yaml
rc=$?; [ $rc -le 1 ] || exit $rc
for deal in examples/deals/*.yaml; do
  for kind in po sow onboarding; do
    "$BIN/docgen" "$kind" "$deal" -o "$OUT" --date "$DATE" --format pdf,docx,html 2>"$OUT/.err"
    rc=$?
    [ $rc -le 1 ] || cat "$OUT/.err" >&2
    if [ $rc -eq 1 ]; then
      "$BIN/docgen" "$kind" "$deal" -o "$OUT" --date "$DATE" --format pdf,docx,html --draft
      rc=$?
    fi
    [ $rc -eq 0 ] || { echo "demo: $kind of $deal failed (exit $rc)" >&2; exit $rc; }
  done
done
rm -f "$OUT/.err"
echo
echo "== written to $OUT/:"
ls -1 "$OUT"
