"""The security tests use the web tests' app and worlds: the container, the API's world (two
organisations, two courses, a caller of each kind) and the pages' sessions."""

from __future__ import annotations

from tests.web.api.v1.conftest import api, world  # noqa: F401 - fixtures
from tests.web.conftest import container, https_client  # noqa: F401 - fixtures
