// Keeps a campaign's numbers and progress bar live while it is scheduled or sending: polls the
// campaign's JSON every two seconds, and reloads the page once it is over (its actions change).
// The panel carries its source URL; each number is an element with a data-field attribute.
const panel = document.getElementById("campaign-progress");

if (panel && panel.dataset.live === "true") {
  const bar = panel.querySelector("progress");

  async function refresh() {
    try {
      const response = await fetch(panel.dataset.source, { headers: { Accept: "application/json" } });
      if (!response.ok) return true;
      const campaign = await response.json();
      for (const [name, value] of Object.entries(campaign.statistics)) {
        const field = panel.querySelector(`[data-field="${name}"]`);
        if (field && typeof value === "number") field.textContent = String(value);
      }
      const waiting = panel.querySelector('[data-field="waiting_reason"]');
      if (waiting) waiting.textContent = campaign.waiting_reason ?? "";
      const percent = Math.round(campaign.progress * 100);
      bar.value = percent;
      bar.textContent = `${percent}%`;
      if (campaign.status !== "scheduled" && campaign.status !== "sending") {
        window.location.reload();
        return false;
      }
      return true;
    } catch {
      return true; // offline for a moment: try again
    }
  }

  async function loop() {
    if (await refresh()) setTimeout(loop, 2000);
  }
  setTimeout(loop, 2000);
}
