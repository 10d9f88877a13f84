#!/usr/bin/env bash
# The README's set-up commands, for a fresh machine:
#   bash scripts/run.sh build   # build the site from captures/ into dist/
#   bash scripts/run.sh test    # run every test (units, goldens, browser end-to-end)
#   bash scripts/run.sh bench   # the benchmarks (npm run bench): ../shared/bench, else generated captures
# It brings what is missing: Node >= 22.12 (npm registry's `node` package, into .tools/),
# the project's npm packages, and, for the browser tests, Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)'
}

if ! node_ok; then
  if [ ! -x .tools/node/node_modules/.bin/node ]; then
    echo "heaptrail: Node $(node --version 2>/dev/null || echo none) is too old; installing Node 22 from the npm registry into .tools/node"
    npm install --prefix .tools/node --no-save --no-audit --no-fund --loglevel=error node@22 >/dev/null
  fi
  export PATH="$PWD/.tools/node/node_modules/.bin:$PATH"
  node_ok || { echo "heaptrail: could not get Node >= 22.12" >&2; exit 1; }
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm ci`: exactly the lock's versions, and it never rewrites a tracked file.
  npm ci --no-audit --no-fund --loglevel=error
fi

# The command line compiled into lib/, as an installed package runs it: Node's type stripping
# costs every heaptrail process ~38 MB of RSS and ~0.15 s. bin/heaptrail.mjs runs lib/ only
# while no source is newer, so an edited checkout still runs its sources.
if [ ! -f lib/cli/main.js ] || [ -n "$(find src -name '*.ts' -newer lib/cli/main.js | head -n 1)" ]; then
  npx tsc -p tsconfig.build.json || echo "heaptrail: could not compile lib/; the sources run as they are" >&2
fi

case "${1:-}" in
  build)
    shift
    exec node bin/heaptrail.mjs build "$@"
    ;;
  test|bench)
    if [ ! -x /usr/bin/chromium ]; then
      echo "heaptrail: installing Debian's chromium for the browser tests"
      if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
    fi
    # libc's separate debug file (Debian's libc6-dbg): the native goldens' libc frames come from it.
    if command -v apt-get >/dev/null 2>&1 && ! dpkg -s libc6-dbg >/dev/null 2>&1; then
      echo "heaptrail: installing Debian's libc6-dbg for the native-symbol goldens"
      if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
      { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libc6-dbg >/dev/null; } ||
        echo "heaptrail: could not install libc6-dbg; the native goldens will say so and be skipped" >&2
    fi
    [ "$1" = bench ] && exec npm run bench
    mkdir -p test/.tmp
    status=0
    npx astro sync >/dev/null || status=$? # generates the astro:content types tsc needs
    npx tsc --noEmit -p . || status=$?
    # The one-way pipeline (no stage imports a later one) and the project's lint rules.
    npx depcruise src --config .dependency-cruiser.cjs || status=$?
    npx eslint . || status=$?
    npx vitest run --reporter=default --reporter=json --outputFile=test/.tmp/unit.json || status=$?
    if [ -f vitest.e2e.config.ts ]; then
      npx vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json --outputFile=test/.tmp/e2e.json || status=$?
    fi
    node scripts/test-summary.mjs test/.tmp/unit.json test/.tmp/e2e.json
    exit $status
    ;;
  *)
    echo "usage: bash scripts/run.sh build|test|bench" >&2
    exit 2
    ;;
esac
