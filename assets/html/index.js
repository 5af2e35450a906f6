// Sorting and filtering of the cells table; without JavaScript the page shows every cell.
(function () {
  var table = document.getElementById("cells");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filters = document.getElementById("filters");
  var selects = Array.prototype.slice.call(filters.querySelectorAll("select"));
  var shown = document.getElementById("shown");
  filters.hidden = false;
  selects.forEach(function (s) {
    var seen = {};
    rows.forEach(function (r) { seen[r.dataset[s.dataset.col]] = true; });
    Object.keys(seen).sort().forEach(function (v) {
      var o = document.createElement("option");
      o.value = v;
      o.textContent = v;
      s.appendChild(o);
    });
    s.addEventListener("change", apply);
  });
  function apply() {
    var n = 0;
    rows.forEach(function (r) {
      var ok = selects.every(function (s) { return !s.value || r.dataset[s.dataset.col] === s.value; });
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + " of " + rows.length + " cells shown";
  }
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, i) {
    th.tabIndex = 0;
    th.title = "sort";
    var go = function () { sort(i, th); };
    th.addEventListener("click", go);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") go(); });
  });
  function key(r, i) {
    var c = r.cells[i];
    return c.dataset.sort !== undefined ? parseFloat(c.dataset.sort) : c.textContent;
  }
  function sort(i, th) {
    var asc = th.getAttribute("aria-sort") !== "ascending";
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = key(a, i), y = key(b, i);
      var d = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      return asc ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  apply();
})();
