"""Live explorers of the static book: one update (compute, draw, publish) in Chromium.

Budget (issue 18): under 16 ms for a 64x64 image and a 3x3 kernel (the filter explorer), one
frame at 60 Hz. Measured with ``performance.now()`` around the explorer's update in the page
that tests/live_fixture.py writes, in Debian's headless Chromium (Playwright), for every
explorer. Run with ``python -m benchmarks.live``.
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 16.0
MEASURE = """([name, repeats]) => {
    const root = document.querySelector(`.live-explorer[data-explorer="${name}"]`);
    const kernel = root.querySelector('select[name=kernel]');
    const times = [];
    for (let i = 0; i < repeats; i++) {
        if (kernel) kernel.value = String(i % (kernel.options.length - 1));  // each kernel
        const t0 = performance.now();
        window.LiveExplorers.update(root);
        times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return [times[Math.floor(times.length / 2)], times[Math.floor(times.length * 0.9)]];
}"""


def run(repeats=60):
    """Median and 90th-percentile milliseconds of one update of each explorer."""
    sys.path.insert(0, str(ROOT / "tests"))
    from browser_support import StaticServer, launch
    from live_fixture import NAMES, write_fixture
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as folder, StaticServer(folder) as server, \
            sync_playwright() as playwright:
        write_fixture(folder)
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(server.url + "index.html", wait_until="load")
        for name in NAMES:
            page.evaluate(MEASURE, [name, 50])  # warm up: the JIT compiles the hot loops
            median, p90 = page.evaluate(MEASURE, [name, repeats])
            rows.append({"name": name, "median_ms": median, "p90_ms": p90,
                         "budget_ms": BUDGET_MS})
        browser.close()
    return rows


def main():
    for row in run():
        verdict = "ok" if row["median_ms"] < row["budget_ms"] else "OVER BUDGET"
        print(f"live {row['name']:<16} median {row['median_ms']:6.2f} ms, 90% "
              f"{row['p90_ms']:6.2f} ms (budget {row['budget_ms']:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
