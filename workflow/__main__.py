"""``python -m workflow`` runs the ``award`` command line."""

from workflow.cli import main

main()
