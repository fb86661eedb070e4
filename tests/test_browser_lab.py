"""The live explorers in a real JupyterLab: run a chapter, move every slider, see the output change.

JupyterLab runs on 127.0.0.1 with a kernel from this environment, over copies of the chapters
(so nothing it saves touches notebooks/), and runs each chapter: all of it, or for a chapter that
trains, what its explorers need (EXPLORER_NEEDS). For each row of EXPLORERS the test finds the cell
whose code contains the snippet, and drags every slider of the explorer's output twice (there
and back); each time the output (its images' pixels and its text, the slider's own readout
left out) must change, which means the kernel recomputed it. Outputs are compared once
settled: a drag sends the intermediate values too, and each is redrawn in turn.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
from browser_support import ROOT, ErrorLog, free_port, new_context, toc_chapters

# The live explorers to drive: (chapter notebook, code that builds the explorer in one of its
# cells). Add a row for each new explorer; test_every_live_explorer_is_in_the_table fails
# until every cell that shows a widget has its row.
EXPLORERS = [
    ("01_history.ipynb", "widgets.orientation_explorer()"),
    ("02_convolution.ipynb", "widgets.sliding_window_stepper(X, w)"),
    ("02_convolution.ipynb", "widgets.filter_explorer()"),
    ("03_padding_stride.ipynb", "widgets.padding_stride_explorer("),
    ("03_padding_stride.ipynb", "widgets.receptive_field_explorer()"),
    ("04_pooling.ipynb", "widgets.pooling_explorer()"),
    ("05_architectures.ipynb", "widgets.feature_explorer("),
    ("06_detection_upsampling.ipynb", "widgets.iou_explorer()"),
    ("06_detection_upsampling.ipynb", "widgets.nms_explorer()"),
    ("06_detection_upsampling.ipynb", "widgets.conv_transpose_explorer()"),
]
# Cells whose widget is a training progress bar (tqdm), not an explorer: nothing to drag.
PROGRESS_BARS = [
    ("05_architectures.ipynb", "progress=True"),
    ("06_detection_upsampling.ipynb", "progress=True"),
]

# The chapters that train run in the lab only what their explorers need: their set-up cells (the
# code cells before the first section), the cells listed here, and the explorer cells. Every one
# of their cells already runs under nbval, twice (tests/test_any_cpu.py), and training them all
# again here, beside nbval on the other worker, took about six of the suite's minutes. The other
# chapters run all their cells. A chapter that trains and has an explorer gets a row here.
EXPLORER_NEEDS = {
    "01_history.ipynb": [],
    "05_architectures.ipynb": ["def torch_net():", "pytorch_model = torch_net()"],
    "06_detection_upsampling.ipynb": [],
}
RUN_ALL_TIMEOUT_MS = 300_000
# A text signature of an output area: a hash of each image's pixels, then its text without the
# sliders' readouts (which change with the slider whatever the kernel does). null while an
# image is still loading. (Synchronous: wait_for_function does not await a promise.)
SIGNATURE = """(node) => {
  const parts = [];
  for (const img of node.querySelectorAll('img')) {
    if (!img.complete) return null;
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    const data = canvas.width ? context.getImageData(0, 0, canvas.width, canvas.height).data : [];
    let hash = 2166136261;
    for (let i = 0; i < data.length; i++) { hash = Math.imul(hash ^ data[i], 16777619); }
    parts.push(`image ${canvas.width}x${canvas.height} ${hash >>> 0}`);
  }
  const text = node.cloneNode(true);
  text.querySelectorAll('.widget-readout, .widget-slider, img, script, style')
      .forEach(e => e.remove());
  parts.push(text.textContent.replace(/\\s+/g, ' ').trim());
  return parts.join(' | ');
}"""
KERNEL_IDLE = """() => {
  const kernel = jupyterapp.shell.currentWidget.sessionContext.session?.kernel;
  return kernel ? kernel.status === 'idle' : false;
}"""
# How long an output must stay the same, with the kernel idle, to count as settled: a drag sends
# the slider's intermediate values too, and the kernel redraws each in turn.
SETTLED_POLLS, POLL_MS = 4, 250


def _settled_signature(page, output, unlike=None, timeout_s=30):
    """The output's SIGNATURE once it has stopped changing (the kernel idle and the signature
    the same for SETTLED_POLLS polls) and differs from ``unlike``; None if that never happens
    within ``timeout_s``."""
    handle = output.element_handle()
    deadline, last, same = time.monotonic() + timeout_s, None, 0
    while time.monotonic() < deadline:
        now = page.evaluate(f"(node) => ({SIGNATURE})(node)", handle)
        steady = now is not None and now == last and page.evaluate(KERNEL_IDLE)
        same = same + 1 if steady else 0
        if same >= SETTLED_POLLS and now != unlike:
            return now
        last = now
        page.wait_for_timeout(POLL_MS)
    return None


def widget_cells(notebook):
    """(index, source) of the code cells whose stored outputs show a widget."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "code"
            and any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                    for o in c["outputs"])]


