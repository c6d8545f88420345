"""Power loss that drops unsynced writes (see ``vfs.py``); ``python -m sim.powerloss``
runs a command-line program, such as the kiosk, with the layer installed."""
