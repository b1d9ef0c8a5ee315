"""What the book's search box searches (assets/search-index.js, read by search.js): the text of
each page cut at its headings, one entry per section, without the formulas' TeX."""
from html.parser import HTMLParser


class SectionText(HTMLParser):
    """The text of a page cut at its headings (h1 to h3), without the mathematics' TeX."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections = [{"id": "", "heading": "", "text": []}]
        self.heading = None
        self.skip = 0  # depth inside a span.math

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.skip:
            self.skip += tag == "span"
            return
        if tag == "span" and "math" in (attrs.get("class") or "").split():
            self.handle_data("…")  # a formula, in a snippet
            self.skip = 1
        elif tag in ("h1", "h2", "h3") and attrs.get("id"):
            self.heading = []
            self.sections.append({"id": attrs["id"], "heading": "", "text": []})

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= tag == "span"
            return
        if tag in ("h1", "h2", "h3") and self.heading is not None:
            self.sections[-1]["heading"] = " ".join("".join(self.heading).split())
            self.heading = None

    def handle_data(self, data):
        if self.skip:
            return
        (self.heading if self.heading is not None else self.sections[-1]["text"]).append(data)


def search_entries(page_number, body):
    parser = SectionText()
    parser.feed(body)
    entries = []
    for s in parser.sections:
        text = " ".join("".join(s["text"]).split())
        if text or s["heading"]:
            entries.append({"p": page_number, "id": s["id"], "h": s["heading"], "t": text})
    return entries
