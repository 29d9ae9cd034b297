// The live inbox: keeps the list or the conversation on screen current over a WebSocket, and adds
// keyboard shortcuts and canned responses. Everything also works without it: the server renders
// every page and every form posts normally.
const live = document.getElementById("live");

if (live) {
  const page = live.dataset.page;
  const conversation = live.dataset.conversation;
  let cursor = Number(live.dataset.cursor || 0);
  const seen = new Set();
  let socket;
  let retry = 0;
  const viewers = new Map();

  // Fetches this page again and swaps in the parts that change, keeping what the person is doing.
  async function refreshWhole() {
    const response = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) return;
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    const ids = page === "list" ? ["status-tabs", "assignee-tabs", "conversation-list"] : ["thread", "work-panel"];
    const checked = checkedRows();
    const focused = focusedRow();
    for (const id of ids) swapIn(id, next);
    for (const box of document.querySelectorAll('input[name="ids"]')) box.checked = checked.has(box.value);
    refocus(focused);
  }

  // The list asks only for the rows of the conversations that changed (`GET /inbox/rows`, with the
  // list's filter) and puts each in its place by its last activity, or takes it out when the filter
  // no longer shows it. Returns false when it cannot, and the whole page is fetched instead.
  async function patchRows(ids) {
    const list = document.querySelector("#conversation-list ul.conversation-list");
    if (!list || ids.length > 50 || new URL(location.href).searchParams.has("q")) return false;
    const url = new URL(live.dataset.rowsUrl, location.href);
    const here = new URL(location.href).searchParams;
    for (const name of ["status", "assignee", "team", "tag", "connection", "sentiment"]) {
      if (here.get(name)) url.searchParams.set(name, here.get(name));
    }
    url.searchParams.set("ids", ids.join(","));
    const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) return false;
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    const checked = checkedRows();
    const focused = focusedRow();
    swapIn("status-tabs", next);
    swapIn("assignee-tabs", next);
    for (const id of ids) list.querySelector(`:scope > li[data-conversation-id="${CSS.escape(id)}"]`)?.remove();
    const laterPages = document.querySelector('#conversation-list a[rel="next"]') !== null;
    for (const fresh of next.querySelectorAll("#changed-rows > li")) {
      const at = Number(fresh.dataset.at);
      const before = [...list.querySelectorAll(":scope > li")].find((row) => Number(row.dataset.at) < at);
      if (!before && laterPages) continue; // older than every row here: it belongs on a later page
      const row = document.adoptNode(fresh);
      const box = row.querySelector('input[name="ids"]');
      if (box) box.checked = checked.has(box.value);
      list.insertBefore(row, before ?? null);
    }
    refocus(focused);
    return true;
  }

  function swapIn(id, next) {
    const current = document.getElementById(id);
    const fresh = next.getElementById(id);
    if (current && fresh) current.replaceWith(document.adoptNode(fresh));
  }
  function checkedRows() {
    return new Set([...document.querySelectorAll('input[name="ids"]:checked')].map((box) => box.value));
  }
  function focusedRow() {
    return document.activeElement?.closest("[data-conversation-id]")?.dataset.conversationId;
  }
  function refocus(id) {
    if (id) document.querySelector(`[data-conversation-id="${CSS.escape(id)}"] a`)?.focus();
  }

  // One update at a time; what arrives meanwhile is collected for the next.
  const changed = new Set();
  let whole = false;
  let updating = null;
  let again = false;
  function update() {
    if (updating) { again = true; return; }
    updating = (async () => {
      try {
        const ids = [...changed];
        changed.clear();
        const patched = page === "list" && !whole && ids.length > 0 && (await patchRows(ids));
        whole = false;
        if (!patched) await refreshWhole();
      } catch {
        // Offline for a moment: what changed is not on screen yet, so the whole page is fetched
        // again a little later.
        setTimeout(() => updateSoon(), 2000);
      } finally {
        updating = null;
        if (again) { again = false; update(); }
      }
    })();
  }

  // A busy inbox sends events all the time: the list updates at most twice a second, the open
  // conversation at once.
  let pending = null;
  function updateSoon(conversationID) {
    if (conversationID) changed.add(conversationID); else whole = true;
    if (pending) return;
    pending = setTimeout(() => { pending = null; update(); }, page === "list" ? 500 : 50);
  }

  function say(text) {
    live.textContent = text;
    if (text) setTimeout(() => { if (live.textContent === text) live.textContent = ""; }, 8000);
  }

  function showViewers() {
    const cutoff = Date.now() - 45000;
    const names = [...viewers].filter(([name, at]) => at > cutoff && name !== live.dataset.me).map(([name]) => name);
    const line = document.getElementById("viewers");
    if (line) line.textContent = names.length ? live.dataset.labelViewing.replace("{names}", names.join(", ")) : "";
  }

  function handle(event) {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    if (event.kind === "mention") {
      say(live.dataset.labelMention.replace("{name}", event.data.by ?? ""));
      return;
    }
    if (event.kind === "viewing") return; // logged by earlier releases; presence now comes as its own message
    if (event.conversation === conversation && event.data?.merged_into && event.data.merged_into !== conversation) {
      // This thread was woven into another one when its contact was merged: open that one.
      location.assign(live.dataset.conversationBase + encodeURIComponent(event.data.merged_into));
      return;
    }
    if (page === "list" || event.conversation === conversation) updateSoon(event.conversation);
  }

  function announceViewing() {
    if (conversation && socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ viewing: conversation }));
  }

  function connect() {
    const url = new URL(live.dataset.url, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("after", String(cursor));
    socket = new WebSocket(url);
    socket.addEventListener("open", () => { retry = 0; if (live.textContent === live.dataset.labelOffline) say(""); announceViewing(); });
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "reset") { location.reload(); return; }
      if (typeof data.cursor === "number") cursor = Math.max(cursor, data.cursor);
      if (data.type === "event") handle(data);
      if (data.type === "presence" && data.conversation === conversation) { viewers.set(data.by, Date.now()); showViewers(); }
      live.dataset.cursor = String(cursor);
    });
    socket.addEventListener("close", (event) => {
      // 1008: the session or membership behind this page ended; the reload shows where to go.
      if (event.code === 1008) { location.reload(); return; }
      say(live.dataset.labelOffline);
      retry = Math.min(retry + 1, 5);
      setTimeout(connect, 500 * 2 ** retry);
    });
  }

  connect();
  setInterval(() => { announceViewing(); showViewers(); }, 20000);
}

