import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# clock, store, ledger and the simulated lock boards, shared by every test area
pytest_plugins = ["tests.support.fixtures"]
