"""The intern compliance checklist: what must be in place for a placement, kept by the intern's teacher."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class ComplianceItem(enum.StrEnum):
    AGREEMENT = "agreement"  # the tripartite agreement (college, enterprise, student) is signed
    INSURANCE = "insurance"  # internship liability insurance covers the whole period
    GUARDIAN_CONSENT = "guardian_consent"  # required only for interns under 18 on the start date
    PAY = "pay"  # pay agreed, at least 80% of the same post's probation wage
    HOURS = "hours"  # no overtime or night shifts, unless the post needs them and it is filed


class InternCompliance(Base):
    """One intern's checklist; an intern without a row has nothing ticked."""

    __tablename__ = "intern_compliance"

    intern_id: Mapped[int] = mapped_column(ForeignKey("intern.id", ondelete="CASCADE"), primary_key=True)
    agreement: Mapped[bool] = mapped_column(Boolean, default=False)
    insurance: Mapped[bool] = mapped_column(Boolean, default=False)
    guardian_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    pay: Mapped[bool] = mapped_column(Boolean, default=False)
    hours: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    def ticked(self) -> set[ComplianceItem]:
        return {item for item in ComplianceItem if getattr(self, item.value)}
