"""The built book in headless Chromium, as a reader meets it, with no kernel and no network.

Every page of ``_toc.yml`` is served from ``_build/html`` on 127.0.0.1 and opened once; the
CDN scripts (MathJax, require.js, the widget manager) come from local npm copies of the exact
versions in ``_config.yml``. Page weights and load times go to ``test-artifacts/`` and the end
of the test run's output; chapter screenshots to ``test-artifacts/screenshots/``.
"""

import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
import yaml
from browser_support import (
    ARTIFACTS,
    CDN_NPM,
    ROOT,
    ErrorLog,
    StaticServer,
    new_context,
    npm_version,
    repository,
    toc_chapters,
    toc_pages,
)

from cnn_lib.house_style import MIN_TEXT_PX, STAMP_KEY

PAGES = toc_pages()
CHAPTERS = toc_chapters()
TWINS = {}  # docname -> number of JavaScript players found on it
PAGE_BUDGET = 5_000_000  # bytes: HTML + its own images and scripts (DESIGN.md)
VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]'  # saved widget views
READY = """() => {
  const views = [...document.querySelectorAll('%s')];
  const rendered = views.every(v => v.previousElementSibling &&
      v.previousElementSibling.classList.contains("widget-subarea") &&
      v.previousElementSibling.querySelector(".jupyter-widgets"));
  const images = [...document.images].every(img => img.complete);
  return rendered && images;
}""" % VIEWS


@dataclass
class Visit:
    """One page opened in its own browser context, with what it loaded and logged."""

    page: object
    errors: ErrorLog
    cdn: object
    responses: list = field(default_factory=list)
    load_ms: float = 0.0
    ready_ms: float = 0.0

    def weight(self, base):
        """Bytes by kind: the HTML, its own images and scripts, CDN libraries, theme assets."""
        sizes = {"html": 0, "images": 0, "scripts": 0, "libraries": 0, "theme": 0}
        for response in self.responses:
            url, kind = response.url, response.request.resource_type
            size = len(response.body()) if response.status == 200 else 0
            if not url.startswith(base):
                sizes["libraries"] += size
            elif urlparse(url).path.startswith("/_static/"):
                sizes["theme"] += size
            elif kind == "document":
                sizes["html"] += size
            elif kind == "image":
                sizes["images"] += size
            elif kind == "script":
                sizes["scripts"] += size
        sizes["own"] = sizes["html"] + sizes["images"] + sizes["scripts"]
        return sizes


@pytest.fixture(scope="module")
def book_url(built_book):
    with StaticServer(built_book) as server:
        yield server.url


@pytest.fixture(scope="module")
def visits(browser, book_url):
    """docname -> Visit, each page opened on first use and kept open for the module."""
    opened = {}

    def visit(doc):
        if doc not in opened:
            opened[doc] = _open(browser, book_url + f"{doc}.html")
        return opened[doc]

    yield visit
    _write_report(opened, book_url)
    for v in opened.values():
        v.page.context.close()


