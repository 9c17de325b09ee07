"""Pure mappings between commercetools and Fluent: no I/O, no clock, no randomness, so the
workflows call them in deterministic code and the unit tests cover them exhaustively.

Orders: `orders` (classification, validation, customer and order inputs), `fulfilments`
(sourcing input, fulfilment inputs, records), `statuses` (order and shipment states),
`deliveries` (the desired commercetools order and the update actions converging on it),
`invoices` (billing accounts and invoices), `money` (exact minor-unit arithmetic).
"""
