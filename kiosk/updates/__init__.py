"""Updates from the city's apt repository: the maintenance window, the gate that keeps
updates away from open transactions, the database-compatibility check, and the runner
that installs, checks (``kiosk doctor --strict``) and rolls back. docs/updates.md."""
