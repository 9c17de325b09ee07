"""`POST /graphql`: the sandbox's SDL (`schema.graphql`) executed by graphql-core over the store.

Most fields resolve by attribute: a GraphQL field `fooBar` reads `foo_bar` of the model (see
`models`). The resolvers here cover the root fields, connections and links to singletons.
At start-up every object field of the SDL is checked to be served by a resolver or a model
attribute, so an SDL edit the code does not follow fails immediately, not on first use.

Errors come back in Fluent's shape: `errors[]` whose message starts with the Fluent code, which
is repeated in `extensions.code` (e.g. `C0121E: Order with ref 'X' already exists`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from inspect import isawaitable
from pathlib import Path
from typing import Any, TypeVar

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    StringValueNode,
    ValueNode,
    build_schema,
    execute,
    parse,
    validate,
    value_from_ast_untyped,
)
from pydantic import ValidationError

from sandbox.fluent import inputs, models
from sandbox.fluent.clock import format_datetime, parse_datetime
from sandbox.fluent.errors import (
    FluentError,
    FluentErrorCode,
    InvalidInputError,
    validation_problems,
)
from sandbox.fluent.lifecycle import Lifecycle
from sandbox.fluent.paging import Connection, Edge, PageInfo, PageRequest, connection
from sandbox.fluent.store import DateRange, FluentStore, Table

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")

logger = logging.getLogger(__name__)

_InputT = TypeVar("_InputT", bound=inputs.InputModel)
Resolver = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class GraphQLContext:
    store: FluentStore
    lifecycle: Lifecycle
    default_page_size: int
    max_page_size: int


Info = GraphQLResolveInfo[GraphQLContext]


@cache
def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def resolve_attribute(source: Any, info: GraphQLResolveInfo[Any], **_args: Any) -> Any:
    return getattr(source, snake(info.field_name))


# -- lists -----------------------------------------------------------------------------------

_NOT_FILTERS = frozenset({"first", "after", "catalogue"})


def _one_of(attribute: str, allowed: frozenset[Any]) -> Callable[[Any], bool]:
    return lambda row: getattr(row, attribute) in allowed


def _within(attribute: str, window: DateRange) -> Callable[[Any], bool]:
    return lambda row: window.contains(getattr(row, attribute))


def _filters(args: Mapping[str, Any]) -> list[Callable[[Any], bool]]:
    """Equality-in-list and date-range filters from a list field's arguments."""
    predicates: list[Callable[[Any], bool]] = []
    for name, value in args.items():
        if name in _NOT_FILTERS or value is None:
            continue
        attribute = snake(name)
        if isinstance(value, list):
            predicates.append(_one_of(attribute, frozenset(value)))
        elif isinstance(value, dict):
            if value.get("from") is None and value.get("to") is None:
                raise FluentError(
                    FluentErrorCode.EMPTY_DATE_RANGE, f"'{name}' needs 'from' or 'to'"
                )
            predicates.append(_within(attribute, DateRange(value.get("from"), value.get("to"))))
        else:
            raise InvalidInputError(f"'{name}' is not a filter the sandbox understands")
    return predicates


def _page(
    info: Info,
    source: Table[Any] | Iterable[Any],
    args: Mapping[str, Any],
) -> Connection[Any]:
    """The requested page of `source` (a table, or rows in any order) after the filters."""
    context = info.context
    request = PageRequest.from_args(
        args.get("first"),
        args.get("after"),
        default=context.default_page_size,
        maximum=context.max_page_size,
    )
    if isinstance(source, Table):
        rows = source.after(request.after_id)
    else:
        rows = request.skip_seen(sorted(source, key=lambda row: row.id))
    predicates = _filters(args)
    return connection((row for row in rows if all(p(row) for p in predicates)), request)


def _by_keys(keys: list[str] | None, lookup: Callable[[str], Any]) -> list[Any] | None:
    """Rows found through an index for the given keys; None when no keys were given."""
    if keys is None:
        return None
    found = {id(row): row for row in map(lookup, keys) if row is not None}
    return list(found.values())