def _open(browser, url):
    context, cdn = new_context(browser)
    page = context.new_page()
    visit = Visit(page=page, errors=ErrorLog(page), cdn=cdn)
    page.on("response", lambda response: visit.responses.append(response))
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    page.wait_for_function("() => !window.MathJax || !!(MathJax.startup || {}).promise")
    page.evaluate("() => window.MathJax ? MathJax.startup.promise.then(() => true) : true")
    page.wait_for_function(READY, timeout=30_000)
    page.wait_for_load_state("networkidle")
    visit.ready_ms = (time.perf_counter() - start) * 1000
    visit.load_ms = page.evaluate(
        "() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    return visit


def _write_report(opened, base):
    if not opened:
        return
    rows = {doc: {**v.weight(base), "load_ms": round(v.load_ms), "ready_ms": round(v.ready_ms)}
            for doc, v in opened.items()}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser-pages.json").write_text(json.dumps(rows, indent=1))
    mb = lambda n: f"{n / 1e6:.2f}"  # noqa: E731
    lines = ["| page | HTML MB | images MB | scripts MB | page total MB | CDN libraries MB "
             "| theme MB | load event ms | ready ms |", "|---" * 9 + "|"]
    for doc, r in rows.items():
        lines.append(f"| {doc} | {mb(r['html'])} | {mb(r['images'])} | {mb(r['scripts'])} | "
                     f"{mb(r['own'])} | {mb(r['libraries'])} | {mb(r['theme'])} | "
                     f"{r['load_ms']} | {r['ready_ms']} |")
    slowest = max(rows, key=lambda d: rows[d]["load_ms"])
    lines.append(f"\nSlowest page load: {slowest}, load event at {rows[slowest]['load_ms']} ms, "
                 f"ready (math typeset, widgets drawn) at {rows[slowest]['ready_ms']} ms. "
                 f"Page total = HTML + its own images and scripts (budget 5 MB); CDN libraries "
                 f"(MathJax, require.js, widget manager, their fonts) and theme assets are "
                 f"shared by every page and listed apart.")
    (ARTIFACTS / "browser-report.md").write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- every page
@pytest.mark.parametrize("doc", PAGES)
def test_page_loads_without_errors_or_network(visits, doc):
    v = visits(doc)
    assert v.page.title(), "the page has no title"
    assert v.errors.messages == []
    assert v.cdn.blocked == [], "requests off this machine that no local copy answers"


@pytest.mark.parametrize("doc", PAGES)
def test_page_weight_under_budget(visits, doc, book_url):
    sizes = visits(doc).weight(book_url)
    assert sizes["html"] > 1000
    assert sizes["own"] < PAGE_BUDGET, sizes


@pytest.mark.parametrize("doc", PAGES)
def test_math_is_typeset(visits, doc):
    v = visits(doc)
    state = v.page.evaluate("""() => {
      const maths = [...document.querySelectorAll('.math')];
      const article = document.querySelector('article').cloneNode(true);
      article.querySelectorAll('pre, code, script, style, mjx-container, .cell_input')
             .forEach(e => e.remove());
      return {maths: maths.length,
              typeset: maths.filter(m => m.querySelector('mjx-container')).length,
              errors: document.querySelectorAll('mjx-merror').length,
              text: article.textContent};
    }""")
    assert state["typeset"] == state["maths"], f"{state['maths'] - state['typeset']} left raw"
    assert state["errors"] == 0, "MathJax could not typeset some formulas"
    raw = re.findall(r"\$[^$\n]{1,80}\$|\\\(|\\\[", state["text"])
    assert raw == [], f"math source left in the text: {raw[:5]}"
    if doc in CHAPTERS:
        assert state["maths"] > 0


@pytest.mark.parametrize("doc", PAGES)
def test_every_image_says_what_it_shows(visits, doc):
    images = visits(doc).page.evaluate("""() => [...document.images].map(img => ({
        src: img.getAttribute('src').slice(0, 60), alt: img.getAttribute('alt') || '',
        width: img.naturalWidth,
        widget: !!img.closest('.jupyter-widgets')}))""")
    for img in images:
        assert img["width"] > 0, f"image did not load: {img['src']}"
        # Figures need alt text (myst-nb's default alt is the file name). Not checked: the
        # images inside a live explorer, which ipywidgets' Image cannot label (no alt trait,
        # and a tooltip breaks its view in @jupyter-widgets/base 6); captions beside them do.
        if not img["widget"]:
            alt = img["alt"].strip()
            assert alt and not re.search(r"\.(png|jpe?g|svg|gif)$", alt), img


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_screenshot(visits, doc):
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    path = shots / f"{doc.replace('/', '_')}.jpg"
    visits(doc).page.screenshot(path=str(path), full_page=True, type="jpeg", quality=60)
    assert path.stat().st_size > 50_000



# What a reader sees at a laptop's and at a phone's width: the page never scrolls sideways
# (wide equations, code and widgets scroll inside their own boxes), no image is shown larger
# than it was drawn (enlarged means blurred), and there is one search control. The same page
# is laid out again at each width, not reloaded.
LAYOUT = """() => {
  const visible = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const root = document.scrollingElement;
  const wide = [...document.querySelectorAll('.bd-article *')].filter(el => {
      const r = el.getBoundingClientRect();
      return visible(el) && r.right > root.clientWidth + 1; }).slice(0, 3)
    .map(el => el.tagName + '.' + el.className);
  const upscaled = [...document.querySelectorAll('.bd-article img')].filter(img =>
      visible(img) && img.naturalWidth > 0 &&
      img.getBoundingClientRect().width > img.naturalWidth * 1.02)
    .map(img => `${img.naturalWidth} px shown at ${Math.round(img.getBoundingClientRect().width)}`
                + ` px: ${(img.alt || img.closest('.cell_output')?.innerText || '').slice(0, 60)}`);
  return {overflow: root.scrollWidth - root.clientWidth, wide, upscaled,
          search: [...document.querySelectorAll('.search-button__button')].filter(visible).length};
}"""


@pytest.mark.parametrize("doc", PAGES)
def test_page_fits_a_laptop_and_a_phone(visits, doc):
    page = visits(doc).page
    try:
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(300)
            seen = page.evaluate(LAYOUT)
            assert seen["overflow"] <= 0, f"{doc} scrolls sideways at {width} px: {seen}"
            assert seen["search"] == 1, f"{doc} shows {seen['search']} search controls at {width}"
            assert seen["upscaled"] == [], f"{doc} enlarges (blurs) images at {width} px"
            if doc in CHAPTERS and width == 390:
                shots = ARTIFACTS / "screenshots"
                shots.mkdir(parents=True, exist_ok=True)
                path = shots / f"{doc.replace('/', '_')}-390.jpg"
                page.screenshot(path=str(path), full_page=True, type="jpeg", quality=60)
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})

