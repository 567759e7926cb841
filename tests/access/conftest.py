"""Access tests use the API test helpers and a clean failure-counter cache."""

from tests.api.conftest import _clean_cache  # noqa: F401 - autouse fixture
