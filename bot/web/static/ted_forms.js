// TED Web Chat: any chat.model.Form as an accessible HTML form in a modal <dialog>.
// Submitting posts {action_id: form_id, value: private_metadata, form: values} to /api/action, exactly as a
// Slack modal submission reaches the router. Errors come back as the same form with `errors`: each is shown
// beside its field (aria-invalid, aria-describedby) and focus moves to the first field in error.
import { api, el } from "/static/ted.js";

const IMAGE_TYPES = "image/png,image/jpeg,image/gif,image/webp";

function dialogElement() {
  let dialog = document.getElementById("form-dialog");
  if (!dialog) {
    dialog = el("dialog", { id: "form-dialog", class: "form-dialog", "aria-labelledby": "form-title" });
    document.body.append(dialog);
  }
  return dialog;
}

function sizeText(bytes) {
  return bytes > 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function fileControl(f, id, described, uploads) {
  const list = el("ul", { class: "uploads", "aria-label": "Files attached" });
  const status = el("p", { class: "upload-status", role: "status" });
  const draw = () => list.replaceChildren(...(uploads.get(f.name) || []).map((u) => el("li", {},
    `${u.name} (${sizeText(u.size)}) `,
    el("button", { type: "button", class: "btn small", onclick: async () => {
      // Deleted from the server too, not only taken out of the form (it was on no report yet).
      const res = await api(`/api/uploads/${encodeURIComponent(u.id)}/remove`, {});
      uploads.set(f.name, (uploads.get(f.name) || []).filter((x) => x.id !== u.id));
      draw();
      status.textContent = res.ok ? `Removed ${u.name}.` : `Removed ${u.name} from the form.`;
    } }, "Remove", el("span", { class: "vh", text: ` ${u.name}` })))));
  const input = el("input", { type: "file", id, accept: IMAGE_TYPES, multiple: true, "aria-describedby": described,
    "aria-invalid": described && described.includes("-error") ? "true" : undefined });
  input.addEventListener("change", async () => {
    for (const file of input.files) {
      status.textContent = `Uploading ${file.name}…`;
      const body = new FormData();
      body.append("file", file, file.name);
      const res = await api("/api/uploads", body);
      if (!res.ok) {
        status.textContent = res.data.error || "That file could not be attached.";
        continue;
      }
      uploads.set(f.name, [...(uploads.get(f.name) || []), res.data]);
      status.textContent = `Attached ${res.data.name}.`;
      draw();
    }
    input.value = "";
  });
  draw();
  return [input, list, status];
}

function checkGroup(f, id, described) {
  const chosen = new Set(String(f.value || "").split(",").filter(Boolean));
  return el("fieldset", { class: "choices-group", id, "aria-describedby": described },
    el("legend", {}, f.label, f.required ? el("span", { class: "req", text: " (required)" }) : null),
    f.options.map((o, i) => el("div", { class: "check" },
      el("input", { type: "checkbox", id: `${id}-${i}`, name: f.name, value: o.value,
        checked: chosen.has(o.value) }),
      el("label", { for: `${id}-${i}`, text: o.label }))));
}

// "Who is involved?": a tick box per person, with a box to find someone by name. Not a multiple <select>, where
// moving through the list with the arrow keys chooses whoever is passed, silently keeping them off the report.
function peoplePicker(f, id, described) {
  const chosen = new Set(String(f.value || "").split(",").filter(Boolean));
  const boxes = f.options.map((o, i) => el("div", { class: "check", "data-label": o.label.toLowerCase() },
    el("input", { type: "checkbox", id: `${id}-${i}`, name: f.name, value: o.value, checked: chosen.has(o.value) }),
    el("label", { for: `${id}-${i}`, text: o.label })));
  const count = el("p", { class: "hint", "aria-live": "polite" });
  const find = el("input", { type: "text", id: `${id}-find`, autocomplete: "off", "aria-describedby": `${id}-count` });
  count.id = `${id}-count`;
  const show = () => {
    const q = find.value.trim().toLowerCase();
    let shown = 0;
    for (const b of boxes) {
      const hit = !q || b.dataset.label.includes(q) || b.querySelector("input").checked;
      b.hidden = !hit;
      shown += hit;
    }
    count.textContent = q ? `${shown} ${shown === 1 ? "person" : "people"} shown` : "";
  };
  find.addEventListener("input", show);
  const list = el("div", { class: "people-list" }, boxes);
  // Up and down move between the people (choosing nobody), not the list's scroll under a box still focused.
  list.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const shown = boxes.filter((b) => !b.hidden).map((b) => b.querySelector("input"));
    const at = shown.indexOf(document.activeElement);
    const next = shown[Math.min(Math.max(at + (event.key === "ArrowDown" ? 1 : -1), 0), shown.length - 1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
  return el("fieldset", { class: "choices-group people", id, "aria-describedby": described },
    el("legend", {}, f.label),
    el("label", { for: `${id}-find`, class: "find-label", text: "Find a person by name" }), find, count, list);
}

function fieldBlock(f, uploads) {
  const id = `f-${f.name}`;
  const hintId = f.hint ? `${id}-hint` : null;
  const errId = f.error ? `${id}-error` : null;
  const described = [hintId, errId].filter(Boolean).join(" ") || undefined;
  const invalid = f.error ? "true" : undefined;
  const hint = f.hint ? el("p", { class: "hint", id: hintId, text: f.hint }) : null;
  const error = f.error ? el("p", { class: "error-msg", id: errId }, el("span", { class: "vh", text: "Error: " }),
    f.error) : null;
  const block = el("div", { class: f.error ? "field has-error" : "field", "data-field": f.name });
  if (f.kind === "multiselect" || (f.kind === "checkbox" && f.options.length)) {
    block.append(checkGroup(f, id, described), hint || "", error || "");
    return block;
  }
  const label = el("label", { for: id }, f.label, f.required ? el("span", { class: "req", text: " (required)" }) : null);
  const common = { id, name: f.name, "aria-describedby": described, "aria-invalid": invalid,
    "aria-required": f.required ? "true" : undefined };
  let control;
  if (f.kind === "multiline") {
    control = el("textarea", { ...common, rows: 5, maxlength: f.max_length || undefined });
    control.value = f.value || "";
  } else if (f.kind === "people") {
    block.append(peoplePicker(f, id, described), hint || "", error || "");
    return block;
  } else if (f.kind === "select") {
    control = el("select", common, el("option", { value: "", text: "Choose…" }),
      f.options.map((o) => el("option", { value: o.value, text: o.label, selected: o.value === f.value })));
  } else if (f.kind === "checkbox") {
    control = el("input", { ...common, type: "checkbox", checked: f.value === "true" || f.value === "yes" });
    block.classList.add("single-check");
    block.append(control, label, hint || "", error || "");
    return block;
  } else if (f.kind === "file") {
    block.append(label, hint || "", error || "", ...fileControl(f, id, described, uploads));
    return block;
  } else {
    const type = { url: "url", date: "date" }[f.kind] || "text";
    control = el("input", { ...common, type, maxlength: f.max_length || undefined, autocomplete: "off" });
    control.value = f.value || "";
  }
  block.append(label, hint || "", error || "", control);
  return block;
}

function collect(formEl, form, uploads) {
  const values = {};
  for (const f of form.fields) {
    if (f.kind === "file") values[f.name] = { files: (uploads.get(f.name) || []).map((u) => u.id) };
    else if (f.kind === "multiselect" || (f.kind === "checkbox" && f.options.length)) {
      values[f.name] = [...formEl.querySelectorAll(`input[name="${CSS.escape(f.name)}"]:checked`)].map((i) => i.value);
    } else if (f.kind === "checkbox") values[f.name] = formEl.querySelector(`#f-${CSS.escape(f.name)}`).checked;
    else if (f.kind === "people") {
      values[f.name] = [...formEl.querySelectorAll(`input[type="checkbox"][name="${CSS.escape(f.name)}"]:checked`)]
        .map((i) => i.value);
    } else values[f.name] = formEl.querySelector(`#f-${CSS.escape(f.name)}`).value;
  }
  return values;
}

// Open `form` in the dialog. `extra` values ride along with the submission; `onDone(replies)` gets what TED
// said once the form is accepted. Focus returns to `opener` when the dialog closes.
export function openForm(form, { onDone = () => {}, extra = {}, opener = null } = {}) {
  const dialog = dialogElement();
  const uploads = new Map();
  let current = form;

  const close = () => {
    dialog.close();
    dialog.replaceChildren();
    if (opener && opener.isConnected) opener.focus();
  };
  dialog.oncancel = (event) => { event.preventDefault(); close(); };

  const show = (f, general = []) => {
    current = f;
    const formEl = el("form", { class: "ted-form", novalidate: true });
    const problems = [...(f.general_errors || []), ...general];
    const summary = problems.length ? el("div", { class: "error-summary", role: "alert", tabindex: "-1" },
      problems.map((p) => el("p", { text: p }))) : null;
    formEl.append(
      el("h2", { id: "form-title", tabindex: "-1", text: f.title }),
      summary || "",
      ...f.fields.map((x) => fieldBlock(x, uploads)),
      el("div", { class: "form-actions" },
        el("button", { type: "submit", class: "btn primary", text: f.submit_label || "Submit" }),
        el("button", { type: "button", class: "btn", text: "Cancel", onclick: close })));
    formEl.addEventListener("submit", (event) => { event.preventDefault(); submit(formEl); });
    dialog.replaceChildren(formEl);
    if (!dialog.open) dialog.showModal();
    const firstError = formEl.querySelector('.has-error input, .has-error select, .has-error textarea');
    (firstError || summary || formEl.querySelector("input, select, textarea") || formEl.querySelector("h2")).focus();
  };

  const submit = async (formEl) => {
    const sent = collect(formEl, current, uploads);
    const button = formEl.querySelector('button[type="submit"]');
    button.disabled = true;
    const res = await api("/api/action", { action_id: current.form_id, value: current.private_metadata,
      form: { ...sent, ...extra } });
    button.disabled = false;
    if (!res.ok) {
      const field = res.data.field;
      const fields = current.fields.map((x) => (x.name === field ? { ...x, error: res.data.error } : x));
      show({ ...current, fields: fields.map((x) => keep(x, sent)) }, field ? [] : [res.data.error]);
      return;
    }
    const again = res.data.replies.find((r) => r.form && r.form.form_id === current.form_id);
    if (again) {
      show({ ...again.form, fields: again.form.fields.map((x) => keep(x, sent)) });
      return;
    }
    close();
    onDone(res.data.replies);
  };

  show(form);
}

// What the person typed or chose survives a round trip (a form sent back with an error, a network error): it
// wins over the field's default, lists (people, check groups) and ticks included. Files stay in `uploads`.
function keep(field, sent) {
  const typed = sent[field.name];
  if (typeof typed === "string") return { ...field, value: typed };
  if (Array.isArray(typed)) return { ...field, value: typed.join(",") };
  if (typeof typed === "boolean") return { ...field, value: typed ? "true" : "" };
  return field;
}
