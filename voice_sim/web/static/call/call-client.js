// voice-sim browser call client: the microphone and speaker of a practice call.
//
//   const call = new VoiceSimCall({ socketUrl, workletUrl, onMessage, onClose });
//   await call.start();      // asks for the microphone, opens the socket
//   call.setMuted(true); call.hangup(); await call.stop();
//
// Transport "websocket" (the default, see voice_sim/transport/wire.py): 20 ms frames of 16 kHz
// int16 PCM both ways through AudioWorklets, JSON messages for the rest. Transport "webrtc"
// (measured against it in bench/browser_transport.py, needs the webrtc extra on the server):
// the microphone track goes to an RTCPeerConnection (Opus), the customer comes back as a remote
// track, messages ride a data channel.
//
// The microphone is opened with echo cancellation, noise suppression and auto gain, so the
// trainee can use laptop speakers.
(function () {
  "use strict";

  const MIC_CONSTRAINTS = {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
    channelCount: 1,
  };
  const WIRE_RATE = 16000;

  function absoluteUrl(url, socket) {
    const u = new URL(url, window.location.href);
    if (socket) u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return u.toString();
  }

  class VoiceSimCall {
    constructor(opts) {
      this.opts = Object.assign(
        { transport: "websocket", meter: false, forceResample: false },
        opts
      );
      this.onMessage = this.opts.onMessage || (() => {});
      this.onClose = this.opts.onClose || (() => {});
      this.muted = false;
      this.closed = false;
      this.meters = { mic: { frames: [], levels: [] }, speaker: { frames: [], levels: [] } };
      this.stats = {};
      this.bytesSent = 0;
      this.bytesReceived = 0;
    }

    // Open the microphone and audio graph, then connect.
    async start() {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: MIC_CONSTRAINTS });
      await this._openAudio();
      if (this.opts.transport === "webrtc") await this._connectRtc();
      else this._connectSocket();
    }

    async _openAudio() {
      const rate = this.opts.forceResample ? undefined : WIRE_RATE;
      let ctx = new AudioContext({ sampleRate: rate, latencyHint: "interactive" });
      let source;
      try {
        source = ctx.createMediaStreamSource(this.stream);
      } catch (err) {
        // Firefox cannot feed a 48 kHz microphone into a 16 kHz context: resample in the worklet
        await ctx.close();
        ctx = new AudioContext({ latencyHint: "interactive" });
        source = ctx.createMediaStreamSource(this.stream);
      }
      this.ctx = ctx;
      await ctx.audioWorklet.addModule(this.opts.workletUrl);
      const meter = !!this.opts.meter;
      const rtc = this.opts.transport === "webrtc";
      this.mic = new AudioWorkletNode(ctx, "vs-mic", {
        numberOfInputs: 1,
        numberOfOutputs: 0,
        channelCount: 1,
        channelCountMode: "explicit",
        processorOptions: { meter },
      });
      this.mic.port.onmessage = (e) => this._fromMic(e.data);
      source.connect(this.mic);
      if (!rtc) {
        this.speaker = new AudioWorkletNode(ctx, "vs-speaker", {
          numberOfInputs: 0,
          numberOfOutputs: 1,
          outputChannelCount: [1],
          processorOptions: { meter },
        });
        this.speaker.port.onmessage = (e) => this._fromSpeaker(e.data);
        this.speaker.connect(ctx.destination);
      }
      if (ctx.state === "suspended") await ctx.resume();
    }

    _fromMic(data) {
      if (data instanceof ArrayBuffer) {
        if (this.ws && this.ws.readyState === WebSocket.OPEN) {
          this.ws.send(data);
          this.bytesSent += data.byteLength;
        }
      } else if (data.meter) this._addMeter(data);
    }

    _fromSpeaker(data) {
      if (data.meter) this._addMeter(data);
      else if (data.stats) Object.assign(this.stats, data.stats);
    }

    _addMeter(data) {
      const m = data.meter === "mic" ? this.meters.mic : this.meters.speaker;
      m.frames.push(...data.frames);
      m.levels.push(...data.levels);
    }

    _connectSocket() {
      const ws = new WebSocket(absoluteUrl(this.opts.socketUrl, true));
      ws.binaryType = "arraybuffer";
      this.ws = ws;
      ws.onmessage = (e) => {
        if (e.data instanceof ArrayBuffer) {
          this.bytesReceived += e.data.byteLength;
          this.speaker.port.postMessage(e.data, [e.data]);
        } else {
          let msg;
          try {
            msg = JSON.parse(e.data);
          } catch (err) {
            return;
          }
          this.onMessage(msg);
        }
      };
      ws.onclose = (e) => this._closed(e.code);
    }

    async _connectRtc() {
      const pc = new RTCPeerConnection({ iceServers: [] });
      this.pc = pc;
      this.stream.getAudioTracks().forEach((t) => pc.addTrack(t, this.stream));
      const channel = pc.createDataChannel("events");
      this.channel = channel;
      channel.onmessage = (e) => {
        try {
          this.onMessage(JSON.parse(e.data));
        } catch (err) {
          /* not JSON: ignore */
        }
      };
      pc.ontrack = (e) => {
        const remote = e.streams[0] || new MediaStream([e.track]);
        // Chrome only routes a remote WebRTC stream into Web Audio while an element plays it
        const el = document.createElement("audio");
        el.autoplay = true;
        el.srcObject = remote;
        el.dataset.voiceSim = "customer";
        document.body.appendChild(el);
        this.remoteAudio = el;
        if (this.opts.meter) {
          const tap = new AudioWorkletNode(this.ctx, "vs-mic", {
            numberOfInputs: 1,
            numberOfOutputs: 0,
            processorOptions: { meter: true },
          });
          tap.port.onmessage = (ev) => {
            if (ev.data.meter) this._addMeter(Object.assign({}, ev.data, { meter: "speaker" }));
          };
          this.ctx.createMediaStreamSource(remote).connect(tap);
          this.remoteTap = tap;
        }
      };
      pc.onconnectionstatechange = () => {
        if (["failed", "closed"].includes(pc.connectionState)) this._closed(1006);
      };
      channel.onclose = () => this._closed(1000);
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === "complete") return resolve();
        pc.onicegatheringstatechange = () => {
          if (pc.iceGatheringState === "complete") resolve();
        };
        setTimeout(resolve, 2000);
      });
      const headers = { "Content-Type": "application/json" };
      if (this.opts.csrfToken) headers["X-CSRF-Token"] = this.opts.csrfToken;
      const res = await fetch(this.opts.rtcUrl, {
        method: "POST",
        headers,
        credentials: "same-origin",
        body: JSON.stringify({ sdp: pc.localDescription.sdp, type: pc.localDescription.type }),
      });
      if (!res.ok) {
        this.onMessage({ type: "error", message: `signalling refused (${res.status})` });
        this._closed(4000 + res.status);
        return;
      }
      await pc.setRemoteDescription(await res.json());
    }

    setMuted(muted) {
      this.muted = !!muted;
      if (this.mic) this.mic.port.postMessage({ muted: this.muted });
      if (this.pc) this.stream.getAudioTracks().forEach((t) => (t.enabled = !this.muted));
    }

    hangup() {
      const msg = JSON.stringify({ type: "hangup" });
      if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(msg);
      if (this.channel && this.channel.readyState === "open") this.channel.send(msg);
    }

    _closed(code) {
      if (this.closed) return;
      this.closed = true;
      this.onClose(code);
    }

    // Latency figures of the page's audio path, for the bench.
    meterData() {
      return {
        sampleRate: this.ctx ? this.ctx.sampleRate : null,
        baseLatency: this.ctx ? this.ctx.baseLatency : null,
        outputLatency: this.ctx ? this.ctx.outputLatency || 0 : null,
        mic: this.meters.mic,
        speaker: this.meters.speaker,
        stats: this.stats,
        bytesSent: this.bytesSent,
        bytesReceived: this.bytesReceived,
      };
    }

    // Let the worklets post their last meters, then release the microphone and close.
    async stop() {
      for (const node of [this.mic, this.speaker, this.remoteTap]) {
        if (node) node.port.postMessage({ stop: true });
      }
      await new Promise((r) => setTimeout(r, 100));
      if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
      if (this.pc) this.pc.close();
      if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
      if (this.ctx && this.ctx.state !== "closed") await this.ctx.close();
    }
  }

  window.VoiceSimCall = VoiceSimCall;
})();
