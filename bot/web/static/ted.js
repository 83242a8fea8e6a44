// TED Web Chat: what the chat page and /admin share. Reply JSON -> DOM, forms in a <dialog>, the JSON API.
// Every piece of text from a person or a policy goes in with textContent, never as markup, so a question
// containing <script> or <!channel> shows exactly as typed.

// `conversation`: a fresh id each time a page loads, sent with every message and button press, so a reloaded
// page starts a new conversation (bot/web/chat.py's conversation_of).
const pageId = () => (globalThis.crypto?.randomUUID?.() || `${Date.now()}-${Math.random()}`)
  .replace(/[^A-Za-z0-9_-]/g, "").slice(0, 40);
export const state = { csrf: "", conversation: pageId() };
const IN_CONVERSATION = new Set(["/api/chat", "/api/action"]);
const REPORT_DETAILS = "ted.report.details"; // a link to the report's own page, /reports/<ref>

// el("p", {class: "x", text: "hi", "aria-label": "…"}, child, "text", …)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export async function api(path, body, options = {}) {
  const init = { method: body === undefined ? "GET" : "POST", headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["X-CSRF-Token"] = state.csrf;
    if (body instanceof FormData) init.body = body;
    else {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(IN_CONVERSATION.has(path) ? { ...body, conversation: state.conversation } : body);
    }
  }
  Object.assign(init, options);
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, data: { error: "I couldn't reach TED. Please check your connection and try again." } };
  }
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = { error: "Sorry, something went wrong on my side. Please try again in a moment." };
  }
  return { ok: response.ok, status: response.status, data };
}

// -- replies ---------------------------------------------------------------------------------------
function paragraphs(texts, cls = "") {
  return texts.filter((t) => t.trim()).map((t) => el("p", { class: cls || undefined, text: t }));
}

export function clauseCard(c, heading = "") {
  return el("article", { class: "clause-card", "aria-label": `${heading || "Clause"} ${c.clause}` },
    heading ? el("p", { class: "also-title", text: heading }) : null,
    el("p", { class: "clause-label" }, el("span", { class: "num", text: c.clause }), " ", c.title || ""),
    el("blockquote", { class: "quote" }, el("p", { text: c.text })),
    el("p", { class: "source", text: c.where }),
    el("p", { class: "more" }, el("a", { href: c.link, text: `Read ${c.clause} in the ${c.where}` })));
}

// A direct first line: the plain-English summary of the best clause leads, the cards follow.
function summaryLine(summary) {
  return summary ? el("p", { class: "summary" }, el("strong", { text: "In short: " }), summary) : null;
}

function seeAlso(items) {
  if (!items.length) return null;
  return el("div", { class: "see-also" }, items.map((c) => el("details", {},
    el("summary", { text: `See also ${c.label}` }),
    el("blockquote", { class: "quote" }, el("p", { text: c.text })),
    el("p", {}, el("a", { href: c.link, text: `Read ${c.clause} in the policy` })))));
}

export function buttonFor(b, onPress, extraLabel = "") {
  const btn = el("button", { type: "button", class: `btn ${b.style || ""}`.trim(), "data-action-id": b.action_id },
    b.label, extraLabel ? el("span", { class: "vh", text: ` ${extraLabel}` }) : null);
  btn.addEventListener("click", () => onPress(b, btn));
  return btn;
}

// A reply as DOM: its words, the clause card, "Did you mean" chips and buttons.
export function renderReply(reply, onPress) {
  const box = el("div", { class: "reply" });
  const card = reply.citations.length ? clauseCard(reply.citations[0]) : null;
  const also = (reply.also || []).map((c) => clauseCard(c, "Also relevant:"));
  const notes = paragraphs(reply.notes);
  const lead = reply.intent === "policy" ? summaryLine(reply.summary) : null;
  if (card && reply.intent === "policy") box.append(...(lead ? [lead] : []), card, ...also, ...notes);
  else box.append(...notes, ...(card ? [card] : []));
  const more = seeAlso(reply.see_also);
  if (more) box.append(more);
  if (reply.choices.length) {
    box.append(el("div", { class: "choices", role: "group", "aria-label": "Did you mean" },
      el("p", { class: "choices-title", text: "Did you mean…" }),
      reply.choices.map((b) => buttonFor({ ...b, style: "chip" }, onPress))));
  }
  const links = (reply.links || []).filter((u) => /^https?:\/\//i.test(u));
  if (links.length) {
    box.append(el("ul", { class: "report-links", "aria-label": "Links in the report" },
      links.map((u) => el("li", {}, el("a", { href: u, rel: "noopener noreferrer nofollow", target: "_blank",
        text: u })))));
  }
  const images = (reply.images || []).filter((i) => i.url.startsWith("/uploads/"));
  if (images.length) {
    box.append(el("div", { class: "shots" }, images.map((i) => el("a", { href: i.url, target: "_blank" },
      el("img", { src: i.url, alt: `Screenshot: ${i.name}`, loading: "lazy" })))));
  }
  if (reply.buttons.length) {
    box.append(el("div", { class: "actions", role: "group", "aria-label": "Actions" },
      reply.buttons.map((b) => (b.action_id === REPORT_DETAILS
        ? el("a", { class: "btn", href: `/reports/${encodeURIComponent(b.value)}`, text: b.label })
        : buttonFor(b, onPress)))));
  }
  return box;
}
