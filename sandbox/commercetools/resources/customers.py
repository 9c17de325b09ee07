"""Customers (`/customers`): email (case-insensitively), key and customer number are unique.

Creating answers `{customer: {...}}` (CustomerSignInResult) like the platform. A password is
required unless `authenticationMode` is `ExternalAuth`; only a hash of it is kept. Address
indexes in the draft (`defaultShippingAddress`, `billingAddresses`, ...) become address ids.
Messages: CustomerCreated, CustomerEmailChanged.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from sandbox.commercetools.custom_fields import (
    SetCustomField,
    SetCustomType,
    apply_custom_field,
    apply_custom_type,
    build_custom,
    stored_address,
)
from sandbox.commercetools.errors import invalid_input, invalid_operation
from sandbox.commercetools.resources.base import (
    KEY_UNIQUE,
    ResourceSpec,
    set_optional,
    update_adapter,
)
from sandbox.commercetools.store import (
    Resource,
    Store,
    UniqueField,
    UpdateContext,
    new_id,
    top_level,
)
from sandbox.commercetools.wire import BaseAddress, CustomFieldsDraft, UserKey, WireModel


class CustomerDraft(WireModel):
    key: UserKey | None = None
    customer_number: str | None = None
    external_id: str | None = None
    email: str = Field(min_length=3)
    password: str | None = Field(default=None, min_length=1)
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    title: str | None = None
    salutation: str | None = None
    date_of_birth: str | None = None
    company_name: str | None = None
    vat_id: str | None = None
    addresses: list[BaseAddress] = Field(default_factory=list)
    default_shipping_address: int | None = Field(default=None, ge=0)
    shipping_addresses: list[int] = Field(default_factory=list)
    default_billing_address: int | None = Field(default=None, ge=0)
    billing_addresses: list[int] = Field(default_factory=list)
    is_email_verified: bool = False
    locale: str | None = None
    custom: CustomFieldsDraft | None = None
    authentication_mode: Literal["Password", "ExternalAuth"] = "Password"


class ChangeEmail(WireModel):
    action: Literal["changeEmail"]
    email: str = Field(min_length=3)


class SetFirstName(WireModel):
    action: Literal["setFirstName"]
    first_name: str | None = None


class SetLastName(WireModel):
    action: Literal["setLastName"]
    last_name: str | None = None


class SetKey(WireModel):
    action: Literal["setKey"]
    key: UserKey | None = None


class SetCustomerNumber(WireModel):
    action: Literal["setCustomerNumber"]
    customer_number: str | None = None


class SetExternalId(WireModel):
    action: Literal["setExternalId"]
    external_id: str | None = None


class AddAddress(WireModel):
    action: Literal["addAddress"]
    address: BaseAddress


CustomerActionUnion = (
    ChangeEmail
    | SetFirstName
    | SetLastName
    | SetKey
    | SetCustomerNumber
    | SetExternalId
    | AddAddress
    | SetCustomType
    | SetCustomField
)
CustomerAction = Annotated[CustomerActionUnion, Field(discriminator="action")]

EMAIL_UNIQUE = UniqueField("email", lambda resource: (resource["email"].lower(),))
CUSTOMER_NUMBER_UNIQUE = UniqueField("customerNumber", top_level("customerNumber"))


def _address(store: Store, address: BaseAddress) -> Resource:
    stored = stored_address(store, address) or {}
    return {**stored, "id": address.id or new_id()[:8]}


def _address_id(addresses: list[Resource], index: int, field: str) -> str:
    if index >= len(addresses):
        raise invalid_input(
            f"{field}: address index {index} is out of range (the draft has {len(addresses)})."
        )
    return str(addresses[index]["id"])


def create(store: Store, draft: CustomerDraft, resource_id: str | None = None) -> Resource:
    if draft.authentication_mode == "Password" and draft.password is None:
        raise invalid_operation(
            "A password is required when authenticationMode is 'Password' (the default)."
        )
    resource = store.base_fields(resource_id)
    set_optional(resource, "key", draft.key)
    set_optional(resource, "customerNumber", draft.customer_number)
    set_optional(resource, "externalId", draft.external_id)
    resource["email"] = draft.email
    if draft.password is not None:
        digest = hashlib.sha256(draft.password.encode()).hexdigest()
        resource["password"] = f"sha256:{digest}"
    for name, value in (
        ("firstName", draft.first_name),
        ("lastName", draft.last_name),
        ("middleName", draft.middle_name),
        ("title", draft.title),
        ("salutation", draft.salutation),
        ("dateOfBirth", draft.date_of_birth),
        ("companyName", draft.company_name),
        ("vatId", draft.vat_id),
        ("locale", draft.locale),
    ):
        set_optional(resource, name, value)
    addresses = [_address(store, a) for a in draft.addresses]
    resource["addresses"] = addresses
    shipping = [_address_id(addresses, i, "shippingAddresses") for i in draft.shipping_addresses]
    billing = [_address_id(addresses, i, "billingAddresses") for i in draft.billing_addresses]
    if draft.default_shipping_address is not None:
        default = _address_id(addresses, draft.default_shipping_address, "defaultShippingAddress")
        resource["defaultShippingAddressId"] = default
        shipping = list(dict.fromkeys([default, *shipping]))
    if draft.default_billing_address is not None:
        default = _address_id(addresses, draft.default_billing_address, "defaultBillingAddress")
        resource["defaultBillingAddressId"] = default
        billing = list(dict.fromkeys([default, *billing]))
    resource["shippingAddressIds"] = shipping
    resource["billingAddressIds"] = billing
    resource["isEmailVerified"] = draft.is_email_verified
    resource["customerGroupAssignments"] = []
    resource["stores"] = []
    resource["authenticationMode"] = draft.authentication_mode
    set_optional(resource, "custom", build_custom(store, draft.custom, "customer"))
    return store.insert("customer", resource, [("CustomerCreated", {"customer": resource})])


def apply(context: UpdateContext, action: CustomerActionUnion) -> None:
    resource = context.resource
    if isinstance(action, ChangeEmail):
        if resource["email"] != action.email:
            resource["email"] = action.email
            context.emit("CustomerEmailChanged", {"email": action.email})
    elif isinstance(action, SetFirstName):
        set_optional(resource, "firstName", action.first_name)
    elif isinstance(action, SetLastName):
        set_optional(resource, "lastName", action.last_name)
    elif isinstance(action, SetKey):
        set_optional(resource, "key", action.key)
    elif isinstance(action, SetCustomerNumber):
        if "customerNumber" in resource and resource["customerNumber"] != action.customer_number:
            raise invalid_operation("The customer number of a customer can be set only once.")
        set_optional(resource, "customerNumber", action.customer_number)
    elif isinstance(action, SetExternalId):
        set_optional(resource, "externalId", action.external_id)
    elif isinstance(action, AddAddress):
        resource["addresses"].append(_address(context.store, action.address))
    elif isinstance(action, SetCustomType):
        apply_custom_type(context.store, resource, action.type, action.fields, "customer")
    else:
        apply_custom_field(context.store, resource, action.name, action.value, "customer")


SPEC: ResourceSpec[CustomerDraft, CustomerActionUnion] = ResourceSpec(
    path="customers",
    type_id="customer",
    scope="customers",
    unique=(KEY_UNIQUE, EMAIL_UNIQUE, CUSTOMER_NUMBER_UNIQUE),
    draft=TypeAdapter(CustomerDraft),
    create=create,
    update=update_adapter(CustomerAction),
    apply=apply,
    created_body=lambda customer: {"customer": customer},
)
