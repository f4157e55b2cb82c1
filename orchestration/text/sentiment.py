"""Sentiment of redacted free text with VADER, whose lexicon ships inside its PyPI package."""

from __future__ import annotations

from functools import lru_cache

POSITIVE_MIN = 0.05
NEGATIVE_MAX = -0.05


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=200_000)
def sentiment_score(text: str | None) -> float | None:
    """VADER compound score in [-1, 1]; repeated texts are scored once."""
    if text is None or not text.strip():
        return None
    return float(_analyzer().polarity_scores(text)["compound"])


def sentiment_label(score: float | None) -> str | None:
    if score is None:
        return None
    if score >= POSITIVE_MIN:
        return "positive"
    if score <= NEGATIVE_MAX:
        return "negative"
    return "neutral"
