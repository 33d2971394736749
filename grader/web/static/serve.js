// dlgrade serve: a little help for the answer forms. Every page works without it.
// - A matrix pasted into one cell of a grid fills the grid from that cell.
// - Arrow keys and Enter move between the cells of a grid.
// - "Check" sends the form in the background to /a/<assignment>/check and puts the JSON
//   verdict under the part (as text nodes), so the rest of the page stays as it is.
"use strict";

function gridCells(table) {
  return Array.from(table.rows).map((row) => Array.from(row.querySelectorAll("input")));
}

function position(cells, input) {
  for (let r = 0; r < cells.length; r++) {
    const c = cells[r].indexOf(input);
    if (c >= 0) return [r, c];
  }
  return null;
}

function splitMatrix(text) {
  let body = text.trim();
  let rows = body.includes("\n") ? body.split(/\r?\n/) : body.split(/\]\s*,?\s*\[|;/);
  rows = rows.map((row) => row.replace(/[\[\]]/g, " ").trim()).filter((row) => row.length);
  return rows.map((row) => row.split(/[\s,\t]+/).filter((cell) => cell.length));
}

function onPaste(event, table) {
  const text = (event.clipboardData || window.clipboardData).getData("text");
  const values = splitMatrix(text);
  if (values.length <= 1 && (values[0] || []).length <= 1) return; // one number: normal paste
  event.preventDefault();
  const cells = gridCells(table);
  const start = position(cells, event.target);
  values.forEach((row, i) => row.forEach((value, j) => {
    const target = (cells[start[0] + i] || [])[start[1] + j];
    if (target) target.value = value;
  }));
}

function onKey(event, table) {
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], Enter: [1, 0] };
  const ltrMoves = { ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  const move = moves[event.key] || ltrMoves[event.key];
  if (!move) return;
  const input = event.target;
  const atEdge = event.key === "ArrowLeft" ? input.selectionStart === 0
    : event.key === "ArrowRight" ? input.selectionEnd === input.value.length : true;
  if (!atEdge) return;
  const cells = gridCells(table);
  const [r, c] = position(cells, input);
  const next = (cells[r + move[0]] || [])[c + move[1]];
  if (next) { event.preventDefault(); next.focus(); next.select(); }
}

function markCells(section, verdict) {
  const wrong = new Set((verdict.wrong_cells || []).map(([r, c]) => r + "," + c));
  const table = section.querySelector("table.grid");
  if (table) {
    gridCells(table).forEach((row, r) => row.forEach((input, c) => {
      input.classList.toggle("wrong", wrong.has(r + "," + c));
    }));
  }
  section.className = "part " + (verdict.status || "");
}

function line(className, ...children) {
  const p = document.createElement("p");
  if (className) p.className = className;
  p.append(...children);
  return p;
}

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = content; // text, never HTML: every string stays escaped
  return node;
}

// The result box the server renders in _part.html.j2, built from the JSON verdict.
function resultBox(old, verdict, kind) {
  const box = document.createElement("div");
  box.className = "result";
  box.id = old.id;
  box.setAttribute("aria-live", "polite");
  box.dataset.status = verdict.status || "";
  box.dataset.wrong = (verdict.wrong_cells || []).map(([r, c]) => r + "," + c + ";").join("");
  if (verdict.message) box.append(element("p", "notice bad", verdict.message));
  if (verdict.status) {
    box.append(line("", element("span", "badge " + verdict.status, verdict.status_label), " ",
      element("span", "score", verdict.score)));
    if (verdict.misconception) {
      box.append(line("mistake", element("strong", "", verdict.misconception_label + ":"), " ",
        element("code", "", verdict.misconception)));
    }
    if (verdict.feedback) {
      const feedback = element("p", "feedback", verdict.feedback);
      feedback.lang = "en";
      feedback.dir = "auto";
      box.append(feedback);
    }
    if ((verdict.wrong_cells || []).length && kind === "grid" && verdict.status !== "correct") {
      box.append(element("p", "muted", verdict.wrong_cells_note));
    }
    if (verdict.expected !== null && verdict.expected !== undefined) {
      box.append(line("", verdict.expected_label + ": ", element("span", "value", verdict.expected)));
    }
  }
  box.append(element("p", "muted left", verdict.left));
  return box;
}

async function check(event) {
  const button = event.target.closest("button.check");
  if (!button) return;
  event.preventDefault();
  const form = button.form;
  const data = new FormData(form);
  data.set("check", button.value);
  button.disabled = true;
  try {
    const response = await fetch(form.action + "/check", {
      method: "POST", body: data, credentials: "same-origin",
    });
    const section = button.closest("section.part");
    const old = section.querySelector(".result");
    const type = response.headers.get("content-type") || "";
    if (response.ok && type.startsWith("application/json") && old) {
      const verdict = await response.json();
      const kind = section.querySelector("table.grid") ? "grid" : "field";
      old.replaceWith(resultBox(old, verdict, kind));
      markCells(section, verdict);
      return;
    }
    form.requestSubmit(button); // anything unexpected: the plain form post
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.grid").forEach((table) => {
    table.addEventListener("paste", (event) => onPaste(event, table));
    table.addEventListener("keydown", (event) => onKey(event, table));
  });
  const form = document.getElementById("answers");
  if (form) form.addEventListener("click", check);
});
