// Opened from disk (file://), a link to a folder shows the folder, not its page: point each such
// link at the folder's index.html. Served over HTTP (at / or under /REPO/) the clean URLs stay.
(function () {
  "use strict";
  if (window.location.protocol !== "file:") return;
  document.querySelectorAll("a[href]").forEach(function (link) {
    var href = link.getAttribute("href");
    if (/^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(href)) return;  // another address, or this page
    var url = new URL(link.href);
    if (url.protocol !== "file:" || url.pathname.slice(-1) !== "/") return;
    url.pathname += "index.html";
    link.href = url.href;
  });
})();
