"""The live explorers of the static book (``book/_static/live-explorers.js``), proved equal to
``cnn_lib`` in headless Chromium, with no kernel and no network.

One page (``tests/live_fixture.py``) mounts every explorer on a cell tagged ``live-NAME``, as
the book's chapters do. Every control of every explorer is moved through several values; after
each move the explorer's ``data-params`` are passed to the ``cnn_lib`` function named by its
``data-function`` and the answer is compared with its ``data-result`` (rtol 1e-4). Speed is
measured apart, in ``benchmarks/live.py``.
"""

import importlib
import json
import subprocess
import sys

import numpy as np
import pytest
from browser_support import ROOT, ErrorLog, StaticServer, new_context
from live_fixture import NAMES, STATIC, write_fixture

RTOL = 1e-4
CONTROLS = "input, select"
# what each chapter page of the built book mounts once its cells carry the live-* tags
CHAPTER_EXPLORERS = {
    "notebooks/02_convolution": {"filter", "sliding-window"},
    "notebooks/03_padding_stride": {"padding"},
    "notebooks/04_pooling": {"pooling"},
    "notebooks/06_detection_upsampling": {"iou", "nms", "conv-transpose"},
}


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    write_fixture(folder)
    with StaticServer(folder) as server:
        context, cdn = new_context(browser)
        page = context.new_page()
        page.errors = ErrorLog(page)
        page.goto(server.url + "index.html", wait_until="load")
        page.wait_for_function("() => document.querySelectorAll('.live-explorer').length === %d"
                               % len(NAMES))
        yield page
        assert cdn.blocked == [], "the explorers asked for something off this machine"
        context.close()


# --------------------------------------------------------------------------- helpers
def state(page, name):
    """The explorer's data attributes and its status text, as a dict."""
    return page.evaluate("""(name) => {
        const root = document.querySelector(`.live-explorer[data-explorer="${name}"]`);
        const position = root.querySelector('input[name=position]');
        return {function: root.dataset.function, params: root.dataset.params,
                result: root.dataset.result, position: position && +position.value,
                status: root.querySelector('.live-status').textContent};
    }""", name)


def call_cnn_lib(path, params):
    """``cnn_lib.<path>(**params)``, lists as float arrays; ('error', message) on ValueError."""
    module, func = path.rsplit(".", 1)
    fn = getattr(importlib.import_module(f"cnn_lib.{module}"), func)
    kwargs = {k: np.asarray(v, dtype=float) if isinstance(v, list) else v
              for k, v in params.items()}
    try:
        return fn(**kwargs)
    except ValueError as err:
        return ("error", str(err))


def assert_matches_cnn_lib(name, st):
    """The page's data-result equals what cnn_lib computes from its data-params."""
    params, result = json.loads(st["params"]), json.loads(st["result"])
    expected = call_cnn_lib(st["function"], params)
    where = f"{name}: {st['function']}({st['params'][:300]})"
    if result is None:
        assert isinstance(expected, tuple) and expected[0] == "error", \
            f"{where}: the page found no result but cnn_lib gives {expected!r}"
        return
    assert not (isinstance(expected, tuple) and expected[0] == "error"), \
        f"{where}: cnn_lib refuses ({expected[1]}) but the page shows {result!r}"
    if name == "sliding-window":  # the output so far: the filled values, in reading order
        got = np.array([[np.nan if v is None else v for v in row] for row in result])
        filled = ~np.isnan(got)
        assert got.shape == expected.shape, where
        assert filled.ravel().tolist() == [k <= st["position"] for k in range(filled.size)], \
            f"{where}: at position {st['position']} the filled outputs are {filled.tolist()}"
        np.testing.assert_allclose(got[filled], expected[filled], rtol=RTOL, err_msg=where)
        return
    if name == "nms":
        assert result == np.asarray(expected).tolist(), where
        return
    np.testing.assert_allclose(np.asarray(result, dtype=float), np.asarray(expected,
                               dtype=float), rtol=RTOL, atol=1e-9, err_msg=where)


