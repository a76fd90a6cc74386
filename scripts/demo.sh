#!/usr/bin/env bash
# The demo: validate the sample deals, then write each one's PO, SOW and onboarding form.
# A document that findings block is written as a marked DRAFT listing what blocks it.
#
# It runs in a workspace of its own, made afresh by `docgen init` in $OUT/.demo-workspace: its
# database records the final POs' numbers (so `docgen verify` can check them), and its first
# administrator's API token (printed once by init, kept here in .docgen/demo-token) is the
# person who issues them — a final PO records who issued it.
set -uo pipefail
BIN=${1:-.venv/bin}
OUT=${2:-out}
DATE=2026-11-22
WS="$OUT/.demo-workspace"
mkdir -p "$OUT"
rm -rf "$WS"
echo "== docgen init $WS"
init_out=$("$BIN/docgen" init "$WS" --admin-email demo@localhost --admin-name "Demo") || exit $?
DOCGEN_TOKEN=$(printf '%s\n' "$init_out" | tail -n 1)
export DOCGEN_TOKEN
( umask 077; printf '%s\n' "$DOCGEN_TOKEN" > "$WS/.docgen/demo-token" )
echo "workspace $WS; its administrator's token is in $WS/.docgen/demo-token"
echo
echo "== docgen catalogue verify"
"$BIN/docgen" -w "$WS" catalogue verify || exit $?
echo
echo "== docgen validate examples/deals/*.yaml"
"$BIN/docgen" -w "$WS" validate examples/deals/*.yaml
rc=$?; [ $rc -le 1 ] || exit $rc
for deal in examples/deals/*.yaml; do
  for kind in po sow onboarding; do
    "$BIN/docgen" -w "$WS" "$kind" "$deal" -o "$OUT" --date "$DATE" --format pdf,docx,html 2>"$OUT/.err"
    rc=$?
    [ $rc -le 1 ] || cat "$OUT/.err" >&2
    if [ $rc -eq 1 ]; then
      "$BIN/docgen" -w "$WS" "$kind" "$deal" -o "$OUT" --date "$DATE" --format pdf,docx,html --draft
      rc=$?
    fi
    [ $rc -eq 0 ] || { echo "demo: $kind of $deal failed (exit $rc)" >&2; exit $rc; }
  done
done
rm -f "$OUT/.err"
echo
echo "== docgen audit verify"
"$BIN/docgen" -w "$WS" audit verify || exit $?
echo
echo "== written to $OUT/ (check a final PO: docgen -w $WS verify $OUT/D-2026-0101-po.pdf):"
ls -1 "$OUT"
