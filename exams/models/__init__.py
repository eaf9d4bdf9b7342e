"""The exams app's models: the question bank, papers, exams and attempts."""

from .bank import (
    Difficulty,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionImport,
    QuestionType,
    QuestionVersion,
)
from .exams import (
    Attempt,
    AttemptAnswer,
    AttemptEvent,
    Exam,
    ExamOverride,
    GradingMethod,
    MultiplePolicy,
    ResultsRelease,
    ReviewAnswers,
)
from .papers import Paper, PaperItem, PaperKind, PaperRule
from .practice import PracticeRound, RoundKind, WrongAnswer

__all__ = [
    "Attempt",
    "AttemptAnswer",
    "AttemptEvent",
    "Difficulty",
    "Exam",
    "ExamOverride",
    "GradingMethod",
    "MultiplePolicy",
    "Paper",
    "PaperItem",
    "PaperKind",
    "PaperRule",
    "PracticeRound",
    "Question",
    "QuestionBank",
    "QuestionCategory",
    "QuestionImport",
    "QuestionType",
    "QuestionVersion",
    "ResultsRelease",
    "ReviewAnswers",
    "RoundKind",
    "WrongAnswer",
]
