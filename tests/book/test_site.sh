#!/usr/bin/env bash
# The book's website: build it (scripts/book html) into BUILD/book and open every page in
# headless Chromium (scripts/book test-site; screenshots and load times in BUILD/book-test).
# Then the checker itself: one page of a copy, with one fault of each kind planted, must fail
# with each fault named.
#   tests/book/test_site.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1"
site="$2/book"
"$src/scripts/book" html --out "$site"
"$src/scripts/book" test-site --out "$site"

planted="$2/book-planted"
rm -rf "$planted" "$planted-test"
cp -r "$site" "$planted"
page="$planted/11-variational/index.html"
python3 - "$page" <<'PY'
import sys
page = sys.argv[1]
faults = """
<p>planted: <img src="recorded/no_such_picture.png" alt="none"></p>
<p><a href="#no-such-section">planted link to no anchor</a> <a href="../no-such-chapter/index.html">planted link to no page</a></p>
<p>planted: costs $5</p>
<p><span class="katex-error" title="ParseError: planted">\\frac{</span></p>
<p><span class="math inline">x^2</span></p>
<div style="width: 600px">planted: a box wider than a phone</div>
<script>console.error("planted console error"); fetch("http://example.invalid/x.png").catch(() => {});</script>
"""
text = open(page).read().replace("</main>", faults + "</main>")
# the Chinese summary in a Latin font, unmarked: Chromium falls back to Japanese glyph forms
text = text.replace('<blockquote lang="zh-Hans">', "<blockquote>").replace(
    "</head>", '<style>blockquote p { font-family: "DejaVu Sans" !important; }</style></head>')
open(page, "w").write(text)
PY
out=$(node "$src/tutorials/site/browser_test.js" "$planted" "$planted-test" '^11-variational/index\.html$' 2>&1) && {
  echo "$out"; echo "FAIL: the browser test passed a page with planted faults"; exit 1; }
missing=0
for expected in \
  "image does not load: recorded/no_such_picture.png" \
  "11-variational/index.html#no-such-section: that page has no such anchor" \
  "link to /no-such-chapter/index.html, which is not in the site" \
  'a raw $ in the text: "planted: costs $5"' \
  "KaTeX error: ParseError: planted" \
  "mathematics not typeset: x^2" \
  "console error: planted console error" \
  "a page asked for http://example.invalid/x.png" \
  "scrolls sideways" \
  "not in Noto Sans CJK SC"; do
  if ! grep -qF -- "$expected" <<<"$out"; then
    echo "FAIL: the browser test did not report: $expected"
    missing=1
  fi
done
[ $missing -eq 0 ] || { echo "$out"; exit 1; }
echo "the browser test reports each of the 10 planted faults"