def _indexed_page(
    info: Info,
    args: Mapping[str, Any],
    keys: list[str] | None,
    lookup: Callable[[str], Any],
    table: Table[Any],
) -> Connection[Any]:
    """A page from an index when the arguments name keys, from the whole table otherwise."""
    indexed = _by_keys(keys, lookup)
    return _page(info, table if indexed is None else indexed, args)


def _nested_connection(source: Any, info: Info, **args: Any) -> Connection[Any]:
    return _page(info, getattr(source, snake(info.field_name)), args)


def _orders(_: None, info: Info, **args: Any) -> Connection[Any]:
    store = info.context.store
    return _indexed_page(info, args, args.get("ref"), store.order_by_ref, store.orders)


def _customers(_: None, info: Info, **args: Any) -> Connection[Any]:
    store = info.context.store
    keys = args.get("username")
    keys = args.get("ref") if keys is None else keys
    return _indexed_page(info, args, keys, store.customer_by_username, store.customers)


def _fulfilments(_: None, info: Info, **args: Any) -> Connection[Any]:
    store = info.context.store
    return _indexed_page(info, args, args.get("ref"), store.fulfilment_by_ref, store.fulfilments)


def _locations(_: None, info: Info, **args: Any) -> Connection[Any]:
    store = info.context.store
    return _indexed_page(info, args, args.get("ref"), store.location_by_ref, store.locations)


def _billing_accounts(_: None, info: Info, **args: Any) -> Connection[Any]:
    store = info.context.store
    return _indexed_page(
        info, args, args.get("ref"), store.billing_account_by_ref, store.billing_accounts
    )


def _invoices(_: None, info: Info, **args: Any) -> Connection[Any]:
    store = info.context.store
    return _indexed_page(info, args, args.get("ref"), store.invoice_by_ref, store.invoices)


def _inventory_positions(_: None, info: Info, **args: Any) -> Connection[Any]:
    store = info.context.store
    if not _catalogue_matches(args, store.inventory_catalogue.ref):
        return _page(info, [], args)
    product_refs, location_refs = args.get("productRef"), args.get("locationRef")
    if product_refs is not None:
        return _page(info, store.positions_of(product_refs), args)
    if location_refs is not None:
        rows = [p for ref in set(location_refs) if ref for p in store.positions_at(ref)]
        return _page(info, rows, args)
    return _page(info, store.inventory_positions, args)


def _virtual_positions(_: None, info: Info, **args: Any) -> Connection[Any]:
    store = info.context.store
    if not _catalogue_matches(args, store.virtual_catalogue.ref):
        return _page(info, [], args)
    keys = args.get("productRef")
    keys = args.get("ref") if keys is None else keys
    return _indexed_page(info, args, keys, store.virtual_position_of, store.virtual_positions)


def _catalogue_matches(args: Mapping[str, Any], ref: str) -> bool:
    catalogue = args.get("catalogue")
    return catalogue is None or catalogue["ref"] == ref


def _catalogue_rows(
    kind: type[Any],
    lookup: Callable[[FluentStore, str, str], Any],
    table_of: Callable[[FluentStore], Any],
) -> Resolver:
    """List resolver for catalogue members (products of one kind, categories)."""

    def resolve(_: None, info: Info, **args: Any) -> Connection[Any]:
        store = info.context.store
        catalogue = args.get("catalogue")
        refs = args.get("ref")
        rows: Iterable[Any]
        if catalogue is not None and refs is not None:
            found = (lookup(store, catalogue["ref"], ref) for ref in refs)
            rows = {id(row): row for row in found if row is not None}.values()
        else:
            rows = table_of(store)
        rows = [
            row
            for row in rows
            if isinstance(row, kind)
            and (catalogue is None or row.catalogue.ref == catalogue["ref"])
        ]
        return _page(info, rows, args)

    return resolve