# --------------------------------------------------------------------------- interactions
@pytest.mark.parametrize("doc", PAGES)
def test_every_static_twin_steps_and_plays(visits, doc):
    """A twin is matplotlib's JavaScript player (``plot.animation_html``): step, then play."""
    v = visits(doc)
    players = v.page.locator("div.animation")
    TWINS[doc] = players.count()
    for i in range(players.count()):
        player = players.nth(i)
        player.scroll_into_view_if_needed()
        frame = player.locator("img")
        slider = player.locator("input.anim-slider")
        player.get_by_title("First frame").click()
        assert slider.input_value() == "0"
        first = frame.get_attribute("src")
        player.get_by_title("Next frame").click()
        assert slider.input_value() == "1"
        assert frame.get_attribute("src") != first
        player.get_by_title("First frame").click()
        player.get_by_title("Play", exact=True).click()
        v.page.wait_for_function("s => s.value !== '0'", arg=slider.element_handle(),
                                 timeout=10_000)
        player.get_by_title("Pause").click()
        assert frame.get_attribute("src") != first
    assert v.errors.messages == []


def test_the_book_has_static_twins(visits):
    for doc in CHAPTERS:
        TWINS.setdefault(doc, visits(doc).page.locator("div.animation").count())
    assert sum(TWINS.values()) > 0, "no chapter has a twin to click"


@pytest.mark.parametrize("doc", PAGES)
def test_saved_widgets_render_without_a_kernel(visits, doc):
    v = visits(doc)
    state = v.page.evaluate("""() => {
      const views = document.querySelectorAll('%s');
      return {views: views.length,
              rendered: [...views].filter(s => s.previousElementSibling &&
                  s.previousElementSibling.querySelector('.jupyter-widgets')).length,
              sliders: document.querySelectorAll('.widget-slider').length,
              images: [...document.querySelectorAll('.jupyter-widgets img')]
                  .filter(i => i.naturalWidth > 0).length};
    }""" % VIEWS)
    assert state["rendered"] == state["views"]
    if state["views"]:
        assert state["sliders"] > 0 and state["images"] > 0, state
    served = {CDN_NPM.match(url).group(1) for url in v.cdn.served}
    if state["views"]:
        assert {"requirejs", "@jupyter-widgets/html-manager"} <= served



