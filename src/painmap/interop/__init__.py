"""Interchange with other systems: NDJSON, CSV, Parquet, FHIR R4 (and DICOM metadata)."""
