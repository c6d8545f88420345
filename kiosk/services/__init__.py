"""Use cases of the kiosk, free of Qt and of any driver."""