def controls(page, name):
    """Every control of the explorer: (css selector, tag, type, candidate values)."""
    return page.evaluate("""(name) => {
        const root = document.querySelector(`.live-explorer[data-explorer="${name}"]`);
        return [...root.querySelectorAll('input, select')].map((el, i) => {
            el.dataset.testIndex = i;
            const sel = `.live-explorer[data-explorer="${name}"] [data-test-index="${i}"]`;
            if (el.tagName === 'SELECT') {
                return [sel, 'select', '', [...el.options].map(o => o.value)];
            }
            if (el.type === 'range') {
                const min = +el.min, max = +el.max, step = +el.step || 1;
                const mid = min + Math.round((max - min) / 2 / step) * step;
                const vals = [max, min, mid, Math.min(max, min + step), max - step];
                return [sel, 'input', 'range', [...new Set(vals.map(v => +v.toFixed(6)))]];
            }
            return [sel, 'input', el.type, el.name === 'divisor' ? [3, -2, 16, 1]
                                                                 : [2, -3, 0, 5]];
        });
    }""", name)


def set_value(page, selector, tag, kind, value):
    if tag == "select":
        page.select_option(selector, str(value))
    elif kind == "range":  # what a drag or an arrow key does: set the value, fire 'input'
        page.eval_on_selector(selector, """(el, v) => {
            el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }""", value)
    else:
        page.fill(selector, str(value))


# --------------------------------------------------------------------------- equality
@pytest.mark.parametrize("name", NAMES)
def test_every_control_of_every_explorer_matches_cnn_lib(page, name):
    st = state(page, name)
    assert st["params"] and st["result"], f"{name} published nothing on load"
    assert_matches_cnn_lib(name, st)
    for selector, tag, kind, values in controls(page, name):
        if page.eval_on_selector(selector, "el => el.disabled"):
            continue
        seen = {json.dumps(st)}
        for value in values:
            set_value(page, selector, tag, kind, value)
            st = state(page, name)
            assert_matches_cnn_lib(name, st)
            seen.add(json.dumps(st))
        assert len(seen) > 1, f"{name}: moving {selector} through {values} changes nothing"
    assert page.errors.messages == []


def test_filter_explorer_typed_kernel_and_divisor(page):
    """Typed weights make a kernel of the reader's own ('(typed)'); a gallery kernel refills."""
    root = '.live-explorer[data-explorer="filter"]'
    page.select_option(f"{root} select[name=kernel]", label="box blur")
    page.fill(f"{root} input[name=w11]", "2")
    page.fill(f"{root} input[name=divisor]", "10")
    assert page.eval_on_selector(f"{root} select[name=kernel]",
                                 "el => el.selectedOptions[0].text") == "(typed)"
    st = state(page, "filter")
    weight = np.array(json.loads(st["params"])["weight"])[0, 0]
    np.testing.assert_allclose(weight, [[0.1, 0.1, 0.1], [0.1, 0.2, 0.1], [0.1, 0.1, 0.1]])
    assert_matches_cnn_lib("filter", st)
    page.fill(f"{root} input[name=divisor]", "0")
    assert "must not be 0" in state(page, "filter")["status"]
    page.select_option(f"{root} select[name=kernel]", label="identity")
    st = state(page, "filter")
    params = json.loads(st["params"])
    np.testing.assert_allclose(json.loads(st["result"]), params["input"])  # identity: X back


def test_padding_explorer_warns_when_the_stride_does_not_fit(page):
    root = '.live-explorer[data-explorer="padding"]'
    for name, value in (("size", 7), ("kernel_size", 3), ("padding", 0), ("stride", 3),
                        ("dilation", 1)):
        set_value(page, f"{root} input[name={name}]", "input", "range", value)
    warning = page.inner_text(f"{root} .live-warning")
    assert "(7 + 2·0 − 3) / 3 + 1 = 2.33 is not a whole number" in warning
    set_value(page, f"{root} input[name=stride]", "input", "range", 2)
    assert not page.is_visible(f"{root} .live-warning")
    assert json.loads(state(page, "padding")["result"]) == 3


def test_iou_boxes_can_be_dragged(page):
    root = '.live-explorer[data-explorer="iou"]'
    for name, value in (("Bx", 9), ("By", 7), ("Bw", 6), ("Bh", 6)):
        set_value(page, f"{root} input[name={name}]", "input", "range", value)
    canvas = page.query_selector(f"{root} canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    before = json.loads(state(page, "iou")["params"])["boxes2"][0]
    cell = box["width"] / 302 * 15  # 20 cells of 15 px, 1 px margin
    start = (box["x"] + (before[0] + 1) * cell, box["y"] + (before[1] + 1) * cell)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] - 3 * cell, start[1] - 2 * cell, steps=4)
    page.mouse.up()
    st = state(page, "iou")
    after = json.loads(st["params"])["boxes2"][0]
    assert after == [before[0] - 3, before[1] - 2, before[2] - 3, before[3] - 2]
    assert page.input_value(f"{root} input[name=Bx]") == str(before[0] - 3)
    assert_matches_cnn_lib("iou", st)


