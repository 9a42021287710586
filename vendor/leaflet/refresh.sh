#!/usr/bin/env bash
# Refresh the map files we serve: install the versions pinned in package.json (and
# package-lock.json) from the npm registry, then copy their built dist files and licences into
# src/opvangloket/static/vendor/leaflet and src/opvangloket/static/vendor/leaflet.markercluster.
# Commit both the lock file and the copied files.
# To move to a newer version: change it in package.json, run `npm install` here once (it
# rewrites package-lock.json), then run this script.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
static=../../src/opvangloket/static/vendor

target=$static/leaflet
rm -rf "$target"
mkdir -p "$target/images"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$target/"
# The source map is not shipped: drop its reference, which the hashed static storage
# (ManifestStaticFilesStorage) would otherwise refuse as a missing file.
sed -i '/^\/\/# sourceMappingURL=/d' "$target/leaflet.js"
cp node_modules/leaflet/dist/images/*.png "$target/images/"
cp node_modules/leaflet/LICENSE "$target/LICENSE"
node -e 'console.log(require("./node_modules/leaflet/package.json").version)' > "$target/VERSION"
echo "Leaflet $(cat "$target/VERSION") copied to $target"

# Leaflet.markercluster: groups nearby markers on the search map (hundreds of locations on
# the base domain). Its dist JS plus both stylesheets (the layout and the default colours).
target=$static/leaflet.markercluster
rm -rf "$target"
mkdir -p "$target"
dist=node_modules/leaflet.markercluster/dist
cp "$dist/leaflet.markercluster.js" "$dist/MarkerCluster.css" "$dist/MarkerCluster.Default.css" "$target/"
sed -i '/^\/\/# sourceMappingURL=/d' "$target/leaflet.markercluster.js"
cp node_modules/leaflet.markercluster/MIT-LICENCE.txt "$target/LICENSE"
chmod 644 "$target"/*
node -e 'console.log(require("./node_modules/leaflet.markercluster/package.json").version)' > "$target/VERSION"
echo "Leaflet.markercluster $(cat "$target/VERSION") copied to $target"

rm -rf node_modules
