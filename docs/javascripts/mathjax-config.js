// MathJax 3 settings for the docs site, loaded before the vendored MathJax bundle
// (javascripts/mathjax/tex-mml-chtml.js, MathJax 3.2.2 from the npm package `mathjax`;
// see docs/decisions.md, "Math on the docs site").
//
// pymdownx.arithmatex (generic mode) wraps every formula of the Markdown in an element of
// class "arithmatex" with \( \) or \[ \] delimiters; MathJax typesets those elements and
// nothing else, so a dollar sign in prose or code is never taken for math.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// mkdocs-material swaps page content without a reload when instant navigation is on:
// typeset each new page (document$ emits once on a normal page load too).
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (window.MathJax && MathJax.typesetPromise) {
      MathJax.startup.output.clearCache();
      MathJax.typesetClear();
      MathJax.texReset();
      MathJax.typesetPromise();
    }
  });
}
