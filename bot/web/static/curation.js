// TED admin: the knowledge base (/admin/knowledge). Everything is built with el() (textContent, never markup),
// so text from a policy or a question shows exactly as written; all data comes from /api/admin/kb.
import { api, el, state } from "/static/ted.js";

const $ = (id) => document.getElementById(id);
const KB = "/api/admin/kb";
const DETAILS = [["title", "Title", "text"], ["owner", "Owner (email or name)", "text"], ["version", "Version", "text"],
  ["date", "Date", "date"], ["next_review", "Review date", "date"]];
let data = { documents: [], queue: { unanswered: [], feedback: [] }, taught: [], audit: [] };

function say(text) {
  const status = $("status");
  status.textContent = text;
  status.setAttribute("tabindex", "-1");
  status.focus();
}

function table(caption, heads, rows, empty) {
  if (!rows.length) return el("p", { class: "muted", text: empty });
  return el("div", { class: "table-wrap" }, el("table", {},
    el("caption", { class: "vh", text: caption }),
    el("thead", {}, el("tr", {}, heads.map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c)))))));
}

function button(label, onPress, { style = "", hidden = "" } = {}) {
  const node = el("button", { type: "button", class: `btn ${style}`.trim() }, label,
    hidden ? el("span", { class: "vh", text: ` ${hidden}` }) : null);
  node.addEventListener("click", async () => {
    node.disabled = true;
    try { await onPress(node); } finally { node.disabled = false; }
  });
  return node;
}

// Run a change, then say what happened and redraw everything from the server.
async function change(path, body, done) {
  const res = await api(path, body);
  if (!res.ok) return say(res.data.error || "That didn't work.");
  await load();
  const said = typeof done === "function" ? done(res.data) : done;
  say(res.data.note ? `${said} ${res.data.note}` : said);
  return res;
}

function when(iso) {
  return iso ? iso.replace("T", " ").slice(0, 16) : "—";
}

// -- documents -------------------------------------------------------------------------------------
function renderDocuments() {
  const rows = data.documents.map((d) => {
    const actions = [button("History", (n) => showHistory(d.doc_id, n), { style: "small", hidden: d.title })];
    if (d.status === "live") {
      actions.push(button("Edit details", (n) => editDetails(`${KB}/documents/${encodeURIComponent(d.doc_id)}/details`, d, n),
        { style: "small", hidden: d.title }));
      actions.push(button("Retire", () => retire(d), { style: "small danger", hidden: d.title }));
    }
    if (d.draft) actions.push(button("Preview draft", () => openDraft(d.draft.id), { style: "small primary", hidden: d.title }));
    const status = d.status + (d.draft ? ` · draft version ${d.draft.seq} waiting` : "");
    return [el("span", {}, d.status === "live" ? el("a", { href: `/policy/${encodeURIComponent(d.doc_id)}`, text: d.title }) : d.title,
      el("br"), el("span", { class: "muted", text: d.doc_id })),
    el("span", { class: `badge ${d.status}`, text: status }), d.version || "—", d.owner || "—", d.next_review || "not set",
    String(d.clause_count), el("div", { class: "actions" }, actions)];
  });
  $("documents").replaceChildren(table("Documents", ["Policy", "Status", "Version", "Owner", "Review date", "Clauses",
    "Actions"], rows, "No documents yet."));
  const pick = $("upload-doc");
  const chosen = pick.value;
  pick.replaceChildren(el("option", { value: "", text: "a new document" }),
    ...data.documents.map((d) => el("option", { value: d.doc_id,
      text: d.status === "draft" ? `a new draft of ${d.title} (replaces the draft waiting)` : `a new version of ${d.title}` })));
  pick.value = chosen;
}

async function retire(d) {
  if (!window.confirm(`Retire “${d.title}”? TED will no longer search or cite it.`)) return;
  await change(`${KB}/documents/${encodeURIComponent(d.doc_id)}/retire`, {}, `Retired ${d.title}.`);
}

