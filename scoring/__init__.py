"""scoring: analysis + transcript + persona events -> a de-escalation scorecard and HTML report.

Does not import ``voice_sim``; works on any recording's ``analysis.json``.
"""

from .case_note import CASE_NOTE_FILE, read_case_note, write_case_note
from .errors import ScoringError
from .folder import score_folder
from .inputs import CallEnd, CallInputs, PersonaInfo, call_inputs, read_events, read_json, read_meta
from .judge import Judge
from .llm_judge import LLMJudge
from .report import write_report, write_session_report
from .rubric import Rubric, RubricItem, load_rubric
from .rules import RulesJudge
from .score import make_judge, score_call, score_inputs
from .scorecard import (
    CallFigures,
    Evidence,
    ItemScore,
    JudgedSilence,
    Scorecard,
    SessionScorecard,
    read_scorecard,
    read_session_scorecard,
)
from .session import score_session
from .settings import ScoringSettings

__all__ = [
    "CASE_NOTE_FILE",
    "CallEnd",
    "CallFigures",
    "CallInputs",
    "Evidence",
    "ItemScore",
    "Judge",
    "JudgedSilence",
    "LLMJudge",
    "PersonaInfo",
    "Rubric",
    "RubricItem",
    "RulesJudge",
    "Scorecard",
    "ScoringError",
    "ScoringSettings",
    "SessionScorecard",
    "call_inputs",
    "load_rubric",
    "make_judge",
    "read_case_note",
    "read_events",
    "read_json",
    "read_meta",
    "read_scorecard",
    "read_session_scorecard",
    "score_call",
    "score_folder",
    "score_inputs",
    "score_session",
    "write_case_note",
    "write_report",
    "write_session_report",
]
