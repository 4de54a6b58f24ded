// The upload page: check the file in a Web Worker by the app's rules, then upload it straight
// to S3 with the form the presign endpoint signs.
import init, { UploadClient } from "./pkg/uploadkit_wasm.js";

const $ = (id) => document.getElementById(id);
const CONTENT_TYPES = { "csv": "text/csv", "contact-list": "text/csv", "email-logo": "image/png", "letter-logo": "image/svg+xml" };
const LOGO_KINDS = new Set(["email-logo", "letter-logo"]);

const state = { file: null, converted: null, valid: false, config: { apiBase: "", cdnBase: "" }, controller: null, checks: 0 };
let worker;
let typing; // the pending re-check while the template is typed
// Rows shown in the preview, as the app's check page shows the first ones.
const PREVIEW_ROWS = 5;

function say(text) { $("status").textContent = text; }

function showProblems(summary, fileErrors, cellErrors) {
  $("problems-summary").textContent = summary;
  const list = $("file-errors");
  // The summary is the first file-level problem: say it once.
  fileErrors = fileErrors.filter((message) => message !== summary);
  list.hidden = fileErrors.length === 0;
  list.replaceChildren(...fileErrors.map((message) => {
    const li = document.createElement("li");
    li.textContent = message;
    return li;
  }));
  const body = $("cell-errors").querySelector("tbody");
  body.replaceChildren(...cellErrors.map((e) => {
    const tr = document.createElement("tr");
    // Row numbers as a spreadsheet shows them: the header is row 1.
    for (const text of [String(e.rowNumber), e.column, e.message]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
  $("cell-errors").hidden = cellErrors.length === 0;
  $("problems").hidden = false;
  $("problems").focus();
}

/// The first rows as the app will read them: the recipient, normalised, and each placeholder.
function showPreview(report) {
  const rows = report.rows.slice(0, PREVIEW_ROWS);
  if (rows.length === 0) return;
  // The recipient is shown once, as the app reads it; then the template's placeholders.
  const keys = Object.keys(rows[0].personalisation).filter((k) => !report.recipientColumns.includes(k));
  const cell = (tag, text) => { const c = document.createElement(tag); c.textContent = text; return c; };
  const show = (v) => v === null ? "" : Array.isArray(v) ? v.filter((x) => x !== null).join(", ") : String(v);
  $("preview-rows").querySelector("thead tr").replaceChildren(cell("th", "Row"), cell("th", "Recipient"),
    ...keys.map((k) => cell("th", report.columnHeaders.find((h) => columnKey(h) === k) ?? k)));
  $("preview-rows").querySelector("tbody").replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    const recipient = Array.isArray(row.recipient) ? row.recipient.join(", ") : show(row.recipient);
    tr.append(cell("td", String(row.rowNumber)), cell("td", recipient), ...keys.map((k) => cell("td", show(row.personalisation[k]))));
    return tr;
  }));
  $("preview").hidden = false;
}

/// The app's column key (lower case; spaces, `_` and `-` ignored), to label the preview.
function columnKey(name) { return name.toLowerCase().replace(/[ _-]/g, ""); }

function clearOutcome() {
  $("preview").hidden = true;
  $("problems").hidden = true;
  $("result").hidden = true;
  $("progress-area").hidden = true;
}

/// What the spreadsheet is checked against: the template, as the app has it.
function checkOptions() {
  const template = $("template").value;
  return {
    templateType: $("template-type").value,
    template: template.trim() ? template : undefined,
    subject: $("template-type").value === "sms" ? undefined : $("subject").value,
    previewRows: PREVIEW_ROWS,
  };
}

function kind() { return $("kind").value; }

function validate(file) {
  const id = ++state.checks;
  return new Promise((resolve, reject) => {
    const listener = ({ data }) => {
      if (data.id !== id) return;
      worker.removeEventListener("message", listener);
      data.error ? reject(new Error(data.error)) : resolve(data);
    };
    worker.addEventListener("message", listener);
    worker.postMessage({ id, file, kind: kind(), options: checkOptions() });
  });
}

async function check() {
  clearTimeout(typing);
  const file = state.file;
  state.valid = false;
  state.converted = null;
  $("upload").disabled = true;
  clearOutcome();
  if (!file) return;
  say(`Checking ${file.name}…`);
  let outcome;
  try {
    outcome = await validate(file);
  } catch (error) {
    say("");
    showProblems("The file could not be checked", [error.message], []);
    return;
  }
  if (file !== state.file) return; // another file was chosen meanwhile
  if (outcome.unreadable) {
    say("");
    showProblems(outcome.unreadable.message, [outcome.unreadable.message], []);
    return;
  }
  const report = outcome.report;
  if (LOGO_KINDS.has(kind())) {
    if (!report.ok) {
      say("");
      showProblems("There is a problem with your logo", [report.message], []);
      return;
    }
    const notes = [];
    if (report.willResize) notes.push("it will be resized to 640 pixels wide");
    if (report.willPad) notes.push("it will be padded");
    say(`${file.name} is ready to upload${notes.length ? ` (${notes.join(", ")})` : ""}.`);
  } else {
    showPreview(report);
    if (!report.valid) {
      say("");
      // The bad cells from the rows reported in full; the table shows the first 1,000 of them
      // (the summary counts them all).
      const cellErrors = report.rows.flatMap((row) => row.errors.map((e) => ({ ...e, rowNumber: row.rowNumber })))
        .slice(0, 1000);
      showProblems(report.summary || "There is a problem with your file", report.fileErrors.map((e) => e.message), cellErrors);
      return;
    }
    state.converted = outcome.converted ?? null;
    say(`${file.name} is ready to upload: ${report.rowCount} ${report.rowCount === 1 ? "row" : "rows"}, checked in ${Math.round(outcome.ms)} ms.`);
  }
  state.valid = true;
  $("upload").disabled = false;
}

function choose(file) {
  state.file = file || null;
  $("file-name").textContent = file ? `${file.name} (${file.size.toLocaleString()} bytes)` : "";
  check();
}

async function upload(event) {
  event.preventDefault();
  if (!state.valid || !state.file) return;
  const file = state.file;
  // A workbook is uploaded as the CSV text the app makes of it, which is what it stores; the
  // request names the file as chosen, for the stored original name.
  const body = state.converted !== null ? new Blob([state.converted], { type: "text/csv" }) : file;
  clearOutcome();
  $("upload").disabled = true;
  $("cancel").hidden = false;
  $("progress-area").hidden = false;
  $("progress").value = 0;
  $("progress-text").textContent = "0%";
  state.controller = new AbortController();
  let lastAnnounced = -1;
  try {
    say(`Uploading ${file.name}…`);
    const client = new UploadClient({ endpoint: state.config.apiBase, grant: () => $("grant").value.trim() });
    const stored = await client.upload(body, {
      kind: kind(), fileName: file.name, contentType: CONTENT_TYPES[kind()],
      signal: state.controller.signal,
      onProgress: (sent, total) => {
        const percent = total ? Math.floor((sent / total) * 100) : 0;
        $("progress").value = percent;
        // Announce in steps of 10% so screen readers are not flooded.
        if (Math.floor(percent / 10) !== lastAnnounced) {
          lastAnnounced = Math.floor(percent / 10);
          $("progress-text").textContent = `${percent}%`;
        }
      },
      onRetry: (attempt, delayMs, message) => say(`${message}. Trying again (attempt ${attempt + 1})…`),
    });
    $("progress").value = 100;
    $("progress-text").textContent = "100%";
    $("result-key").textContent = stored.key;
    $("result-bucket").textContent = stored.bucket;
    $("result-size").textContent = `${stored.size.toLocaleString()} bytes`;
    $("result-etag").textContent = stored.etag || "—";
    const isLogo = LOGO_KINDS.has(kind());
    $("result-link").hidden = !isLogo;
    if (isLogo) $("logo-link").href = `${state.config.cdnBase}/${stored.key}`;
    $("result").hidden = false;
    say(`${file.name} was uploaded${stored.attempts > 1 ? ` after ${stored.attempts} attempts` : ""}.`);
    $("result").focus();
  } catch (error) {
    say("");
    showProblems(error.name === "AbortError" ? "The upload was cancelled" : "The file was not uploaded", [error.message], []);
    $("upload").disabled = false;
  } finally {
    $("cancel").hidden = true;
    state.controller = null;
  }
}

function wireDropZone() {
  const zone = $("drop-zone");
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("dragging"); });
  }
  for (const type of ["dragleave", "drop"]) {
    zone.addEventListener(type, () => zone.classList.remove("dragging"));
  }
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });
}