def _one_of_kind(kind: type[Any], found: Any) -> Any:
    return found if isinstance(found, kind) else None


# -- single entities -------------------------------------------------------------------------


def _by_id_or_ref(
    table: Callable[[FluentStore], Table[Any]], by_ref: Callable[[FluentStore, str], Any]
) -> Resolver:
    def resolve(_: None, info: Info, id: str | None = None, ref: str | None = None) -> Any:
        store = info.context.store
        if id is not None:
            found = table(store).get(id)
            return found if ref is None or (found is not None and found.ref == ref) else None
        if ref is not None:
            return by_ref(store, ref)
        raise InvalidInputError("give an id or a ref")

    return resolve


def _inventory_position(
    _: None, info: Info, ref: str, catalogue: dict[str, str]
) -> models.InventoryPosition | None:
    store = info.context.store
    product_ref, _sep, location_ref = ref.rpartition(":")
    if catalogue["ref"] != store.inventory_catalogue.ref or not product_ref:
        return None
    return store.position(location_ref, product_ref)


def _product_catalogue(_: None, info: Info, ref: str) -> models.ProductCatalogue | None:
    return next(
        (
            catalogue
            for catalogue in info.context.store.catalogues
            if isinstance(catalogue, models.ProductCatalogue) and catalogue.ref == ref
        ),
        None,
    )


def _virtual_position(
    _: None, info: Info, ref: str, catalogue: dict[str, str]
) -> models.VirtualPosition | None:
    store = info.context.store
    if catalogue["ref"] != store.virtual_catalogue.ref:
        return None
    return store.virtual_position_of(ref)


# -- mutations -------------------------------------------------------------------------------


def validated(model: type[_InputT], data: Mapping[str, Any] | None) -> _InputT:
    """The typed input, or C0122E naming every offending field."""
    if data is None:
        raise InvalidInputError("input is required")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = validation_problems(error.errors(), "input")
        raise InvalidInputError(f"invalid input: {problems}") from None


def _mutation(model: type[_InputT], action: Callable[[GraphQLContext, _InputT], Any]) -> Resolver:
    def resolve(_: None, info: Info, input: Mapping[str, Any] | None = None) -> Any:
        return action(info.context, validated(model, input))

    return resolve


def _create_order(context: GraphQLContext, data: inputs.CreateOrderInput) -> models.Order:
    order = context.store.create_order(data)
    context.lifecycle.order_created(order)
    return order


def _create_fulfilment(
    context: GraphQLContext, data: inputs.CreateFulfilmentInput
) -> models.Fulfilment:
    fulfilment = context.store.create_fulfilment(data)
    context.lifecycle.fulfilment_created(fulfilment)
    return fulfilment


def _retailer(_source: Any, info: Info) -> models.Retailer:
    return info.context.store.retailer


