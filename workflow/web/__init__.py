"""The web interface: public notice board, objections, sign-in, staff pages and a JSON API.

An entry point like :mod:`workflow.cli`: it calls the :class:`~workflow.service.Service`
facade only (never the store) and is never imported by the core or the service.
``award serve`` runs it. Arrows point down::

    app           builds the app: state, middleware, routers, error handlers
    routes/ api/  pages and /api, one module per resource
    deps          the Annotated dependencies routes ask for (service, person, auditor, …)
    errors        errors as statuses: a page for people, JSON under /api
    render        the page templates and page()
    auth          who is signed in (session or HTTP Basic); signing in and out
    state · security · params · files · labels · i18n
"""

from workflow.web.app import create_app

__all__ = ["create_app"]
