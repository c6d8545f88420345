"""The ``[digitise]`` section of a kiosk profile: page checks, OCR and the signing key."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class DigitiseSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    languages: list[str] = ["vie", "eng"]
    max_skew_deg: Annotated[float, Field(ge=0.5, le=15)] = 3.0
    page_budget_bytes: Annotated[int, Field(ge=50_000, le=1_000_000)] = 150_000
    ocr_timeout_s: Annotated[int, Field(ge=10, le=3600)] = 300
    # the kiosk's own signing key (0600, outside the database) and what the city issued
    key_file: str = "{data_dir}/secrets/signing.key"
    cert_file: str = "{data_dir}/pki/kiosk-cert.pem"
    chain_file: str = "{data_dir}/pki/city-ca.pem"
    renew_days: Annotated[int, Field(ge=1, le=365)] = 30
    jobs_dir: str = "{data_dir}/digitise"
