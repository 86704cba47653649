import pytest

from tests.app.accounts.helpers import fresh_client


@pytest.fixture
def client(app):
    """Each request in its own app context (see FreshContextClient), so nothing leaks through g."""
    return fresh_client(app)
