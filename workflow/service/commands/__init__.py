"""Use cases that change things, one module per kind of act: items (nominate, update,
attach, fire), lists (a unit's spreadsheet), ballots, sessions (a council's meeting),
objections, confirmations. Each function runs inside the caller's
unit of work and moves items only through :func:`workflow.service.moves.apply`."""
