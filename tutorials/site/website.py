"""The book as a website: `scripts/book html` renders tutorials/ into a static site, offline.

  index.html                  tutorials/README.md (the table of contents)
  NN-name/index.html          each chapter's README.md, its figures beside it (NN-name/recorded/)
  exercises/index.html        tutorials/exercises/README.md
  exercises/<name>.html       one page per exercise: its row of the exercises' table, the stub
                              in mine/<name>.cpp and, folded, the solution in solutions/<name>.cpp
  assets/                     book.css, search.js, search-index.js, KaTeX's CSS and fonts

Every page is rendered from the Markdown (pandoc, Debian's package), so it carries the chapters'
own numbers. Code is highlighted by pandoc, mathematics typeset by KaTeX (Debian's libjs-katex,
run by node at build time: a page loads no script to typeset its formulas), and the
search index is built with the pages. Nothing is fetched from the internet, when the site is
built or when it is read. tutorials/site/browser_test.js checks the result in Chromium.
"""
import html
import json
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from search_index import search_entries

ROOT = Path(__file__).resolve().parent.parent.parent
TUTORIALS = ROOT / "tutorials"
HERE = Path(__file__).resolve().parent
KATEX = Path("/usr/share/javascript/katex")  # Debian's libjs-katex

# GitHub's Markdown (what the chapters are written for) with $...$ mathematics, and no space
# where a Chinese line is broken in the source.
PANDOC_FROM = "gfm+tex_math_dollars+east_asian_line_breaks"
EXERCISE_ROW = re.compile(r"^\| `(?P<name>\w+)` \| (?P<chapter>\d\d) \| (?P<what>.*) \| (?P<formula>.*) \|$")


class SiteError(Exception):
    pass


class Page:
    """One page of the site: where its Markdown comes from and where its HTML goes."""

    def __init__(self, path, title, markdown, source, chapter=None):
        self.path = path          # site-relative, e.g. "05-autoencoder-idea/index.html"
        self.title = title
        self.markdown = markdown
        self.source = source      # the repository file it is rendered from
        self.folder = source.parent if source.name == "README.md" else TUTORIALS / "exercises"
        self.chapter = chapter    # "05" for a chapter page and an exercise of chapter 5
        self.root = "../" * path.count("/")


# ---------------------------------------------------------------------------- the pages
def chapter_folders():
    return sorted(p for p in TUTORIALS.iterdir()
                  if p.is_dir() and re.fullmatch(r"\d\d-[a-z0-9-]+", p.name)
                  and (p / "README.md").is_file())


def first_heading(text, fallback):
    m = re.match(r"# (.*)", text)
    return m[1].strip() if m else fallback


def exercise_rows():
    """The rows of the exercises' table: name, chapter, what to implement, formula."""
    readme = TUTORIALS / "exercises" / "README.md"
    return [m.groupdict() for m in map(EXERCISE_ROW.match, readme.read_text().splitlines()) if m]


def exercise_markdown(row):
    folder = TUTORIALS / "exercises"
    name = row["name"]
    chapter = next((f for f in chapter_folders() if f.name[:2] == row["chapter"]), None)
    chapter_link = (f"[chapter {int(row['chapter'])}](../{chapter.name}/README.md)"
                    if chapter else f"chapter {int(row['chapter'])}")
    stub = (folder / "mine" / f"{name}.cpp").read_text()
    solution = (folder / "solutions" / f"{name}.cpp").read_text()
    return (f"# Exercise: `{name}`\n\n"
            f"For {chapter_link}. What to implement: {row['what']}.\n\n"
            f"Formula: {row['formula']}\n\n"
            f"Write the part marked `TODO(exercise {name})` in `tutorials/exercises/mine/{name}.cpp`, "
            f"then check it:\n\n```sh\nscripts/exercises --exercise {name}\n```\n\n"
            f"## The file to complete: `mine/{name}.cpp`\n\n```cpp\n{stub}```\n\n"
            f"## The reference solution: `solutions/{name}.cpp`\n\n"
            f"<details>\n<summary>Try first! Then open the solution.</summary>\n\n"
            f"```cpp\n{solution}```\n\n</details>\n\n"
            f"How the checker works and how to read its messages: [the exercises](README.md).\n")


