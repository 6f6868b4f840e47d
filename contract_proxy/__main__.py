from contract_proxy.cli import main

raise SystemExit(main())
