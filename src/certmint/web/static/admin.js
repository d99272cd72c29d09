// Progressive enhancement for the admin pages; every page works without this file.
// No words live here: the pages hand them over in data- attributes, in the page's language.
"use strict";

// A count written as the page's language writes numbers (6,000 in English, 1,00,000 in Hindi).
const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

// The designer's live preview: post the form a moment after the last change and show the image.
function livePreview(form) {
  const img = document.getElementById("preview");
  const state = document.getElementById("preview-state");
  const card = img.closest(".preview-card");
  let timer = null;
  let shown = null;
  let latest = 0;
  async function refresh() {
    const ticket = ++latest;
    card.setAttribute("aria-busy", "true");
    const data = new FormData(form);
    try {
      const response = await fetch(form.dataset.livePreview, { method: "POST", body: data });
      if (ticket !== latest) return; // a newer change is already on its way
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        const problems = (problem.errors || []).join("; ") || problem.detail || response.status;
        state.textContent = state.dataset.failed.replace("{problems}", problems);
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      img.src = url;
      if (shown) URL.revokeObjectURL(shown);
      shown = url;
      state.textContent = state.dataset.shown;
    } finally {
      if (ticket === latest) card.removeAttribute("aria-busy");
    }
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
}

// "Issue now": poll the job's progress and move the bar until it finishes.
function pollJob(box) {
  const bar = box.querySelector("progress");
  const fields = {};
  const statusWords = JSON.parse(box.dataset.statusWords || "{}");
  const outcome = document.getElementById("job-outcome");
  for (const scope of [box, outcome]) {
    if (scope) scope.querySelectorAll("[data-field]").forEach((el) => { fields[el.dataset.field] = el; });
  }
  async function tick() {
    const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const job = await response.json();
    bar.value = job.percent;
    bar.textContent = job.percent + "%";
    for (const name of ["percent", "done", "total", "issued", "already_held", "not_eligible"]) {
      if (fields[name]) fields[name].textContent = numbers.format(job[name]);
    }
    if (fields.status) fields.status.textContent = statusWords[job.status] || job.status;
    box.dataset.jobStatus = job.status;
    if (job.finished) {
      const done = document.getElementById("job-finished");
      if (done) {
        done.querySelectorAll("[data-ends]").forEach((line) => { line.hidden = line.dataset.ends !== job.status; });
        done.hidden = false;
      }
      if (job.summary_url) { window.location.assign(job.summary_url); }
      return;
    }
    setTimeout(tick, 400);
  }
  setTimeout(tick, 200);
}

// The designer shows as many logo and signatory rows as the chosen layout holds. A hidden
// row's fields are disabled so that they are not sent (the layout would refuse them).
function layoutRows(select) {
  function show() {
    const option = select.selectedOptions[0];
    const limits = { logo: Number(option.dataset.maxLogos), signatory: Number(option.dataset.maxSignatures) };
    for (const kind of ["logo", "signatory"]) {
      select.form.querySelectorAll(`[data-${kind}-row]`).forEach((row) => {
        const hidden = Number(row.dataset[`${kind}Row`]) > limits[kind];
        row.hidden = hidden;
        row.querySelectorAll("input").forEach((input) => { input.disabled = hidden; });
      });
    }
  }
  select.addEventListener("change", show);
  show();
}

// The criteria builder: a moment after a condition changes, ask the server who would qualify
// and show its answer (the same piece of page the form shows after "Check criteria"). While the
// rows are what the admin works on, the JSON view follows them; once the JSON is edited, it is
// what counts (the server decides which, from the JSON the page showed: criteria_shown).
function criteriaBuilder(box) {
  const form = box.closest("form");
  const preview = document.getElementById("criteria-preview");
  const text = form.querySelector('textarea[name="criteria"]');
  const shown = form.querySelector('input[name="criteria_shown"]');
  let timer = null;
  let latest = 0;
  // What the form held when the preview last answered: a text field's "change" on leaving it
  // repeats the "input" already answered, and asking again would only dim the preview anew.
  const asked = () => new URLSearchParams(new FormData(form)).toString();
  let answered = asked();
  async function refresh() {
    if (asked() === answered) return;
    const ticket = ++latest;
    preview.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(box.dataset.previewUrl, { method: "POST", body: new FormData(form) });
      if (ticket !== latest || !response.ok) return;
      const answer = new DOMParser().parseFromString(await response.text(), "text/html");
      const result = answer.body.firstElementChild;
      if (!result) return;
      preview.replaceChildren(document.importNode(result, true));
      if (result.dataset.source === "rows" && result.dataset.json) {
        text.value = result.dataset.json;
        shown.value = result.dataset.json;
      }
      answered = asked();
    } finally {
      if (ticket === latest) preview.removeAttribute("aria-busy");
    }
  }
  function schedule(event) {
    if (!box.contains(event.target)) return; // the name or the signatories do not change who qualifies
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
}

// The certificates table's "select all" box: it stands for every certificate the filters find
// (the server finds them again); ticking it ticks the rows shown, unticking a row unticks it.
function pickAll(box) {
  const rows = box.form.querySelectorAll('input[type="checkbox"][name="id"]');
  box.addEventListener("change", () => rows.forEach((row) => { row.checked = box.checked; }));
  rows.forEach((row) => row.addEventListener("change", () => { if (!row.checked) box.checked = false; }));
}

// "Copy the link": the button stays hidden without JavaScript (the link can be selected anyway);
// it says so in its own words (data-copied) once the clipboard has the text.
function copyButton(button) {
  const source = document.getElementById(button.dataset.copy);
  button.hidden = !navigator.clipboard;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = button.dataset.copied;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-pick-all]").forEach(pickAll);
  document.querySelectorAll("button[data-copy]").forEach(copyButton);
  document.querySelectorAll("[data-criteria-builder]").forEach(criteriaBuilder);
  const form = document.querySelector("form[data-live-preview]");
  if (form) {
    const layout = form.querySelector("select#layout");
    if (layout) layoutRows(layout);
    livePreview(form);
  }
  document.querySelectorAll("[data-progress-url]").forEach((box) => {
    if (box.dataset.jobStatus === "queued" || box.dataset.jobStatus === "running") pollJob(box);
  });
});
