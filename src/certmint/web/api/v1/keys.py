"""The organisation's signing key: rotate it (admins only).

Retired keys stay in the DID document, so everything they signed keeps verifying.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from certmint.services.issuers.keys import rotate_signing_key
from certmint.web.deps import AdminDep, ContainerDep
from certmint.web.problems import problems

__all__ = ["router"]

router = APIRouter(tags=["keys"])


class RotateIn(BaseModel):
    reason: str | None = Field(
        default=None, max_length=1_000, description="Kept in the audit log.", examples=["yearly"]
    )


class KeyOut(BaseModel):
    key_id: str = Field(description="The verification method's fragment.")
    public_key_multibase: str = Field(examples=["z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"])
    created_at: datetime


@router.post(
    "/keys/rotate",
    status_code=201,
    response_model=KeyOut,
    summary="Rotate the signing key",
    description="Retire the active key and make a new one; new certificates are signed with "
    "it. The private key never leaves the key store. Three rotations in a row are fine; "
    "then each further one waits (429 with `Retry-After`), a minute doubling up to an hour.",
    responses=problems(401, 403, 422, 429),
)
def rotate(body: RotateIn, principal: AdminDep, container: ContainerDep) -> KeyOut:
    key = rotate_signing_key(
        container.uow(),
        container.signing.key_store,
        principal,
        reason=body.reason,
    )
    return KeyOut(
        key_id=key.key_id,
        public_key_multibase=key.public_key_multibase,
        created_at=key.created_at,
    )
