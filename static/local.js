// Every page: "/" focuses the search box in the header (unless the reader is typing somewhere).
// Opened from disk (file://), a link to a folder shows the folder, not its page: point each such
// link at the folder's index.html. Served over HTTP (at / or under /REPO/) the clean URLs stay.
(function () {
  "use strict";
  var box = document.getElementById("site-search");
  document.addEventListener("keydown", function (event) {
    var typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key !== "/" || typing || event.ctrlKey || event.metaKey || event.altKey || !box) return;
    event.preventDefault();
    box.focus();
  });
  if (window.location.protocol !== "file:") return;
  document.querySelectorAll("form[action]").forEach(function (form) {  // the search box's form
    if (form.action.slice(-1) === "/") form.action += "index.html";
  });
  document.querySelectorAll("a[href]").forEach(function (link) {
    var href = link.getAttribute("href");
    if (/^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(href)) return;  // another address, or this page
    var url = new URL(link.href);
    if (url.protocol !== "file:" || url.pathname.slice(-1) !== "/") return;
    url.pathname += "index.html";
    link.href = url.href;
  });
})();
