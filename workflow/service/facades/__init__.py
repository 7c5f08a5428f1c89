"""Facades by audience: what each kind of caller may ask of the engine.

``Setup`` (administrators), ``Documents`` (the dossier and what was issued), ``Items`` (the
people who move items, and their lists), ``Sessions`` (councils that meet), ``Register``
(decisions, the register, revocation, the public lookup), ``Accounts`` (sign-in), ``Audit``
(inspectors), ``Public`` (the notice board), ``Reports`` (statistics and the dashboard),
``Staff`` (the web's signed-in views), ``Campaigns`` (emulation campaigns), ``Timers`` (the
scheduler). Each method is one use case in one unit of work.
"""

from workflow.service.facades.accounts import Accounts
from workflow.service.facades.audit import Audit
from workflow.service.facades.campaigns import Campaigns
from workflow.service.facades.documents import Documents
from workflow.service.facades.items import Items
from workflow.service.facades.public import Public
from workflow.service.facades.register import Register
from workflow.service.facades.reports import Reports
from workflow.service.facades.sessions import Sessions
from workflow.service.facades.setup import Setup
from workflow.service.facades.staff import Staff
from workflow.service.facades.timers import Timers

__all__ = ["Accounts", "Audit", "Campaigns", "Documents", "Items", "Public", "Register",
           "Reports", "Sessions", "Setup", "Staff", "Timers"]