def cells_to_run(notebook):
    """The indices (in the notebook's list of cells) of the cells the lab runs, or None: all."""
    if notebook not in EXPLORER_NEEDS:
        return None
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells]
    first_section = next(i for i, c in enumerate(cells)
                         if c["cell_type"] == "markdown" and sources[i].startswith("## "))
    wanted = EXPLORER_NEEDS[notebook] + [snippet for nb, snippet in EXPLORERS if nb == notebook]
    picked = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (
        i < first_section or any(snippet in sources[i] for snippet in wanted))]
    assert all(any(w in sources[i] for i in picked) for w in wanted), f"{notebook}: {wanted}"
    return picked


def test_the_chapters_that_train_say_what_their_explorers_need():
    from test_any_cpu import TRAINING_CHAPTERS

    with_explorers = {nb for nb, _ in EXPLORERS}
    assert {p.name for p in TRAINING_CHAPTERS} & with_explorers == set(EXPLORER_NEEDS)
    assert cells_to_run("05_architectures.ipynb")[:2] == [1, 2]  # set-up first
    assert cells_to_run("02_convolution.ipynb") is None


def test_every_live_explorer_is_in_the_table():
    chapters = [f"{doc.split('/')[1]}.ipynb" for doc in toc_chapters()]
    assert {nb for nb, _ in EXPLORERS} <= set(chapters)
    for notebook in chapters:
        rows = [snippet for nb, snippet in EXPLORERS if nb == notebook]
        bars = [snippet for nb, snippet in PROGRESS_BARS if nb == notebook]
        cells = widget_cells(notebook)
        for i, source in cells:
            if any(s in source for s in bars):
                assert not any(s in source for s in rows), f"{notebook} cell {i}: explorer?"
                continue
            assert any(s in source for s in rows), f"{notebook} cell {i} has no row: {source!r}"
        for snippet in rows:
            matching = [i for i, source in cells if snippet in source]
            assert len(matching) == 1, f"{notebook}: {snippet!r} matches cells {matching}"


