// The segment editor's live count: when a filter control changes, asks the count endpoint with the
// form's filter (the query names of the contact list) and shows "N contacts". The page renders the
// count of the filter it was loaded with, so without this script it still says how many.
// The output element carries the endpoint and the texts (in the reader's language) as data attributes.
const form = document.getElementById("segment-form");
const output = document.getElementById("segment-count");
const contactsLink = document.getElementById("segment-contacts-link");

if (form && output) {
  // The live count makes the page's "Count again" button (for browsers without this script) redundant.
  document.getElementById("segment-recount")?.setAttribute("hidden", "");
  const notFilter = new Set(["name", "_csrf"]);
  let timer;
  let pending;

  function query() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (!notFilter.has(name) && typeof value === "string") params.append(name, value);
    }
    const text = params.toString();
    return text ? `?${text}` : "";
  }

  function label(count) {
    return (count === 1 ? output.dataset.one : output.dataset.many).replace("{count}", String(count));
  }

  async function refresh() {
    pending?.abort();
    pending = new AbortController();
    const filter = query();
    if (contactsLink) contactsLink.href = contactsLink.dataset.base + filter;
    output.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(output.dataset.source + filter, {
        headers: { Accept: "application/json" },
        signal: pending.signal,
      });
      if (response.ok) {
        const body = await response.json();
        output.textContent = label(body.count);
        output.dataset.count = String(body.count);
      } else {
        output.textContent = output.dataset.invalid;
        delete output.dataset.count;
      }
    } catch (error) {
      if (error.name === "AbortError") return; // a newer change asked again
      output.textContent = output.dataset.invalid;
      delete output.dataset.count;
    }
    output.removeAttribute("aria-busy");
  }

  function schedule(event) {
    if (event.target?.name === "name") return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
}