RESOLVERS: dict[str, Resolver] = {
    "Query.orderById": lambda _, info, id: info.context.store.orders.get(id),
    "Query.order": _by_id_or_ref(lambda s: s.orders, lambda s, ref: s.order_by_ref(ref)),
    "Query.orders": _orders,
    "Query.customerById": lambda _, info, id: info.context.store.customers.get(id),
    "Query.customer": lambda _, info, ref: info.context.store.customer_by_username(ref),
    "Query.customers": _customers,
    "Query.fulfilmentById": lambda _, info, id: info.context.store.fulfilments.get(id),
    "Query.fulfilments": _fulfilments,
    "Query.articleById": lambda _, info, id: info.context.store.articles.get(id),
    "Query.consignmentById": lambda _, info, id: info.context.store.consignments.get(id),
    "Query.locationById": lambda _, info, id: info.context.store.locations.get(id),
    "Query.location": _by_id_or_ref(lambda s: s.locations, lambda s, ref: s.location_by_ref(ref)),
    "Query.locations": _locations,
    "Query.networkById": lambda _, info, id: info.context.store.networks.get(id),
    "Query.network": _by_id_or_ref(lambda s: s.networks, lambda s, ref: s.network_by_ref(ref)),
    "Query.inventoryPosition": _inventory_position,
    "Query.inventoryPositions": _inventory_positions,
    "Query.virtualPosition": _virtual_position,
    "Query.virtualPositions": _virtual_positions,
    "Query.productCatalogue": _product_catalogue,
    "Query.standardProduct": lambda _, info, ref, catalogue: _one_of_kind(
        models.StandardProduct, info.context.store.product(catalogue["ref"], ref)
    ),
    "Query.variantProduct": lambda _, info, ref, catalogue: _one_of_kind(
        models.VariantProduct, info.context.store.product(catalogue["ref"], ref)
    ),
    "Query.standardProducts": _catalogue_rows(
        models.StandardProduct, lambda s, c, r: s.product(c, r), lambda s: s.products
    ),
    "Query.variantProducts": _catalogue_rows(
        models.VariantProduct, lambda s, c, r: s.product(c, r), lambda s: s.products
    ),
    "Query.category": lambda _, info, ref, catalogue: info.context.store.category(
        catalogue["ref"], ref
    ),
    "Query.categories": _catalogue_rows(
        models.Category, lambda s, c, r: s.category(c, r), lambda s: s.categories
    ),
    "Query.billingAccount": lambda _, info, ref: info.context.store.billing_account_by_ref(ref),
    "Query.billingAccounts": _billing_accounts,
    "Query.invoice": lambda _, info, ref: info.context.store.invoice_by_ref(ref),
    "Query.invoices": _invoices,
    "Mutation.createCustomer": _mutation(
        inputs.CreateCustomerInput, lambda c, data: c.store.create_customer(data)
    ),
    "Mutation.createOrder": _mutation(inputs.CreateOrderInput, _create_order),
    "Mutation.createFulfilment": _mutation(inputs.CreateFulfilmentInput, _create_fulfilment),
    "Mutation.createCategory": _mutation(
        inputs.CreateCategoryInput, lambda c, data: c.store.create_category(data)
    ),
    "Mutation.updateCategory": _mutation(
        inputs.UpdateCategoryInput, lambda c, data: c.store.update_category(data)
    ),
    "Mutation.createStandardProduct": _mutation(
        inputs.CreateStandardProductInput, lambda c, data: c.store.create_standard_product(data)
    ),
    "Mutation.updateStandardProduct": _mutation(
        inputs.UpdateStandardProductInput, lambda c, data: c.store.update_standard_product(data)
    ),
    "Mutation.createVariantProduct": _mutation(
        inputs.CreateVariantProductInput, lambda c, data: c.store.create_variant_product(data)
    ),
    "Mutation.updateVariantProduct": _mutation(
        inputs.UpdateVariantProductInput, lambda c, data: c.store.update_variant_product(data)
    ),
    "Mutation.createBillingAccount": _mutation(
        inputs.CreateBillingAccountInput, lambda c, data: c.store.create_billing_account(data)
    ),
    "Mutation.createInvoice": _mutation(
        inputs.CreateInvoiceInput, lambda c, data: c.store.create_invoice(data)
    ),
    "Order.retailer": _retailer,
    "Customer.retailer": _retailer,
    "Location.retailer": _retailer,
    "InventoryPosition.catalogue": lambda _, info: info.context.store.inventory_catalogue,
    "VirtualPosition.catalogue": lambda _, info: info.context.store.virtual_catalogue,
    "Order.items": _nested_connection,
    "Order.fulfilments": _nested_connection,
    "Fulfilment.items": _nested_connection,
    "Fulfilment.articles": _nested_connection,
    "Article.items": _nested_connection,
    "Article.consignmentArticles": _nested_connection,
    "Network.locations": _nested_connection,
    "StandardProduct.categories": _nested_connection,
    "VariantProduct.categories": _nested_connection,
    "Invoice.items": _nested_connection,
}

