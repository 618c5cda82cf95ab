"""Mobile, desktop or bot, from the request alone; the user agent is read here and then
forgotten, never stored or published.

Bots are flagged, not dropped: link previews (a chat app fetching the URL to draw a
card), crawlers, HEAD requests and clients that send no user agent are counted apart
from scans, so sharing a poster's link in a group chat doesn't look like twenty scans.
uap-core's patterns (ua-parser) know the preview fetchers and crawlers by name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ua_parser import parse

from civic.contracts.qr import DeviceClass

# Agents uap-core doesn't call "Spider" but which no person scans with: HTTP libraries
# and command-line tools, and anything describing itself as a bot or a preview (but
# not a CUBOT, an Android phone brand).
_AUTOMATED = re.compile(
    r"(?<!cu)bot\b|crawl|spider|preview|slurp|fetch|monitor|curl/|wget/|python-|httpx|"
    r"go-http-client|okhttp|java/|libwww|headless", re.IGNORECASE)
_MOBILE_OS = {"iOS", "Android", "iPadOS", "Windows Phone", "KaiOS", "BlackBerry OS",
              "Tizen", "HarmonyOS"}


def classify(method: str, user_agent: str | None) -> DeviceClass:
    if method == "HEAD" or not user_agent or not user_agent.strip():
        return DeviceClass.BOT
    return _classify_agent(user_agent[:512])


@lru_cache(maxsize=4096)
def _classify_agent(user_agent: str) -> DeviceClass:
    if _AUTOMATED.search(user_agent):
        return DeviceClass.BOT
    result = parse(user_agent)
    if result.device is not None and result.device.family == "Spider":
        return DeviceClass.BOT
    if result.os is not None and result.os.family in _MOBILE_OS:
        return DeviceClass.MOBILE
    if "Mobile" in user_agent:
        return DeviceClass.MOBILE
    return DeviceClass.DESKTOP
