"""The Fluent Commerce client: OAuth, GraphQL operations, Event API, Batch API, webhook
signatures and the models of the subset of Fluent the connector uses."""
