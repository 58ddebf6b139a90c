// Upload page: each chosen or dropped file is sent on its own (progress bar while it uploads),
// then its job is polled until the session is scored, and a link to it appears.
"use strict";
(function () {
  const form = document.getElementById("upload-form");
  const input = document.getElementById("file");
  const drop = document.getElementById("drop");
  const list = document.getElementById("uploads");
  const POLL_MS = 1000;

  function row(name) {
    const li = document.createElement("li");
    const b = document.createElement("b");
    b.textContent = name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    const status = document.createElement("span");
    status.className = "status";
    status.textContent = "uploading";
    li.append(b, " ", bar, " ", status);
    const none = document.getElementById("no-uploads");
    if (none) none.remove();
    list.prepend(li);
    return { li, bar, status };
  }

  function send(file, fields) {
    const ui = row(file.name);
    const body = new FormData();
    body.append("csrf_token", window.voiceSim.csrfToken());
    for (const [k, v] of fields) if (k !== "file" && k !== "csrf_token") body.append(k, v);
    body.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/uploads");
    xhr.setRequestHeader("X-CSRF-Token", window.voiceSim.csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) ui.bar.value = (100 * e.loaded) / e.total;
    };
    xhr.onload = () => {
      let res = {};
      try { res = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status >= 400) {
        ui.li.className = "failed";
        ui.bar.remove();
        ui.status.textContent = "refused: " + (res.error || xhr.statusText);
        return;
      }
      ui.bar.removeAttribute("value");  // indeterminate while it is analysed
      poll(res.job, ui);
    };
    xhr.onerror = () => {
      ui.li.className = "failed";
      ui.status.textContent = "upload failed (network)";
    };
    xhr.send(body);
  }

  function show(job, ui) {
    ui.li.className = job.status;
    ui.li.dataset.job = job.id;
    ui.status.textContent = { queued: "queued", running: "analysing and scoring", done: "scored", failed: "failed" }[job.status] +
      (job.message ? ": " + job.message : "");
    if (job.status === "done" || job.status === "failed") ui.bar.remove();
    if (job.session_url && !ui.li.querySelector("a")) {
      const a = document.createElement("a");
      a.href = job.session_url;
      a.textContent = "open";
      ui.li.append(" ", a);
    }
  }

  async function poll(job, ui) {
    show(job, ui);
    while (job.status === "queued" || job.status === "running") {
      await new Promise((r) => setTimeout(r, POLL_MS));
      try {
        job = (await window.voiceSim.api("/api/jobs/" + job.id)).job;
      } catch (e) {
        ui.status.textContent = "lost track of the job: " + e.message;
        return;
      }
      show(job, ui);
    }
  }

  function sendAll(files) {
    const fields = new FormData(form);
    if (!form.reportValidity()) return;
    for (const f of files) send(f, fields);
    input.value = "";
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    sendAll(input.files);
  });
  ["dragover", "dragenter"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, () => drop.classList.remove("over")));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    input.required = false;
    if (form.reportValidity()) sendAll(e.dataTransfer.files);
    input.required = true;
  });
})();
