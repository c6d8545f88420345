"""Staff screens: sign-in, what waits at the round, collect, load results, take back
expired results, the round report. No business rule lives here: each button calls a
use case of ``kiosk.services.rounds`` through the console's ``OpRunner``.

One module per screen (``signin``, ``overview``, ``take`` for collect and take back,
``load``, ``report``) on the shared ``base.ConsoleScreen``.
"""
from __future__ import annotations

from ui.staff.screens.base import ConsoleScreen
from ui.staff.screens.load import LoadScreen
from ui.staff.screens.overview import OverviewScreen
from ui.staff.screens.report import ReportScreen
from ui.staff.screens.signin import SignInScreen
from ui.staff.screens.take import CollectScreen, RetrieveScreen, TakeScreen

SCREENS = [SignInScreen, OverviewScreen, CollectScreen, RetrieveScreen, LoadScreen,
           ReportScreen]

__all__ = ["SCREENS", "CollectScreen", "ConsoleScreen", "LoadScreen", "OverviewScreen",
           "ReportScreen", "RetrieveScreen", "SignInScreen", "TakeScreen"]
