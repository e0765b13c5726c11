import pytest

# The helpers in tests/support assert too (a modal opened, a text within Slack's limit): pytest explains their
# failures as it does a test's. Registered here, before anything imports them.
pytest.register_assert_rewrite("tests.support")