// Keyboard shortcuts; `?` lists them.
const help = document.getElementById("shortcuts");
for (const button of document.querySelectorAll("[data-open-shortcuts]")) {
  button.addEventListener("click", () => help?.showModal());
}

let lastKey = "";
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const rows = [...document.querySelectorAll("#conversation-list .conversation a")];
  const index = rows.indexOf(document.activeElement);
  const click = (selector) => document.querySelector(selector)?.click();
  const key = event.key;
  const sequence = lastKey + key;
  lastKey = key;
  if (sequence === "gi") { location.href = "/inbox"; return; }
  switch (key) {
    case "j": if (rows.length) { rows[Math.min(index + 1, rows.length - 1)].focus(); event.preventDefault(); } break;
    case "k": if (rows.length) { rows[Math.max(index - 1, 0)].focus(); event.preventDefault(); } break;
    case "x": document.activeElement?.closest(".conversation")?.querySelector('input[name="ids"]')?.click(); break;
    case "a": click('[data-key="a"]'); break;
    case "e": click('[data-key="e"]'); break;
    case "r": document.getElementById("compose-text")?.focus(); event.preventDefault(); break;
    case "n": document.getElementById("note-text")?.focus(); event.preventDefault(); break;
    case "?": help?.showModal(); break;
  }
});

// Canned responses: `/` and a shortcut in the composer offers the matching ones.
const composer = document.getElementById("compose-text");
const canned = document.getElementById("canned-responses");
if (composer && canned) {
  const options = [...canned.querySelectorAll("[data-shortcut]")];
  let active = 0;
  const shown = () => options.filter((option) => !option.hidden);
  function highlight() {
    shown().forEach((option, index) => option.setAttribute("aria-selected", String(index === active)));
  }
  function choose(option) {
    composer.value = option.dataset.text;
    canned.hidden = true;
    composer.focus();
  }
  composer.addEventListener("input", () => {
    const match = /^\/([a-z0-9_-]*)$/.exec(composer.value);
    if (!match) { canned.hidden = true; return; }
    for (const option of options) option.hidden = !option.dataset.shortcut.startsWith(match[1]);
    active = 0;
    canned.hidden = shown().length === 0;
    highlight();
  });
  composer.addEventListener("keydown", (event) => {
    if (canned.hidden) return;
    const list = shown();
    if (event.key === "ArrowDown") { active = (active + 1) % list.length; highlight(); event.preventDefault(); }
    else if (event.key === "ArrowUp") { active = (active - 1 + list.length) % list.length; highlight(); event.preventDefault(); }
    else if (event.key === "Enter" || event.key === "Tab") { choose(list[active]); event.preventDefault(); }
    else if (event.key === "Escape") { canned.hidden = true; }
  });
  for (const option of options) option.addEventListener("click", () => choose(option));
}

// AI reply drafts stream into the composer as they are written. Without the script the button
// posts the form and the page comes back with the whole draft in the composer. Either way the agent
// reads and edits the draft and sends it themselves.
const draftButton = document.getElementById("ai-draft");
if (composer && draftButton) {
  const status = document.getElementById("ai-draft-status");
  draftButton.addEventListener("click", async (event) => {
    event.preventDefault();
    if (draftButton.disabled) return;
    draftButton.disabled = true;
    status.textContent = draftButton.dataset.writing;
    const before = composer.value;
    let failure = null;
    composer.value = "";
    try {
      const response = await fetch(draftButton.formAction, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "text/event-stream", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(draftButton.form)),
      });
      if (!response.ok) {
        failure = draftButton.dataset.failed;
        try { failure = (await response.json()).error.message; } catch { /* not the JSON error shape */ }
      } else {
        // Server-sent events: frames end with a blank line; each has an event name and JSON data.
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const name = /^event: (.*)$/m.exec(frame)?.[1];
            const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] || "{}");
            if (name === "piece") composer.value += data.text;
            else if (name === "problem") failure = data.message;
          }
        }
      }
    } catch {
      failure = draftButton.dataset.failed;
    } finally {
      draftButton.disabled = false;
    }
    if (failure) {
      composer.value = before;
      status.textContent = failure;
    } else {
      status.textContent = draftButton.dataset.ready;
      composer.focus();
    }
  });
}
