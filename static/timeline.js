// The timeline page, made better with JavaScript: the time axis opens at the latest months and
// shows where the reader is; filters by actor, place, tag and thread whose state lives in the URL
// (?actor=a,b&place=c&tag=d&thread=e) fade the axis's marks and leave out months with nothing to show;
// entry links copy themselves. Without JavaScript the page shows every entry, the whole axis
// and links to the actor, place and tag pages.
(function () {
  "use strict";
  var scroller = document.querySelector(".axis-scroller");
  if (scroller) scroller.scrollLeft = scroller.scrollWidth;  // a narrow screen opens at the latest months
  youAreHere();
  sinceLastVisit();
  // A mark names its entry when pointed at (the page does not repeat every title in the axis).
  document.querySelectorAll(".axis-mark").forEach(function (mark) {
    mark.addEventListener("mouseenter", function () {
      var li = document.getElementById(mark.getAttribute("href").slice(1));
      if (li && !mark.title) mark.title = li.querySelector("time").textContent + ": " + li.querySelector(".entry-title").textContent;
    });
  });
  var KINDS = ["actor", "place", "tag", "thread"];
  var LETTER = { actor: "a", place: "p", tag: "t", thread: "h" };
  var KIND_OF = { a: "actor", p: "place", t: "tag", h: "thread" };
  var panel = document.getElementById("filters");
  if (!panel) return;
  var items = Array.prototype.slice.call(document.querySelectorAll(".entries > li"));
  var buttons = Array.prototype.slice.call(panel.querySelectorAll(".filter-buttons button"));
  buttons.forEach(function (button) {  // each button's kind is its group's
    button.setAttribute("data-kind", button.parentElement.getAttribute("data-kind"));
  });
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

  // An entry lists its facets as short keys (data-f="a3 p0 t12 h1"): the kind's letter and the
  // place of the facet's button among that kind's buttons.
  var facetIds = {};
  KINDS.forEach(function (kind) {
    panel.querySelectorAll('button[data-kind="' + kind + '"]').forEach(function (button, i) {
      facetIds[LETTER[kind] + i] = button.getAttribute("data-id");
    });
  });
  function ids(li, kind) {
    if (!li.facets) {
      li.facets = { actor: [], place: [], tag: [], thread: [] };
      (li.getAttribute("data-f") || "").split(" ").filter(Boolean).forEach(function (key) {
        var k = KIND_OF[key.charAt(0)];
        if (k && facetIds[key]) li.facets[k].push(facetIds[key]);
      });
    }
    return li.facets[kind];
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
    document.querySelectorAll(".era-end").forEach(function (end) {
      var ol = end.previousElementSibling;
      end.hidden = !!(ol && ol.hidden);
    });
    // The axis: marks of hidden entries fade; the month lists offer only months with entries shown.
    document.querySelectorAll(".axis-mark, .axis-label, .figure-chart a").forEach(function (mark) {
      var li = document.getElementById(mark.getAttribute("href").slice(1));
      mark.classList.toggle("faded", !!(li && li.hidden));
    });
    document.querySelectorAll(".axis-months li[data-month]").forEach(function (li) {
      var section = document.getElementById(li.getAttribute("data-month"));
      li.classList.toggle("faded", !!(section && section.parentElement.hidden));
    });
    document.querySelectorAll(".jump-months a").forEach(function (link) {
      var heading = document.getElementById(link.getAttribute("href").slice(1));
      link.parentElement.hidden = !!(heading && heading.parentElement.hidden);
    });
    document.querySelectorAll("nav.jump .jump-years > li").forEach(function (year) {
      year.hidden = !year.querySelector(".jump-months > li:not([hidden])");
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

  // "Link" next to each entry's date: follows the anchor and copies the entry's address. Made
  // here, not in the page: without JavaScript the title's link to the entry's page does.
  document.querySelectorAll(".entries > li .entry-date").forEach(function (date) {
    var link = document.createElement("a");
    link.className = "entry-link";
    link.href = "#" + date.closest("li").id;
    link.innerHTML = 'Link<span class="visually-hidden"> to this entry</span>';
    date.appendChild(document.createTextNode(" "));
    date.appendChild(link);
    link.addEventListener("click", function () {
      if (!navigator.clipboard) return;
      navigator.clipboard.writeText(link.href).then(function () {
        link.firstChild.nodeValue = "Copied";
        setTimeout(function () { link.firstChild.nodeValue = "Link"; }, 1500);
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

  // "New since your last visit": the day of the reader's last visit is kept in their own browser
  // (localStorage, per site); entries dated or updated after it get a badge, on the card and the
  // axis. Nothing is sent anywhere. One browsing session keeps the same last visit.
  function sinceLastVisit() {
    var line = document.getElementById("since");
    if (!line) return;
    var key = "timeline:last-visit:" + window.location.pathname.replace(/index\.html$/, "");
    var now = new Date();
    var today = [now.getFullYear(), String(now.getMonth() + 1).padStart(2, "0"), String(now.getDate()).padStart(2, "0")].join("-");
    var last;
    try {
      last = sessionStorage.getItem(key);
      if (last === null) {
        last = localStorage.getItem(key) || "";
        sessionStorage.setItem(key, last);
        localStorage.setItem(key, today);
      }
    } catch (e) { return; }  // storage switched off: nothing to compare with
    if (!/^\d{4}-\d{2}-\d{2}$/.test(last)) return;  // a first visit shows nothing
    var fresh = [], updated = [];
    document.querySelectorAll(".entries > li").forEach(function (li) {
      var day = li.querySelector("time").getAttribute("datetime").slice(0, 10);
      var kind = day > last ? "New" : (li.getAttribute("data-updated") || "") > last ? "Updated" : "";
      if (!kind) return;
      (kind === "New" ? fresh : updated).push(li);
      var badge = document.createElement("span");
      badge.className = "since-badge";
      badge.textContent = kind;
      li.querySelector(".entry-date").insertBefore(badge, li.querySelector(".entry-link"));
      var mark = document.querySelector('.axis-mark[href="#' + li.id + '"]');
      if (mark) mark.classList.add("is-new");
    });
    var all = fresh.concat(updated);
    if (!all.length) return;
    var months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"];
    var parts = last.split("-");
    var parts_text = [fresh.length ? fresh.length + " new" : "", updated.length ? updated.length + " updated" : ""];
    var text = document.getElementById("since-text");
    var link = document.createElement("a");
    link.href = "#" + (fresh[0] || updated[0]).id;
    link.textContent = parts_text.filter(Boolean).join(" and ") + (all.length === 1 ? " entry" : " entries");
    text.appendChild(link);
    text.appendChild(document.createTextNode(" since your last visit on " + Number(parts[2]) + " " +
                                             months[Number(parts[1]) - 1] + " " + parts[0] + "."));
    line.hidden = false;
    document.getElementById("since-clear").addEventListener("click", function () {
      try { localStorage.removeItem(key); sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
      document.querySelectorAll(".since-badge").forEach(function (badge) { badge.remove(); });
      document.querySelectorAll(".axis-mark.is-new").forEach(function (mark) { mark.classList.remove("is-new"); });
      line.hidden = true;
    });
  }

  // "You are here": the month at the top of the window, on the axis and in the bar kept in view.
  function youAreHere() {
    var bar = document.getElementById("here-bar");
    var months = Array.prototype.slice.call(document.querySelectorAll(".axis-months li[data-month]"))
      .map(function (li) { return { tick: li, section: document.getElementById(li.getAttribute("data-month")) }; })
      .filter(function (m) { return m.section; });
    if (!bar || !months.length) return;
    var line = document.getElementById("axis-here");
    var dot = document.getElementById("here-dot");
    var text = document.getElementById("here-text");
    var shown = null;
    function update() {
      var current = null;
      months.forEach(function (m) {
        var box = m.section.parentElement;  // the month's section
        if (!box.hidden && box.getBoundingClientRect().top < window.innerHeight / 3) current = m;
      });
      var list = document.querySelector(".list");
      var inList = list && list.getBoundingClientRect().top < window.innerHeight / 2;
      bar.hidden = !current || !inList;
      if (!current || current === shown) return;
      shown = current;
      var left = parseFloat(current.tick.style.left) + parseFloat(current.tick.style.width) / 2;
      line.style.left = dot.style.left = left + "%";
      line.hidden = false;
      var band = current.section.parentElement.querySelector(".entries");
      var era = document.querySelector(".axis-key li." + (band ? (band.className.match(/ov-era-\S+/) || [""])[0] : "x"));
      text.textContent = current.section.textContent + (era ? " · " + era.textContent : "");
    }
    var pending = false;
    window.addEventListener("scroll", function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; update(); });
    }, { passive: true });
    update();
  }
})();
