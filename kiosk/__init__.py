"""Core of the dossier kiosk: domain, services, store, auth, config and the CLI."""
