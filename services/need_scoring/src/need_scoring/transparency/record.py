"""An ATRS v3.0 record (Tier 1 and Tier 2). Section numbers follow the standard.

Every field is a required non-empty string or list: a record that is missing anything
cannot be built, so the service would not start with one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from need_scoring.policy import Policy
from need_scoring.policy.fields import SCORABLE_FIELDS
from need_scoring.settings import Settings

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


def load_council_words(path: Path) -> CouncilWords:
    return CouncilWords.model_validate(yaml.safe_load(path.read_text()))


def build_record(policy: Policy, settings: Settings, words: CouncilWords,
                 scored_total: int, overrides_total: int) -> TransparencyRecord:
    bands = ", ".join(f"{b.band.value} from {b.min_score}" for b in policy.bands)
    factors = [{"factor": f.id, "input": f.field, "weight": f.weight, "kind": f.kind,
                "justification": f.justification} for f in policy.factors]
    inputs = "; ".join(f"{f.field} ({SCORABLE_FIELDS[f.field].description})"
                       for f in policy.factors)
    k = settings.suppression_k
    index = policy.need_index
    return TransparencyRecord(
        atrs_version=ATRS_VERSION, organisation=settings.council_name,
        phase="Production" if settings.is_production else "Beta/Pilot",
        date_published=policy.published, generated_from_policy_version=policy.version,
        tier_1=Tier1(
            name=words.name,
            description=f"{policy.purpose} A published points policy ({policy.version}) "
            "gives each request a score from 0 to 100 with a plain-English reason for "
            "every point; staff can change the resulting band.",
            website_url=settings.service_url or words.website_url,
            contact_email=words.contact_email),
        tier_2=Tier2(
            owner_and_responsibility=OwnerAndResponsibility(
                organisation=settings.council_name, team=words.team,
                senior_responsible_owner=words.senior_responsible_owner,
                third_party_involvement=words.third_party_involvement),
            description_and_rationale=DescriptionAndRationale(
                detailed_description=f"A transparent points system, not machine learning. "
                f"Each of {len(policy.factors)} factors turns one fact about a request into "
                "points (weight x a level between 0 and 1, rounded half up); the score is "
                f"their sum and its band follows fixed thresholds ({bands}). Area need "
                f"combines open cases per {index.per_population:,} residents (weight "
                f"{index.demand_weight}) with IMD 2019 deprivation (weight "
                f"{index.deprivation_weight}); counts below {k} are withheld.",
                scope="Ordering requests for community support (food, medicine, care, "
                "housing, money, isolation, digital access) and showing open need by "
                "area. Out of scope: eligibility decisions, refusing or closing "
                "requests, and any use outside community support.",
                benefit=words.benefit, previous_process=words.previous_process,
                alternatives_considered=words.alternatives_considered),
            decision_making_process=DecisionMakingProcess(
                process_integration=words.process_integration,
                provided_information="Staff see the score, band, policy version and "
                "every factor's input, weight, points and reason; partners and the public "
                f"see area figures with counts below {k} withheld.",
                frequency_and_scale_of_usage="Every request is scored when it arrives, "
                "and again when a new policy version is deployed (by replay). This "
                f"process has published {scored_total:,} scores since it started.",
                human_decisions_and_review="Staff can override any band with a reason; "
                "the override is recorded with who and when and published. This process "
                f"has recorded {overrides_total:,} overrides since it started.",
                required_training=words.required_training,
                appeals_and_review=words.appeals_and_review),
            tool_specification=ToolSpecification(
                system_architecture="Case intake publishes requests without personal "
                "details to Kafka; the need scoring service (faust) scores them and "
                "publishes scores and area need; partners receive signed webhooks.",
                phase="Production" if settings.is_production else "Beta/Pilot",
                maintenance=words.maintenance,
                models=[Model(
                    model_name=policy.title, model_version=policy.version,
                    model_task="Order requests for help by urgency and need.",
                    model_input=inputs,
                    model_output="Score 0-100, band (low, medium, high, urgent) and one "
                    "contribution per factor that adds up to the score.",
                    model_architecture="Weighted points from a published YAML policy; "
                    "deterministic: the same request under the same version always gets "
                    "the same score.",
                    model_performance="Not a trained model, so there is no accuracy "
                    "figure; the override rate (metric civic_need_scoring_band_override_"
                    "ratio) is monitored as the sign that weights need review.",
                    datasets=["Requests for help", "English Indices of Deprivation 2019"],
                    dataset_purposes="Requests are scored; IMD 2019 deciles describe the "
                    "small area. Nothing is trained.",
                    factors=factors)],
                datasets=[
                    Dataset(source_data_name="Requests for help",
                            data_modality="Structured form answers",
                            data_description=inputs,
                            data_quantities="Every open and recent request (30 days "
                            "retained on the event stream).",
                            sensitive_attributes="A yes/no disability or long-term "
                            "condition flag, used only to prioritise help. Protected "
                            "characteristics and their proxies cannot be used: the policy "
                            "loader refuses them by name.",
                            data_completeness_and_representativeness="Only people who "
                            "ask for help are scored; area figures show demand, not need, "
                            "so deprivation is added to reveal hidden need.",
                            source_data_url="Not published: personal data.",
                            data_collection=words.data_collection,
                            data_cleaning="Postcodes are normalised and placed in a ward "
                            "and small area; nothing else is altered.",
                            data_sharing_agreements="Partners receive minimal case "
                            "details only with the resident's consent.",
                            data_access_and_storage=words.data_access_and_storage),
                    Dataset(source_data_name="English Indices of Deprivation 2019",
                            data_modality="Published statistics per small area (LSOA)",
                            data_description="IMD 2019 rank and decile per LSOA, with "
                            "population, from the council's reference data.",
                            data_quantities="One row per small area in the borough.",
                            sensitive_attributes="None: describes areas, not people.",
                            data_completeness_and_representativeness="Complete for "
                            "every LSOA in England; dated 2019.",
                            source_data_url="https://www.gov.uk/government/statistics/"
                            "english-indices-of-deprivation-2019",
                            data_collection="Published by MHCLG under the Open "
                            "Government Licence.",
                            data_cleaning="None.",
                            data_sharing_agreements="Open Government Licence v3.0.",
                            data_access_and_storage="Kept in the repository "
                            "(infra/reference), with its attribution.")]),
            risks_mitigations_and_impact_assessments=Risks(
                impact_assessments=words.impact_assessments,
                risks_and_mitigations=words.risks_and_mitigations)),
    )