function editDetails(path, current, opener) {
  const dialog = el("dialog", { class: "form-dialog", "aria-labelledby": "details-title" });
  const fields = DETAILS.map(([name, label, type]) => el("p", { class: "field" },
    el("label", { for: `detail-${name}`, text: label }), el("br"),
    el("input", { id: `detail-${name}`, name, type, value: current[name] || "" })));
  const error = el("p", { class: "error-msg", role: "alert", id: "details-error" });
  const form = el("form", { class: "ted-form" }, el("h2", { id: "details-title", text: `Details of ${current.title}` }),
    ...fields, error, el("p", { class: "form-actions" }, el("button", { type: "submit", class: "btn primary", text: "Save" }),
      el("button", { type: "button", class: "btn", text: "Cancel", onclick: () => dialog.close() })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(DETAILS.map(([name]) => [name, form.elements[name].value]));
    const res = await api(path, body);
    for (const [name] of DETAILS) form.elements[name].removeAttribute("aria-invalid");
    if (!res.ok) {
      error.textContent = res.data.error;
      // The field the problem is in is marked and takes focus, so a screen reader hears which one.
      const field = res.data.field && form.elements[res.data.field];
      if (field) {
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", "details-error");
        field.focus();
      }
      return;
    }
    dialog.close();
    await load();
    if (current.id) await openDraft(current.id);
    say("Details saved.");
  });
  dialog.addEventListener("close", () => { dialog.remove(); opener?.focus(); });
  dialog.append(form);
  document.body.append(dialog);
  dialog.showModal();
  form.elements.title.focus();
}

async function showHistory(docId, opener) {
  const res = await api(`${KB}/documents/${encodeURIComponent(docId)}/history`);
  if (!res.ok) return say(res.data.error);
  const box = $("history");
  // A version that was replaced or retired can be brought back: it becomes the draft waiting, to check and publish.
  const restorable = (v) => v.status === "superseded" || v.status === "retired";
  const versions = res.data.versions.map((v) => [`version ${v.seq}`, v.status, v.title, v.version || "—", String(v.clause_count),
    `${when(v.published_at || v.created_at)} by ${v.published_by || v.created_by || "—"}`,
    v.ended_at ? `${when(v.ended_at)} by ${v.ended_by || "—"}` : "—",
    restorable(v) ? button("Restore as a draft", () => restore(docId, v.seq), { style: "small", hidden: `version ${v.seq} of ${docId}` }) : "—"]);
  box.replaceChildren(el("h3", { id: "h-history", tabindex: "-1", text: `History of ${docId}` }),
    table("Versions", ["Version", "Status", "Title", "Label", "Clauses", "From", "Until", "Restore"], versions, "No versions."),
    auditTable(res.data.changes, "Changes to this document"),
    button("Close history", () => { box.hidden = true; (opener && opener.isConnected ? opener : $("h-docs")).focus(); }, { style: "small" }));
  box.hidden = false;
  $("h-history").focus();
}

async function restore(docId, seq, force = false) {
  const res = await api(`${KB}/documents/${encodeURIComponent(docId)}/restore`, { version: seq, force });
  if (!res.ok) {
    if (!force && /draft is waiting/.test(res.data.error || "") &&
        window.confirm(`${res.data.error}\n\nDiscard that draft and restore version ${seq}?`)) return restore(docId, seq, true);
    return say(res.data.error || "That didn't work.");
  }
  $("history").hidden = true;
  await load();
  say(`Version ${seq} of ${docId} is now the draft waiting: check it below and publish it to bring it back.`);
  renderPreview(res.data);
}

