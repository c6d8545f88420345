"""The kiosk's figures for the city fleet: ``figures`` computes them from the store
(one place, reused by reports), ``collector`` turns them into Prometheus series and
``server`` serves ``/metrics``."""
