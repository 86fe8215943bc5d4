"""The clinic web app (FastAPI): patient pages, clinician workspace, roles and audit.

Use :func:`create_app` to build the application, or ``painmap serve`` to run it.
"""

from painmap.web.main import create_app

__all__ = ["create_app"]
