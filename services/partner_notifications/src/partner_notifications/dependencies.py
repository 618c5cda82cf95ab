"""How endpoints get what they need: FastAPI dependencies over the container that
``app.py`` builds. Endpoints name these types in their signatures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from civic.db import ServiceDatabase
from civic.http.app import from_container
from civic.http.auth import ApiKeyStore
from civic.outbox import OutboxRelay
from partner_notifications.deliveries.matching import DeliveryPlanner
from partner_notifications.deliveries.service import DeliveryLog
from partner_notifications.deliveries.worker import DeliveryWorker
from partner_notifications.partners.service import PartnerService
from partner_notifications.settings import Settings
from partner_notifications.subscriptions.service import SubscriptionService


@dataclass
class Container:
    settings: Settings
    database: ServiceDatabase
    api_keys: ApiKeyStore
    relay: OutboxRelay
    partners: PartnerService
    subscriptions: SubscriptionService
    deliveries: DeliveryLog
    planner: DeliveryPlanner
    worker: DeliveryWorker


Partners = Annotated[PartnerService, Depends(from_container("partners"))]
Subscriptions = Annotated[SubscriptionService, Depends(from_container("subscriptions"))]
Deliveries = Annotated[DeliveryLog, Depends(from_container("deliveries"))]
Config = Annotated[Settings, Depends(from_container("settings"))]
