#!/bin/sh
# The image's build, as a script: the Dockerfile runs it, and test/container/build-steps.test.ts
# runs it on a fresh directory, so what the image does is tested on machines without Docker.
#
#   container/build-steps.sh SOURCE OUTPUT
#
# SOURCE holds package.json, package-lock.json, tsconfig.json, bin/ and src/. OUTPUT receives the
# runnable server: package.json, bin/, dist/ and the production node_modules, nothing else.
set -eu
source_dir=$1
output_dir=$2
work_dir=$(mktemp -d)
trap 'rm -rf "$work_dir"' EXIT

cp "$source_dir/package.json" "$source_dir/package-lock.json" "$source_dir/tsconfig.json" "$work_dir/"
cp -R "$source_dir/bin" "$source_dir/src" "$work_dir/"
cd "$work_dir"
# The lock is the install; the compiler is a devDependency, so install all, build, then drop them.
# --ignore-scripts keeps `prepare` from building before the sources are in place; the SQLite
# addon's own install is run explicitly (it builds from source where no prebuilt binary downloads).
npm ci --no-audit --no-fund --ignore-scripts
npm rebuild better-sqlite3
npx tsc -p tsconfig.json
npm prune --omit=dev --no-audit --no-fund --ignore-scripts
# The addon's build leaves objects and SQLite's sources beside the binary: the image needs the binary.
addon=node_modules/better-sqlite3
rm -rf "$addon/deps" "$addon/src" "$addon/build/Release/obj" "$addon/build/Release/obj.target" \
  "$addon/build/Release/.deps" "$addon/build/Release/sqlite3.a" "$addon/build/Release/test_extension.node"
# npm prune leaves the emptied scope folders (@types, @biomejs) behind.
find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete

mkdir -p "$output_dir"
cp -R package.json bin dist node_modules "$output_dir/"
