"""Local emulators of the commercetools and Fluent APIs the connector uses, plus seed data.

They are the embedded default for the demo and the integration tests (like LocalStack for AWS).
Nothing here imports the connector's clients or mapping.
"""
