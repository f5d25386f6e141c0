"""`python -m cwmock` runs the command line."""

from cwmock.cli.main import main

raise SystemExit(main())
