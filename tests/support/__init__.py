"""Helpers shared by the tests: the running app and its roster (harness), the databases, Slack's shapes,
the `coopbot` command, the workflows driven through Slack (exchanges, meetings), sample data, the i18n
checker. Test modules import from here, never from one another or from a conftest; the fixtures that
several directories use are in tests/conftest.py."""
