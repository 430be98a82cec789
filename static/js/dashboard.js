/* Draws the dashboard's Plotly figures from the JSON the page carries (no inline code: CSP). */
(function () {
  "use strict";
  var config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (node) {
    var source = document.getElementById(node.getAttribute("data-chart"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(node, figure.data, figure.layout, config);
  });
  var print = document.querySelector("[data-print]");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
})();
