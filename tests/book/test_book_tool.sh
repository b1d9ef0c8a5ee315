#!/usr/bin/env bash
# scripts/book on a one-chapter book in a temporary folder: check must find every kind of
# drift (stale excerpt and output, a number that differs from its run, a missing result, a
# missing section), sync must repair the blocks, and check must pass once the text is right.
set -euo pipefail
book_script="$1"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/scripts" "$root/tutorials/05-demo/recorded"
cp "$book_script" "$root/scripts/book"
chapter="$root/tutorials/05-demo"
cat > "$chapter/CMakeLists.txt" <<'EOF'
# (registers nothing: the tool only checks that the file exists)
EOF
cat > "$chapter/prog.cpp" <<'EOF'
int main() {
  // [book:core]
  int x = 1;  // the excerpted line
  // [/book:core]
}
EOF
printf 'trained\nresult ae_sse 11.2814\nresult ratio 3.04e-16\n' > "$chapter/recorded/prog.txt"
cat > "$chapter/README.md" <<'EOF'
# Chapter 5: Demo
> 中文摘要：示例。 Follows 000_12a825433204b506.txt
## What you will learn
## The math
## The code
<!-- excerpt: tutorials/05-demo/prog.cpp#core -->
```cpp
int x = 0;  // stale
```
<!-- /excerpt -->
## What it prints
<!-- output: recorded/prog.txt#L1-L1 -->
```
stale
```
<!-- /output -->
Error 11.28<!-- r:prog/ae_sse -->, 11.3<!-- r:prog/ae_sse -->, ratio 3.0e-16<!-- r:prog/ratio -->.
Wrong: 11.29<!-- r:prog/ae_sse -->. Unknown: 1<!-- r:prog/nokey -->.
## Exercises
EOF
printf '# Book\n<!-- toc -->\n<!-- /toc -->\n' > "$root/tutorials/README.md"

fail() { echo "FAIL: $*"; exit 1; }
expect() {  # expect OUTPUT PATTERN: the check's output must contain PATTERN
  grep -qF -- "$2" <<<"$1" || fail "check did not report: $2"$'\n'"$1"
}

if out=$(python3 "$root/scripts/book" check); then fail "check passed a stale chapter"; fi
expect "$out" "an excerpt or output block differs from its source"
expect "$out" "the text says 11.29 for prog/ae_sse, the recorded run printed 11.2814"
expect "$out" "1 quotes r:prog/nokey"
expect "$out" "no section '## Errata'"
expect "$out" "the table of contents is stale"
for good in "11.28 for" "11.3 for" "3.0e-16 for"; do
  if grep -qF "$good" <<<"$out"; then fail "a correctly rounded number was reported: $good"; fi
done

python3 "$root/scripts/book" sync >/dev/null 2>&1 || true
grep -qF "int x = 1;  // the excerpted line" "$chapter/README.md" || fail "sync did not refresh the excerpt"
grep -qxF "trained" "$chapter/README.md" || fail "sync did not refresh the output block"
grep -qF "[5. Demo](05-demo/README.md)" "$root/tutorials/README.md" || fail "sync did not write the contents"

sed -i 's/^Wrong: .*$//; s/^## Exercises$/## Errata\n## Exercises/' "$chapter/README.md"
out=$(python3 "$root/scripts/book" check) || fail "check failed a chapter in sync:"$'\n'"$out"
echo "scripts/book: drift caught, blocks repaired, a chapter in sync passes"
