// The search page: loads Pagefind's interface and indexes only here, when the reader comes to search.
// A large site has one index per year, listed in indexes.json: the first is searched with the others
// merged into it (Pagefind's multisite search, one copy of its WebAssembly for all).
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var bundle = box.getAttribute("data-bundle");
  var base = box.getAttribute("data-base");
  var query = new URLSearchParams(window.location.search).get("q") || "";

  if (window.location.protocol === "file:") {  // fetch() cannot read files from disk
    document.getElementById("search-from-disk").hidden = false;
    return;
  }

  function unavailable() {
    document.getElementById("search-unavailable").hidden = false;
  }

  var indexes = fetch(bundle + "indexes.json").then(function (response) {
    if (!response.ok) throw new Error("no search index");
    return response.json();
  });
  indexes.catch(function () {});  // handled where it is used, once the interface has loaded

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = bundle + "pagefind-ui.css";
  document.head.appendChild(style);

  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onload = function () {
    indexes.then(function (folders) {
      var typed = box.querySelector("input");
      var words = query || (typed ? typed.value : "");
      var hadFocus = typed && document.activeElement === typed;
      box.innerHTML = "";
      var others = folders.slice(1).map(function (folder) {
        return { bundlePath: bundle + folder, baseUrl: base };
      });
      var ui = new PagefindUI({ element: "#search", bundlePath: bundle + folders[0], baseUrl: base,
                                mergeIndex: others, showImages: false, showSubResults: false,
                                resetStyles: false, autofocus: hadFocus || !words });
      if (words) ui.triggerSearch(words);
    }, unavailable);
  };
  script.onerror = unavailable;
  document.head.appendChild(script);
})();
