"""Fixtures of the suggestion's tests: the small corpus of tests/suggest/corpus.py in the test database."""

import pytest

from tests.suggest import corpus


@pytest.fixture
def catalogue(app, monkeypatch):
    """The corpus's categories, without the real starting hints."""
    return corpus.make_catalogue(monkeypatch)


@pytest.fixture
def closed_cases(catalogue):
    """The corpus's learnt phrasings as closed cases."""
    corpus.make_closed_cases(catalogue)
