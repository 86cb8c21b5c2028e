"""Formats other tools read and write: FHIR Questionnaires and responses, SARIF, Frictionless Data Packages."""
