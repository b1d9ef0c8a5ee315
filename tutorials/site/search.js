// The book's search box. The index (assets/search-index.js, window.XTGRAD_SEARCH) is built
// with the site: the text of every section of every page, cut at its headings. A query
// matches a section that contains every word of it, case ignored; Chinese needs no word
// breaks, as a query is matched as a substring (重参数化 finds 重参数化技巧).
"use strict";
(function () {
  const input = document.getElementById("search");
  const panel = document.getElementById("search-results");
  const root = document.body.dataset.root || "";
  const index = window.XTGRAD_SEARCH;
  if (!input || !panel || !index) return;
  const lowered = index.sections.map((s) => (s.h + " " + s.t).toLowerCase());

  function escape(s) {
    return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  }

  function snippet(text, word) {
    const at = text.toLowerCase().indexOf(word);
    if (at < 0) return escape(text.slice(0, 120));
    const from = Math.max(0, at - 50);
    const to = Math.min(text.length, at + word.length + 70);
    return (from > 0 ? "…" : "") + escape(text.slice(from, at)) + "<mark>" +
      escape(text.slice(at, at + word.length)) + "</mark>" + escape(text.slice(at + word.length, to)) +
      (to < text.length ? "…" : "");
  }

  function search(query) {
    const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
    if (words.length === 0) return [];
    const pages = new Map();  // page number -> {score, sections}
    index.sections.forEach((s, i) => {
      const text = lowered[i];
      if (!words.every((w) => text.includes(w))) return;
      let score = 0;
      for (const w of words) score += text.split(w).length - 1 + (s.h.toLowerCase().includes(w) ? 5 : 0);
      const page = pages.get(s.p) || { score: 0, sections: [] };
      page.score += score;
      page.sections.push({ s, score });
      pages.set(s.p, page);
    });
    return [...pages.entries()].sort((a, b) => b[1].score - a[1].score).map(([p, found]) => ({
      page: index.pages[p],
      sections: found.sections.sort((a, b) => b.score - a.score).slice(0, 3).map((f) => f.s),
    }));
  }

  function show() {
    const query = input.value.trim();
    if (query === "") { panel.hidden = true; return; }
    const results = search(query);
    const first = query.toLowerCase().split(/\s+/)[0];
    panel.innerHTML = results.length === 0
      ? "<p>Nothing found for <b>" + escape(query) + "</b>.</p>"
      : "<ol>" + results.map((r) => "<li><a class=\"page\" href=\"" + root + r.page.url + "\">" +
          escape(r.page.title) + "</a>" + r.sections.map((s) =>
            "<a class=\"where\" href=\"" + root + r.page.url + (s.id ? "#" + s.id : "") + "\">" +
            escape(s.h || r.page.title) + "<span class=\"snippet\">" + snippet(s.t, first) +
            "</span></a>").join("") + "</li>").join("") + "</ol>";
    panel.hidden = false;
    panel.dataset.query = query;  // what the results shown are for
  }

  let timer = null;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(show, 120); });
  input.addEventListener("keydown", (e) => { if (e.key === "Escape") { input.value = ""; panel.hidden = true; } });
  document.addEventListener("click", (e) => {
    if (!panel.contains(e.target) && e.target !== input) panel.hidden = true;
  });
})();
