(function () {
  "use strict";
  var bar = document.getElementById("filter-bar");
  var input = document.getElementById("filter");
  if (!bar || !input) { return; }
  bar.hidden = false;
  var rows = document.querySelectorAll("[data-search]");
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    for (var i = 0; i < rows.length; i++) {
      var el = rows[i];
      el.hidden = q !== "" && el.getAttribute("data-search").indexOf(q) === -1;
    }
    if (q !== "") {
      var groups = document.querySelectorAll("details.group");
      for (var j = 0; j < groups.length; j++) { groups[j].open = true; }
    }
  });
})();
