// The timeline page, made better with JavaScript: filters by actor, place and tag whose state
// lives in the URL (?actor=a,b&place=c&tag=d), and entry links that copy themselves.
// Without JavaScript the page shows every entry and links to the actor, place and tag pages.
(function () {
  "use strict";
  var KINDS = ["actor", "place", "tag"];
  var panel = document.getElementById("filters");
  if (!panel) return;
  var items = Array.prototype.slice.call(document.querySelectorAll(".entries > li"));
  var buttons = Array.prototype.slice.call(panel.querySelectorAll("button.filter"));
  var status = document.getElementById("filter-status");
  var total = items.length;
  var selected = {};

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    KINDS.forEach(function (kind) {
      var value = params.get(kind);
      selected[kind] = value ? value.split(",").filter(Boolean) : [];
    });
  }

  function writeUrl() {
    var params = new URLSearchParams(window.location.search);
    KINDS.forEach(function (kind) {
      if (selected[kind].length) params.set(kind, selected[kind].join(","));
      else params.delete(kind);
    });
    var query = params.toString();
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

  function ids(li, kind) {
    var value = li.getAttribute("data-" + kind);
    return value ? value.split(" ") : [];
  }

  function matches(li, extraKind, extraId) {
    return KINDS.every(function (kind) {
      var have = ids(li, kind);
      var want = selected[kind].concat(kind === extraKind ? [extraId] : []);
      return want.every(function (id) { return have.indexOf(id) !== -1; });
    });
  }

  function apply() {
    var shown = 0;
    items.forEach(function (li) {
      var keep = matches(li);
      li.hidden = !keep;
      if (keep) shown += 1;
    });
    // Hide lists, era bands, months and years left empty.
    document.querySelectorAll("ol.entries").forEach(function (ol) {
      var empty = !ol.querySelector("li:not([hidden])");
      ol.hidden = empty;
      var band = ol.previousElementSibling;
      if (band && band.classList.contains("era-start")) band.hidden = empty;
    });
    document.querySelectorAll("section.month, section.year").forEach(function (section) {
      section.hidden = !section.querySelector(".entries > li:not([hidden])");
    });
    buttons.forEach(function (button) {
      var kind = button.getAttribute("data-kind");
      var id = button.getAttribute("data-id");
      var pressed = selected[kind].indexOf(id) !== -1;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      var count = items.filter(function (li) { return !li.hidden && matches(li, kind, id); }).length;
      button.querySelector(".count").textContent = String(count);
      button.disabled = !pressed && count === 0;
    });
    var active = KINDS.some(function (kind) { return selected[kind].length; });
    status.textContent = active ? "Showing " + shown + " of " + total + " entries." : "Showing all " + total + " entries.";
    document.getElementById("clear-filters").disabled = !active;
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var kind = button.getAttribute("data-kind");
      var id = button.getAttribute("data-id");
      var at = selected[kind].indexOf(id);
      if (at === -1) selected[kind].push(id); else selected[kind].splice(at, 1);
      writeUrl();
      apply();
    });
  });
  document.getElementById("clear-filters").addEventListener("click", function () {
    KINDS.forEach(function (kind) { selected[kind] = []; });
    writeUrl();
    apply();
  });

  // "Link" next to each entry: follows the anchor and copies the entry's address.
  document.querySelectorAll("a.entry-link").forEach(function (link) {
    link.addEventListener("click", function () {
      if (!navigator.clipboard) return;
      navigator.clipboard.writeText(link.href).then(function () {
        link.textContent = "Copied";
        setTimeout(function () { link.textContent = "Link"; }, 1500);
      }, function () {});
    });
  });

  readUrl();
  panel.hidden = false;
  // Showing the panel moved everything below it: bring a deep-linked entry back into view.
  var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  KINDS.forEach(function (kind) {  // open the groups that have a filter on
    if (selected[kind].length) {
      var group = panel.querySelector('button[data-kind="' + kind + '"]').closest("details");
      if (group) group.open = true;
    }
  });
  apply();
  if (target) target.scrollIntoView({ behavior: "instant" });
})();
