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
})();
