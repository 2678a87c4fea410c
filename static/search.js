// The search page: loads Pagefind's interface and index only here, when the reader comes to search.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var bundle = box.getAttribute("data-bundle");
  var base = box.getAttribute("data-base");
  var query = new URLSearchParams(window.location.search).get("q") || "";

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = bundle + "pagefind-ui.css";
  document.head.appendChild(style);

  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onload = function () {
    var typed = box.querySelector("input");
    var words = query || (typed ? typed.value : "");
    var hadFocus = typed && document.activeElement === typed;
    box.innerHTML = "";
    var ui = new PagefindUI({ element: "#search", bundlePath: bundle, baseUrl: base, showImages: false,
                              showSubResults: false, resetStyles: false, autofocus: hadFocus || !words });
    if (words) ui.triggerSearch(words);
  };
  script.onerror = function () {
    document.getElementById("search-unavailable").hidden = false;
  };
  document.head.appendChild(script);
})();
