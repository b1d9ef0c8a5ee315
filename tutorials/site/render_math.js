// Typesets the mathematics of the book's pages at build time (scripts/book html).
//   node render_math.js /usr/share/javascript/katex/katex.js page.html ...
// pandoc (--katex) writes $x$ as <span class="math inline">x</span> and $$x$$ as
// <span class="math display">x</span>, the TeX HTML-escaped; each becomes KaTeX's HTML, in place, so a page needs
// no script to show its formulas. A formula KaTeX cannot parse is kept as KaTeX's red error
// node (the browser test fails on it) and named on stderr. Prints the number of formulas.
"use strict";
const fs = require("fs");
const katex = require(process.argv[2]);

const MATH = /<span class="math (inline|display)">([\s\S]*?)<\/span>/g;

function unescapeHtml(s) {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
          .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
          .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(Number(d)))
          .replace(/&amp;/g, "&");
}

let formulas = 0;
for (const file of process.argv.slice(3)) {
  const page = fs.readFileSync(file, "utf8");
  const typeset = page.replace(MATH, (whole, kind, tex) => {
    formulas += 1;
    const out = katex.renderToString(unescapeHtml(tex), {
      displayMode: kind === "display", throwOnError: false, output: "htmlAndMathml" });
    if (out.includes("katex-error")) {
      const reason = /title="([^"]*)"/.exec(out);
      console.error(`${file}: KaTeX cannot typeset ${unescapeHtml(tex)}: ${reason ? unescapeHtml(reason[1]) : "?"}`);
    }
    return `<span class="math ${kind}">${out}</span>`;
  });
  fs.writeFileSync(file, typeset);
}
console.log(formulas);