// -- drafts ----------------------------------------------------------------------------------------
function renderPreview(p) {
  const d = p.draft;
  const box = $("preview");
  const rows = p.clauses.map((c) => [el("strong", { text: c.number }), c.heading || "—", el("span", { text: c.text })]);
  const warnings = p.warnings || [];
  const publish = () => {
    // What publishing would change without a word (another title, far fewer clauses, lost example questions)
    // is said again before it happens: a wrong file chosen as a new version is easy to publish by mistake.
    if (warnings.length && !window.confirm(`Publish ${d.title} anyway?\n\n${warnings.join("\n")}`)) return;
    return change(`${KB}/drafts/${d.id}/publish`, {}, () => { box.hidden = true; return `Published ${d.title}: staff answers now quote it.`; });
  };
  const discard = () => {
    if (!window.confirm(`Discard draft version ${d.seq} of ${d.title}? It is kept in the history but can't be published.`)) return;
    return change(`${KB}/drafts/${d.id}/discard`, {}, () => { box.hidden = true; return "Draft discarded."; });
  };
  box.replaceChildren(
    el("h3", { id: "h-preview", tabindex: "-1", text: `Preview: ${d.title} (draft version ${d.seq} of ${d.doc_id})` }),
    el("p", { text: `TED found ${p.clauses.length} clauses or passages. Nothing changes for staff until you publish it.` }),
    el("p", { class: "muted", text: `Owner: ${d.owner || "—"} · Version: ${d.version || "—"} · Review date: ${d.next_review || "not set"}` }),
    warnings.length ? el("div", { class: "warning", role: "note" }, el("p", { text: "Before you publish, check:" }),
      el("ul", {}, ...warnings.map((w) => el("li", { text: w })))) : "",
    el("div", { class: "actions" },
      button("Publish", publish, { style: "primary" }),
      button("Edit details", (n) => editDetails(`${KB}/drafts/${d.id}/details`, { ...d, id: d.id }, n)),
      button("Discard", discard)),
    table("Clauses found", ["Number", "Heading", "Passage"], rows, "No clauses found."));
  box.hidden = false;
  $("h-preview").focus();
}

async function openDraft(id) {
  const res = await api(`${KB}/drafts/${id}`);
  if (!res.ok) return say(res.data.error);
  renderPreview(res.data);
}

async function upload(event) {
  event.preventDefault();
  const form = event.target;
  const file = form.elements.file.files[0];
  if (!file) return say("Please choose a policy document to upload.");
  const body = new FormData();
  body.append("doc_id", form.elements.doc_id.value);
  body.append("file", file, file.name);
  say(`Reading ${file.name}…`);
  const res = await api(`${KB}/drafts`, body);
  if (!res.ok) return say(res.data.error || `${file.name} could not be read.`);
  form.reset();
  await load();
  say(`${file.name} read: draft version ${res.data.draft.seq} of ${res.data.draft.title} is ready to check below.`);
  renderPreview(res.data);
}

// -- teaching --------------------------------------------------------------------------------------
function docTitleOf(docId) {
  return (data.documents.find((d) => d.doc_id === docId) || {}).title || docId;
}

function clauseChoice(item, c) {
  // With more than one document, a clause number alone ("2.1") could be any of theirs: say whose it is.
  const several = data.documents.filter((d) => d.status === "live").length > 1;
  const label = `${c.clause}${c.title ? ` — ${c.title}` : ""}${several ? ` (${docTitleOf(c.doc_id)})` : ""}`;
  return el("li", {}, button(`This clause answers it: ${label}`,
    () => change(`${KB}/teach`, { kind: item.kind, id: item.id, doc_id: c.doc_id, clause: c.clause }, `Taught: ${label} answers “${item.question}”.`),
    { style: "small primary", hidden: `, for “${item.question}”` }), c.cited ? el("span", { class: "muted", text: " (the clause TED gave)" }) : null,
  c.chosen ? el("span", { class: "muted", text: " (chosen by the person who asked, from TED's closest clauses)" }) : null,
  el("details", {}, el("summary", { text: `Read ${c.clause}` }), el("blockquote", { class: "quote" }, el("p", { text: c.text }))));
}

