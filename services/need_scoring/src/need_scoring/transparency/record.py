"""Builds the ATRS record from the live policy, the settings and the council's own
words (policies/transparency.yaml), so the record never drifts from how cases are
really scored."""

from __future__ import annotations

from pathlib import Path

import yaml

from need_scoring.areas.need import ROUNDING_BASE
from need_scoring.areas.publication import MIN_CHANGES, describe_interval
from need_scoring.policy import Policy
from need_scoring.policy.fields import SCORABLE_FIELDS
from need_scoring.settings import Settings
from need_scoring.transparency.schemas import (
    ATRS_VERSION,
    CouncilWords,
    Dataset,
    DecisionMakingProcess,
    DescriptionAndRationale,
    Model,
    OwnerAndResponsibility,
    Risks,
    Tier1,
    Tier2,
    ToolSpecification,
    TransparencyRecord,
)


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
                f"{index.deprivation_weight}); counts below {k} are withheld. "
                + _area_publication(settings),
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
                f"see area figures with counts below {k} withheld, the rest rounded to the "
                f"nearest {ROUNDING_BASE}, published "
                f"{describe_interval(settings.area_publish_interval_s)}.",
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


def _area_publication(settings: Settings) -> str:
    """How area figures are kept from being differenced over time, from the live
    configuration."""
    return (f"Area figures are published {describe_interval(settings.area_publish_interval_s)} "
            "on a fixed schedule, not as requests arrive, and the map and the API show the "
            "last publication. Every published count is rounded to the nearest "
            f"{ROUNDING_BASE} after suppression (0 stays 0; withheld counts stay withheld), "
            "and a small area's counts change only when at least "
            f"{MIN_CHANGES} requests have arrived, closed or changed in it since it last "
            "changed, so no two consecutive publications differ by a single request.")
