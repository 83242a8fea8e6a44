// TED admin: the report buttons on /admin. They go through /api/action like any other button, so the same
// handlers decide who may act; forms (note, reassign, resolve) open in the shared dialog.
import { api, state } from "/static/ted.js";
import { openForm } from "/static/ted_forms.js";

const NOTE_KEY = "ted.admin.status";

function say(text) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.setAttribute("tabindex", "-1");
  status.focus();
}

// Show what TED said, then reload so every table reflects the change (the message survives the reload).
function finish(replies) {
  const said = replies.filter((r) => r.text && !r.meta.replace_original).map((r) => r.text).join(" ");
  sessionStorage.setItem(NOTE_KEY, said || "Done.");
  window.location.reload();
}

async function press(node) {
  node.disabled = true;
  const res = await api("/api/action", { action_id: node.dataset.actionId, value: node.dataset.value });
  node.disabled = false;
  if (!res.ok) return say(res.data.error);
  const withForm = res.data.replies.find((r) => r.form);
  if (withForm) openForm(withForm.form, { opener: node, onDone: finish });
  else finish(res.data.replies);
}

document.addEventListener("DOMContentLoaded", () => {
  state.csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  for (const node of document.querySelectorAll("button[data-action-id]")) {
    node.addEventListener("click", () => press(node));
  }
  const note = sessionStorage.getItem(NOTE_KEY);
  if (note) {
    sessionStorage.removeItem(NOTE_KEY);
    say(note);
  }
  document.body.dataset.ready = "true";
});
