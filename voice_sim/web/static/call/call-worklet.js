// voice-sim call audio, on the browser's audio thread (AudioWorklet).
//
// vs-mic      microphone -> 20 ms frames of 16 kHz int16 PCM, posted to the page (to the socket)
// vs-speaker  16 kHz int16 PCM frames from the socket -> a small jitter buffer -> the speakers
//
// Both run on the AudioContext's clock, so the microphone and the speaker never drift apart. The
// wire rate is 16 kHz; when the context runs at another rate (Firefox will not open a 16 kHz
// context on a 48 kHz microphone) a windowed-sinc resampler converts on this thread.
// With `meter: true` each processor also reports the level of every render quantum with its
// context frame number, which is how bench/browser_transport.py measures latency in the page.

const WIRE_RATE = 16000;
const FRAME = 320; // samples per 20 ms frame at 16 kHz
// Playback starts (and restarts after running dry) once this much audio is queued, in wire
// samples: 40 ms absorbs the jitter of a socket carrying one frame every 20 ms.
const PRIME = 2 * FRAME;
// Never let playback fall further behind than this (a burst after a network stall), samples.
const MAX_QUEUED = 12 * FRAME;
// Every window, whatever the queue held at its lowest beyond one frame of headroom is latency a
// stall left behind: skip it at the next quiet moment (as WebRTC's NetEQ accelerates), seconds.
const TRIM_WINDOW_S = 1.0;
// "Quiet" for trimming: the samples to skip are below this level, dBFS.
const TRIM_QUIET_DBFS = -50;

class Resampler {
  // Streaming band-limited resampler: each output sample is a Hann-windowed sinc over
  // 2 * HALF input samples around its position; the cutoff follows the lower of the two rates.
  constructor(inRate, outRate) {
    this.step = inRate / outRate;
    this.cut = Math.min(1, outRate / inRate) * 0.92;
    this.half = 12;
    this.buf = new Float32Array(0);
    this.pos = this.half; // next output position in buf, input samples
  }

  process(x) {
    const buf = new Float32Array(this.buf.length + x.length);
    buf.set(this.buf);
    buf.set(x, this.buf.length);
    const out = [];
    const h = this.half;
    while (this.pos + h < buf.length) {
      const c = Math.floor(this.pos);
      let acc = 0;
      for (let k = c - h + 1; k <= c + h; k++) {
        const t = this.pos - k;
        const arg = Math.PI * this.cut * t;
        const sinc = t === 0 ? 1 : Math.sin(arg) / arg;
        const w = 0.5 * (1 + Math.cos((Math.PI * t) / h));
        acc += buf[k] * this.cut * sinc * w;
      }
      out.push(acc);
      this.pos += this.step;
    }
    const keep = Math.max(0, Math.floor(this.pos) - h);
    this.buf = buf.slice(keep);
    this.pos -= keep;
    return Float32Array.from(out);
  }
}

class Meter {
  // Level of each render quantum (dBFS) with the context frame it started at.
  constructor(port, kind) {
    this.port = port;
    this.kind = kind;
    this.frames = [];
    this.levels = [];
  }

  add(startFrame, x) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * x[i];
    const rms = Math.sqrt(s / Math.max(1, x.length));
    this.frames.push(startFrame);
    this.levels.push(20 * Math.log10(rms + 1e-9));
    if (this.frames.length >= 64) this.flush();
  }

  flush() {
    if (!this.frames.length) return;
    this.port.postMessage({ meter: this.kind, frames: this.frames, levels: this.levels });
    this.frames = [];
    this.levels = [];
  }
}

class MicProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = options.processorOptions || {};
    this.resampler = sampleRate === WIRE_RATE ? null : new Resampler(sampleRate, WIRE_RATE);
    this.frame = new Int16Array(FRAME);
    this.filled = 0;
    this.muted = false;
    this.running = true;
    this.meter = opts.meter ? new Meter(this.port, "mic") : null;
    this.port.onmessage = (e) => {
      if ("muted" in e.data) this.muted = !!e.data.muted;
      if (e.data.stop) {
        this.running = false;
        if (this.meter) this.meter.flush();
      }
    };
  }

  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (!ch) return this.running;
    if (this.meter) this.meter.add(currentFrame, ch);
    const x = this.resampler ? this.resampler.process(ch) : ch;
    for (let i = 0; i < x.length; i++) {
      const v = this.muted ? 0 : Math.max(-1, Math.min(1, x[i]));
      this.frame[this.filled++] = v < 0 ? Math.round(v * 32768) : Math.round(v * 32767);
      if (this.filled === FRAME) {
        const done = this.frame;
        this.port.postMessage(done.buffer, [done.buffer]);
        this.frame = new Int16Array(FRAME);
        this.filled = 0;
      }
    }
    return this.running;
  }
}

class SpeakerProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = options.processorOptions || {};
    this.resampler = sampleRate === WIRE_RATE ? null : new Resampler(WIRE_RATE, sampleRate);
    const ratio = sampleRate / WIRE_RATE;
    this.prime = Math.round(PRIME * ratio);
    this.headroom = Math.round(FRAME * ratio);
    this.maxQueued = Math.round(MAX_QUEUED * ratio);
    this.ring = new Float32Array(Math.round(4 * sampleRate));
    this.read = 0;
    this.size = 0;
    this.playing = false;
    this.underruns = 0;
    this.dropped = 0;
    this.trimmed = 0;
    this.window = Math.round(TRIM_WINDOW_S * sampleRate);
    this.seen = 0;
    this.lowest = Infinity;
    this.running = true;
    this.meter = opts.meter ? new Meter(this.port, "speaker") : null;
    this.port.onmessage = (e) => {
      if (e.data instanceof ArrayBuffer) this.push(e.data);
      else if (e.data.clear) {
        this.size = 0;
        this.playing = false;
      } else if (e.data.stop) {
        this.running = false;
        if (this.meter) this.meter.flush();
        this.port.postMessage({
          stats: { underruns: this.underruns, dropped: this.dropped, trimmed: this.trimmed },
        });
      }
    };
  }

  push(buffer) {
    const pcm = new Int16Array(buffer);
    let x = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) x[i] = pcm[i] / 32768;
    if (this.resampler) x = this.resampler.process(x);
    const n = this.ring.length;
    for (let i = 0; i < x.length; i++) {
      if (this.size === n) {
        this.read = (this.read + 1) % n;
        this.size--;
      }
      this.ring[(this.read + this.size) % n] = x[i];
      this.size++;
    }
    if (this.size > this.maxQueued) {
      // fell behind (a burst after a stall): skip ahead so the customer stays live
      const skip = this.size - this.prime;
      this.read = (this.read + skip) % n;
      this.size -= skip;
      this.dropped += skip;
    }
  }

  // Skip the queue's surplus over one frame of headroom when it is quiet.
  trim() {
    const surplus = this.lowest - this.headroom;
    this.lowest = Infinity;
    this.seen = 0;
    if (!this.playing || surplus <= 0) return;
    const n = this.ring.length;
    let energy = 0;
    for (let i = 0; i < surplus; i++) {
      const v = this.ring[(this.read + i) % n];
      energy += v * v;
    }
    if (10 * Math.log10(energy / surplus + 1e-12) > TRIM_QUIET_DBFS) return;
    this.read = (this.read + surplus) % n;
    this.size -= surplus;
    this.trimmed += surplus;
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    if (!this.playing && this.size >= this.prime) this.playing = true;
    if (this.playing) this.lowest = Math.min(this.lowest, this.size);
    this.seen += out.length;
    if (this.seen >= this.window) this.trim();
    if (this.playing) {
      const n = this.ring.length;
      const take = Math.min(out.length, this.size);
      for (let i = 0; i < take; i++) out[i] = this.ring[(this.read + i) % n];
      this.read = (this.read + take) % n;
      this.size -= take;
      if (take < out.length) {
        this.playing = false; // ran dry: wait for PRIME again
        this.underruns++;
      }
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    if (this.meter) this.meter.add(currentFrame, out);
    return this.running;
  }
}

registerProcessor("vs-mic", MicProcessor);
registerProcessor("vs-speaker", SpeakerProcessor);