# The Python classes behind each object type, for the start-up check.
MODELS_OF_TYPE: dict[str, tuple[type[Any], ...]] = {
    "Order": (models.Order,),
    "OrderItem": (models.OrderItem,),
    "FulfilmentChoice": (models.FulfilmentChoice,),
    "Customer": (models.Customer,),
    "CustomerAddress": (models.CustomerAddress,),
    "StoreAddress": (models.StoreAddress,),
    "Retailer": (models.Retailer,),
    "Fulfilment": (models.Fulfilment,),
    "FulfilmentItem": (models.FulfilmentItem,),
    "Article": (models.Article,),
    "ArticleItem": (models.ArticleItem,),
    "ConsignmentArticle": (models.ConsignmentArticle,),
    "Consignment": (models.Consignment,),
    "Carrier": (models.Carrier,),
    "Location": (models.Location,),
    "OpeningSchedule": (models.OpeningSchedule,),
    "Network": (models.Network,),
    "InventoryCatalogue": (models.InventoryCatalogue,),
    "InventoryPosition": (models.InventoryPosition,),
    "VirtualCatalogue": (models.VirtualCatalogue,),
    "VirtualPosition": (models.VirtualPosition,),
    "ProductCatalogue": (models.ProductCatalogue,),
    "StandardProduct": (models.StandardProduct,),
    "VariantProduct": (models.VariantProduct,),
    "Category": (models.Category,),
    "Price": (models.Price,),
    "TaxType": (models.TaxType,),
    "Attribute": (models.Attribute,),
    "BillingAccount": (models.BillingAccount,),
    "CustomerLink": (models.CustomerLink,),
    "StreetAddress": (models.StreetAddress,),
    "Invoice": (models.Invoice,),
    "InvoiceItem": (models.InvoiceItem,),
    "OrderLink": (models.OrderLink,),
    "CurrencyLink": (models.CurrencyLink,),
    "AmountType": (models.AmountType,),
    "QuantityType": (models.QuantityType,),
    "PageInfo": (PageInfo,),
}


def _models_of(type_name: str) -> tuple[type[Any], ...]:
    if type_name in MODELS_OF_TYPE:
        return MODELS_OF_TYPE[type_name]
    if type_name.endswith("Connection"):
        return (Connection,)
    if type_name.endswith("Edge"):
        return (Edge,)
    raise TypeError(f"the SDL declares type {type_name}, which no sandbox model serves")


def unserved_fields(schema: GraphQLSchema) -> list[str]:
    """Object fields with neither a resolver nor a model attribute to read."""
    missing = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        if graphql_type in (schema.query_type, schema.mutation_type):
            missing += [f"{name}.{f}" for f, d in graphql_type.fields.items() if d.resolve is None]
            continue
        for field_name, field in graphql_type.fields.items():
            if field.resolve is not None:
                continue
            attribute = snake(field_name)
            for model in _models_of(name):
                if not hasattr(model, attribute) and attribute not in _dataclass_fields(model):
                    missing.append(f"{name}.{field_name} ({model.__name__}.{attribute})")
    return missing


def _dataclass_fields(model: type[Any]) -> set[str]:
    return set(getattr(model, "__dataclass_fields__", {}))


# -- scalars and the schema ------------------------------------------------------------------


def _serialize_datetime(value: Any) -> str:
    if not isinstance(value, datetime):
        raise TypeError(f"DateTime cannot represent {value!r}")
    return format_datetime(value)


def _parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"{FluentErrorCode.INVALID_DATE}: a date must be an ISO 8601 string")
    try:
        return parse_datetime(value)
    except ValueError:
        raise ValueError(
            f"{FluentErrorCode.INVALID_DATE}: '{value}' is not a valid UTC date"
        ) from None


def _parse_literal(node: ValueNode, _variables: Any = None) -> datetime:
    if not isinstance(node, StringValueNode):
        raise TypeError(f"{FluentErrorCode.INVALID_DATE}: a date must be a string")
    return _parse_datetime(node.value)


def _identity(value: Any) -> Any:
    return value


