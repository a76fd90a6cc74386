#!/usr/bin/env bash
# `make serve`: the web app on http://127.0.0.1:8000 over this checkout's workspace (SQLite in
# .docgen/). The first time, it makes the administrator admin@localhost with a random password,
# kept in .docgen/web-admin (mode 0600) and printed, so that you can sign in at once.
set -euo pipefail
BIN=${1:-.venv/bin}
cd "$(dirname "$0")/.."
mkdir -p .docgen
if [ ! -s .docgen/web-admin ]; then
  password=$("$BIN/python" -c "import secrets; print(secrets.token_urlsafe(18))")
  if printf '%s\n' "$password" | "$BIN/docgen" users add admin@localhost --name Administrator \
       --admin --password-stdin > .docgen/web-admin.token 2>/dev/null; then
    (umask 077; printf 'admin@localhost\n%s\n' "$password" > .docgen/web-admin)
    chmod 600 .docgen/web-admin.token
  else
    rm -f .docgen/web-admin.token
    echo "docgen: this workspace has people already; sign in with your own account" \
         "(an administrator sets a password: docgen users password EMAIL --password-stdin)"
  fi
fi
if [ -s .docgen/web-admin ]; then
  echo "docgen: sign in as $(sed -n 1p .docgen/web-admin) with password $(sed -n 2p .docgen/web-admin)"
fi
exec "$BIN/docgen" serve "${@:2}"
