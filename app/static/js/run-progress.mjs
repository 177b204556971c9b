// While a selection run is solving, check its state every second and show the result when done.
const progress = document.getElementById("run-progress");
if (progress) {
  const started = Date.now();
  const poll = async () => {
    try {
      const response = await fetch(progress.dataset.statusUrl, { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (body.state !== "queued" && body.state !== "running") {
        window.location.reload();
        return;
      }
    } catch (error) {
      // A dropped request is retried on the next tick.
    }
    const elapsed = document.getElementById("run-elapsed");
    if (elapsed) {
      const seconds = Number(elapsed.dataset.elapsed) + Math.round((Date.now() - started) / 1000);
      elapsed.textContent = String(seconds);
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}