function showTemplateFields() {
  $("template-fields").hidden = LOGO_KINDS.has(kind());
  $("template-type").querySelector('option[value="letter"]').disabled = kind() === "contact-list";
  if (kind() === "contact-list" && $("template-type").value === "letter") $("template-type").value = "email";
}

async function start() {
  try {
    await init();
    worker = new Worker(new URL("./validate.worker.js", import.meta.url), { type: "module" });
  } catch {
    $("not-built").hidden = false;
    return;
  }
  try {
    const response = await fetch("local/config.json");
    if (response.ok) {
      state.config = await response.json();
      $("grant").value = state.config.grant || "";
    }
  } catch { /* not the local stack: the grant is pasted in */ }
  $("file").addEventListener("change", () => choose($("file").files[0]));
  $("kind").addEventListener("change", () => { showTemplateFields(); check(); });
  $("template-type").addEventListener("change", check);
  // On input, not change: a change fires on blur, which would re-check (and disable the button)
  // just as someone clicks Upload.
  for (const id of ["template", "subject"]) {
    $(id).addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(check, 300); });
  }
  $("upload-form").addEventListener("submit", upload);
  $("cancel").addEventListener("click", () => state.controller && state.controller.abort());
  wireDropZone();
  showTemplateFields();
  document.body.dataset.ready = "true";
}

start();
