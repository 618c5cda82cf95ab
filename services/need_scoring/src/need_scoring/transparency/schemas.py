"""The ATRS v3.0 record (Tier 1 and Tier 2), as the API serves it. Section numbers
follow the standard.

Every field is a required non-empty string or list: a record that is missing anything
cannot be built, so the service would not start with one.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(min_length=3, strip_whitespace=True)]

ATRS_VERSION = "v3.0"


class _Filled(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Risk(_Filled):
    risk: Text
    mitigation: Text


class CouncilWords(_Filled):
    """The parts only the council can write (policies/transparency.yaml)."""

    name: Text
    website_url: Text
    contact_email: Text
    organisation_type: Text
    team: Text
    senior_responsible_owner: Text
    third_party_involvement: Text
    benefit: Text
    previous_process: Text
    alternatives_considered: Text
    process_integration: Text
    required_training: Text
    appeals_and_review: Text
    maintenance: Text
    data_collection: Text
    data_access_and_storage: Text
    impact_assessments: Text
    risks_and_mitigations: list[Risk] = Field(min_length=1)


class Tier1(_Filled):
    name: Text
    description: Text
    website_url: Text
    contact_email: Text


class OwnerAndResponsibility(_Filled):
    organisation: Text
    team: Text
    senior_responsible_owner: Text
    third_party_involvement: Text


class DescriptionAndRationale(_Filled):
    detailed_description: Text
    scope: Text
    benefit: Text
    previous_process: Text
    alternatives_considered: Text


class DecisionMakingProcess(_Filled):
    process_integration: Text
    provided_information: Text
    frequency_and_scale_of_usage: Text
    human_decisions_and_review: Text
    required_training: Text
    appeals_and_review: Text


class Model(_Filled):
    model_name: Text
    model_version: Text
    model_task: Text
    model_input: Text
    model_output: Text
    model_architecture: Text
    model_performance: Text
    datasets: list[Text] = Field(min_length=1)
    dataset_purposes: Text
    factors: list[dict[str, str | int]] = Field(min_length=1)


class Dataset(_Filled):
    source_data_name: Text
    data_modality: Text
    data_description: Text
    data_quantities: Text
    sensitive_attributes: Text
    data_completeness_and_representativeness: Text
    source_data_url: Text
    data_collection: Text
    data_cleaning: Text
    data_sharing_agreements: Text
    data_access_and_storage: Text


class ToolSpecification(_Filled):
    system_architecture: Text
    phase: Text
    maintenance: Text
    models: list[Model] = Field(min_length=1)
    datasets: list[Dataset] = Field(min_length=1)


class Risks(_Filled):
    impact_assessments: Text
    risks_and_mitigations: list[Risk] = Field(min_length=1)


class Tier2(_Filled):
    owner_and_responsibility: OwnerAndResponsibility
    description_and_rationale: DescriptionAndRationale
    decision_making_process: DecisionMakingProcess
    tool_specification: ToolSpecification
    risks_mitigations_and_impact_assessments: Risks


class TransparencyRecord(_Filled):
    atrs_version: Text
    organisation: Text
    phase: Text
    date_published: date
    generated_from_policy_version: Text
    tier_1: Tier1
    tier_2: Tier2
