"""Reports: cohort outcome tables and plots, and the printable patient report (PDF).

This layer writes files (TSV, PNG, PDF) from what :mod:`painmap.outcomes`,
:mod:`painmap.generators` and :mod:`painmap.bodymap` compute.
"""