# --------------------------------------------------------------------------- keyboard, labels
def test_every_control_has_a_name_and_each_explorer_a_live_region(page):
    unnamed = page.evaluate("""() => [...document.querySelectorAll(
            '.live-explorer input, .live-explorer select')].filter(el =>
        !(el.getAttribute('aria-label') || (el.labels && el.labels.length &&
          el.labels[0].textContent.trim()))).map(el => el.outerHTML)""")
    assert unnamed == []
    regions = page.eval_on_selector_all(
        ".live-explorer", "roots => roots.map(r => r.querySelector('[aria-live]') && "
        "r.querySelector('[aria-live]').textContent.length > 10)")
    assert regions == [True] * len(NAMES)


def test_keyboard_reaches_and_operates_the_controls(page):
    root = '.live-explorer[data-explorer="pooling"]'
    page.focus("#start")
    reached = set()
    for _ in range(page.locator(".live-explorer :is(input, select)").count() + 5):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("() => document.activeElement.dataset.testIndex !== "
                                  "undefined ? document.activeElement.closest('.live-explorer')"
                                  ".dataset.explorer + document.activeElement.dataset.testIndex"
                                  " : document.activeElement.tagName"))
    everything = set(page.evaluate("""() => [...document.querySelectorAll(
        '.live-explorer input:not([disabled]), .live-explorer select')].map(el =>
        el.closest('.live-explorer').dataset.explorer + el.dataset.testIndex)"""))
    assert everything - reached == set(), "controls Tab never reaches"
    # a select changes with the arrow keys, a slider with the arrow keys and Home / End
    page.select_option(f"{root} select[name=kind]", "0")  # max
    page.focus(f"{root} select[name=kind]")
    page.keyboard.press("ArrowDown")
    assert state(page, "pooling")["function"] == "scratch.avg_pool2d"
    page.focus(f"{root} input[name=shift]")
    page.keyboard.press("Home")
    first = state(page, "pooling")
    page.keyboard.press("ArrowRight")
    second = state(page, "pooling")
    assert json.loads(second["params"])["input"][1] != json.loads(first["params"])["input"][1]
    assert second["status"] != first["status"] and "shift 1" in second["status"]
    assert_matches_cnn_lib("pooling", second)


def test_dark_mode_redraws_in_the_theme_colours(page):
    """Switching the theme redraws the canvases (no light boxes left on a dark page)."""
    def corner():
        return page.evaluate("""() => {
            const c = document.querySelector('.live-explorer[data-explorer="nms"] canvas');
            const r = window.devicePixelRatio || 1;
            return [...c.getContext('2d').getImageData(10 * r, 10 * r, 1, 1).data]; }""")
    light = corner()
    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")
    dark = corner()
    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'light')")
    assert sum(light[:3]) > 600 and sum(dark[:3]) < 150, (light, dark)


# --------------------------------------------------------------------------- the data file
def test_gallery_is_what_the_script_writes_and_small():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "live_gallery.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (STATIC / "live-gallery.js").stat().st_size < 150_000


def test_config_loads_the_explorers_on_every_page():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    js = config["html_js_files"]
    assert js.index("live-gallery.js") < js.index("live-explorers.js")
    assert "live-explorers.css" in config["html_css_files"]


# --------------------------------------------------------------------------- the built book
@pytest.mark.parametrize("doc", sorted(CHAPTER_EXPLORERS))
def test_chapter_pages_mount_their_live_explorers(browser, built_book, doc):
    """Each chapter page of the built book mounts its explorers: the chapter notebooks' explorer
    cells carry the tags ``live-<name>`` (passes once the notebooks are tagged)."""
    with StaticServer(built_book) as server:
        context, _ = new_context(browser)
        page = context.new_page()
        errors = ErrorLog(page)
        page.goto(server.url + f"{doc}.html", wait_until="load")
        names = set(page.eval_on_selector_all(".live-explorer",
                                              "els => els.map(e => e.dataset.explorer)"))
        results = page.eval_on_selector_all(".live-explorer", "els => els.map(e => "
                                            "e.dataset.result !== undefined)")
        context.close()
    assert names == CHAPTER_EXPLORERS[doc]
    assert all(results)
    assert [m for m in errors.messages if "live-" in m] == []
