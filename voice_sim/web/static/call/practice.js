// The practice page: pick a call, talk, write the case note, land on the review.
// The audio lives in call-client.js (VoiceSimCall); this file is the page around it.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const panel = $("call");
  if (!panel) return;
  const picker = $("picker");
  const statusEl = $("call-status");
  const transcript = $("live-transcript");
  const noteForm = $("note-form");
  const after = $("after");
  const workletUrl = panel.dataset.worklet;
  let data = JSON.parse(panel.dataset.call || "null");
  let call = null;
  let muted = false;
  let ended = 0; // calls of the plan that have ended
  let noteIndex = 0; // 1-based call whose note the form holds (0: none)
  let notesSent = new Set();
  let breakTimer = null;
  let polling = false;
  let finished = false;

  const CLOSE_REASONS = {
    4401: "Log in again to call.",
    4403: "This page is not allowed to open the call.",
    4404: "This call does not exist.",
    4409: "This call is already open in another tab. Carry on there, or close that tab.",
    4410: "This call has ended.",
    1008: "The call was cut off: the audio broke the rules of the line.",
    1009: "The call was cut off: a message was too large.",
    1011: "The call was cut off by a server error.",
  };

  const END_REASONS = {
    trainee_hangup: "you hung up",
    hangup: "the customer hung up",
    timeout: "the time limit was reached",
    disconnected: "the connection was lost",
    error: "an error ended it",
  };

  function say(text) {
    statusEl.textContent = text;
  }

  function addLine(speaker, text, t) {
    const li = document.createElement("li");
    li.className = "turn " + (speaker === "trainee" ? "trainee" : "customer");
    const who = document.createElement("b");
    who.textContent = speaker === "trainee" ? "you" : "customer";
    const when = document.createElement("small");
    when.textContent = voiceSim.mmss(t) + " ";
    li.append(when, who, document.createTextNode(" " + text));
    transcript.appendChild(li);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function setMood(msg) {
    $("mood").value = msg.level;
    $("mood-level").textContent = msg.level + "/10";
    $("mood-reason").textContent = msg.reason ? "(" + msg.reason + ")" : "";
  }

  function talking(speaker, on) {
    const el = $(speaker === "trainee" ? "talk-trainee" : "talk-customer");
    if (el) el.classList.toggle("on", !!on);
  }

  function controls(live) {
    $("mute").disabled = !live;
    $("hangup").disabled = !live;
  }

  function showNote(index) {
    if (notesSent.has(index)) return;
    noteIndex = index;
    $("note-for").textContent = data.calls > 1 ? "for call " + index + " of " + data.calls : "";
    $("note-text").value = "";
    noteForm.hidden = false;
  }

  async function sendNote(skip) {
    if (!noteIndex || notesSent.has(noteIndex)) return;
    const index = noteIndex;
    notesSent.add(index);
    noteForm.hidden = true;
    const text = $("note-text").value;
    if (data.livekit) {
      // through the room: the worker writes case_note.md, then scores and stores the call
      await call.sendNote(index, text, skip || !text.trim());
      if (finished) after.hidden = false;
      after.textContent = "Scoring your call…";
      return;
    }
    try {
      await voiceSim.api(data.notes + index, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(skip || !text.trim() ? { skip: true } : { text }),
      });
    } catch (err) {
      after.hidden = false;
      after.textContent = "The note was not saved: " + err.message;
    }
    if (finished) pollStatus();
  }

  async function pollStatus() {
    if (polling) return;
    polling = true;
    after.hidden = false;
    const words = {
      calling: "Finishing the call…",
      analysing: "Analysing your call…",
      waiting_note: "Write your case note (or skip it) to get your score.",
      scoring: "Scoring your call…",
    };
    for (;;) {
      let st;
      try {
        st = await voiceSim.api(data.status);
      } catch (err) {
        after.textContent = "Cannot reach the server: " + err.message;
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      if (st.phase === "done" && st.review) {
        after.textContent = "Done. Opening your review…";
        window.location.assign(st.review);
        return;
      }
      if (st.phase === "done") {
        after.textContent = "The call ended before it started; nothing to score.";
        return;
      }
      if (st.phase === "failed") {
        after.textContent = "Scoring failed: " + (st.error || "unknown error") +
          ". The recording is kept; a coach can score it from the sessions list.";
        return;
      }
      if (st.phase === "waiting_note" && !notesSent.has(st.calls) && noteForm.hidden) {
        showNote(st.calls);
      }
      after.textContent = words[st.phase] || st.phase;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  function onMessage(msg) {
    switch (msg.type) {
      case "queued":
        say(msg.position === 1
          ? "All lines are busy: you are next."
          : "All lines are busy: " + (msg.position - 1) + " callers ahead of you.");
        break;
      case "call_start":
        if (noteIndex && !notesSent.has(noteIndex)) sendNote(false);
        if (breakTimer) clearInterval(breakTimer);
        transcript.replaceChildren();
        $("mood").value = 0;
        $("mood-level").textContent = "–";
        $("mood-reason").textContent = "";
        $("call-title").textContent = (msg.of > 1 ? "Call " + msg.index + " of " + msg.of + ": " : "") +
          (msg.persona_name || msg.persona || "customer");
        say("Connected. The customer speaks first.");
        controls(true);
        break;
      case "transcript":
        addLine(msg.speaker, msg.text, msg.t_s);
        break;
      case "intensity":
        setMood(msg);
        break;
      case "speech":
        talking(msg.speaker, msg.speaking);
        break;
      case "hangup":
        say("The customer hung up.");
        break;
      case "call_end":
        ended = msg.index;
        controls(false);
        talking("trainee", false);
        talking("customer", false);
        say("Call ended after " + voiceSim.mmss(msg.duration_s) + ": " +
          (END_REASONS[msg.reason] || msg.reason.replace("_", " ")) + ".");
        showNote(msg.index);
        break;
      case "break": {
        let left = Math.round(msg.seconds);
        say("Break: write your case note. Next call in " + left + " s.");
        breakTimer = setInterval(() => {
          left -= 1;
          if (left >= 0) say("Break: write your case note. Next call in " + left + " s.");
        }, 1000);
        break;
      }
      case "done":
        finished = true;
        controls(false);
        if (data.livekit) {
          call.setMuted(true); // the room stays open for the note and the "stored" message
          after.hidden = false;
          after.textContent = "Write your case note (or skip it) to get your score.";
        } else {
          if (call) call.stop();
          pollStatus();
        }
        break;
      case "stored":
        if (call) call.stop();
        after.hidden = false;
        after.textContent = "Done. Opening your review…";
        if (msg.review) window.location.assign(msg.review);
        break;
      case "error":
        say(msg.message);
        break;
      default:
        break;
    }
  }

  function onClose(code) {
    controls(false);
    if (CLOSE_REASONS[code]) say(CLOSE_REASONS[code]);
    if (call) call.stop();
    if (!data.livekit && (code === 4410 || code === 1000 || code === 1006)) {
      finished = true;
      pollStatus();
    }
  }

  async function start(d) {
    data = d;
    picker.hidden = true;
    panel.hidden = false;
    $("answer").hidden = true;
    say("Asking for your microphone…");
    if (data.livekit) {
      call = new window.VoiceSimLiveKitCall({
        url: data.livekit.url,
        token: data.livekit.token,
        onMessage,
        onClose,
      });
    } else {
      history.replaceState(null, "", "/practice/calls/" + data.id);
      call = new VoiceSimCall({ socketUrl: data.socket, workletUrl, onMessage, onClose });
    }
    window.vsPracticeCall = call;
    try {
      await call.start();
      say("Connecting…");
    } catch (err) {
      const mic = ["NotAllowedError", "NotFoundError", "NotReadableError", "SecurityError"];
      say(mic.includes(err.name)
        ? "No microphone: " + (err.message || err.name) +
          ". Allow the microphone for this site and try again."
        : "Could not connect the call: " + (err.message || err.name));
      $("answer").hidden = false;
    }
  }

  async function create(form) {
    const body = new URLSearchParams(new FormData(form));
    const res = await fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": voiceSim.csrfToken() },
      body,
    });
    const doc = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(doc.error || res.statusText);
    return doc;
  }

  for (const form of document.querySelectorAll("form.starts-call")) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await start(await create(form));
      } catch (err) {
        say("Could not start the call: " + err.message);
        panel.hidden = false;
      }
    });
  }

  $("answer").addEventListener("click", () => start(data));
  $("mute").addEventListener("click", () => {
    muted = !muted;
    call.setMuted(muted);
    $("mute").setAttribute("aria-pressed", String(muted));
    $("mute").textContent = muted ? "Unmute" : "Mute";
  });
  $("hangup").addEventListener("click", () => {
    if (call) call.hangup();
    say("Hanging up…");
  });
  noteForm.addEventListener("submit", (e) => {
    e.preventDefault();
    sendNote(false);
  });
  $("note-skip").addEventListener("click", () => sendNote(true));

  if (data && data.state === "ended") {
    finished = true;
    pollStatus();
  }
})();
