"""The peer to beat: a bag of words (TF-IDF + logistic regression) trained on the same labelled
postings, what a data team would build instead of reading the work as the documents do.

``whichrole eval --folds K`` trains it on the same training folds as the rules' weights and scores it
on the same held-out postings. Needs scikit-learn (``pip install 'whichrole[train]'``).
"""
from __future__ import annotations

from typing import Sequence


MIN_DF_FROM = 50  # postings


class PeerUnavailable(RuntimeError):
    """scikit-learn is not installed."""


class BagOfWords:
    """Word unigrams and bigrams, sublinear TF-IDF, a multinomial logistic regression."""

    def __init__(self) -> None:
        try:
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.linear_model import LogisticRegression
            from sklearn.pipeline import make_pipeline
        except ImportError:
            raise PeerUnavailable("the bag-of-words peer needs scikit-learn: pip install 'whichrole[train]'") from None
        self.pipeline = make_pipeline(
            TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), max_features=50_000),
            LogisticRegression(C=10.0, max_iter=3000))

    def train(self, texts: Sequence[str], labels: Sequence[str]) -> "BagOfWords":
        # A word seen in one posting of hundreds is noise; in a handful of postings it is all there is.
        self.pipeline.set_params(tfidfvectorizer__min_df=2 if len(texts) >= MIN_DF_FROM else 1)
        self.pipeline.fit(list(texts), list(labels))
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        return list(self.pipeline.predict(list(texts)))


def peer_text(posting: dict) -> str:
    """What the peer reads of a posting: its title and description, as whichrole does."""
    return f"{posting.get('title') or ''}\n{posting.get('description') or ''}"
