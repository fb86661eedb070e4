"""Load each script once per page.

sphinx-thebe adds its configuration script (``const THEBE_JS_URL = ...``) and
sphinx-togglebutton its selector on a Sphinx event that also runs when the HTML builder
collects the registered scripts, so every page carried both twice and every browser logged
"Identifier 'THEBE_JS_URL' has already been declared". This hook drops the repeats from the
page's list of scripts, keeping the first of each (same file or inline body, same attributes).
"""


def _key(script):
    # compare file (None or "" for an inline script) and attributes; str() shows the priority
    filename = getattr(script, "filename", script) or ""  # None and "" both mean inline
    attributes = getattr(script, "attributes", {})
    return filename, tuple(sorted((k, str(v)) for k, v in attributes.items() if k != "priority"))


def drop_repeated_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


def setup(app):
    # after the extensions that add page scripts on html-page-context (default priority 500)
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
