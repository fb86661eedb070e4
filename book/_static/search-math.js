/* Search results without raw TeX.
 *
 * Sphinx's search page builds each result's snippet from the page's text, where the maths is
 * still the TeX that MathJax typesets on the page itself: "\(H_{out} W_{out} F^2\)". This
 * rewrites the maths in a snippet as plain text ("H_out W_out F²"), before Sphinx cuts it.
 */
(function () {
  const SYMBOLS = {
    times: "×", cdot: "·", lfloor: "⌊", rfloor: "⌋", lceil: "⌈", rceil: "⌉", le: "≤",
    leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", to: "→", rightarrow: "→",
    sum: "Σ", in: "∈", infty: "∞", alpha: "α", beta: "β", gamma: "γ", sigma: "σ", mu: "μ",
    epsilon: "ε", varepsilon: "ε", lambda: "λ", theta: "θ", partial: "∂", odot: "⊙",
    star: "⋆", ast: "∗", dots: "…", ldots: "…", cdots: "⋯", quad: " ", qquad: " ",
  };
  const SUPERSCRIPTS = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷",
                         8: "⁸", 9: "⁹" };

  function plainTeX(tex) {
    return tex
      .replace(/^\s*(\\\(|\\\[|\$\$?)/, "").replace(/(\\\)|\\\]|\$\$?)\s*$/, "")
      .replace(/\\(?:text|mathrm|mathbf|mathit|operatorname|textbf)\s*\{([^{}]*)\}/g, "$1")
      .replace(/\\(?:left|right|big|Big|bigl|bigr|displaystyle)\b/g, "")
      .replace(/\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)")
      .replace(/\\([A-Za-z]+)/g, (m, name) => (name in SYMBOLS ? SYMBOLS[name] : name))
      .replace(/\^\{?([0-9])\}?/g, (m, d) => SUPERSCRIPTS[d])
      .replace(/\\([{}_,;! ])/g, (m, c) => (c === "{" || c === "}" || c === "_" ? c : " "))
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  function install() {
    if (typeof Search === "undefined" || Search.htmlToTextWithTeX) return;
    Search.htmlToTextWithTeX = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const html = new DOMParser().parseFromString(htmlString, "text/html");
      html.querySelectorAll(".math").forEach((el) => {
        el.textContent = " " + plainTeX(el.textContent) + " ";
      });
      return Search.htmlToTextWithTeX(html.documentElement.outerHTML, anchor);
    };
  }

  window.cnnBookPlainTeX = plainTeX;  // for the browser test
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", install);
  } else {
    install();
  }
})();