@pytest.mark.parametrize("doc", PAGES)
def test_saved_widgets_say_they_need_python(visits, doc):
    """No control that lies: each saved explorer has a note that links this chapter on Colab
    and Binder, and its controls take neither pointer nor focus (book/_static/widgets-embed.js),
    so a slider dragged in the static page stays where it was saved."""
    v = visits(doc)
    outputs = v.page.locator(".cell_output").filter(has=v.page.locator(VIEWS))
    for i in range(outputs.count()):
        output = outputs.nth(i)
        note = output.locator(".static-explorer-note")
        assert note.count() == 1, f"explorer {i} of {doc} has no note"
        assert "need Python" in note.inner_text()
        links = [note.locator("a").nth(j).get_attribute("href")
                 for j in range(note.locator("a").count())]
        notebook = doc.split("/")[-1] + ".ipynb"
        assert len(links) == 2 and all(link.endswith(notebook) for link in links), links
        area = output.locator(".widget-subarea").first
        assert area.evaluate("a => a.inert") is True
        slider = area.locator(".widget-slider").first
        if slider.count():
            readout = slider.locator(".widget-readout").inner_text()
            slider.scroll_into_view_if_needed()
            box = slider.locator(".noUi-base").bounding_box()
            v.page.mouse.click(box["x"] + 0.9 * box["width"], box["y"] + box["height"] / 2)
            assert slider.locator(".widget-readout").inner_text() == readout
        focusable = area.evaluate("""a => [...a.querySelectorAll(
            'input, button, select, [tabindex]')].filter(e => {
              e.focus(); return document.activeElement === e; }).length""")
        assert focusable == 0
    # training progress bars (tqdm) are plumbing: saved in the notebook, dropped from the page
    bars = v.page.evaluate("""() => {
      const state = document.querySelector(
          'script[type="application/vnd.jupyter.widget-state+json"]');
      const saved = state ? Object.values(JSON.parse(state.textContent).state)
          .filter(m => /ProgressModel$/.test(m.model_name)).length : 0;
      return {saved, shown: document.querySelectorAll(
          '.bd-article .jupyter-widgets[class*="progress"], .bd-article progress').length};
    }""")
    assert bars["shown"] == 0, bars
    if doc.endswith(("05_architectures", "06_detection_upsampling")):
        assert bars["saved"] >= 1  # the chapters that train do save progress bars
    assert v.errors.messages == []

@pytest.mark.parametrize("doc", CHAPTERS)
def test_solution_toggles_open_and_close(visits, doc):
    v = visits(doc)
    solutions = v.page.locator("details.solution")
    assert solutions.count() >= 12
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        body = solution.locator("p").first
        summary = solution.locator("summary")
        assert body.is_hidden()
        summary.click()
        body.wait_for(state="visible", timeout=5000)
        summary.click()
        body.wait_for(state="hidden", timeout=5000)
    assert v.errors.messages == []


@pytest.mark.parametrize("doc", CHAPTERS)
def test_launch_buttons_open_this_notebook_on_binder_and_colab(visits, doc):
    page = visits(doc).page
    slug, branch = repository()
    page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
    binder = page.locator(".dropdown-launch-buttons a", has_text="Binder")
    colab = page.locator(".dropdown-launch-buttons a", has_text="Colab")
    binder.wait_for(state="visible", timeout=5000)
    assert colab.is_visible()
    copy = doc.replace("notebooks/", "jupyter/")  # the plain-Markdown copy (jupyter_copies.py)
    assert binder.get_attribute("href") == (
        f"https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/{copy}.ipynb")
    assert colab.get_attribute("href") == (
        f"https://colab.research.google.com/github/{slug}/blob/{branch}/{copy}.ipynb")
    page.keyboard.press("Escape")


