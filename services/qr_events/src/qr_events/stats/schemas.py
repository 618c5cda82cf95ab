"""Scan figures for staff: people's scans (repeats within the hour counted once) apart
from bots and link previews, scanned apart from typed, and cases filed from the link."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Figures(BaseModel):
    scans: int = Field(description="People's scans that redirected or hit a dead end, "
                       "repeats within the hour and bots excluded.")
    scanned: int = Field(description="Of those, from the QR image.")
    typed: int = Field(description="Of those, typed from the printed short URL.")
    mobile: int
    desktop: int
    repeats: int = Field(description="Repeat scans by the same device within the hour.")
    bots: int = Field(description="Crawlers, link previews and HEAD requests.")
    by_outcome: dict[str, int]
    conversions: int = Field(description="Cases filed after following the code.")
    conversion_rate: float | None = Field(description="conversions / scans; None without "
                                          "scans.")


class DayFigures(Figures):
    day: date


class GroupFigures(Figures):
    key: str


class CodeStatsOut(BaseModel):
    code: str
    touchpoint: str
    campaign: str
    ward: str
    first_day: date
    last_day: date
    totals: Figures
    by_day: list[DayFigures]


class CampaignStatsOut(BaseModel):
    campaign: str
    codes: int
    first_day: date
    last_day: date
    totals: Figures
    by_day: list[DayFigures]
    by_touchpoint: list[GroupFigures]
    by_ward: list[GroupFigures]
    by_code: list[GroupFigures]
