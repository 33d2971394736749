// Grading by question: keys move through the students and tick rubric items.
// 1–9 tick or untick item n · s save and go on · j next student · k previous · c comment.
// Reusable comments are put in the comment box with a click. Without this script every
// action is an ordinary link or form button.
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && target.type !== "checkbox");
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (/^[1-9]$/.test(key)) {
      var box = document.querySelector('input[data-key="' + key + '"]');
      if (box) { box.checked = !box.checked; event.preventDefault(); }
    } else if (key === "s") {
      var form = document.getElementById("mark");
      if (form) { event.preventDefault(); form.requestSubmit(); }
    } else if (key === "j" || key === "k") {
      var link = document.getElementById(key === "j" ? "next" : "prev");
      if (link) { event.preventDefault(); window.location.href = link.href; }
    } else if (key === "c") {
      var comment = document.getElementById("comment");
      if (comment) { event.preventDefault(); comment.focus(); }
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.reuse");
    if (!button) return;
    var comment = document.getElementById("comment");
    comment.value = comment.value ? comment.value + "\n" + button.dataset.comment : button.dataset.comment;
  });
})();
