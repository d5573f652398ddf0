#!/bin/sh
# Regenerate docs/config/<tool>.conf, the commented default configuration
# of every JACK tool, from the tools' own parameter tables
# (aiotone-TOOL --make-config). tests/integration/test_docs.sh checks that
# the committed files match.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
mkdir -p docs/config
for t in fmsynth redblue mothergen circuits clock samplesnake; do
    "$BUILD/bin/aiotone-$t" --make-config >"docs/config/$t.conf"
done
echo "wrote docs/config/*.conf"
