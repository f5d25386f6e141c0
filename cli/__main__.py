"""`python -m cwmock` runs the command line."""

from cwmock.main import main

raise SystemExit(main())
