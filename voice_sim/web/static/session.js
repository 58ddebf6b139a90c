// Session page: the waveform, markers and transcript times seek the player; clicking the
// waveform or a marker also sets the time of a new comment.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("session-data").textContent);
  const player = document.getElementById("player");
  const canvas = document.getElementById("wave");
  const clock = document.getElementById("clock");
  const commentT = document.getElementById("comment-t");
  const duration = () => (isFinite(player.duration) && player.duration > 0 ? player.duration : data.duration_s || 1);

  function seek(t) {
    t = Math.max(0, Math.min(t, duration()));
    player.currentTime = t;
    if (commentT) commentT.value = t.toFixed(2);
    draw();
  }

  // markers sit at their time along the waveform (set here: the page allows no inline style)
  const span = data.duration_s > 0 ? data.duration_s : 1;
  document.querySelectorAll(".markers .marker[data-t]").forEach((el) => {
    const t = Math.max(0, Math.min(parseFloat(el.dataset.t) || 0, span));
    el.style.left = ((100 * t) / span).toFixed(3) + "%";
  });

  document.addEventListener("click", (ev) => {
    const el = ev.target.closest("[data-t]");
    if (!el) return;
    ev.preventDefault();
    seek(parseFloat(el.dataset.t));
  });

  function draw() {
    if (!canvas) return;
    const w = (canvas.width = canvas.clientWidth * (window.devicePixelRatio || 1));
    const h = canvas.height;
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, w, h);
    const chans = data.waveform || [];
    const colours = ["#1f6fb2", "#c0504d"];  // trainee above, customer below
    chans.slice(0, 2).forEach((peaks, c) => {
      if (!peaks.length) return;
      ctx.fillStyle = colours[c];
      const mid = h / 2;
      for (let x = 0; x < w; x++) {
        const v = peaks[Math.floor((x / w) * peaks.length)] / 100;
        const bar = v * (mid - 2);
        if (c === 0 || chans.length === 1) ctx.fillRect(x, mid - bar, 1, bar);
        if (c === 1 || chans.length === 1) ctx.fillRect(x, mid, 1, bar);
      }
    });
    ctx.fillStyle = "#ccc";
    ctx.fillRect(0, h / 2, w, 1);
    const px = (player.currentTime / duration()) * w;
    ctx.fillStyle = "#111";
    ctx.fillRect(px, 0, 2, h);
    if (clock) clock.textContent = window.voiceSim.mmss(player.currentTime) + " / " + window.voiceSim.mmss(duration());
  }

  if (canvas) {
    canvas.addEventListener("click", (ev) => {
      const r = canvas.getBoundingClientRect();
      seek(((ev.clientX - r.left) / r.width) * duration());
    });
  }
  // the transcript follows the player: the turn being heard is marked and kept in view
  const turns = Array.from(document.querySelectorAll(".transcript .turn[data-start]"));
  const box = document.querySelector(".transcript ol");
  let current = null;
  function follow() {
    const t = player.currentTime;
    let now = null;
    for (const li of turns) {
      if (parseFloat(li.dataset.start) <= t + 0.05) now = li;
      else break;
    }
    if (now === current) return;
    if (current) current.classList.remove("now");
    current = now;
    if (!now) return;
    now.classList.add("now");
    if (box && (now.offsetTop < box.scrollTop || now.offsetTop + now.offsetHeight > box.scrollTop + box.clientHeight)) {
      box.scrollTop = now.offsetTop - box.clientHeight / 3;  // within the box: the page stays put
    }
  }
  player.addEventListener("timeupdate", follow);
  player.addEventListener("seeked", follow);

  player.addEventListener("timeupdate", draw);
  player.addEventListener("seeked", draw);
  player.addEventListener("loadedmetadata", draw);
  window.addEventListener("resize", draw);
  draw();
})();