def book_pages():
    """Every page, in reading order: contents, chapters, exercises."""
    toc = (TUTORIALS / "README.md").read_text()
    pages = [Page("index.html", first_heading(toc, "The book"), toc, TUTORIALS / "README.md")]
    for folder in chapter_folders():
        text = (folder / "README.md").read_text()
        pages.append(Page(f"{folder.name}/index.html", first_heading(text, folder.name), text,
                          folder / "README.md", chapter=folder.name[:2]))
    exercises = TUTORIALS / "exercises" / "README.md"
    if exercises.is_file():
        text = exercises.read_text()
        pages.append(Page("exercises/index.html", first_heading(text, "Exercises"), text, exercises))
        for row in exercise_rows():
            pages.append(Page(f"exercises/{row['name']}.html", f"Exercise: {row['name']}",
                              exercise_markdown(row), exercises.parent / "mine" / f"{row['name']}.cpp",
                              chapter=row["chapter"]))
    return pages


# ---------------------------------------------------------------------------- Markdown to HTML
def pandoc(markdown, where):
    run = subprocess.run(["pandoc", "--from", PANDOC_FROM, "--to", "html5", "--katex",
                          "--wrap=none"],
                         input=markdown, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        raise SiteError(f"pandoc failed on {where}: {run.stderr.strip()}")
    return run.stdout


def site_path_of(repo_file, pages_by_source):
    """Where a repository file is in the site, or None if the site does not hold it."""
    page = pages_by_source.get(repo_file)
    if page:
        return page.path
    if repo_file.is_relative_to(TUTORIALS) and repo_file.suffix.lower() in (".png", ".svg", ".jpg"):
        return repo_file.relative_to(TUTORIALS).as_posix()
    return None


def relative_url(from_page, to_path):
    return from_page.root + to_path


def rewrite_links(body, page, pages_by_source, images):
    """Links to Markdown files become links to their pages, images are copied beside their
    page, and a link to a repository file that is not in the site keeps its text only. A link
    to no file at all is left as it is: the browser test reports it."""
    def link(m):
        href = html.unescape(m["href"])
        if re.match(r"[a-z]+:|#", href):
            return m[0]
        path, _, anchor = href.partition("#")
        target = (page.folder / path).resolve()
        where = site_path_of(target, pages_by_source)
        if where is None and not (target.is_relative_to(ROOT) and target.exists()):
            return m[0]
        if where is None:
            return f'<a class="outside" title="{html.escape(str(target.relative_to(ROOT)))} in the repository"'
        return f'<a href="{html.escape(relative_url(page, where) + ("#" + anchor if anchor else ""))}"'
    body = re.sub(r'<a href="(?P<href>[^"]*)"', link, body)

    def image(m):
        src = html.unescape(m["src"])
        if re.match(r"[a-z]+:", src):
            raise SiteError(f"{page.source.relative_to(ROOT)}: image {src} is not a file of the book")
        target = (page.folder / src).resolve()
        where = site_path_of(target, pages_by_source)
        if where is None or not target.is_file():
            raise SiteError(f"{page.source.relative_to(ROOT)}: no image file {src}")
        images[where] = target
        size = shown_size(target)
        dimensions = f' width="{size[0]}" height="{size[1]}"' if size else ""
        return f'<img src="{html.escape(relative_url(page, where))}"{dimensions}'
    return re.sub(r'<img src="(?P<src>[^"]*)"', image, body)


def shown_size(png):
    """The size to show a PNG at: its own, or twice that for a small one (a grid of 28 x 28
    filters 291 px wide), so that a reader can see its pixels. None for another format."""
    head = png.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    scale = 2 if width < 400 else 1
    return width * scale, height * scale


def figures(body):
    """A paragraph of images alone is a figure (or a row of them), its alt text the caption."""
    def figure(img):
        alt = re.search(r'alt="([^"]*)"', img)
        caption = f"<figcaption>{alt[1]}</figcaption>" if alt and alt[1] else ""
        return f"<figure>{img}{caption}</figure>"

    def paragraph(m):
        images = re.findall(r"<img [^>]*>", m[1])
        return f'<div class="figures">{"".join(figure(i) for i in images)}</div>'
    return re.sub(r"<p>((?:\s*<img [^>]*>)+\s*)</p>", paragraph, body)


def link_exercises(body, names):
    """On the exercises' page, each exercise's name in the table leads to its own page."""
    def cell(m):
        return f'<td><a href="{m[1]}.html"><code>{m[1]}</code></a></td>' if m[1] in names else m[0]
    return re.sub(r'(?<=">\n)<td><code>(\w+)</code></td>', cell, body)  # a row's first cell


def mark_chinese(body):
    """A chapter's summary in Chinese says so (lang), for fonts, hyphenation and screen readers."""
    return body.replace("<blockquote>\n<p>中文摘要", '<blockquote lang="zh-Hans">\n<p>中文摘要')


def wrap_tables(body):
    """A wide table scrolls inside its own box instead of widening the page on a phone."""
    return re.sub(r"(<table.*?</table>)", r'<div class="table-scroll">\1</div>', body, flags=re.S)


def heading_anchors(body):
    """Each section heading ends with a # that links to it, to copy a link to the section."""
    return re.sub(r'<(h[23]) id="([^"]+)">(.*?)</\1>',
                  r'<\1 id="\2">\3 <a class="anchor" href="#\2" aria-label="link to this section">#</a></\1>',
                  body)


def page_contents(body):
    """The page's own sections (its h2 headings) as a list of links."""
    items = [f'<li><a href="#{m[1]}">{m[2]}</a></li>'
             for m in re.finditer(r'<h2 id="([^"]+)">(.*?)(?: <a class="anchor".*?)?</h2>', body)]
    if not items:
        return ""
    return ('<nav class="page-contents" aria-label="Sections"><details><summary>Sections</summary>'
            f'<ul>{"".join(items)}</ul></details></nav>')


def page_html(page, body, pages, index):
    def link(other, rel, arrow):
        if other is None:
            return "<span></span>"
        label = f"{arrow} {html.escape(other.title)}" if rel == "prev" else f"{html.escape(other.title)} {arrow}"
        return f'<a rel="{rel}" href="{relative_url(page, other.path)}">{label}</a>'
    before = pages[index - 1] if index > 0 else None
    after = pages[index + 1] if index + 1 < len(pages) else None
    here = ' class="here"'
    chapters = "".join(
        f'<li{here if p is page or p.path == "exercises/index.html" and page.path.startswith("exercises/") else ""}>'
        f'<a href="{relative_url(page, p.path)}">'
        f"{html.escape(p.title)}</a></li>"
        for p in pages if not p.path.startswith("exercises/") or p.path == "exercises/index.html")
    exercises = [p for p in pages if p.path.startswith("exercises/") and p.chapter == page.chapter
                 and page.chapter and p is not page and page.path.endswith("index.html")]
    exercise_list = ""
    if exercises:
        items = "".join(f'<li><a href="{relative_url(page, p.path)}"><code>{html.escape(p.title[10:])}</code></a></li>'
                        for p in exercises)
        exercise_list = (f'<aside class="chapter-exercises"><h2 id="gradient-checking-exercises">'
                         f'Gradient-checking exercises for this chapter</h2><ul>{items}</ul></aside>')
    source = page.source.relative_to(ROOT).as_posix()
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(page.title)} · xtgrad</title>
<link rel="stylesheet" href="{page.root}assets/katex/katex.min.css">
<link rel="stylesheet" href="{page.root}assets/book.css">
<script src="{page.root}assets/search-index.js" defer></script>
<script src="{page.root}assets/search.js" defer></script>
</head>
<body data-root="{page.root}">
<header class="top">
<a class="home" href="{page.root}index.html">xtgrad<span class="wide">: the book</span></a>
<input id="search" type="search" placeholder="Search · 搜索" aria-label="Search the book" autocomplete="off">
</header>
<div id="search-results" hidden></div>
<nav class="book-contents" aria-label="Chapters"><ul>{chapters}</ul></nav>
<main>
{page_contents(body)}
{body}
{exercise_list}
</main>
<nav class="prev-next" aria-label="Previous and next page">{link(before, "prev", "←")}{link(after, "next", "→")}</nav>
<footer>Rendered from <code>{html.escape(source)}</code> by <code>scripts/book html</code>.</footer>
</body>
</html>
"""


# ---------------------------------------------------------------------------- the build
def need(tool, package):
    if shutil.which(tool) is None:
        raise SiteError(f"'{tool}' is not installed (Debian package {package}; scripts/setup installs it)")


def build(out):
    """Renders the book into `out` (emptied first) and returns the number of pages."""
    need("pandoc", "pandoc")
    need("node", "nodejs")
    if not (KATEX / "katex.js").is_file():
        raise SiteError(f"no {KATEX}/katex.js (Debian package libjs-katex; scripts/setup installs it)")
    start = time.monotonic()
    pages = book_pages()
    pages_by_source = {p.source: p for p in pages if p.source.name == "README.md"}
    for p in pages:  # an exercise's page stands for its stub and its solution
        if p.path.startswith("exercises/") and p.source.suffix == ".cpp":
            pages_by_source[p.source] = p
            pages_by_source[p.source.parent.parent / "solutions" / p.source.name] = p
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)
    images, entries, written = {}, [], []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:  # pandoc is most of the time
        bodies = list(pool.map(lambda p: pandoc(p.markdown, p.source.relative_to(ROOT)), pages))
    for number, (page, body) in enumerate(zip(pages, bodies)):
        body = mark_chinese(figures(wrap_tables(rewrite_links(body, page, pages_by_source, images))))
        if page.path == "exercises/index.html":
            body = link_exercises(body, {row["name"] for row in exercise_rows()})
        entries += search_entries(number, body)
        body = heading_anchors(body)
        target = out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page_html(page, body, pages, number))
        written.append(target)
    for where, source in images.items():
        (out / where).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out / where)

    # Mathematics: KaTeX turns every span.math into HTML, once, here.
    run = subprocess.run(["node", str(HERE / "render_math.js"), str(KATEX / "katex.js"),
                          *map(str, written)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        raise SiteError(f"render_math.js failed: {run.stderr.strip()}")
    formulas = run.stdout.strip()
    for line in run.stderr.splitlines():
        print(f"book: {line}")

    shutil.copytree(KATEX / "fonts", out / "assets" / "katex" / "fonts")
    shutil.copyfile(KATEX / "katex.min.css", out / "assets" / "katex" / "katex.min.css")
    shutil.copyfile(HERE / "book.css", out / "assets" / "book.css")
    shutil.copyfile(HERE / "search.js", out / "assets" / "search.js")
    index = {"pages": [{"url": p.path, "title": p.title} for p in pages], "sections": entries}
    (out / "assets" / "search-index.js").write_text(
        "window.XTGRAD_SEARCH = " + json.dumps(index, ensure_ascii=False) + ";\n")
    (out / "pages.json").write_text(json.dumps(
        [{"path": p.path, "title": p.title, "chapter": p.chapter,
          "source": p.source.relative_to(ROOT).as_posix()} for p in pages], indent=1) + "\n")
    print(f"book: {len(pages)} pages, {len(images)} figures, {formulas} formulas, "
          f"{len(entries)} searchable sections in {out} ({time.monotonic() - start:.1f} s)")
    return len(pages)