def test_light_dark_switch(browser, book_url):
    context, _ = new_context(browser, color_scheme="light")
    page = context.new_page()
    errors = ErrorLog(page)
    page.goto(book_url + f"{PAGES[0]}.html")
    look = ("() => [document.documentElement.dataset.theme, "
            "getComputedStyle(document.body).backgroundColor]")
    seen = [page.evaluate(look)]
    for _ in range(3):  # the switch cycles auto -> dark -> light (or similar): three clicks
        page.locator(".theme-switch-button").click()
        seen.append(page.evaluate(look))
    themes = {theme for theme, _ in seen}
    assert {"light", "dark"} <= themes, seen
    background = {theme: bg for theme, bg in seen}
    assert background["light"] != background["dark"]
    page.reload()
    assert page.evaluate(look) == seen[-1], "the choice is not kept after a reload"
    assert errors.messages == []
    context.close()


def test_search_finds_stride(browser, book_url):
    context, _ = new_context(browser)
    page = context.new_page()
    errors = ErrorLog(page)
    page.goto(book_url + f"{PAGES[0]}.html")
    page.keyboard.press("Control+K")
    box = page.locator("input[name='q']:visible").first
    box.fill("stride")
    box.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q=stride"))
    results = page.locator("#search-results li a")
    results.first.wait_for(timeout=15_000)
    found = {urlparse(results.nth(i).get_attribute("href")).path.removesuffix(".html")
             for i in range(results.count())}
    found = {p.lstrip("./") for p in found}
    assert "book/glossary" in found, found
    assert set(CHAPTERS) & found, found
    assert errors.messages == []
    context.close()



def test_search_snippets_show_maths_as_text(browser, book_url):
    """A snippet quotes the page's text, where the maths is TeX until MathJax typesets it;
    book/_static/search-math.js turns it into plain text ("H_out W_out F² multiplications")."""
    context, _ = new_context(browser)
    page = context.new_page()
    errors = ErrorLog(page)
    page.goto(book_url + "search.html?q=multiplications")
    # Sphinx says "Search finished" before each result's snippet has been fetched: wait for
    # the padding-and-stride chapter's snippet, the one with the maths
    page.wait_for_function("[...document.querySelectorAll('#search-results p.context')]"
                           ".some(p => p.textContent.includes('multiplications per pair'))",
                           timeout=30_000)
    texts = page.locator("#search-results p.context").all_inner_texts()
    assert any("H_out W_out F² multiplications" in t for t in texts), texts
    for text in texts:
        assert not re.search(r"\\[()\[\]]|\\[a-z]+\{|_\{", text), text
    assert page.evaluate("cnnBookPlainTeX('\\\\(\\\\lfloor (n - k) / s \\\\rfloor + 1"
                         " \\\\times C_{in}\\\\)')") == "⌊ (n - k) / s ⌋ + 1 × C_in"
    assert errors.messages == []
    context.close()


# --------------------------------------------------------------------------- the CDN pins
def test_cdn_urls_match_the_local_copies():
    """What the tests serve is what the published book loads: same packages, same versions,
    and the integrity hashes in _config.yml are those of the npm files."""
    import base64
    import hashlib

    from browser_support import NODE_MODULES

    sphinx = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    urls = [sphinx["mathjax_path"], *sphinx["nb_ipywidgets_js"]]
    cdn = [u for u in urls if u.startswith("https://")]
    assert len(cdn) == 3
    for url in cdn:
        package, version, path = CDN_NPM.match(url).groups()
        assert npm_version(package) == version, url
        attrs = sphinx["nb_ipywidgets_js"].get(url, {})
        if "integrity" in attrs:
            algo, digest = attrs["integrity"].split("-", 1)
            data = (NODE_MODULES / package / path).read_bytes()
            assert base64.b64encode(hashlib.new(algo, data).digest()).decode() == digest, url
    dist = sphinx["nb_ipywidgets_js"]["widgets-embed.js"]["data-widgets-dist"]
    assert [u for u in cdn if u.endswith("/embed-amd.js")] == [dist + "embed-amd.js"]
    lock = json.loads((ROOT / "tests" / "browser" / "package-lock.json").read_text())
    for package in ("mathjax", "requirejs", "@jupyter-widgets/html-manager"):
        assert lock["packages"][f"node_modules/{package}"]["version"] == npm_version(package)


