"""Typed domain errors. Services raise them; the Slack edge and the CLI turn them into words."""

from __future__ import annotations


class CoopError(Exception):
    """Base of every error a person should read (never a crash)."""


class NotOnRoster(CoopError):
    """The person is on no partnership's roster."""


class NotAllowed(CoopError):
    """The person is on a roster but their role does not allow this action here."""


class NotFound(CoopError):
    """The thing acted on does not exist (or not for this person)."""


class InvalidTransition(CoopError):
    """The action does not apply in the current state (e.g. resolving a resolved problem)."""

    def __init__(self, current_state: str) -> None:
        super().__init__(current_state)
        self.current_state = current_state


class DatabaseBusy(CoopError):
    """The database stayed locked for longer than a Slack request can wait; nothing was written."""


class ImportFailed(CoopError):
    """A CSV import found bad rows; nothing was written. `problems` name file, line and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class InvalidInput(CoopError):
    """Input that passed the form's own checks but breaks rules that need the database.

    `problems` maps each form field found wrong to the rule it breaks (a code the form turns into words): a
    service checks every field it can before raising, so a person reads every error at once. `field` and
    `code` are the first of them.
    """

    def __init__(self, field: str, code: str, problems: dict[str, str] | None = None) -> None:
        self.problems: dict[str, str] = dict(problems) if problems else {field: code}
        super().__init__(", ".join(f"{f}: {c}" for f, c in self.problems.items()))
        self.field = field
        self.code = code

    @classmethod
    def of(cls, problems: dict[str, str]) -> InvalidInput:
        """One error for several fields (`problems` must not be empty)."""
        field = next(iter(problems))
        return cls(field, problems[field], problems)


def raise_problems(problems: dict[str, str]) -> None:
    """Raise InvalidInput for `problems` (field → rule), if there are any."""
    if problems:
        raise InvalidInput.of(problems)
