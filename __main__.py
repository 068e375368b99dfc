from trailersmith.cli import main

raise SystemExit(main())
