"""Bots and link previews are told apart from people. Mutation seen to fail: dropping
the HEAD rule, and dropping uap-core's Spider family (WhatsApp's preview passed); a
CUBOT phone was a bot before its brand was told apart from "bot"."""

from __future__ import annotations

import pytest

from civic.contracts.qr import DeviceClass
from qr_events.scans.devices import classify

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0 Mobile Safari/537.36")
CUBOT = ("Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0 Mobile Safari/537.36")
WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0 Safari/537.36")


@pytest.mark.parametrize("agent", [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.23.20.0 A", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "TelegramBot (like TwitterBot)", "Twitterbot/1.0",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/120.0 Safari/537.36", "curl/8.5.0", "python-requests/2.32", ""])
def test_previews_crawlers_and_tools_are_bots(agent: str) -> None:
    assert classify("GET", agent) is DeviceClass.BOT


def test_a_head_request_is_a_bot_whoever_sends_it() -> None:
    assert classify("HEAD", IPHONE) is DeviceClass.BOT


@pytest.mark.parametrize("agent,expected", [(IPHONE, DeviceClass.MOBILE),
                                            (ANDROID, DeviceClass.MOBILE),
                                            (CUBOT, DeviceClass.MOBILE),
                                            (WINDOWS, DeviceClass.DESKTOP)])
def test_people(agent: str, expected: DeviceClass) -> None:
    assert classify("GET", agent) is expected
