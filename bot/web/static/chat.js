// TED Web Chat — the "Talk to TED" page: chat, My reports, Inbox, and who you are.
import { api, el, renderReply, state } from "/static/ted.js";
import { openForm } from "/static/ted_forms.js";

const $ = (id) => document.getElementById(id);
const REPORT_OPEN = "ted.report.open";
const POLL_MS = 15000;
let me = { signed_in: false, can_switch: false };
let people = [];

// -- who you are -----------------------------------------------------------------------------------
async function loadMe() {
  const res = await api("/api/me");
  if (!res.ok) return notice(res.data.error);
  me = res.data;
  state.csrf = me.csrf_token;
  if (me.can_switch && !people.length) {
    const list = await api("/api/people");
    people = list.ok ? list.data.people : [];
  }
  drawWho();
}

function describe(p) {
  const roles = p.roles.map((r) => r.replaceAll("_", " ")).join(", ");
  return `${p.name} — ${[p.service_area, roles].filter(Boolean).join("; ")}`;
}

function drawWho() {
  const who = $("who");
  if (me.can_switch) {
    const select = el("select", { id: "person", name: "person" },
      el("option", { value: "", text: "Guest (choose who you are)" }),
      people.map((p) => el("option", { value: p.email, text: describe(p), selected: p.email === me.email })));
    const form = el("form", { class: "switch", id: "identity-form" },
      el("label", { for: "person", text: "Signed in as" }), select,
      el("button", { type: "submit", class: "btn small", id: "switch-button", text: "Switch" }));
    form.addEventListener("submit", (event) => { event.preventDefault(); switchTo(select.value); });
    who.replaceChildren(form);
  } else {
    who.replaceChildren(me.signed_in ? el("p", {}, "Signed in as ", el("strong", { text: me.name }))
      : el("p", { text: "Not signed in" }));
  }
  $("admin-link").hidden = !me.is_admin;
  const blocked = me.mode === "proxy" && !me.signed_in;
  for (const id of ["composer-input", "send", "report-button"]) $(id).disabled = blocked;
  if (blocked) notice("Please sign in to the intranet first, then open TED from there.");
  else if (me.can_switch && !me.signed_in) {
    notice("This is a local copy of TED: choose who you are from the sample staff directory (top of the page) "
      + "to file reports and see your inbox. You can ask questions straight away.");
  } else notice("");
  refreshInbox();
}

async function switchTo(email) {
  const res = await api("/api/identity", { email });
  if (!res.ok) return notice(res.data.error);
  switches += 1; // an answer still on its way was for the person before: it is not shown to this one
  queued = false;
  $("composer-status").textContent = "";
  $("inbox-status").textContent = ""; // what TED said to the last person is not this person's
  $("inbox").replaceChildren(); // nor their inbox and reports, even hidden in a tab not open
  $("reports").replaceChildren();
  me = res.data;
  state.csrf = me.csrf_token;
  drawWho();
  resetLog(me.signed_in ? `You're now signed in as ${me.name}.` : "You're now a guest.");
  const open = document.querySelector('[role="tab"][aria-selected="true"]');
  if (open.id === "tab-reports") loadReports();
  if (open.id === "tab-inbox") loadInbox();
  $("person")?.focus();
}

function notice(text) {
  $("notice").textContent = text || "";
  $("notice").hidden = !text;
}

// -- the conversation ------------------------------------------------------------------------------
function addMessage(from, ...content) {
  const li = el("li", { class: `msg ${from}` },
    el("span", { class: "vh", text: from === "you" ? "You said: " : "TED said: " }), ...content);
  $("log").append(li);
  li.scrollIntoView({ block: "nearest" });
  return li;
}

function resetLog(note) {
  $("log").replaceChildren();
  addMessage("ted", ...(me.greeting || "").split("\n\n").map((t) => el("p", { text: t })),
    note ? el("p", { class: "muted", text: note }) : "");
}

function addReplies(replies, opener, extra = {}) {
  for (const reply of replies) {
    if (reply.text || reply.citations.length) addMessage("ted", renderReply(reply, press));
    if (reply.form) {
      openForm(reply.form, { opener, extra, onDone: (more) => { addReplies(more, opener); refreshInbox(); } });
    }
  }
}

// Focus never falls to the page: a pressed button is disabled while TED answers (which drops focus), so focus
// goes back to it, or, when it stays disabled (feedback given), to what TED said.
function keepFocus(node, answer) {
  const lost = !document.activeElement || document.activeElement === document.body;
  if (!lost) return;  // a dialog opened, or the person moved on
  const target = node.isConnected && !node.disabled ? node : answer;
  if (!target) return;
  if (target === answer) target.tabIndex = -1;
  target.focus();
}

