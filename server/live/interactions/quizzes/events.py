"""A quiz's events: it starts (without its answer), its count of answers moves (paced), it ends with the right
option and how many found it; each right answerer alone gets `quiz.won`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.realtime.events import Event


@dataclass(frozen=True, slots=True)
class QuizStarted(Event):
    type: ClassVar[str] = "quiz.started"
    quiz: dict[str, Any]


@dataclass(frozen=True, slots=True)
class QuizAnswers(Event):
    type: ClassVar[str] = "quiz.answers"
    paced: ClassVar[bool] = True
    keeps_snapshot: ClassVar[bool] = True
    quiz_id: str
    count: int


@dataclass(frozen=True, slots=True)
class QuizEnded(Event):
    type: ClassVar[str] = "quiz.ended"
    quiz: dict[str, Any]
    correct_option_id: str
    correct: int
