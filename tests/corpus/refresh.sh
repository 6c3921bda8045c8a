#!/bin/sh
# Re-copy the annotated corpora from the shared folder (byte copies; run from anywhere).
# Usage: tests/corpus/refresh.sh [SHARED_CORPUS_DIR]   (default: <repo>/../shared/corpus)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-$here/../../../shared/corpus}
if [ ! -d "$src/seeds" ] || [ ! -d "$src/dev" ]; then
    echo "no corpus at $src (expected seeds/ and dev/)" >&2
    exit 1
fi
for part in seeds dev; do
    rm -rf "$here/$part"
    mkdir -p "$here/$part"
    cp -p "$src/$part"/* "$here/$part"/
    chmod u+w "$here/$part"/*
done
cp -p "$src/GOLD_FORMAT.md" "$here/GOLD_FORMAT.md"
chmod u+w "$here/GOLD_FORMAT.md"
echo "copied seeds ($(ls "$here/seeds" | wc -l) files) and dev ($(ls "$here/dev" | wc -l) files) from $src"
