"""What the test areas share: fixtures (``tests.support.fixtures``, loaded for every test
by ``tests/conftest.py``) and the helpers that go with them."""
