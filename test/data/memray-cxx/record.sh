#!/bin/sh
# How the files here were made (Debian 12, x86-64, g++ 12, Debian's python3.11, memray 1.20.0):
#   sh test/data/memray-cxx/record.sh /path/to/memray
# The library is built and loaded at /tmp/heaptrail-fixtures so that no machine path of the
# recording ends up in the capture or the DWARF (the golden test puts it back there).
set -eu
MEMRAY=${1:?usage: record.sh /path/to/memray}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=/tmp/heaptrail-fixtures
mkdir -p "$WORK"
cp "$HERE/cxxalloc.cc" "$HERE/cxx.py" "$WORK/"
cd "$WORK"
g++ -g -O1 -shared -fPIC -Wl,--build-id -o libheaptrail_cxx.so cxxalloc.cc
env COLUMNS=200 LINES=60 NO_COLOR=1 TERM=dumb "$MEMRAY" run -q -f --native -o cxx.native.bin cxx.py
for variant in default leaks inverted split-threads temporary-allocations temporal temporal-leaks; do
  case $variant in
    default) flags="" ;;
    leaks) flags="--leaks" ;;
    inverted) flags="--inverted" ;;
    split-threads) flags="--split-threads" ;;
    temporary-allocations) flags="--temporary-allocations" ;;
    temporal) flags="--temporal" ;;
    temporal-leaks) flags="--temporal --leaks" ;;
  esac
  # shellcheck disable=SC2086
  env COLUMNS=200 LINES=60 NO_COLOR=1 TERM=dumb "$MEMRAY" flamegraph -f $flags -o "fg-$variant.html" cxx.native.bin >/dev/null
  python3 - "fg-$variant.html" "cxx.native.flamegraph-$variant.json" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
def value(name):
    m = re.search(r"const %s = (.*?);\n" % name, html)
    return json.loads(m.group(1))
out = {"merge_threads": value("merge_threads"), "inverted": value("inverted"), "memory_records": value("memory_records"), "packed_data": value("packed_data")}
json.dump(out, open(sys.argv[2], "w"))
PY
done
cp libheaptrail_cxx.so cxx.native.bin cxx.native.flamegraph-*.json "$HERE/"
