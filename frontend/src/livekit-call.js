// voice-sim's LiveKit call: the same page API as VoiceSimCall (call-client.js), with the audio
// carried by a LiveKit room instead of the call socket. A voice-sim worker (voice-sim worker)
// joins the room, speaks as the customer on its own track and sends the call's messages
// (transcript, mood, call state) as data on the "voice-sim" topic; the page sends hang-up and
// the case note back the same way.
//
// Built with livekit-client into voice_sim/web/static/call/livekit-call.js by build.mjs.
import { Room, RoomEvent, Track } from "livekit-client";

const TOPIC = "voice-sim";
const MIC = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export class VoiceSimLiveKitCall {
  constructor(opts) {
    this.opts = opts;
    this.onMessage = opts.onMessage || (() => {});
    this.onClose = opts.onClose || (() => {});
    this.closed = false;
    this.encoder = new TextEncoder();
    this.decoder = new TextDecoder();
  }

  async start() {
    const room = new Room({ audioCaptureDefaults: MIC, adaptiveStream: false, dynacast: false });
    this.room = room;
    room.on(RoomEvent.TrackSubscribed, (track) => {
      if (track.kind !== Track.Kind.Audio) return;
      const el = track.attach();
      el.dataset.voiceSim = "customer";
      document.body.appendChild(el);
    });
    room.on(RoomEvent.TrackUnsubscribed, (track) => track.detach().forEach((el) => el.remove()));
    room.on(RoomEvent.DataReceived, (payload, participant, kind, topic) => {
      if (topic !== TOPIC) return;
      try {
        this.onMessage(JSON.parse(this.decoder.decode(payload)));
      } catch (err) {
        /* not JSON: ignore */
      }
    });
    room.on(RoomEvent.Disconnected, () => this._closed(1000));
    await room.connect(this.opts.url, this.opts.token);
    await room.localParticipant.setMicrophoneEnabled(true, MIC);
  }

  _send(message) {
    if (!this.room) return Promise.resolve();
    const data = this.encoder.encode(JSON.stringify(message));
    return this.room.localParticipant.publishData(data, { reliable: true, topic: TOPIC });
  }

  setMuted(muted) {
    if (this.room) this.room.localParticipant.setMicrophoneEnabled(!muted, MIC);
  }

  hangup() {
    return this._send({ type: "hangup" });
  }

  sendNote(call, text, skip) {
    return this._send({ type: "note", call, text: skip ? "" : text });
  }

  _closed(code) {
    if (this.closed) return;
    this.closed = true;
    this.onClose(code);
  }

  async stop() {
    if (this.room) await this.room.disconnect();
  }
}

window.VoiceSimLiveKitCall = VoiceSimLiveKitCall;
