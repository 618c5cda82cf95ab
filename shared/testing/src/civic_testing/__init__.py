"""Test support for the civic platform, kept out of the runtime ``civic`` package.

pytest loads :mod:`civic_testing.plugin` (the repository's root ``conftest.py`` names it),
which provides the shared fixtures; tests import the helpers from here.
"""

from civic_testing.area_need import wait_for_area_need
from civic_testing.browser import CHROMIUM, CHROMIUM_ARGS, artefact_path, axe_violations
from civic_testing.bus_scanner import assert_bus_clean, scan_bus
from civic_testing.fixtures import LOCAL_POSTGRES, start_group_at_end, unique_group
from civic_testing.fuzz import fuzz_operation
from civic_testing.loops import run_coroutine
from civic_testing.markers import MARKER, MARKER_SURNAME, marker, marker_email
from civic_testing.server import LiveServer, ServiceProcess

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "LOCAL_POSTGRES",
    "MARKER",
    "MARKER_SURNAME",
    "LiveServer",
    "ServiceProcess",
    "artefact_path",
    "assert_bus_clean",
    "axe_violations",
    "fuzz_operation",
    "marker",
    "marker_email",
    "run_coroutine",
    "scan_bus",
    "start_group_at_end",
    "unique_group",
    "wait_for_area_need",
]