# Every figure of the book's own making carries, inside its PNG, the height in pixels of its
# smallest text (cnn_lib.house_style's stamp). Scaled by the width it is shown at over its
# natural width, that is the smallest text a reader sees; on a 1366 px page it must be at
# least MIN_TEXT_PX CSS pixels.
STAMPS = """async () => {
  const stampOf = buffer => {
    const bytes = new Uint8Array(buffer), view = new DataView(buffer);
    if (bytes[0] !== 0x89 || bytes[1] !== 0x50) return 'not a PNG';
    for (let pos = 8; pos + 8 <= bytes.length;) {
      const length = view.getUint32(pos);
      const kind = String.fromCharCode(...bytes.slice(pos + 4, pos + 8));
      if (kind === 'tEXt') {
        const text = new TextDecoder('latin1').decode(bytes.slice(pos + 8, pos + 8 + length));
        const [key, value] = text.split('\\0');
        if (key === '%s') return value;
      }
      if (kind === 'IDAT') break;
      pos += 12 + length;
    }
    return null;
  };
  const shown = [...document.querySelectorAll('.bd-article img')].filter(img => {
    const r = img.getBoundingClientRect(); return img.naturalWidth > 0 && r.width > 0; });
  return Promise.all(shown.map(async img => ({
    stamp: stampOf(await (await fetch(img.src)).arrayBuffer()),
    natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
    what: (img.alt || img.closest('.cell_output, .cell')?.innerText || img.src).slice(0, 70)})));
}""" % STAMP_KEY


def _on_a_laptop(page, script):
    """``script``'s result on ``page`` laid out 1366 px wide (the module's pages stay 1280)."""
    try:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.evaluate("() => window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        return page.evaluate(script)
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("doc", PAGES)
def test_every_figure_is_readable(visits, doc):
    images = _on_a_laptop(visits(doc).page, STAMPS)
    unstamped = [i["what"] for i in images if i["stamp"] is None]
    assert unstamped == [], f"{doc}: pictures not drawn in the house style (no stamp)"
    small = [f"{float(i['stamp']) * i['shown'] / i['natural']:.1f} px: {i['what']}"
             for i in images if i["stamp"] not in ("none", "not a PNG")
             and float(i["stamp"]) * i["shown"] / i["natural"] < MIN_TEXT_PX - 0.05]
    assert small == [], f"{doc}: text smaller than {MIN_TEXT_PX} px on a 1366 px page"


FIRST_SCREEN = """() => [...document.querySelectorAll('.bd-article img, .bd-article canvas')]
  .filter(el => { const r = el.getBoundingClientRect();
                  return r.width >= 200 && r.height >= 80 && r.top + window.scrollY < 900; })
  .length"""


@pytest.mark.parametrize("doc", ["book/intro", *CHAPTERS])
def test_first_screen_shows_a_figure(visits, doc):
    """The introduction and each chapter open with a figure of what they are about, on the
    first screen of a 1366x900 laptop."""
    shown = _on_a_laptop(visits(doc).page, FIRST_SCREEN)
    assert shown >= 1, f"{doc}: no figure on the first screen"


# Code and printed output are kept to 88 columns (test_repo), and at a laptop's width the page
# shows them whole: no block whose lines fit 88 columns scrolls sideways.
CODE_FITS = """() => [...document.querySelectorAll(
    '.bd-article .cell_input pre, .bd-article .cell_output pre')]
  .map(pre => ({pre, lines: pre.innerText.split('\\n')}))
  .filter(({pre, lines}) => Math.max(...lines.map(line => line.length)) <= 88
                            && pre.scrollWidth > pre.clientWidth + 1)
  .map(({lines}) => lines.find(line => line.length > 80) || lines[0])"""


@pytest.mark.parametrize("doc", CHAPTERS)
def test_code_of_88_columns_fits_a_laptop_page(visits, doc):
    cut = _on_a_laptop(visits(doc).page, CODE_FITS)
    assert cut == [], f"{doc}: {len(cut)} blocks scroll sideways at 1366 px, e.g. {cut[:3]}"