# --------------------------------------------------------------------------- JupyterLab
@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 over copies of the chapters; yields (url, token)."""
    home = tmp_path_factory.mktemp("lab")
    for notebook in {nb for nb, _ in EXPLORERS}:
        shutil.copy(ROOT / "notebooks" / notebook, home / notebook)
    for name, source in UNRUN.items():
        shutil.copy(ROOT / source, home / name)
    # every cell rendered, not only those on screen, so the page's text is the notebook's
    settings = home / ".jupyterlab_settings_dir" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, **{name: str(home / f".{name.lower()}") for name in (
        "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
        "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR")})
    command = [os.path.join(os.path.dirname(sys.executable), "jupyter"), "lab",
               "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
               f"--ServerApp.token={token}", f"--ServerApp.root_dir={home}",
               "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log_path = home / "jupyterlab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, token, server, log_path)
        yield url, token
    finally:
        _shut_down(url, token, server)


def _api(url, token, path, method="GET"):
    request = urllib.request.Request(f"{url}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


def _wait_until_up(url, token, server, log_path, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"jupyter lab exited:\n{log_path.read_text()[-3000:]}")
        try:
            _api(url, token, "/api/status")
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer in {seconds} s:\n{log_path.read_text()[-3000:]}")


def _shut_down(url, token, server):
    """Stop every kernel, then the server (terminate, and kill if it hangs)."""
    try:
        for kernel in _api(url, token, "/api/kernels"):
            _api(url, token, f"/api/kernels/{kernel['id']}", method="DELETE")
    except OSError:
        pass
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def opened(browser, lab):
    """notebook -> (page, errors, run-all result): each notebook opened and run once."""
    url, token = lab
    pages = {}

    def open_and_run(notebook):
        if notebook not in pages:
            context, _ = new_context(browser)
            page = context.new_page()
            errors = ErrorLog(page)
            page.goto(f"{url}/lab/tree/{notebook}?token={token}&reset")
            page.wait_for_function("() => { const w = window.jupyterapp && "
                                   "jupyterapp.shell.currentWidget; "
                                   "return !!(w && w.context && w.context.isReady); }",
                                   timeout=120_000)
            result = page.evaluate("""async ([ms, picked]) => {
              const panel = jupyterapp.shell.currentWidget;
              await panel.sessionContext.ready;
              const timeout = new Promise(done => setTimeout(() => done('timed out'), ms));
              const runPicked = async () => {
                for (const i of picked) {
                  panel.content.activeCellIndex = i;
                  if (!await jupyterapp.commands.execute('notebook:run-cell')) return false;
                }
                return true;
              };
              const run = picked === null ?
                  jupyterapp.commands.execute('notebook:run-all-cells') : runPicked();
              const outcome = await Promise.race([run, timeout]);
              const all = [...panel.content.model.cells];
              const cells = (picked === null ? all : picked.map(i => all[i]))
                  .filter(c => c.type === 'code');
              return {outcome: String(outcome),
                      unexecuted: cells.filter(c => c.executionCount === null).length,
                      errors: cells.flatMap(c => c.outputs.toJSON())
                                   .filter(o => o.output_type === 'error')
                                   .map(o => `${o.ename}: ${o.evalue}`)};
            }""", [RUN_ALL_TIMEOUT_MS, cells_to_run(notebook)])
            pages[notebook] = (page, errors, result)
        return pages[notebook]

    yield open_and_run
    for page, _, _ in pages.values():
        page.context.close()


# Opened and not run, as a student first sees a chapter: the book's own notebook with its
# stored outputs, and the copy the Colab and Binder buttons open (jupyter/, no outputs).
UNRUN = {"unrun_04_pooling.ipynb": "notebooks/04_pooling.ipynb",
         "copy_04_pooling.ipynb": "jupyter/04_pooling.ipynb"}


def test_an_unrun_chapter_reads_well(browser, lab):
    """Before anything runs (and untrusted, so no output's JavaScript runs): no raw MyST roles
    in the copy, no Python repr where an explorer will be, and every stored animation shows
    its first frame."""
    url, token = lab
    seen = {}
    for name in UNRUN:  # each in its own page, so that leaving one aborts nothing of the next
        context, _ = new_context(browser)
        page = context.new_page()
        errors = ErrorLog(page)
        page.goto(f"{url}/lab/tree/{name}?token={token}&reset")
        page.wait_for_function("() => { const w = window.jupyterapp && "
                               "jupyterapp.shell.currentWidget; "
                               "return !!(w && w.context && w.context.isReady); }",
                               timeout=120_000)
        page.wait_for_function("() => document.querySelectorAll("
                               "'.jp-MarkdownCell .jp-RenderedMarkdown').length > 20",
                               timeout=60_000)
        page.wait_for_timeout(1000)
        seen[name] = page.evaluate("""() => {
          const nb = jupyterapp.shell.currentWidget.content.node;
          const frames = [...nb.querySelectorAll('.jp-OutputArea-output .animation img')];
          return {text: nb.innerText,
                  outputs: nb.querySelectorAll('.jp-OutputArea-output').length,
                  frames: frames.length,
                  blank: frames.filter(i => !(i.complete && i.naturalWidth > 0)).length};
        }""")
        assert errors.messages == [], name
        context.close()
    copy, book = seen["copy_04_pooling.ipynb"], seen["unrun_04_pooling.ipynb"]
    assert "{cite}" not in copy["text"] and "{term}" not in copy["text"]
    assert "(De Paolis Kaluza, 2024)" in copy["text"]
    assert copy["outputs"] == 0
    assert book["outputs"] > 10 and book["frames"] >= 1 and book["blank"] == 0, book
    assert "Pooling explorer: run this cell" in book["text"]
    assert "children=" not in book["text"] and "children=" not in copy["text"]


@pytest.mark.parametrize("notebook", sorted({nb for nb, _ in EXPLORERS}))
def test_chapter_runs_in_jupyterlab(opened, notebook):
    """All its cells, or for a chapter that trains what its explorers need (EXPLORER_NEEDS)."""
    _, errors, result = opened(notebook)
    assert result == {"outcome": "true", "unexecuted": 0, "errors": []}
    assert errors.messages == []


@pytest.mark.parametrize("notebook, explorer", EXPLORERS)
def test_every_slider_changes_the_output(opened, notebook, explorer):
    page, errors, result = opened(notebook)
    assert result["outcome"] == "true"
    found = page.evaluate("""(snippet) => {
      const cells = jupyterapp.shell.currentWidget.content.widgets.filter(cell =>
          cell.model.type === 'code' && cell.model.sharedModel.getSource().includes(snippet));
      cells.forEach(cell => cell.node.setAttribute('data-explorer', snippet));
      return cells.length;
    }""", explorer)
    assert found == 1
    cell = page.locator(f"[data-explorer={json.dumps(explorer)}]")
    cell.scroll_into_view_if_needed()
    output = cell.locator(".jp-OutputArea-output").first
    sliders = output.locator(".widget-slider")
    sliders.first.wait_for(timeout=30_000)
    assert sliders.count() >= 1
    before = _settled_signature(page, output)
    assert before is not None, f"the output of {explorer} never settled"
    for i in range(sliders.count()):
        start = _handle_fraction(sliders.nth(i))
        for target in ((0.85, 0.15) if start < 0.5 else (0.15, 0.85)):  # far side, then back
            readout = sliders.nth(i).locator(".widget-readout").inner_text()
            _drag(page, sliders.nth(i), target)
            assert sliders.nth(i).locator(".widget-readout").inner_text() != readout
            after = _settled_signature(page, output, unlike=before)
            if after is None:
                pytest.fail(f"slider {i} of {explorer} moved from {readout} to "
                            f"{sliders.nth(i).locator('.widget-readout').inner_text()}, "
                            f"but the output stayed {before[:300]!r}")
            before = after
    assert errors.messages == []


def _handle_fraction(slider):
    """Where the handle sits on the slider's track, 0 (left) to 1 (right)."""
    slider.scroll_into_view_if_needed()
    track = slider.locator(".noUi-base").bounding_box()
    handle = slider.locator(".noUi-handle").bounding_box()
    return (handle["x"] + handle["width"] / 2 - track["x"]) / track["width"]


def _drag(page, slider, fraction):
    """Drag the slider's handle to ``fraction`` of its track, as a reader does."""
    slider.scroll_into_view_if_needed()
    track = slider.locator(".noUi-base").bounding_box()
    handle = slider.locator(".noUi-handle").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(track["x"] + fraction * track["width"], y, steps=8)
    page.mouse.up()
