"""What the browser tests share: Debian's Chromium driven by Playwright, the book's CDN scripts
served from local npm copies, a local static server, and the pages listed in ``_toc.yml``.

Nothing here reaches the network: every request to another host is either answered from
``tests/browser/node_modules`` (installed by ``make browser`` from ``package-lock.json``) or
aborted and recorded, so a test can fail on it.
"""

import functools
import json
import mimetypes
import re
import shutil
import socket
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML_DIR = ROOT / "_build" / "html"
NODE_MODULES = ROOT / "tests" / "browser" / "node_modules"
ARTIFACTS = ROOT / "test-artifacts"

CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"]
MISSING = "run `make browser` (the test target does it) to install Chromium, Playwright and {}"
CDN_NPM = re.compile(r"^https://cdn\.jsdelivr\.net/npm/((?:@[^/@]+/)?[^/@]+)@([^/]+)/(.+)$")
NOT_LOCAL = re.compile(r"^(?!https?://127\.0\.0\.1[:/])(?!data:)(?!blob:)")


def chromium_path():
    """Debian's chromium (``/usr/bin/chromium``), or a failure that says how to install it."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(MISSING.format("the npm assets") + ": chromium is not installed")
    return path


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)


def npm_version(package):
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.exists():
        pytest.fail(MISSING.format(f"the npm package {package}") + f": {manifest} is missing")
    return json.loads(manifest.read_text())["version"]


class CdnFromNpm:
    """A Playwright route handler: a jsDelivr npm URL (``/npm/NAME@VERSION/PATH``) is answered
    with that file of the local npm copy, if the copy has exactly that version; any other
    request off this machine is aborted. ``served`` and ``blocked`` list the URLs."""

    def __init__(self):
        self.served, self.blocked = [], []

    def local_file(self, url):
        match = CDN_NPM.match(url.split("?")[0])
        if not match:
            return None
        package, version, path = match.groups()
        if not (NODE_MODULES / package).is_dir() or npm_version(package) != version:
            return None
        file = NODE_MODULES / package / path
        return file if file.is_file() else None

    def __call__(self, route):
        url = route.request.url
        file = self.local_file(url)
        if file is None:
            self.blocked.append(url)
            return route.abort()
        self.served.append(url)
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return route.fulfill(path=str(file), headers={
            "content-type": mime, "access-control-allow-origin": "*"})


def new_context(browser, **kwargs):
    """A fresh browser context (own cache and storage) whose off-machine requests go through a
    :class:`CdnFromNpm`; returns (context, handler)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **kwargs)
    handler = CdnFromNpm()
    context.route(NOT_LOCAL, handler)
    return context, handler


class ErrorLog:
    """Console errors, page errors and failed responses of one page, minus the known one."""

    def __init__(self, page):
        self.messages = []
        page.on("console", self._console)
        page.on("pageerror", lambda err: self._add(f"page error: {err.message}"))
        page.on("response", self._response)
        page.on("requestfailed", lambda r: self._add(f"request failed: {r.url} ({r.failure})"))

    def _response(self, response):
        if response.status >= 400:
            self._add(f"HTTP {response.status}: {response.url}")

    def _console(self, message):
        if message.type == "error":
            self._add(f"console error: {message.text}")

    def _add(self, text):
        self.messages.append(text)


class StaticServer:
    """Serve a folder on 127.0.0.1 (a free port) from a thread; use as a context manager."""

    def __init__(self, folder):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # not a browser hanging up
            super().handle_error(request, client_address)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the book's pages
def toc_pages():
    """Every page of ``_toc.yml`` in reading order (the root first), as docnames."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(node):
        if "file" in node:
            pages.append(node["file"])
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []):
                walk(child)

    walk(toc)
    return [re.sub(r"\.(md|ipynb)$", "", p) for p in pages]


def toc_chapters():
    """The chapter notebooks of ``_toc.yml`` (docnames under ``notebooks/``)."""
    return [p for p in toc_pages() if p.startswith("notebooks/")]


def repository():
    """(GitHub "owner/name", branch) from ``_config.yml``."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url = config["repository"]["url"].rstrip("/")
    return url.split("github.com/")[1], config["repository"]["branch"]
