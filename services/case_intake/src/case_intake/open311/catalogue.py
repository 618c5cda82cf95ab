"""Open311 GeoReport v2 vocabulary: one service per category of need, whose attributes
carry the household facts and consent a case needs."""

from __future__ import annotations

from typing import Any

from civic.contracts.common import Category

SERVICE_TEXT: dict[Category, tuple[str, str]] = {
    Category.FOOD: ("Food", "Help getting food, including emergency food parcels."),
    Category.MEDICINE: ("Medicine", "Help collecting prescriptions or medicines."),
    Category.ISOLATION_SUPPORT: ("Isolation support", "Help while unable to leave home."),
    Category.SOCIAL_CARE: ("Social care", "Help with personal care or a care assessment."),
    Category.HOUSING: ("Housing", "Help with housing problems or the risk of losing a home."),
    Category.MONEY: ("Money", "Help with bills, debts, benefits or emergency money."),
    Category.DIGITAL_ACCESS: ("Digital access", "Help getting online: a device, data or skills."),
    Category.LONELINESS: ("Loneliness", "Someone to talk to, or activities nearby."),
    Category.OTHER: ("Other help", "Anything else a resident needs help with."),
}

YES_NO = [{"key": "true", "name": "Yes"}, {"key": "false", "name": "No"}]

ATTRIBUTES: list[dict[str, Any]] = [
    {"code": "urgency", "datatype": "singlevaluelist", "required": True,
     "description": "How soon is help needed?",
     "values": [{"key": "today", "name": "Today"}, {"key": "this_week", "name": "This week"},
                {"key": "can_wait", "name": "It can wait"}]},
    {"code": "people", "datatype": "number", "required": True,
     "description": "How many people live in the household?"},
    {"code": "children", "datatype": "number", "required": True,
     "description": "How many of them are under 18?"},
    {"code": "lives_alone", "datatype": "singlevaluelist", "required": True,
     "description": "Does the resident live alone?", "values": YES_NO},
    {"code": "disability_or_long_term_condition", "datatype": "singlevaluelist",
     "required": True, "description": "Does anyone have a disability or long-term condition?",
     "values": YES_NO},
    {"code": "no_internet_access", "datatype": "singlevaluelist", "required": True,
     "description": "Is the household without internet access?", "values": YES_NO},
    {"code": "share_with_partners", "datatype": "singlevaluelist", "required": True,
     "description": "May the resident's contact details go to the organisation that helps?",
     "values": YES_NO},
    {"code": "postcode", "datatype": "string", "required": False,
     "description": "The resident's postcode, if not given as lat/long or address."},
]


def service(category: Category) -> dict[str, Any]:
    name, description = SERVICE_TEXT[category]
    return {"service_code": category.value, "service_name": name, "description": description,
            "metadata": True, "type": "batch", "keywords": category.value.replace("_", " "),
            "group": "Help for residents"}


def definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.value,
        "attributes": [
            {"variable": True, "datatype_description": None, "order": order, **attribute,
             "values": attribute.get("values", [])}
            for order, attribute in enumerate(ATTRIBUTES, start=1)
        ],
    }
