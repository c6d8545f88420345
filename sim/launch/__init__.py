"""The parts of ``sim.launcher.SimLauncher``, one module per concern:

- ``runfolder``: the run folder, the profile rewritten for it, secrets;
- ``kiosk``: the kiosk child process (start, power cut, stop);
- ``world``: simulated time, staff rounds, the network and city faults;
- ``cabinet``: doors, paper and latch pulses on the simulated lock boards, and what
  the kiosk's database says about its trays;
- ``sms``: every SMS the city and the modem sent.

Each is a mixin over the attributes ``SimLauncher.__init__`` sets; its ``_init_*``
method sets the attributes it owns.
"""
