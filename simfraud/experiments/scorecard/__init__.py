"""The validation scorecard: shipped scenarios measured against published series.

``cases`` reads and checks the case files of ``validation/``, ``measure`` turns a case's
runs into the values it compares, ``report`` draws ``scorecard.html`` and ``run`` runs
the cases on the experiment runner and writes the tables.
"""