def _define_scalar(
    schema: GraphQLSchema,
    name: str,
    serialize: Callable[[Any], Any],
    parse_value: Callable[[Any], Any],
    parse_literal: Callable[..., Any],
) -> None:
    """Gives an SDL-declared scalar its behaviour (graphql-core 3.2 and 3.3 attribute names)."""
    scalar = schema.type_map.get(name)
    if not isinstance(scalar, GraphQLScalarType):
        raise TypeError(f"the SDL must declare the scalar {name}")
    behaviour = {
        "serialize": serialize,
        "coerce_output_value": serialize,
        "parse_value": parse_value,
        "coerce_input_value": parse_value,
        "parse_literal": parse_literal,
    }
    for attribute, function in behaviour.items():
        setattr(scalar, attribute, function)


def build_executable_schema(sdl: str | None = None) -> GraphQLSchema:
    schema = build_schema(sdl if sdl is not None else SCHEMA_PATH.read_text())
    for key, resolver in RESOLVERS.items():
        type_name, field_name = key.split(".")
        graphql_type = schema.get_type(type_name)
        if not isinstance(graphql_type, GraphQLObjectType) or field_name not in graphql_type.fields:
            raise TypeError(f"resolver for {key}, which the SDL does not declare")
        graphql_type.fields[field_name].resolve = resolver
    _define_scalar(schema, "DateTime", _serialize_datetime, _parse_datetime, _parse_literal)
    _define_scalar(schema, "Json", _identity, _identity, value_from_ast_untyped)
    for graphql_type in schema.type_map.values():
        if isinstance(graphql_type, GraphQLInterfaceType):
            graphql_type.resolve_type = lambda value, *_: type(value).__name__
    missing = unserved_fields(schema)
    if missing:
        raise TypeError(f"the SDL declares fields the sandbox does not serve: {missing}")
    return schema


# -- execution -------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _prepare(schema: GraphQLSchema, query: str) -> DocumentNode | tuple[GraphQLError, ...]:
    """Parsed and validated once per distinct query text (clients send the same few)."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return (error,)
    errors = validate(schema, document)
    return tuple(errors) if errors else document


def format_error(error: GraphQLError) -> dict[str, Any]:
    formatted = dict(error.formatted)
    original = error.original_error
    if isinstance(original, FluentError):
        formatted["message"] = str(original)
        formatted["extensions"] = {"code": original.code, "classification": "DataFetchingException"}
    elif original is not None:
        logger.error("sandbox bug while resolving %s", error.path, exc_info=original)
        formatted["message"] = f"Internal sandbox error: {original!r}"
        formatted["extensions"] = {"classification": "InternalError"}
    else:
        formatted["extensions"] = {"classification": "ValidationError"}
    return formatted


async def run_query(
    schema: GraphQLSchema, context: GraphQLContext, body: Mapping[str, Any]
) -> dict[str, Any]:
    """Executes a GraphQL request body and renders the response body."""
    query = body.get("query")
    variables = body.get("variables")
    operation_name = body.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise FluentError(FluentErrorCode.MALFORMED_REQUEST, "the body needs a 'query' string")
    if variables is not None and not isinstance(variables, dict):
        raise FluentError(FluentErrorCode.MALFORMED_REQUEST, "'variables' must be an object")
    if operation_name is not None and not isinstance(operation_name, str):
        raise FluentError(FluentErrorCode.MALFORMED_REQUEST, "'operationName' must be a string")
    prepared = _prepare(schema, query)
    if isinstance(prepared, tuple):
        return {"errors": [format_error(error) for error in prepared]}
    result = execute(
        schema,
        prepared,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        field_resolver=resolve_attribute,
    )
    if isawaitable(result):
        result = await result
    assert isinstance(result, ExecutionResult)
    response: dict[str, Any] = {}
    if result.errors:
        response["errors"] = [format_error(error) for error in result.errors]
    if result.data is not None or not result.errors:
        response["data"] = result.data
    return response
