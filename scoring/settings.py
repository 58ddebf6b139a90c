"""Every threshold the scorer uses, as named constants in one frozen settings object.

The values come from the domain sources (``../shared/seeds``) where those give a number, and
from the ``audio_analysis`` definitions otherwise; each constant says where it comes from.
Layer overrides with ``voice_sim.config.resolve(ScoringSettings, "scoring", ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from personas.settings import RESOLVE_LEVEL, VENTING_LEVEL

#: Score every call on 0-100.
OVERALL_MAX = 100.0
#: Rubric weights must sum to ``OVERALL_MAX`` within this tolerance (rounding in a coach's file).
WEIGHT_SUM_TOLERANCE = 0.01
#: Filler recall of the analysis's transcription (Whisper tiny.en, no prompt), measured by
#: ``bench/fillers.py``: worst of 3 Piper renders of the labelled set. Verbatim-style prompts
#: reach 83-88% there but derail real telephone speech (83-90% word error), so they are not used.
FILLER_RECALL = 0.17
#: Fillers are scored only when the transcription finds at least this share of them.
FILLER_RECALL_MIN = 0.80
#: ``schema_version`` written in ``scorecard.json`` and ``session_scorecard.json``.
SCORECARD_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ScoringSettings:
    """Thresholds and backends for scoring one call or a back-to-back session.

    Attributes
    ----------
    judge : {"rules", "llm"}
        Language items judged by phrase rules (offline) or by an OpenAI-compatible endpoint.
    interruption_penalty_frac : float
        Share of the "let the customer finish" item lost per interruption of the customer.
    trigger_penalty_frac : float
        Share of the "no trigger or hedge phrases" item lost per phrase said.
    first_response_window : int
        How many trainee turns count as the "first response" (greeting turns are short).
    greeting_max_words : int
        A first trainee turn this short is a greeting; the next one is the first response.
    complaint_min_words : int
        The customer's complaint is their first turn with at least this many words (a bare
        "Hello?" before it is not the complaint).
    composure_pitch_rise_st : float
        Trainee pitch drift (semitones, last third against first third) that counts as rising;
        about two semitones is an audible lift in conversational speech.
    composure_loudness_rise_db : float
        Trainee loudness drift that counts as getting louder (3 dB, a just-clear change in level).
    composure_wpm_rise_pct : float
        Trainee pace drift (percent) that counts as speeding up; per-turn pace varies by about
        a fifth with sentence length alone, so only a larger rise is hurrying.
    mirroring_customer_rise_db : float
        A customer turn this much louder than the customer's median is the customer getting loud.
    mirroring_trainee_rise_db : float
        The trainee's next turn this much louder than the trainee's median is mirroring.
    calm_wpm_low, calm_wpm_high : float
        The calm pace band in words per minute: conversational English runs about 150 wpm;
        well past 180 sounds hurried on the phone, under 110 sounds hesitant.
    rushed_turn_wpm : float
        A single trainee turn above this pace (with enough words) is named as rushed.
    pace_zero_beyond_wpm : float
        The pace half of the item falls linearly to zero this many wpm outside the calm band.
    rushed_turn_penalty_frac : float
        Share of the pace half lost per rushed turn.
    rushed_turn_min_words : int
        Fewer words than this in a turn give a meaningless pace; such turns are not judged.
    utterance_merge_s : float
        A speaker's turns closer than this, with no one else speaking in between, are read as
        one utterance (VAD splits a sentence at short pauses; "...twice this month." and "Is
        that right?" are one check-back).
    outcome_full_drop_levels : float
        Intensity drop (0-10 scale) from start to end that earns the full outcome item.
    outcome_full_loudness_db : float
        Without intensity events, the customer's loudness drift (dB, last third of their turns
        against the first) that wins (quieter) or loses (louder) the whole outcome item; 6 dB
        is twice the amplitude.
    accepted_level : float
        A customer at or below this intensity at the end accepted what was offered (the
        director's resolve level, ``personas.settings.RESOLVE_LEVEL``).
    long_customer_turn_s : float
        A customer turn this long is talking at length (a vent): nods are expected in it.
    nod_gap_max_s : float
        The longest stretch of a long customer turn without a verbal nod that still reads as
        listening: about one nod every ten seconds, give or take the natural spread of real
        nods. More nods earn nothing more.
    pace_match_slack_wpm : float
        How much faster than the caller a trainee may speak and still match them: a difference
        under about 10 wpm (some 7% of a conversational pace) is not heard.
    confused_wpm_max : float
        The fastest pace that is still unhurried and clear for a confused or elderly caller
        (clear-speech guidance puts it well under conversational 150 wpm).
    pace_match_zero_beyond_wpm : float
        A turn's pace-matching credit falls linearly to zero this many wpm past the target.
    pace_too_slow_gap_wpm, impatient_wpm_min : float
        With an impatient caller, a turn drags when it is this much slower than the caller and
        under this pace (a little slower is calm; a slow agent reads as wasting their time).
    pace_match_ok_frac : float
        The call's pace matched the caller when its turns (weighted by words) earn at least
        this share of the item.
    filler_recall : float or None
        Filler recall of the transcriber that made the analysis, when it is not the shipped one
        (a verbatim transcriber measured with ``bench/fillers.py``); None uses
        :data:`FILLER_RECALL`. Fillers are scored from :data:`FILLER_RECALL_MIN`.
    fillers_ok_per_min : float
        Fillers per minute of trainee speech that cost nothing (a couple a minute is normal
        speech).
    fillers_zero_per_min : float
        Fillers per minute at which the fillers item is lost.
    pause_fill_max_words : int
        A statement this short said in a pressure pause (taking a moment, acknowledging the
        customer, handing the floor back) keeps composure; a hedged question this short is
        half.
    pause_ramble_words : int
        Filling a pressure pause with more words than this is a ramble (questions included).
    still_angry_level : float
        A customer at or above this intensity when the call ends is still angry (the
        director's venting level, ``personas.settings.VENTING_LEVEL``: they have not felt
        heard).
    session_patience_share : float
        Share of the session overall that comes from the patience items (the rest is the mean
        of the calls).
    patience_pitch_st, patience_loudness_db, patience_wpm_pct : float
        Session drift (last call against the first) that loses the whole composure patience item.
    patience_latency_rise_s : float
        Rise in median response latency, last call against the first, that loses the latency item.
    embed_audio_max_bytes : int
        Recordings up to this size are embedded in report.html (base64); larger ones are
        embedded as Ogg Vorbis if that fits, else linked by relative path.
    llm_base_url : str or None
        OpenAI-compatible endpoint for ``judge="llm"`` (e.g. ``http://127.0.0.1:11434/v1``).
    llm_model : str
        Model name sent to the endpoint.
    llm_api_key : str
        Key sent to the endpoint; local servers ignore it.
    llm_timeout_s : float
        Request timeout; on timeout the rules judge serves with a warning.
    """

    judge: Literal["rules", "llm"] = "rules"
    interruption_penalty_frac: float = 0.34
    trigger_penalty_frac: float = 0.34
    first_response_window: int = 1
    greeting_max_words: int = 4
    complaint_min_words: int = 6
    composure_pitch_rise_st: float = 2.0
    composure_loudness_rise_db: float = 3.0
    composure_wpm_rise_pct: float = 30.0
    mirroring_customer_rise_db: float = 4.0
    mirroring_trainee_rise_db: float = 3.0
    calm_wpm_low: float = 110.0
    calm_wpm_high: float = 180.0
    pace_zero_beyond_wpm: float = 40.0
    rushed_turn_wpm: float = 200.0
    rushed_turn_min_words: int = 12
    rushed_turn_penalty_frac: float = 0.1
    utterance_merge_s: float = 2.0
    outcome_full_drop_levels: float = 3.0
    outcome_full_loudness_db: float = 6.0
    still_angry_level: float = VENTING_LEVEL
    pause_fill_max_words: int = 15
    pause_ramble_words: int = 20
    filler_recall: float | None = None
    fillers_ok_per_min: float = 2.0
    fillers_zero_per_min: float = 10.0
    accepted_level: float = RESOLVE_LEVEL
    long_customer_turn_s: float = 8.0
    nod_gap_max_s: float = 15.0
    pace_match_slack_wpm: float = 10.0
    confused_wpm_max: float = 140.0
    pace_match_zero_beyond_wpm: float = 30.0
    pace_too_slow_gap_wpm: float = 50.0
    impatient_wpm_min: float = 130.0
    pace_match_ok_frac: float = 0.75
    session_patience_share: float = 0.3
    patience_pitch_st: float = 3.0
    patience_loudness_db: float = 4.5
    patience_wpm_pct: float = 20.0
    patience_latency_rise_s: float = 1.5
    embed_audio_max_bytes: int = 25_000_000
    llm_base_url: str | None = None
    llm_model: str = "llama3.2"
    llm_api_key: str = "not-needed"
    llm_timeout_s: float = 60.0

    def __post_init__(self) -> None:
        if self.judge not in ("rules", "llm"):
            raise ValueError(f"judge must be 'rules' or 'llm', got {self.judge!r}")
        if not 0.0 < self.calm_wpm_low < self.calm_wpm_high:
            raise ValueError("calm_wpm_low must be positive and below calm_wpm_high")
        if not 0.0 <= self.session_patience_share <= 1.0:
            raise ValueError("session_patience_share must be within 0-1")
