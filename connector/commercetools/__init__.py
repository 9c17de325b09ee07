"""The commercetools side of the connector: an async API client and the models it reads and
writes. It knows commercetools' wire format and nothing about Fluent."""
