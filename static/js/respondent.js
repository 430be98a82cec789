/* Respondent page enhancement. The page works without it; with it, a chosen score is saved at
   once, and follow-up questions switch to the wording for the respondent's category. */
(function () {
  "use strict";
  var form = document.querySelector("form.r-form");
  if (!form) { return; }
  var saved = form.querySelector(".r-saved");

  function category(score) {
    if (score >= 9) { return "promoter"; }
    if (score >= 7) { return "passive"; }
    return "detractor";
  }

  function reword(cat) {
    var nodes = form.querySelectorAll("[data-text-" + cat + "]");
    Array.prototype.forEach.call(nodes, function (node) {
      node.textContent = node.getAttribute("data-text-" + cat);
    });
  }

  function save(score) {
    var url = form.getAttribute("data-score-url");
    if (!url || !window.fetch) { return; }
    var body = new FormData();
    body.append("score", String(score));
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var lang = form.querySelector("input[name=lang]");
    if (token) { body.append("csrfmiddlewaretoken", token.value); }
    if (lang) { body.append("lang", lang.value); }
    fetch(url, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
      if (response.ok && saved) { saved.textContent = saved.getAttribute("data-saved"); }
    }).catch(function () { /* the full form still sends the score */ });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name !== "score") { return; }
    var score = parseInt(event.target.value, 10);
    reword(category(score));
    save(score);
  });
  var checked = form.querySelector("input[name=score]:checked");
  if (checked) { reword(category(parseInt(checked.value, 10))); }
})();
