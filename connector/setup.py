"""`starter.py setup`: provision what the connector needs, idempotently.

1. commercetools custom types for orders, line items, deliveries, parcels (the fields the order
   lifecycle writes, plus the pickup location field shops set at checkout) and channels (the
   store details the location sync writes): created when missing, missing fields added; a
   field of another type, or a type key used for other resources, is reported, not changed.
2. commercetools channels: the aggregate inventory channel (InventorySupply) and, when
   configured, the OrderExport channel: created when missing, missing roles added.
3. Fluent: the product catalogue and the network must exist (nothing is created in Fluent).
4. Temporal: the search attributes, through the operator service where the server allows it
   (the dev server and self-hosted clusters; Temporal Cloud refuses: reported, not failed).
5. The schedules (`connector/schedules.py`).

Every step reports created, updated, unchanged, skipped or failed, with a detail; a second run
reports everything unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from pydantic import BaseModel, ConfigDict
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from connector.commercetools.actions import AddFieldDefinition, SetRoles
from connector.commercetools.client import CommercetoolsClient
from connector.commercetools.drafts import (
    ChannelDraft,
    FieldDefinition,
    StringType,
    TypeDraft,
)
from connector.commercetools.enums import ChannelRole, CustomFieldResource
from connector.commercetools.models import Channel, Type
from connector.config import Settings
from connector.errors import ConnectorError
from connector.fluent.client import FluentClient
from connector.mapping.channels import channel_field_definitions
from connector.orders import (
    FIELD_CONNECTOR_ISSUE,
    FIELD_FLUENT_ORDER_ID,
    FIELD_FLUENT_ORDER_REF,
    FIELD_FLUENT_STATUS,
    FIELD_FULFILMENT_METADATA,
    FIELD_FULFILMENT_REF,
    FIELD_FULFILMENT_STATUS,
    FIELD_INVOICE_REF,
    FIELD_TRACKING_URL,
)
from connector.schedules import Change, apply_schedules
from connector.temporal import SEARCH_ATTRIBUTES


class SetupStep(BaseModel):
    model_config = ConfigDict(frozen=True)

    area: str
    name: str
    change: Change
    detail: str = ""


class SetupReport(BaseModel):
    steps: list[SetupStep]

    @property
    def changed(self) -> bool:
        return any(step.change in (Change.CREATED, Change.UPDATED) for step in self.steps)

    @property
    def failed(self) -> bool:
        return any(step.change is Change.FAILED for step in self.steps)


def _text(name: str, label: str, *, multi_line: bool = False) -> FieldDefinition:
    return FieldDefinition(
        name=name,
        label={"en": label},
        type=StringType(),
        input_hint="MultiLine" if multi_line else "SingleLine",
    )


def custom_type_drafts(settings: Settings) -> list[TypeDraft]:
    """The custom types the order lifecycle and the location sync write to."""
    orders = settings.orders
    return [
        TypeDraft(
            key=orders.order_type_key,
            name={"en": "Fluent order"},
            description={"en": "Written by the commercetools-Fluent connector"},
            resource_type_ids=[CustomFieldResource.ORDER],
            field_definitions=[
                _text(FIELD_FLUENT_ORDER_REF, "Fluent order ref"),
                _text(FIELD_FLUENT_ORDER_ID, "Fluent order id"),
                _text(FIELD_FLUENT_STATUS, "Fluent order status"),
                _text(FIELD_CONNECTOR_ISSUE, "Connector issue", multi_line=True),
                _text(orders.pickup_location_field, "Pickup location ref"),
            ],
        ),
        TypeDraft(
            key=orders.line_item_type_key,
            name={"en": "Fluent line item"},
            resource_type_ids=[CustomFieldResource.LINE_ITEM],
            field_definitions=[
                _text(FIELD_FULFILMENT_METADATA, "Fulfilment metadata (JSON)", multi_line=True)
            ],
        ),
        TypeDraft(
            key=orders.delivery_type_key,
            name={"en": "Fluent delivery"},
            resource_type_ids=[CustomFieldResource.ORDER_DELIVERY],
            field_definitions=[
                _text(FIELD_FULFILMENT_REF, "Fluent fulfilment ref"),
                _text(FIELD_FULFILMENT_STATUS, "Fluent fulfilment status"),
                _text(FIELD_INVOICE_REF, "Fluent invoice ref"),
            ],
        ),
        TypeDraft(
            key=orders.parcel_type_key,
            name={"en": "Fluent parcel"},
            resource_type_ids=[CustomFieldResource.ORDER_PARCEL],
            field_definitions=[_text(FIELD_TRACKING_URL, "Tracking URL")],
        ),
        TypeDraft(
            key=settings.sync.channel_type_key,
            name={"en": "Fluent location"},
            description={"en": "Store details of a Fluent location, kept by the location sync"},
            resource_type_ids=[CustomFieldResource.CHANNEL],
            field_definitions=channel_field_definitions(),
        ),
    ]


def type_changes(draft: TypeDraft, existing: Type) -> tuple[list[AddFieldDefinition], list[str]]:
    """The fields to add to an existing type, and the problems that cannot be fixed by adding
    (commercetools cannot change a field's type; a type serves fixed resources)."""
    problems = []
    wanted_resources = {str(r) for r in draft.resource_type_ids}
    missing_resources = sorted(wanted_resources - set(existing.resource_type_ids))
    if missing_resources:
        problems.append(
            f"the type serves {sorted(existing.resource_type_ids)}, not {missing_resources}: "
            "configure another type key"
        )
    additions = []
    for field in draft.field_definitions:
        current = existing.field_definition(field.name)
        if current is None:
            additions.append(AddFieldDefinition(field_definition=field))
        elif current.type.name != field.type.name:
            problems.append(
                f"field {field.name} is a {current.type.name}, the connector writes a "
                f"{field.type.name}"
            )
    return additions, problems


def channel_drafts(settings: Settings) -> list[ChannelDraft]:
    drafts = [
        ChannelDraft(
            key=settings.sync.inventory_channel_key,
            roles=[ChannelRole.INVENTORY_SUPPLY],
            name={settings.sync.locale: "Fluent aggregate stock"},
            description={
                "en": "Available-to-sell across the Fluent network, kept by the connector"
            },
        )
    ]
    export_key = settings.orders.order_export_channel_key
    if export_key:
        drafts.append(
            ChannelDraft(
                key=export_key,
                roles=[ChannelRole.ORDER_EXPORT],
                name={settings.sync.locale: "Fluent Commerce"},
                description={"en": "Orders exported to Fluent by the connector"},
            )
        )
    return drafts


def missing_roles(draft: ChannelDraft, existing: Channel) -> list[ChannelRole]:
    return sorted(set(draft.roles) - set(existing.roles))


async def provision_types(client: CommercetoolsClient, settings: Settings) -> list[SetupStep]:
    steps = []
    for draft in custom_type_drafts(settings):
        area = f"commercetools type ({', '.join(map(str, draft.resource_type_ids))})"
        existing = await client.get_type_by_key(draft.key)
        if existing is None:
            await client.create_type(draft)
            fields = ", ".join(f.name for f in draft.field_definitions)
            steps.append(SetupStep(area=area, name=draft.key, change=Change.CREATED, detail=fields))
            continue
        additions, problems = type_changes(draft, existing)
        if problems:
            steps.append(
                SetupStep(
                    area=area, name=draft.key, change=Change.FAILED, detail="; ".join(problems)
                )
            )
        elif additions:
            await client.update_type(existing.id, existing.version, additions)
            added = ", ".join(a.field_definition.name for a in additions)
            steps.append(
                SetupStep(area=area, name=draft.key, change=Change.UPDATED, detail=f"added {added}")
            )
        else:
            steps.append(SetupStep(area=area, name=draft.key, change=Change.UNCHANGED))
    return steps


async def provision_channels(client: CommercetoolsClient, settings: Settings) -> list[SetupStep]:
    steps = []
    for draft in channel_drafts(settings):
        area = f"commercetools channel ({', '.join(map(str, draft.roles))})"
        existing = await client.get_channel_by_key(draft.key)
        if existing is None:
            await client.create_channel(draft)
            steps.append(SetupStep(area=area, name=draft.key, change=Change.CREATED))
            continue
        roles = missing_roles(draft, existing)
        if roles:
            known = {role for role in ChannelRole if role in existing.roles}
            await client.update_channel(
                existing.id, existing.version, [SetRoles(roles=sorted(known | set(roles)))]
            )
            added = ", ".join(map(str, roles))
            steps.append(
                SetupStep(area=area, name=draft.key, change=Change.UPDATED, detail=f"roles {added}")
            )
        else:
            steps.append(SetupStep(area=area, name=draft.key, change=Change.UNCHANGED))
    if not settings.orders.order_export_channel_key:
        steps.append(
            SetupStep(
                area="commercetools channel (OrderExport)",
                name="-",
                change=Change.SKIPPED,
                detail="ORDERS_ORDER_EXPORT_CHANNEL_KEY is not set",
            )
        )
    return steps


async def _exists(
    what: str, ref: str, lookup: Callable[[str], Awaitable[object | None]]
) -> SetupStep:
    found = await lookup(ref)
    return SetupStep(
        area="Fluent",
        name=f"{what} {ref}",
        change=Change.UNCHANGED if found is not None else Change.FAILED,
        detail="exists" if found is not None else "not found: create it in Fluent",
    )


async def check_fluent(client: FluentClient, settings: Settings) -> list[SetupStep]:
    """Fluent entities the connector relies on but never creates."""
    fluent = settings.fluent
    steps = [await _exists("product catalogue", fluent.catalogue_ref, client.product_catalogue)]
    if fluent.network_ref:
        steps.append(await _exists("network", fluent.network_ref, client.network))
    else:
        steps.append(
            SetupStep(
                area="Fluent",
                name="network",
                change=Change.FAILED,
                detail="FLUENT_NETWORK_REF is not set: the location sync needs it",
            )
        )
    return steps


async def register_search_attributes(client: Client) -> list[SetupStep]:
    """Register the connector's search attributes where the server allows it."""
    wanted = {
        key.name: IndexedValueType.ValueType(int(key.indexed_value_type))
        for key in SEARCH_ATTRIBUTES
    }
    namespace = client.namespace
    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        existing = {**listed.system_attributes, **listed.custom_attributes}
        clashes = {
            name: IndexedValueType.Name(existing[name])
            for name, kind in wanted.items()
            if name in existing and existing[name] != kind
        }
        missing = {name: kind for name, kind in wanted.items() if name not in existing}
        if missing:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
            )
    except RPCError as error:
        if error.status in (RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED):
            return [
                SetupStep(
                    area="Temporal search attributes",
                    name=", ".join(wanted),
                    change=Change.SKIPPED,
                    detail=f"the server does not allow registering them ({error.message}); "
                    "on Temporal Cloud add them with tcld or the Cloud UI",
                )
            ]
        raise
    steps = []
    for name in wanted:
        if name in clashes:
            change, detail = (
                Change.FAILED,
                f"exists as {clashes[name]}, the connector needs Keyword",
            )
        elif name in missing:
            change, detail = Change.CREATED, f"in namespace {namespace}"
        else:
            change, detail = Change.UNCHANGED, ""
        steps.append(
            SetupStep(area="Temporal search attribute", name=name, change=change, detail=detail)
        )
    return steps


async def run_setup(
    settings: Settings,
    commercetools: CommercetoolsClient,
    fluent: FluentClient,
    temporal: Client,
) -> SetupReport:
    """Every step; a platform refusing one step is reported and the others still run."""
    steps: list[SetupStep] = []
    provisions: list[tuple[str, Callable[[], Awaitable[list[SetupStep]]]]] = [
        ("commercetools types", partial(provision_types, commercetools, settings)),
        ("commercetools channels", partial(provision_channels, commercetools, settings)),
        ("Fluent", partial(check_fluent, fluent, settings)),
    ]
    for area, provision in provisions:
        try:
            steps.extend(await provision())
        except ConnectorError as error:
            steps.append(SetupStep(area=area, name="-", change=Change.FAILED, detail=str(error)))
    steps.extend(await register_search_attributes(temporal))
    steps.extend(
        SetupStep(
            area="Temporal schedule",
            name=outcome.schedule_id,
            change=outcome.change,
            detail=outcome.detail,
        )
        for outcome in await apply_schedules(temporal, settings)
    )
    return SetupReport(steps=steps)
