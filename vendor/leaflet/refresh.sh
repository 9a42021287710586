#!/usr/bin/env bash
# Refresh the Leaflet files we serve: install the version pinned in package.json (and
# package-lock.json) from the npm registry, then copy its built dist files and licence into
# src/opvangloket/static/vendor/leaflet. Commit both the lock file and the copied files.
# To move to a newer Leaflet: change the version in package.json, run `npm install` here
# once (it rewrites package-lock.json), then run this script.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
target=../../src/opvangloket/static/vendor/leaflet
rm -rf "$target"
mkdir -p "$target/images"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$target/"
# The source map is not shipped: drop its reference, which the hashed static storage
# (ManifestStaticFilesStorage) would otherwise refuse as a missing file.
sed -i '/^\/\/# sourceMappingURL=/d' "$target/leaflet.js"
cp node_modules/leaflet/dist/images/*.png "$target/images/"
cp node_modules/leaflet/LICENSE "$target/LICENSE"
node -e 'console.log(require("./node_modules/leaflet/package.json").version)' > "$target/VERSION"
rm -rf node_modules
echo "Leaflet $(cat "$target/VERSION") copied to $target"
