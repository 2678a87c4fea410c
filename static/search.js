// The search page: our own small interface over Pagefind's JavaScript API (pagefind.js), loaded
// only here. Results show each entry's date and era (Pagefind metadata), can be ordered by date
// (the entry's sort key) and narrowed by any filter the index holds (actor, tag, thread…), all
// set at build time by templates/entry.html. The query, order and filters live in the URL
// (?q=talks&sort=newest&actor=Ada+Lind), so a result list can be linked and Back works.
// A large site has one index per year, listed in indexes.json: the first is searched with the
// others merged into it (one copy of the WebAssembly for all). See docs/search.md.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var bundle = box.getAttribute("data-bundle");
  var base = box.getAttribute("data-base");
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var controls = document.getElementById("search-controls");
  var order = document.getElementById("search-sort");
  var panel = document.getElementById("search-filters");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var LABELS = { actor: "Actor", tag: "Tag", thread: "Thread" };
  var FIRST = ["actor", "tag", "thread"];  // shown in this order, any other filter after them
  var SORTS = { newest: "desc", oldest: "asc" };
  var BY_INDEX = "_index";  // our filter naming each index (mergeFilter); never shown
  var PAGE = 20;

  if (window.location.protocol === "file:") {  // fetch() cannot read files from disk
    document.getElementById("search-from-disk").hidden = false;
    return;
  }

  var known = {};  // filter name -> {value: total count}, from the index
  var current = 0;  // the latest search: an older one that finishes late shows nothing
  var typing = false;  // the URL of a search being typed is replaced, not pushed, key by key
  var timer = null;

  var ready = fetch(bundle + "indexes.json").then(function (response) {
    if (!response.ok) throw new Error("no search index");
    return response.json();
  }).then(function (folders) {
    return import(bundle + folders[0] + "pagefind.js").then(function (pagefind) {
      var merged = folders.length > 1;
      return pagefind.options(merged ? { baseUrl: base, mergeFilter: byIndex(folders[0]) } : { baseUrl: base })
        .then(function () {
          return Promise.all(folders.slice(1).map(function (folder) {
            return pagefind.mergeIndex(bundle + folder, { baseUrl: base, mergeFilter: byIndex(folder) });
          }));
        })
        .then(function () { return pagefind.filters(); })
        .then(function (filters) {
          delete filters[BY_INDEX];
          known = filters;
          return { pagefind: pagefind, folders: merged ? folders : [] };
        });
    });
  });

  function byIndex(folder) {
    var filter = {};
    filter[BY_INDEX] = folder;
    return filter;
  }

  ready.then(function () {
    showFilters();
    order.disabled = false;
    controls.hidden = false;
    var state = fromUrl();
    toForm(state);
    if (!state.q && document.activeElement === document.body) input.focus();
    run(state);
  }, function () {
    document.getElementById("search-unavailable").hidden = false;
    status.textContent = "";
  });
  if (fromUrl().q) status.textContent = "Searching…";

  // -- The state: words, order and filters, read from and written to the URL and the form ----

  function fromUrl() {
    var params = new URLSearchParams(window.location.search);
    var state = { q: (params.get("q") || "").trim(), sort: SORTS[params.get("sort")] ? params.get("sort") : "relevance",
                  filters: {} };
    params.forEach(function (value, name) {
      if (has(known, name) && has(known[name], value)) {
        (state.filters[name] = state.filters[name] || []).push(value);
      }
    });
    return state;
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function fromForm() {
    var state = { q: input.value.trim(), sort: SORTS[order.value] ? order.value : "relevance", filters: {} };
    panel.querySelectorAll("input[type=checkbox]:checked").forEach(function (check) {
      (state.filters[check.name] = state.filters[check.name] || []).push(check.value);
    });
    return state;
  }

  function toForm(state) {
    input.value = state.q;
    order.value = state.sort;
    panel.querySelectorAll("input[type=checkbox]").forEach(function (check) {
      check.checked = (state.filters[check.name] || []).indexOf(check.value) !== -1;
    });
    if (Object.keys(state.filters).length) panel.open = true;
  }

  function toUrl(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    if (state.sort !== "relevance") params.set("sort", state.sort);
    Object.keys(state.filters).forEach(function (name) {
      state.filters[name].forEach(function (value) { params.append(name, value); });
    });
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "");
  }

  function go(state, push) {
    var url = toUrl(state);
    if (url !== window.location.pathname + window.location.search) {
      if (push) history.pushState(null, "", url);
      else history.replaceState(null, "", url);
    }
    run(state);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    typing = false;
    ready.then(function () { go(fromForm(), true); });
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      ready.then(function () {
        go(fromForm(), !typing);  // the first key of a search is a new step in the history
        typing = true;
      });
    }, 300);
  });
  controls.addEventListener("change", function () {  // the order, or a filter
    typing = false;
    go(fromForm(), true);
  });
  window.addEventListener("popstate", function () {
    typing = false;
    ready.then(function () {
      var state = fromUrl();
      toForm(state);
      run(state);
    });
  });

  // -- The filters: one fieldset of checkboxes per filter the index holds ------------------

  function label(name) {
    return has(LABELS, name) ? LABELS[name] : name.replace(/[-_]+/g, " ").replace(/\b\w/g, function (c) { return c.toUpperCase(); });
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function showFilters() {
    var names = Object.keys(known).filter(function (name) { return Object.keys(known[name]).length; });
    names.sort(function (a, b) {
      var i = FIRST.indexOf(a), j = FIRST.indexOf(b);
      return (i === -1 ? FIRST.length : i) - (j === -1 ? FIRST.length : j) || a.localeCompare(b);
    });
    if (!names.length) return;
    var labels = names.map(function (name) { return label(name).toLowerCase(); });
    panel.querySelector("summary").textContent = "Narrow by " + (labels.length > 1
      ? labels.slice(0, -1).join(", ") + " or " + labels[labels.length - 1] : labels[0]);
    names.forEach(function (name, n) {
      var fieldset = element("fieldset", "search-filter");
      fieldset.appendChild(element("legend", "", label(name)));
      var options = element("ul", "search-filter-options");
      Object.keys(known[name]).sort(function (a, b) { return a.localeCompare(b); }).forEach(function (value, i) {
        var item = element("li");
        var check = element("input");
        check.type = "checkbox";
        check.id = "search-filter-" + n + "-" + i;
        check.name = name;
        check.value = value;
        var text = element("label", "", value + " ");
        text.htmlFor = check.id;
        text.appendChild(element("span", "count", "(" + known[name][value] + ")"));
        item.appendChild(check);
        item.appendChild(text);
        options.appendChild(item);
      });
      fieldset.appendChild(options);
      panel.appendChild(fieldset);
    });
    panel.hidden = false;
  }

  function showCounts(counts) {
    panel.querySelectorAll("input[type=checkbox]").forEach(function (check) {
      var count = has(counts, check.name) && has(counts[check.name], check.value) ? counts[check.name][check.value] : 0;
      check.nextElementSibling.querySelector(".count").textContent = "(" + count + ")";
    });
  }

  // -- Searching and showing the results -------------------------------------------------

  function run(state) {
    var mine = ++current;
    clearTimeout(timer);
    list.textContent = "";
    more.hidden = true;
    var narrowed = Object.keys(state.filters).length > 0;
    if (!state.q && !narrowed) {
      status.textContent = "";
      list.removeAttribute("aria-busy");
      showCounts(known);
      return;
    }
    list.setAttribute("aria-busy", "true");  // until this search's first results are listed
    ready.then(function (search) {
      var words = state.q || null;  // no words: every entry the filters leave
      return search.pagefind.search(words, { filters: state.filters }).then(function (merged) {
        return asWritten(search, words, state, merged);
      }).then(function (found) {
        if (mine !== current) return;
        showCounts(found.filters);
        return ordered(search, words, state, found).then(function (results) {
          if (mine !== current) return;
          status.textContent = summary(results.length, state);
          return showResults(results, 0, mine, false);
        });
      });
    }).catch(function () { failed(mine); });
  }

  function failed(mine) {
    if (mine !== current) return;
    status.textContent = "The search failed. Try reloading the page.";
    list.removeAttribute("aria-busy");
  }

  // Where an index lacks a word, Pagefind searches it for the longest prefix of the word that it
  // has (Pagefind #315: "because" finds "be"), and ranks what that finds by itself, often above the
  // real matches of the other indexes. One index of the whole site, which has the word, would not.
  // So where some indexes match every word as written, the others' results are left out: the best
  // result of each index with results tells which kind it is (a prefix match never holds the word).
  function asWritten(search, words, state, merged) {
    var counts = merged.filters[BY_INDEX] || {};
    var hit = search.folders.filter(function (folder) { return counts[folder]; });
    if (!words || hit.length < 2) return Promise.resolve(merged);
    return Promise.all(hit.map(function (folder) {
      var filters = Object.assign({}, state.filters, byIndex(folder));
      return search.pagefind.search(words, { filters: filters }).then(function (found) {
        if (!found.results.length) return { found: found, exact: false };
        return found.results[0].data().then(function (data) {
          return { found: found, exact: holds(data.content, words) };
        });
      });
    })).then(function (each) {
      var exact = each.filter(function (one) { return one.exact; });
      if (!exact.length || exact.length === each.length) return merged;
      var results = [].concat.apply([], exact.map(function (one) { return one.found.results; }));
      results.sort(function (a, b) { return b.score - a.score; });
      return { results: results, filters: summed(exact.map(function (one) { return one.found.filters; })) };
    });
  }

  function holds(text, words) {  // each word, or its first half at least (stemming), begins a word of text
    var folded = fold(text);
    return words.split(/\s+/).map(fold).every(function (word) {
      word = word.replace(/[^\p{L}\p{N}]/gu, "");
      var start = word.slice(0, Math.max(3, Math.ceil(word.length / 2)));
      return !start || new RegExp("(^|[^\\p{L}\\p{N}])" + start, "u").test(folded);
    });
  }

  function fold(text) {
    return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  }

  function summed(all) {  // filter counts of several searches, added up
    var out = {};
    all.forEach(function (filters) {
      Object.keys(filters).forEach(function (name) {
        out[name] = out[name] || {};
        Object.keys(filters[name]).forEach(function (value) {
          out[name][value] = (out[name][value] || 0) + filters[name][value];
        });
      });
    });
    return out;
  }

  // Pagefind sorts each index by itself and interleaves merged indexes by rank, so newest or
  // oldest first over several indexes searches each alone and puts them in time order.
  function ordered(search, words, state, found) {
    if (!SORTS[state.sort]) return Promise.resolve(found.results);
    var sort = { date: SORTS[state.sort] };
    if (!search.folders.length) {
      return search.pagefind.search(words, { filters: state.filters, sort: sort }).then(function (s) { return s.results; });
    }
    var years = search.folders.filter(function (folder) { return /^\d{4}\//.test(folder); });  // in time order
    if (state.sort === "newest") years.reverse();
    var folders = years.concat(search.folders.filter(function (folder) { return years.indexOf(folder) === -1; }));
    var counts = found.filters[BY_INDEX] || {};
    return Promise.all(folders.map(function (folder) {
      if (!counts[folder]) return { results: [] };
      var filters = Object.assign({}, state.filters, byIndex(folder));
      return search.pagefind.search(words, { filters: filters, sort: sort });
    })).then(function (each) {
      return [].concat.apply([], each.map(function (s) { return s.results; }));
    });
  }

  function summary(count, state) {
    var what = count === 0 ? "No entries" : count === 1 ? "1 entry" : count + " entries";
    var text = what + (state.q ? (count === 1 ? " matches" : " match") + " “" + state.q + "”" : "");
    var chosen = Object.keys(state.filters).map(function (name) {
      return label(name) + ": " + state.filters[name].join(" and ");
    });
    if (chosen.length) text += (state.q ? ", " : " ") + "with " + chosen.join("; ");
    return text + "." + (count === 0 && chosen.length ? " Try fewer filters." : "");
  }

  function showResults(results, from, mine, focus) {
    var shown = results.slice(from, from + PAGE);
    more.onclick = null;  // a second click while these load must not list them twice
    list.setAttribute("aria-busy", "true");
    return Promise.all(shown.map(function (result) { return result.data(); })).then(function (data) {
      if (mine !== current || list.children.length !== from) return;
      var items = data.map(resultItem);
      items.forEach(function (item) { list.appendChild(item); });
      list.removeAttribute("aria-busy");
      if (focus && items.length) items[0].querySelector("a").focus();
      var left = results.length - from - shown.length;
      more.hidden = left <= 0;
      more.textContent = "Show " + Math.min(left, PAGE) + " more of " + left;
      more.onclick = function () { showResults(results, from + PAGE, mine, true).catch(function () { failed(mine); }); };
    });
  }

  function resultItem(data) {
    var meta = data.meta || {};
    var item = element("li", "search-result");
    var heading = element("h2", "search-result-title");
    var link = element("a", "", meta.title || data.url);
    if (/^\/(?!\/)/.test(data.url)) link.href = data.url;  // a path of this site, never another origin
    heading.appendChild(link);
    item.appendChild(heading);
    if (meta.date || meta.era) {
      var line = element("p", "search-result-meta");
      if (meta.date) {
        var time = element("time", "", meta.date);
        if (meta.datetime) time.dateTime = meta.datetime;
        line.appendChild(time);
      }
      if (meta.date && meta.era) line.appendChild(document.createTextNode(" · "));
      if (meta.era) line.appendChild(element("span", "search-result-era", "Era: " + meta.era));
      item.appendChild(line);
    }
    item.appendChild(excerpt(data.excerpt || ""));
    return item;
  }

  // Pagefind's excerpt is the page's text with its characters escaped and the words found in
  // <mark>. It is read in an inert document (no script runs, nothing loads) and only its text
  // and marks are copied out, so no other markup, whatever the page held, becomes an element.
  function excerpt(html) {
    var paragraph = element("p", "search-result-excerpt");
    var parsed = new DOMParser().parseFromString("<!doctype html><body>" + html, "text/html").body;
    parsed.childNodes.forEach(function (node) {
      var text = node.textContent;
      if (!text) return;
      paragraph.appendChild(node.nodeName === "MARK" ? element("mark", "", text) : document.createTextNode(text));
    });
    return paragraph;
  }
})();
