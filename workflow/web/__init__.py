"""The web interface: public notice board, objections, sign-in, staff pages and a JSON API.

An entry point like :mod:`workflow.cli`: it calls the :class:`~workflow.service.Service`
facade only and is never imported by the core or the service. ``award serve`` runs it.
"""

from workflow.web.app import create_app

__all__ = ["create_app"]