// One exchange at a time, questions and presses alike, in the order they were made: Enter while TED is still
// answering keeps the text in the box and sends it when its turn comes (whatever the box then holds), and a
// button pressed meanwhile (a "Did you mean" chip, feedback, Report this) waits its turn too, so nothing is lost,
// sent out of turn or answered out of order. An answer is shown only to the person who asked: one still on its way
// when the person switches (switchTo) is dropped, and so is anything still waiting.
let busy = null; // the exchange in flight, a promise settled when it is done
let queued = false; // a question is waiting its turn
let switches = 0; // of person (switchTo)

function begin() {
  let settle;
  const turn = new Promise((resolve) => { settle = resolve; });
  busy = turn;
  $("send").disabled = true;
  return () => {
    if (busy === turn) busy = null;
    $("send").disabled = false;
    settle();
  };
}

// Waits for every exchange already in flight or waiting before it (promise callbacks run in the order they were
// registered); false when the person switched meanwhile.
async function myTurn(asker) {
  while (busy) await busy;
  return asker === switches;
}

const FEEDBACK = '[data-action-id^="ted.feedback."]';

async function press(button, node) {
  const feedback = button.action_id.startsWith("ted.feedback.");
  // 👍 and 👎 are one choice: both wait (and neither can be pressed twice) while the one pressed waits its turn.
  const group = feedback ? [...node.parentElement.querySelectorAll(FEEDBACK)] : [node];
  group.forEach((b) => { b.disabled = true; });
  const release = () => group.forEach((b) => { b.disabled = false; });
  const asker = switches;
  if (!(await myTurn(asker))) return release(); // pressed for the person before
  const done = begin();
  const res = await api("/api/action", { action_id: button.action_id, value: button.value });
  if (asker !== switches) { release(); return done(); }
  if (feedback && res.ok) node.setAttribute("aria-pressed", "true"); // the group stays disabled: given
  else release();
  if (!res.ok) {
    keepFocus(node, addMessage("ted", el("p", { class: "error-msg", text: res.data.error })));
    return done();
  }
  addReplies(res.data.replies, node, button.action_id === REPORT_OPEN && button.value
    ? { source_question: button.value } : {});
  keepFocus(node, $("log").lastElementChild);
  done();
}

async function waitToSend() {
  const asker = switches;
  const mine = await myTurn(asker);
  if (!mine || !queued) return; // the person switched, or the question was answered with an error meanwhile
  queued = false;
  $("composer-status").textContent = "";
  if ($("composer-input").value.trim()) send();
}

async function send(event) {
  event?.preventDefault();
  const input = $("composer-input");
  if (busy) {
    if (input.value.trim() && !queued) {
      queued = true;
      $("composer-status").textContent = "I'll send that as soon as I've answered your last question.";
      waitToSend();
    }
    return;
  }
  const text = input.value.trim();
  if (!text) {
    $("composer-error").textContent = "Please type a question first.";
    input.setAttribute("aria-invalid", "true");
    return input.focus();
  }
  $("composer-error").textContent = "";
  input.removeAttribute("aria-invalid");
  addMessage("you", el("p", { class: "typed", text }));
  input.value = "";
  const done = begin();
  const pending = addMessage("ted", el("p", { class: "muted", text: "Looking that up…" }));
  const asker = switches;
  const res = await api("/api/chat", { text });
  pending.remove();
  if (asker !== switches) return done();
  if (!res.ok) {
    addMessage("ted", el("p", { class: "error-msg", text: res.data.error }));
    if (!input.value) input.value = text;  // nothing typed is lost: it is back in the box to send again
    queued = false; // what was typed meanwhile stays in the box, not sent over the error
    $("composer-status").textContent = "";
  } else addReplies(res.data.replies, input);
  input.focus();
  done();
}

