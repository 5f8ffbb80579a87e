#!/bin/sh
# The docs check on small trees: a clean one passes, and each kind of
# unresolved reference (a link to a missing file, a missing heading, a
# cited page that does not exist, an unknown source key, a design note
# outside the repository) fails naming file and line.
set -eu
check=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/docs"
printf '# References\n\n- [S1] a source\n' > "$t/docs/references.md"
printf '# Model\n\n## Time constants\n\nSee [refs](references.md) [S1].\n' > "$t/docs/model.md"
printf '# T\n\n[m](docs/model.md#time-constants), docs/model.md\n' > "$t/README.md"
"$check" --root "$t" || { echo "clean tree failed"; exit 1; }
fails() {
  if out=$("$check" --root "$t" 2>&1); then
    echo "expected a failure for: $1"; exit 1
  fi
  echo "$out" | grep -q "$2" || { echo "no '$2' in: $out"; exit 1; }
}
cp "$t/README.md" "$t/ok"
printf '[x](docs/nothing.md)\n' >> "$t/README.md"; fails "missing file" "README.md:4: link docs/nothing.md"
cp "$t/ok" "$t/README.md"; printf '[x](docs/model.md#units)\n' >> "$t/README.md"; fails "missing heading" "no heading #units"
cp "$t/ok" "$t/README.md"; printf 'see docs/gone.md\n' >> "$t/README.md"; fails "cited page" "cites docs/gone.md"
cp "$t/ok" "$t/README.md"; printf 'as [S2] says\n' >> "$t/README.md"; fails "source key" "\[S2\] is not in"
cp "$t/ok" "$t/README.md"; printf '/* see SCIENCE%s */\n' .md > "$t/a.c"; fails "design note" "a.c:1: cites SCIENCE"
echo ok
