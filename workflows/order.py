"""The lifecycle of one commercetools order, from checkout to its last delivery.

One workflow per order (id `order-<commercetools order id>`), started by any intake path:

1. Load the order and the rules (`OrderPolicy`) it is processed with; classify HD or CC;
   validate. An invalid order ends here with a non-retryable reason the operator sees (search
   attribute `OrderIssue` and the order's `connectorIssue` custom field).
2. Find or create the Fluent customer, then the Fluent order (refs derived from commercetools, so
   a retried create finds what the first attempt made); mark the commercetools order exported.
3. In `connector` sourcing mode, plan with `connector/sourcing.py` and create the fulfilments; in
   `fluent` mode, Fluent's workflow sources and announces fulfilments by webhook.
4. Wait for news (signals from the webhook receiver, deduplicated by entity and status, in any
   order); on news, or when none came for `refresh_after`, fetch the order from Fluent and
   converge: re-source rejections, invoice what shipped, and bring the commercetools order
   (deliveries, parcels, states, line-item metadata) to the desired state in one idempotent
   write. COMPLETE or CANCELLED in Fluent ends the lifecycle.
5. A cancellation from commercetools sends Fluent's cancel event unless everything shipped; no
   change for `stall_after` flags the order as stalled and keeps waiting.

The code is deterministic: decisions are pure functions of the recorded activity results.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.orders import (
        FluentOrderRequest,
        FulfilmentsRequest,
        InvoiceRequest,
        LoadedOrder,
        LoadOrderRequest,
        LocationRequest,
        OrderActivities,
        OrderSyncRequest,
        SourcingNetworkRequest,
    )
    from connector.commercetools.models import Order
    from connector.config import OrderPolicy, SourcingMode
    from connector.fluent.models import (
        CreateFulfilmentInput,
        FluentEvent,
        Location,
        OrderDetails,
    )
    from connector.fluent.models import Order as FluentOrder
    from connector.mapping.deliveries import desired_order
    from connector.mapping.fulfilments import (
        exclusions,
        fulfilment_inputs,
        mark_resourced,
        merge_fulfilments,
        record_for,
        rejected_fulfilment_input,
        rejected_fulfilment_ref,
        rejected_lines,
    )
    from connector.mapping.invoices import (
        billing_account_input,
        billing_account_ref,
        invoice_input,
    )
    from connector.mapping.orders import (
        InvalidOrderError,
        classify_order,
        customer_input,
        customer_username,
        fluent_order_input,
        order_lines,
        pickup_location_ref,
        shipping_coordinates,
        validate_order,
        validate_pickup_location,
    )
    from connector.mapping.statuses import shipped_quantities
    from connector.orders import (
        CANCEL_SIGNAL,
        FLUENT_NEWS_SIGNAL,
        ORDER_WORKFLOW,
        STATUS_QUERY,
        CancelRequest,
        CarriedState,
        DesiredOrder,
        FluentContext,
        FluentNews,
        Issue,
        IssueKind,
        OrderStatus,
        OrderType,
        OrderWorkflowInput,
        Stage,
        TimelineEntry,
    )
    from connector.sourcing import OrderLine, PlannedItem, SourcingRequest, plan_sourcing
    from connector.temporal import (
        CT_ORDER_NUMBER,
        FLUENT_ORDER_REF,
        ORDER_ISSUE,
        ORDER_STATUS,
        ORDER_TYPE,
    )

ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")

ACTIVITY_TIMEOUT = timedelta(minutes=1)
# No attempt limit: transient failures (5xx, 429, timeouts) retry until the platform is back.
# Permanent ones arrive as non-retryable errors and end the lifecycle visibly.
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
)
TIMELINE_LIMIT = 200
FINAL_STAGES = frozenset({Stage.COMPLETE, Stage.CANCELLED, Stage.INVALID, Stage.FAILED})


@workflow.defn(name=ORDER_WORKFLOW)
class OrderWorkflow:
    @workflow.init
    def __init__(self, input: OrderWorkflowInput) -> None:
        carried = input.carried
        self._status = carried.status if carried else OrderStatus(ct_order_id=input.order_id)
        self._seen: set[str] = set(carried.seen_news) if carried else set()
        self._excluded: dict[str, tuple[str, ...]] = (
            dict(carried.excluded_by_line) if carried else {}
        )
        self._last_change: datetime | None = carried.last_news_at if carried else None
        self._policy: OrderPolicy | None = carried.policy if carried else None
        self._fluent: FluentContext | None = carried.fluent if carried else None
        self._news_pending = False
        self._cancel_pending = False
        self._order: Order | None = None
        self._fluent_order: FluentOrder | None = None
        self._pickup: Location | None = None
        self._location_names: dict[str, str] = {}
        self._last_desired: DesiredOrder | None = None

    # --- operators and the outside world ---------------------------------------------------------

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> OrderStatus:
        return self._status

    @workflow.signal(name=FLUENT_NEWS_SIGNAL)
    def fluent_news(self, news: FluentNews) -> None:
        if news.identity in self._seen:
            return  # the same change posted again (Fluent retries, replays): nothing new
        self._seen.add(news.identity)
        self._news_pending = True
        self._note(f"Fluent: {news.entity_type} {news.entity_ref or news.entity_id} {news.status}")

    @workflow.signal(name=CANCEL_SIGNAL)
    def cancel(self, request: CancelRequest) -> None:
        if self._status.cancel_requested is not None:
            return
        self._update(cancel_requested=request)
        self._cancel_pending = True
        self._note(f"cancellation requested by {request.source}: {request.reason}")

    # --- the lifecycle ---------------------------------------------------------------------------

    @workflow.run
    async def run(self, input: OrderWorkflowInput) -> OrderStatus:
        try:
            if input.carried is None:
                await self._export()
            else:
                await self._resume()
            while self._status.stage not in FINAL_STAGES:
                await self._wait_and_converge()
                if workflow.info().is_continue_as_new_suggested():
                    await workflow.wait_condition(workflow.all_handlers_finished)
                    workflow.continue_as_new(self._carry(input))
        except InvalidOrderError as invalid:
            await self._end_invalid(invalid)
        except ActivityError as failure:
            await self._end_failed(str(failure.cause or failure), failure)
        except ValueError as bad_data:  # Fluent data the mappings cannot use (e.g. no address id)
            await self._end_failed(f"unusable data: {bad_data}", bad_data)
        return self._status

    async def _export(self) -> None:
        loaded = await self._act(
            OrderActivities.load_order, LoadOrderRequest(order_id=self._status.ct_order_id)
        )
        self._adopt(loaded)
        order, policy = self._ct_order, self._rules
        order_type = classify_order(order, policy)
        pickup_ref = pickup_location_ref(order, policy) if order_type is OrderType.CC else None
        self._update(
            ct_order_number=order.order_number,
            order_type=order_type,
            pickup_location_ref=pickup_ref,
            ct_order_state=order.order_state,
            ct_shipment_state=order.shipment_state,
        )
        self._search_attributes()
        self._note(f"received {order_type} order with {len(order.line_items)} line items")
        if self._status.cancel_requested is not None:
            self._update(stage=Stage.CANCELLED)
            self._note("cancelled before it reached Fluent: nothing to export")
            return
        validate_order(order, order_type, policy)
        if pickup_ref is not None:
            self._pickup = await self._act(
                OrderActivities.find_location,
                LocationRequest(ref=pickup_ref, network_ref=self._context.network_ref),
            )
            validate_pickup_location(pickup_ref, self._pickup)

        context = self._context
        customer = await self._act(
            OrderActivities.ensure_customer, customer_input(order, policy, context)
        )
        fluent_order = await self._act(
            OrderActivities.ensure_fluent_order,
            fluent_order_input(
                order,
                order_type,
                customer_id=customer.id,
                policy=policy,
                fluent=context,
                pickup_location_ref=pickup_ref,
            ),
        )
        self._fluent_order = fluent_order
        self._update(
            stage=Stage.EXPORTED,
            fluent_order_ref=fluent_order.ref,
            fluent_order_id=fluent_order.id,
            fluent_status=fluent_order.status,
        )
        self._last_change = workflow.now()
        self._search_attributes()
        self._note(
            f"exported to Fluent as {fluent_order.ref} (customer {customer.ref or customer.id})"
        )
        await self._sync_commercetools(None)
        if policy.sourcing_mode is SourcingMode.CONNECTOR:
            await self._source(order_lines(order))

    async def _resume(self) -> None:
        """After continue-as-new: reload what is not carried (snapshots, the pickup store)."""
        loaded = await self._act(
            OrderActivities.load_order, LoadOrderRequest(order_id=self._status.ct_order_id)
        )
        self._adopt(loaded, keep_rules=True)
        if self._status.pickup_location_ref:
            self._pickup = await self._act(
                OrderActivities.find_location,
                LocationRequest(
                    ref=self._status.pickup_location_ref, network_ref=self._context.network_ref
                ),
            )
        self._news_pending = True  # catch up on anything that happened during the hand-over

    async def _wait_and_converge(self) -> None:
        policy = self._rules
        timeout = policy.refresh_after
        if not self._has_issue(IssueKind.STALLED):
            now = workflow.now()
            stall_deadline = (self._last_change or now) + policy.stall_after
            timeout = min(timeout, max(stall_deadline - now, timedelta(seconds=1)))
        with contextlib.suppress(TimeoutError):  # no webhook for a while: look anyway
            await workflow.wait_condition(
                lambda: self._news_pending or self._cancel_pending, timeout=timeout
            )
        if self._cancel_pending:
            self._cancel_pending = False
            await self._request_cancellation()
        self._news_pending = False
        await self._converge()
        if workflow.now() - (self._last_change or workflow.now()) >= policy.stall_after:
            await self._flag_stalled()

    async def _converge(self) -> None:
        if self._status.fluent_order_id is None:
            return
        details = await self._act(
            OrderActivities.fetch_fluent_order,
            FluentOrderRequest(order_id=self._status.fluent_order_id),
        )
        self._fluent_order = details
        records = merge_fulfilments(
            self._status.fulfilments,
            details,
            order_type=self._order_type,
            pickup_location_ref=self._status.pickup_location_ref,
            location_names=self._location_names,
        )
        if records != self._status.fulfilments or details.status != self._status.fluent_status:
            self._last_change = workflow.now()
            self._clear_issue(IssueKind.STALLED)
            if details.status != self._status.fluent_status:
                self._note(f"Fluent order status {details.status}")
        self._update(fulfilments=records, fluent_status=details.status)
        if records and self._status.stage is Stage.EXPORTED:
            self._update(stage=Stage.IN_FULFILMENT)

        final = self._final_stage(details.status)
        if final is None and self._rules.sourcing_mode is SourcingMode.CONNECTOR:
            await self._resource_rejections()
        await self._invoice_shipments()
        if final is not None:
            self._update(stage=final)
            self._note(f"lifecycle {final.value.lower()}")
        await self._sync_commercetools(details)
        self._search_attributes()

    # --- sourcing --------------------------------------------------------------------------------

    async def _source(self, lines: Sequence[OrderLine]) -> None:
        context, order = self._context, self._ct_order
        network = await self._act(
            OrderActivities.load_sourcing_network,
            SourcingNetworkRequest(
                network_ref=context.network_ref,
                skus=tuple(sorted({line.sku for line in lines})),
                inventory_catalogue_ref=context.inventory_catalogue_ref,
            ),
        )
        self._location_names.update(
            (ref, location.name) for ref, location in network.locations.items() if location.name
        )
        excluded = frozenset(ref for refs in self._excluded.values() for ref in refs)
        hd = self._order_type is OrderType.HD
        plan = plan_sourcing(
            SourcingRequest(
                order_type=self._order_type.value,
                lines=tuple(lines),
                destination=shipping_coordinates(order) if hd else None,
                pickup_location_ref=None if hd else self._status.pickup_location_ref,
                excluded_location_refs=excluded,
            ),
            network.candidates,
        )
        fluent_order = self._fluent_order_snapshot
        inputs = list(
            fulfilment_inputs(
                plan,
                order=fluent_order,
                locations=network.locations,
                first_sequence=self._next_sequence("F"),
            )
        )
        if plan.unfillable:
            ref = rejected_fulfilment_ref(fluent_order.ref or "", self._next_sequence("R"))
            inputs.append(rejected_fulfilment_input(plan.unfillable, order=fluent_order, ref=ref))
            units = sum(item.quantity for item in plan.unfillable)
            self._raise_issue(
                IssueKind.UNFILLABLE,
                f"{units} unit(s) cannot be sourced from any active location: "
                + ", ".join(f"{i.sku} x{i.quantity}" for i in plan.unfillable),
            )
        await self._create_fulfilments(inputs)

    async def _create_fulfilments(self, inputs: Sequence[CreateFulfilmentInput]) -> None:
        if not inputs:
            return
        created = await self._act(
            OrderActivities.ensure_fulfilments,
            FulfilmentsRequest(fulfilments=tuple(inputs)),
            summary=f"create {len(inputs)} fulfilment(s)",
        )
        known = {record.ref for record in self._status.fulfilments}
        records = [
            record_for(
                fulfilment,
                order_type=self._order_type,
                pickup_location_ref=self._status.pickup_location_ref,
                location_names=self._location_names,
                skus={line.ref: line.sku for line in order_lines(self._ct_order)},
            )
            for fulfilment in created
        ]
        self._update(
            fulfilments=self._status.fulfilments + tuple(r for r in records if r.ref not in known),
            stage=Stage.IN_FULFILMENT,
        )
        self._note(
            "fulfilments: "
            + "; ".join(f"{r.ref} at {r.location_ref or 'escalation'} ({r.kind})" for r in records)
        )

    async def _resource_rejections(self) -> None:
        statuses = self._rules.rejected_statuses
        lines = rejected_lines(self._status.fulfilments, statuses)
        if not lines:
            return
        rejecting = exclusions(self._status.fulfilments, statuses)
        for line in lines:
            self._excluded[line.ref] = tuple(
                sorted(set(self._excluded.get(line.ref, ())) | rejecting)
            )
        self._update(fulfilments=mark_resourced(self._status.fulfilments, statuses))
        policy = self._rules
        units = sum(line.quantity for line in lines)
        if self._status.resourcing_attempts >= policy.max_resourcing_attempts:
            fluent_order = self._fluent_order_snapshot
            ref = rejected_fulfilment_ref(fluent_order.ref or "", self._next_sequence("R"))
            items = [PlannedItem(line_ref=x.ref, sku=x.sku, quantity=x.quantity) for x in lines]
            await self._create_fulfilments(
                [rejected_fulfilment_input(items, order=fluent_order, ref=ref)]
            )
            self._raise_issue(
                IssueKind.UNFILLABLE,
                f"{units} unit(s) rejected by every location tried "
                f"({self._status.resourcing_attempts} re-sourcing attempts)",
            )
            return
        self._update(resourcing_attempts=self._status.resourcing_attempts + 1)
        self._note(
            f"re-sourcing {units} rejected unit(s), attempt {self._status.resourcing_attempts}, "
            f"without {', '.join(sorted(rejecting)) or 'no location'}"
        )
        await self._source(lines)

    def _next_sequence(self, kind: str) -> int:
        prefix = f"{self._status.fluent_order_ref}-{kind}"
        taken = [
            int(record.ref[len(prefix) :])
            for record in self._status.fulfilments
            if record.ref.startswith(prefix) and record.ref[len(prefix) :].isdigit()
        ]
        return max(taken, default=0) + 1

    # --- shipments, invoices, commercetools ------------------------------------------------------

    async def _invoice_shipments(self) -> None:
        policy, order, context = self._rules, self._ct_order, self._context
        shipping = set(self._delivery_statuses) | set(policy.delivered_statuses)
        due = [
            record
            for record in self._status.fulfilments
            if record.status in shipping
            and record.invoice_ref is None
            and record.kind != "REJECTED"
            and any(line.filled for line in record.lines)
        ]
        if not due:
            return
        customer_ref = customer_username(order, policy, context.retailer_id)
        account_ref = billing_account_ref(customer_ref)
        invoiced: dict[str, str] = {}
        for record in due:
            invoice = await self._act(
                OrderActivities.ensure_invoice,
                InvoiceRequest(
                    billing_account=billing_account_input(
                        order, customer_ref=customer_ref, retailer_id=context.retailer_id
                    ),
                    invoice=invoice_input(
                        order,
                        record,
                        fluent_order_ref=self._status.fluent_order_ref or "",
                        billing_account_ref=account_ref,
                        catalogue_ref=context.product_catalogue_ref,
                        issued_at=workflow.now(),
                        retailer_id=context.retailer_id,
                    ),
                ),
            )
            invoiced[record.ref] = invoice.ref
            self._note(f"invoiced {record.ref} as {invoice.ref}")
        self._update(
            fulfilments=tuple(
                r.model_copy(update={"invoice_ref": invoiced[r.ref]}) if r.ref in invoiced else r
                for r in self._status.fulfilments
            )
        )

    async def _sync_commercetools(self, details: OrderDetails | None) -> None:
        policy = self._rules
        desired = desired_order(
            order=self._ct_order,
            status=self._status,
            details=details,
            policy=policy,
            pickup=self._pickup,
            sync_channel_key=policy.order_export_channel_key or None,
        )
        if desired == self._last_desired:
            return
        result = await self._act(
            OrderActivities.sync_commercetools_order,
            OrderSyncRequest(desired=desired, policy=policy),
        )
        self._last_desired = desired
        new_keys = [key for key in result.delivery_keys if key not in self._status.delivery_keys]
        self._update(
            ct_order_state=result.order_state,
            ct_shipment_state=result.shipment_state,
            delivery_keys=result.delivery_keys,
        )
        for key in new_keys:
            self._note(f"commercetools delivery {key} created")

    # --- cancellation, issues, endings -----------------------------------------------------------

    async def _request_cancellation(self) -> None:
        request = self._status.cancel_requested
        if request is None or self._status.stage in FINAL_STAGES:
            return
        if self._status.fluent_order_ref is None:
            return  # not exported: `_export` ends the lifecycle as cancelled
        if self._everything_shipped():
            self._raise_issue(
                IssueKind.CANCEL_REFUSED,
                "cancellation not sent to Fluent: everything has already shipped",
            )
            return
        context, policy = self._context, self._rules
        response = await self._act(
            OrderActivities.send_fluent_event,
            FluentEvent(
                name=policy.cancel_event_name,
                entity_type="ORDER",
                entity_ref=self._status.fluent_order_ref,
                entity_subtype=self._order_type.value,
                retailer_id=context.retailer_id,
                attributes={"cancelReason": request.reason},
            ),
        )
        outcome = (response.event_status or "").upper()
        if outcome in {"FAILED", "REJECTED", "ERROR"}:
            self._raise_issue(
                IssueKind.CANCEL_REFUSED, f"Fluent refused the cancellation ({outcome})"
            )
        else:
            self._note(f"cancel event {policy.cancel_event_name} sent to Fluent")
        self._news_pending = True

    def _everything_shipped(self) -> bool:
        shipped = shipped_quantities(self._status.fulfilments, self._order_type, self._rules)
        return all(shipped[item.id] >= item.quantity for item in self._ct_order.line_items)

    async def _flag_stalled(self) -> None:
        if self._has_issue(IssueKind.STALLED):
            return
        self._raise_issue(IssueKind.STALLED, f"no news from Fluent for {self._rules.stall_after}")
        await self._sync_commercetools(None)
        self._search_attributes()

    async def _end_invalid(self, invalid: InvalidOrderError) -> None:
        self._update(stage=Stage.INVALID)
        self._raise_issue(IssueKind.INVALID_ORDER, str(invalid))
        await self._best_effort_flag()
        raise ApplicationError(f"invalid order: {invalid}", type="InvalidOrder", non_retryable=True)

    async def _end_failed(self, reason: str, failure: Exception) -> None:
        """A failure no retry can mend ends the lifecycle visibly instead of retrying forever."""
        self._update(stage=Stage.FAILED)
        self._raise_issue(IssueKind.FAILED, reason)
        await self._best_effort_flag()
        raise ApplicationError(
            f"order lifecycle failed: {reason}", type="OrderLifecycleFailed", non_retryable=True
        ) from failure

    async def _best_effort_flag(self) -> None:
        """Put the reason on the commercetools order; the workflow's own failure shows it in
        Temporal even if this write fails too."""
        self._search_attributes()
        if self._order is None or self._policy is None:
            return
        try:
            await self._sync_commercetools(None)
        except ActivityError:
            workflow.logger.warning("could not flag the commercetools order")

    def _raise_issue(self, kind: IssueKind, reason: str) -> None:
        issue = Issue(kind=kind, reason=reason, at=workflow.now())
        self._update(issues=(*self._status.issues, issue))
        self._note(f"issue {kind.value}: {reason}")
        workflow.logger.warning("order %s: %s: %s", self._status.ct_order_id, kind.value, reason)

    def _has_issue(self, kind: IssueKind) -> bool:
        return any(issue.kind is kind for issue in self._status.issues)

    def _clear_issue(self, kind: IssueKind) -> None:
        if self._has_issue(kind):
            self._update(issues=tuple(i for i in self._status.issues if i.kind is not kind))

    # --- helpers ---------------------------------------------------------------------------------

    async def _act(
        self,
        activity: Callable[[OrderActivities, ArgT], Awaitable[ResultT]],
        argument: ArgT,
        summary: str | None = None,
    ) -> ResultT:
        return await workflow.execute_activity_method(
            activity,
            argument,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
            summary=summary,
        )

    def _adopt(self, loaded: LoadedOrder, *, keep_rules: bool = False) -> None:
        self._order = loaded.order
        if not keep_rules or self._policy is None:
            self._policy = loaded.policy
            self._fluent = loaded.fluent

    def _final_stage(self, fluent_status: str | None) -> Stage | None:
        state = self._rules.order_status_mapping.get(fluent_status or "")
        return {"Complete": Stage.COMPLETE, "Cancelled": Stage.CANCELLED}.get(state or "")

    @property
    def _delivery_statuses(self) -> list[str]:
        policy = self._rules
        return (
            policy.hd_delivery_statuses
            if self._order_type is OrderType.HD
            else policy.cc_delivery_statuses
        )

    @property
    def _ct_order(self) -> Order:
        assert self._order is not None, "order not loaded"
        return self._order

    @property
    def _rules(self) -> OrderPolicy:
        assert self._policy is not None, "policy not loaded"
        return self._policy

    @property
    def _context(self) -> FluentContext:
        assert self._fluent is not None, "Fluent context not loaded"
        return self._fluent

    @property
    def _order_type(self) -> OrderType:
        assert self._status.order_type is not None, "order not classified"
        return self._status.order_type

    @property
    def _fluent_order_snapshot(self) -> FluentOrder:
        assert self._fluent_order is not None, "Fluent order not loaded"
        return self._fluent_order

    def _update(self, **changes: Any) -> None:
        self._status = self._status.model_copy(update=changes)

    def _note(self, text: str) -> None:
        entry = TimelineEntry(at=workflow.now(), text=text)
        self._update(timeline=(*self._status.timeline, entry)[-TIMELINE_LIMIT:])
        workflow.set_current_details(f"{self._status.stage.value}: {text}")

    def _search_attributes(self) -> None:
        status = self._status
        issue = status.open_issue
        updates = [
            ORDER_STATUS.value_set(status.fluent_status or status.stage.value),
            ORDER_ISSUE.value_set(issue.kind.value) if issue else ORDER_ISSUE.value_unset(),
        ]
        if status.ct_order_number:
            updates.append(CT_ORDER_NUMBER.value_set(status.ct_order_number))
        if status.order_type:
            updates.append(ORDER_TYPE.value_set(status.order_type.value))
        if status.fluent_order_ref:
            updates.append(FLUENT_ORDER_REF.value_set(status.fluent_order_ref))
        workflow.upsert_search_attributes(updates)

    def _carry(self, input: OrderWorkflowInput) -> OrderWorkflowInput:
        return OrderWorkflowInput(
            order_id=input.order_id,
            trigger=input.trigger,
            carried=CarriedState(
                status=self._status,
                policy=self._rules,
                fluent=self._context,
                seen_news=tuple(sorted(self._seen)),
                excluded_by_line=self._excluded,
                last_news_at=self._last_change,
            ),
        )
