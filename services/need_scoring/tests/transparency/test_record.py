"""The ATRS record is complete, and it is generated from the live policy."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from need_scoring.policy import load_policy, parse_policy
from need_scoring.settings import Settings
from need_scoring.transparency.record import build_record, load_council_words
from need_scoring.transparency.schemas import CouncilWords

from ..conftest import POLICY_FILE

SETTINGS = Settings()
WORDS = load_council_words(SETTINGS.transparency_file)
TIER_1 = {"name", "description", "website_url", "contact_email"}
TIER_2 = {
    "owner_and_responsibility": {"organisation", "team", "senior_responsible_owner",
                                 "third_party_involvement"},
    "description_and_rationale": {"detailed_description", "scope", "benefit",
                                  "previous_process", "alternatives_considered"},
    "decision_making_process": {"process_integration", "provided_information",
                                "frequency_and_scale_of_usage", "human_decisions_and_review",
                                "required_training", "appeals_and_review"},
    "tool_specification": {"system_architecture", "phase", "maintenance", "models",
                           "datasets"},
    "risks_mitigations_and_impact_assessments": {"impact_assessments",
                                                 "risks_and_mitigations"},
}
MODEL_FIELDS = {"model_name", "model_version", "model_task", "model_input", "model_output",
                "model_architecture", "model_performance", "datasets", "dataset_purposes"}
DATASET_FIELDS = {"source_data_name", "data_modality", "data_description", "data_quantities",
                  "sensitive_attributes", "data_completeness_and_representativeness",
                  "source_data_url", "data_collection", "data_cleaning",
                  "data_sharing_agreements", "data_access_and_storage"}


def empty_fields(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in empty_fields(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [path] if not value else [p for i, v in enumerate(value)
                                         for p in empty_fields(v, f"{path}[{i}]")]
    return [path] if value is None or (isinstance(value, str) and not value.strip()) else []


def test_every_tier_1_and_tier_2_field_is_present_and_filled() -> None:
    record = build_record(load_policy(POLICY_FILE), SETTINGS, WORDS, 12, 3).model_dump(
        mode="json")
    assert record["atrs_version"] == "v3.0"
    assert set(record["tier_1"]) == TIER_1
    for section, fields in TIER_2.items():
        assert set(record["tier_2"][section]) == fields, section
    spec = record["tier_2"]["tool_specification"]
    assert all(set(m) >= MODEL_FIELDS for m in spec["models"])
    assert all(set(d) == DATASET_FIELDS for d in spec["datasets"])
    assert empty_fields(record) == []


def test_the_record_follows_the_live_policy() -> None:
    text = POLICY_FILE.read_text().replace("version: need-2026.11", "version: need-2027.01")
    policy = parse_policy(text.replace("    weight: 30\n", "    weight: 25\n", 1))
    record = build_record(policy, SETTINGS, WORDS, 1234, 56)
    model = record.tier_2.tool_specification.models[0]
    assert model.model_version == record.generated_from_policy_version == "need-2027.01"
    assert [f["factor"] for f in model.factors] == [f.id for f in policy.factors]
    assert model.factors[0]["weight"] == 25
    assert all(f["justification"] == p.justification
               for f, p in zip(model.factors, policy.factors, strict=True))
    usage = record.tier_2.decision_making_process
    assert "1,234 scores" in usage.frequency_and_scale_of_usage
    assert "56 overrides" in usage.human_decisions_and_review
    assert "below 10" in record.tier_2.description_and_rationale.detailed_description


def test_a_council_file_with_a_missing_or_empty_field_is_refused_by_name() -> None:
    words = yaml.safe_load(SETTINGS.transparency_file.read_text())
    words["senior_responsible_owner"] = " "
    del words["appeals_and_review"]
    with pytest.raises(ValidationError) as caught:
        CouncilWords.model_validate(words)
    assert "senior_responsible_owner" in str(caught.value)
    assert "appeals_and_review" in str(caught.value)


def test_the_record_says_when_area_figures_are_published_and_how_they_are_rounded(
        ) -> None:
    """Seen to fail when build_record left out _area_publication: the record said
    nothing of the schedule, the rounding or the held-back single changes."""
    hourly = build_record(load_policy(POLICY_FILE), SETTINGS, WORDS, 1, 0)
    said = hourly.tier_2.description_and_rationale.detailed_description
    assert "published every hour on a fixed schedule" in said
    assert "rounded to the nearest 5 after suppression (0 stays 0" in said
    assert "at least 2 requests" in said
    assert "rounded to the nearest 5" in hourly.tier_2.decision_making_process.provided_information
    quarterly = build_record(load_policy(POLICY_FILE),
                             Settings(area_publish_interval_s=900), WORDS, 1, 0)
    assert "published every 15 minutes" in (
        quarterly.tier_2.description_and_rationale.detailed_description)
    risks = " ".join(r.risk + " " + r.mitigation
                     for r in hourly.tier_2.risks_mitigations_and_impact_assessments
                     .risks_and_mitigations)
    assert "fixed schedule" in risks and "nearest 5" in risks
