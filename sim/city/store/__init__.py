"""The city simulator's tables, one module per part of the contract.

Each module holds a mixin class with a ``SCHEMA`` list (its ``CREATE TABLE``/``INDEX``
statements) and the methods that read and write those tables; ``sim.city.db.CityDb``
inherits them all, on top of ``StoreCore`` (connection, lock, transactions, counters).

Adding a table: write ``sim/city/store/<part>.py`` with ``class <Part>Store(StoreCore)``
holding ``SCHEMA`` and its methods, then add one import line and one base-class line
in ``sim/city/db.py`` (both kept in alphabetical order, so parallel additions land on
different lines). ``StoreCore`` creates every ``SCHEMA`` it finds in the class tree.
"""
