"""Sharing a certificate elsewhere: LinkedIn's "Add to profile" link."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

__all__ = ["LINKEDIN_ADD_TO_PROFILE", "linkedin_add_to_profile_url"]

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_add_to_profile_url(
    *, name: str, organisation: str, issued_on: date, certificate_url: str, certificate_id: str
) -> str:
    """LinkedIn's "Add licence or certification" form, filled in: the learner only confirms.

    ``certId`` is what LinkedIn shows as the credential id (the printed certificate number);
    ``certUrl`` is where a reader of the profile verifies it (the verification page)."""
    query = urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": name,
            "organizationName": organisation,
            "issueYear": issued_on.year,
            "issueMonth": issued_on.month,
            "certUrl": certificate_url,
            "certId": certificate_id,
        }
    )
    return f"{LINKEDIN_ADD_TO_PROFILE}?{query}"
