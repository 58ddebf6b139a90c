// voice-sim: what every page shares. The CSRF token sits in <meta name="csrf-token">; send it
// back as the X-CSRF-Token header with every state-changing fetch.
"use strict";
window.voiceSim = {
  csrfToken() {
    const m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  },
  // fetch() with the CSRF header and JSON parsing; rejects with the server's one-line reason
  async api(path, options = {}) {
    const opts = Object.assign({ credentials: "same-origin" }, options);
    opts.headers = Object.assign({ "X-CSRF-Token": this.csrfToken(), Accept: "application/json" },
      options.headers || {});
    const res = await fetch(path, opts);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || res.statusText);
    return body;
  },
  mmss(t) {
    t = Math.max(0, t || 0);
    return Math.floor(t / 60) + ":" + String(Math.floor(t % 60)).padStart(2, "0");
  },
};
