// Keeps a job's progress panel live: polls the job's JSON until it is finished.
// The panel carries its source URL and the state labels (in the reader's language) as data attributes.
const panel = document.getElementById("job-progress");

if (panel) {
  const bar = panel.querySelector("progress");
  const state = panel.querySelector('[data-field="state"]');
  const message = panel.querySelector('[data-field="message"]');

  async function refresh() {
    try {
      const response = await fetch(panel.dataset.source, { headers: { Accept: "application/json" } });
      if (!response.ok) return true;
      const job = await response.json();
      const percent = Math.round(job.progress * 100);
      bar.value = percent;
      bar.textContent = `${percent}%`;
      state.textContent = panel.dataset[`label${job.state[0].toUpperCase()}${job.state.slice(1)}`] ?? job.state;
      message.textContent = job.progress_message ?? "";
      return job.state === "queued" || job.state === "running";
    } catch {
      return true; // offline for a moment: try again
    }
  }

  async function loop() {
    if (await refresh()) setTimeout(loop, 1000);
  }
  setTimeout(loop, 1000);
}
