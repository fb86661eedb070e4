"""Colab and Binder open the chapter's Jupyter copy.

The chapters in ``notebooks/`` use MyST roles that only the book renders; Colab, Binder's
JupyterLab and VS Code show them as raw text. ``tools/jupyter_copies.py`` writes plain-Markdown
copies to ``jupyter/``; this hook points the launch buttons of each chapter page at its copy
(``.../notebooks/02_convolution.ipynb`` becomes ``.../jupyter/02_convolution.ipynb``).
"""

import re

CHAPTER = re.compile(r"(?<=/)notebooks/(\d\d_[\w-]+\.ipynb)\b")
ENCODED = re.compile(r"(?<=%2F)notebooks%2F(\d\d_[\w-]+\.ipynb)\b")


def to_copy(url):
    """The launch URL with the chapter's path replaced by its copy's."""
    return ENCODED.sub(r"jupyter%2F\1", CHAPTER.sub(r"jupyter/\1", url))


def point_launch_buttons_at_copies(app, pagename, templatename, context, doctree):
    if not pagename.startswith("notebooks/"):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if "url" in button:
                button["url"] = to_copy(button["url"])


def setup(app):
    # after sphinx-book-theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", point_launch_buttons_at_copies, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
