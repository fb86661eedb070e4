// Loaded on pages with saved widget state, between require.js and the widget manager
// (@jupyter-widgets/html-manager's embed-amd.js); see nb_ipywidgets_js in _config.yml.
(function () {
  "use strict";
  // 1. The manager's stylesheets fetch their Font Awesome fonts (the icons of the Play
  //    widget's buttons, for instance) from the folder that require.js reports for the
  //    module holding them, which without this is the page's own folder: every font is a 404
  //    (jupyter-widgets/ipywidgets#3658). Point those module names at the manager's dist/.
  var dist = document.currentScript.getAttribute("data-widgets-dist");
  window.require.config({
    paths: {
      "@jupyter-widgets": dist.replace(/\/$/, ""),
      "@jupyter-widgets/html-manager/dist": dist.replace(/\/$/, ""),
    },
  });
  // 2. Widgets typeset their labels with MathJax 2's API (MathJax.Hub.Queue), which throws
  //    under the MathJax 3 that the book loads. Forward those calls to MathJax 3.
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (!mathjax || mathjax.Hub || !mathjax.startup) return;
    mathjax.Hub = {
      Queue: function (command) {
        var element = command[2];
        mathjax.startup.promise.then(function () {
          return mathjax.typesetPromise([element]);
        });
      },
    };
  });
  // 3. No control that lies. Without a kernel a saved explorer's sliders and buttons would
  //    move while nothing they drive changes (and the Play widget throws). Each saved view is
  //    shown as what it is: a note saying the controls need Python, with links that open
  //    this chapter on Colab and Binder, and the view itself inert (no pointer, no focus),
  //    its controls greyed (book.css, .static-explorer).
  var VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';
  function launchLink(host, label) {
    var found = document.querySelector('a[href^="https://' + host + '"]');
    if (!found) return null;
    var link = document.createElement("a");
    link.href = found.href;
    link.textContent = label;
    link.target = "_blank";
    link.rel = "noopener";
    return link;
  }
  function note() {
    var box = document.createElement("p");
    box.className = "static-explorer-note";
    box.setAttribute("role", "note");
    box.appendChild(document.createTextNode(
      "Saved view of a live explorer: its controls need Python, so they are switched off " +
      "here. To use it, run this chapter"));
    var links = [launchLink("colab.research.google.com", "on Colab"),
                 launchLink("mybinder.org", "on Binder")].filter(Boolean);
    links.forEach(function (link, i) {
      box.appendChild(document.createTextNode(i === 0 ? " " : " or "));
      box.appendChild(link);
    });
    box.appendChild(document.createTextNode(links.length ? " (or in Jupyter)." : " in Jupyter."));
    return box;
  }
  function freeze(output) {
    output.querySelectorAll(".widget-subarea").forEach(function (area) {
      area.inert = true;
      area.setAttribute("aria-disabled", "true");
    });
  }
  // A training cell's progress bar (tqdm: a box holding a FloatProgress) is plumbing, not an
  // explorer: its saved view is dropped from the page (the cell's printed results stay).
  function savedModels() {
    var script = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
    try {
      return script ? JSON.parse(script.textContent).state : {};
    } catch (err) {
      return {};
    }
  }
  function isProgressBar(models, id) {
    var model = models[id];
    if (!model) return false;
    if (/ProgressModel$/.test(model.model_name)) return true;
    return (model.state.children || []).some(function (child) {
      var child_id = String(child).replace(/^IPY_MODEL_/, "");
      return models[child_id] && /ProgressModel$/.test(models[child_id].model_name);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var models = savedModels();
    document.querySelectorAll(VIEW).forEach(function (view) {
      var id;
      try {
        id = JSON.parse(view.textContent).model_id;
      } catch (err) {
        id = null;
      }
      if (isProgressBar(models, id)) view.remove();
    });
    document.querySelectorAll(VIEW).forEach(function (view) {
      var output = view.parentElement;
      if (output.classList.contains("static-explorer")) return;
      output.classList.add("static-explorer");
      output.insertBefore(note(), output.firstChild);
      freeze(output);
      new MutationObserver(function () { freeze(output); })
        .observe(output, {childList: true, subtree: true});
    });
  });
})();
