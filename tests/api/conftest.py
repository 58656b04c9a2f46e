"""The API's tests share the security suite's world (built once per module)."""

from tests.security.conftest import built  # noqa: F401 (a fixture, used by name)
