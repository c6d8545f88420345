"""The technician's screens (diagnostics, trays, journal export) in the service console."""