// -- my reports ------------------------------------------------------------------------------------
async function loadReports() {
  const box = $("reports");
  const asker = switches;
  const res = await api("/api/reports/mine");
  if (asker !== switches) return; // the list of the person before: switchTo loads this person's
  if (!res.ok) return box.replaceChildren(el("p", { class: "error-msg", text: res.data.error }));
  const rows = res.data.reports;
  if (!rows.length) {
    return box.replaceChildren(el("p", { text: "You haven't filed any reports yet. Use “Report something” on the "
      + "Chat tab to file one." }));
  }
  // The reporter's own list: when to expect to hear, not an instruction meant for whoever received it.
  const detail = (r) => (r.status === "open" ? `Acknowledgement due by ${r.ack_due}` : r.outcome_label || "");
  box.replaceChildren(el("div", { class: "table-wrap" }, el("table", { id: "reports-table" },
    el("caption", { class: "vh", text: "Your reports" }),
    el("thead", {}, el("tr", {}, ["Reference", "What", "Status", "Filed"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows.map((r) => el("tr", { "data-ref": r.ref },
      el("td", {}, el("a", { href: `/reports/${encodeURIComponent(r.ref)}` }, el("strong", { text: r.ref }))),
      el("td", { text: r.category_label }),
      el("td", {}, el("span", { class: `badge ${r.status}`, text: r.status_label }),
        detail(r) ? el("span", { class: "muted block", text: detail(r) }) : ""),
      el("td", { text: r.created })))))));
}

// -- inbox -----------------------------------------------------------------------------------------
async function refreshInbox() {
  if (!me.signed_in) {
    $("inbox-count").textContent = "";
    return [];
  }
  const asker = switches;
  const res = await api("/api/inbox");
  if (asker !== switches) return null; // the inbox of the person before, answered after the switch
  const items = res.ok ? res.data.messages : [];
  $("inbox-count").textContent = items.length ? `(${items.length})` : "";
  return items;
}

async function loadInbox(focusStatus = false) {
  const list = $("inbox");
  if (!me.signed_in) {
    list.replaceChildren();
    $("inbox-status").textContent = "Choose who you are to see messages sent to you.";
    return;
  }
  const items = await refreshInbox();
  if (items === null) return; // switchTo loads this person's
  // Each message under a heading of its own (screen readers move between them), dated the way TED dates things.
  const when = (iso) => new Date(iso).toLocaleString("en-GB", { weekday: "short", day: "2-digit", month: "short",
    year: "numeric", hour: "2-digit", minute: "2-digit" });
  const title = (m) => (m.reply.meta?.report_ref ? `Report ${m.reply.meta.report_ref}` : "Message from TED");
  list.replaceChildren(...items.map((m) => el("li", { class: "inbox-item", "data-message-id": m.id },
    el("h3", { class: "inbox-title", text: title(m) }),
    el("p", { class: "muted", text: `Updated ${when(m.updated_at)}` }),
    renderReply(m.reply, pressInbox))));
  if (!items.length) list.replaceChildren(el("li", { class: "muted", text: "Nothing here yet." }));
  if (focusStatus) $("inbox-status").focus();
}

async function pressInbox(button, node) {
  node.disabled = true;
  const asker = switches;
  const res = await api("/api/action", { action_id: button.action_id, value: button.value });
  node.disabled = false;
  if (asker !== switches) return; // pressed by the person before: what TED said is not this person's
  if (!res.ok) {
    $("inbox-status").textContent = res.data.error;
    $("inbox-status").focus(); // said where focus is, not left on a page top the person never moved to
    return;
  }
  const done = (replies) => {
    const said = replies.filter((r) => r.text && !r.meta.replace_original).map((r) => r.text);
    if (said.length) $("inbox-status").textContent = said.join(" ");
    loadInbox(true);
  };
  const form = res.data.replies.find((r) => r.form);
  if (form) openForm(form.form, { opener: node, onDone: done });
  else done(res.data.replies);
}

// -- tabs ------------------------------------------------------------------------------------------
function selectTab(tab, focus = false) {
  for (const t of document.querySelectorAll('[role="tab"]')) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute("aria-controls")).hidden = !on;
  }
  if (focus) tab.focus();
  if (tab.id === "tab-reports") loadReports();
  if (tab.id === "tab-inbox") loadInbox();
}

function tabKeys(event) {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const i = tabs.indexOf(event.target);
  const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  selectTab(tabs[(next + tabs.length) % tabs.length], true);
}

// -- start -----------------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", async () => {
  for (const t of document.querySelectorAll('[role="tab"]')) {
    t.addEventListener("click", () => selectTab(t));
    t.addEventListener("keydown", tabKeys);
  }
  $("composer").addEventListener("submit", send);
  $("composer-input").addEventListener("paste", (event) => {  // a paste cut short at the limit is said, not silent
    const box = event.target;
    const pasted = event.clipboardData?.getData("text") || "";
    const room = 4000 - box.value.length + (box.selectionEnd - box.selectionStart);
    $("composer-error").textContent = pasted.length > room
      ? "That's as much as one message can hold (4,000 characters): the rest was not added." : "";
  });
  $("composer-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) send(event);
  });
  $("report-button").addEventListener("click", (event) => press({ action_id: REPORT_OPEN, value: "" }, event.currentTarget));
  // Whatever takes focus scrolls clear of the question box stuck to the bottom of the window (WCAG 2.4.11):
  // the page keeps that much room below it, however tall the box is at this zoom and width.
  const composer = document.querySelector(".composer");
  const clear = () => {
    const stuck = getComputedStyle(composer).position === "sticky"; // not on a window too short for it (ted.css)
    document.documentElement.style.scrollPaddingBottom = stuck ? `${composer.offsetHeight + 16}px` : "";
  };
  new ResizeObserver(clear).observe(composer);
  window.addEventListener("resize", clear);
  clear();
  await loadMe();
  resetLog("");
  setInterval(() => { if (document.visibilityState === "visible") refreshInbox(); }, POLL_MS);
  document.body.dataset.ready = "true";
});