function queueItem(item) {
  const id = `${item.kind}-${item.id}`;
  const results = el("ul", { class: "choices", "aria-live": "polite" });
  const search = el("form", { class: "search", role: "search" },
    el("label", { for: `${id}-q`, text: "Find another clause (words or a number such as 5.13)" }), " ",
    el("input", { id: `${id}-q`, type: "search", name: "q" }), " ",
    el("button", { type: "submit", class: "btn small" }, "Search", el("span", { class: "vh", text: ` clauses for “${item.question}”` })));
  search.addEventListener("submit", async (event) => {
    event.preventDefault();
    const res = await api(`${KB}/clauses?q=${encodeURIComponent(search.elements.q.value)}`);
    if (!res.ok) return say(res.data.error);
    results.replaceChildren(...(res.data.clauses.length ? res.data.clauses.map((c) => clauseChoice(item, c))
      : [el("li", { class: "muted", text: "No clause found." })]));
  });
  const doc = item.best_doc || item.doc_id || (data.documents.find((d) => d.status === "live") || {}).doc_id || "";
  const docTitle = docTitleOf(doc);
  const meta = [when(item.asked_at || item.given_at), item.channel, item.times > 1 ? `asked ${item.times} times` : ""]
    .filter(Boolean).join(" · ");
  return el("article", { class: "panel", "aria-labelledby": `${id}-h` },
    el("h4", { id: `${id}-h`, text: `“${item.question}”` }), el("p", { class: "muted", text: meta }),
    item.kind === "feedback" ? el("p", { text: `TED answered with ${item.clause || "no clause"}${item.reason ? `; the reason given: “${item.reason}”` : "; no reason given"}.` }) : null,
    el("p", { text: "TED's best clauses:" }), el("ul", { class: "choices" }, item.suggestions.map((c) => clauseChoice(item, c))),
    search, results,
    el("div", { class: "actions" },
      doc ? button(`Not covered by ${docTitle}`, () => change(`${KB}/not-covered`, { kind: item.kind, id: item.id, doc_id: doc },
        `Noted: the ${docTitle} doesn't cover “${item.question}”.`), { hidden: `“${item.question}”` }) : null,
      button("Dismiss", () => change(`${KB}/dismiss`, { kind: item.kind, id: item.id }, "Dismissed."), { hidden: `“${item.question}”` })));
}

function renderQueue() {
  for (const kind of ["unanswered", "feedback"]) {
    const items = data.queue[kind];
    $(`queue-${kind}`).replaceChildren(...(items.length ? items.map(queueItem)
      : [el("p", { class: "muted", text: "Nothing to deal with." })]));
  }
}

function renderTaught() {
  const rows = data.taught.map((t) => [el("span", { text: t.question }),
    t.kind === "phrasing" ? `${t.clause} (${t.doc_id})` : `not covered by ${t.doc_id}`,
    t.status, t.added_by, when(t.added_at),
    button("Undo", () => change(`${KB}/taught/${t.id}/forget`, {}, `Undone: “${t.question}”.`), { style: "small", hidden: `“${t.question}”` })]);
  $("taught").replaceChildren(table("What TED was taught", ["Question", "Taught to", "Status", "Who", "When", "Undo"], rows,
    "Nothing taught yet."));
}

function auditTable(entries, caption) {
  const rows = entries.map((e) => [when(e.at), e.who || e.actor, e.what || `${e.action}${e.target ? ` ${e.target}` : ""}`, e.doc_id || "—",
    el("span", { text: e.detail || "" })]);
  return table(caption, ["When", "Who", "What", "Document", "Before → after"], rows, "No changes yet.");
}

async function load() {
  const res = await api(KB);
  if (!res.ok) return say(res.data.error);
  data = res.data;
  renderDocuments();
  renderQueue();
  renderTaught();
  $("audit").replaceChildren(auditTable(data.audit, "Changes to the knowledge base"));
}

document.addEventListener("DOMContentLoaded", async () => {
  state.csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  $("upload-form").addEventListener("submit", upload);
  await load();
  document.body.dataset.ready = "true";
});
