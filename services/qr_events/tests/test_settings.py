"""QR events' settings: the allow-list takes domains, not URLs, and the limits hold."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qr_events.settings import Settings


def test_the_allow_list_takes_domain_names_only() -> None:
    settings = Settings(allowed_destination_domains=[" Camden.gov.uk ", ".nhs.uk"])
    assert settings.allowed_destination_domains == ["camden.gov.uk", "nhs.uk"]
    for bad in ("https://camden.gov.uk", "camden.gov.uk/help", "localhost"):
        with pytest.raises(ValidationError, match="not a domain name"):
            Settings(allowed_destination_domains=[bad])


def test_codes_are_six_to_eight_characters() -> None:
    for bad in (5, 9):
        with pytest.raises(ValidationError, match="code_length"):
            Settings(code_length=bad)
