"""One place that turns client errors into Temporal retry behaviour.

Activities just call clients and let errors rise; this interceptor classifies them: permanent
errors become non-retryable `ApplicationError`s that keep the platform's codes (the operator
sees why in the UI), transient ones stay retryable and honour `Retry-After`. A `ValueError`
(data a mapping cannot use, a request over a platform limit) is permanent too: the same input
fails the same way, so retrying would only hide it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from connector.errors import ConnectorError, PermanentError, TransientError


def to_application_error(error: ConnectorError) -> ApplicationError:
    retry_after = error.retry_after if isinstance(error, TransientError) else None
    return ApplicationError(
        str(error),
        {"platform": error.platform, "status": error.status_code, "codes": list(error.codes)},
        type=type(error).__name__,
        non_retryable=isinstance(error, PermanentError),
        next_retry_delay=timedelta(seconds=retry_after) if retry_after else None,
    )


class _ClassifyingActivityInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await self.next.execute_activity(input)
        except ConnectorError as error:
            activity.logger.warning("activity failed: %s", error)
            raise to_application_error(error) from error
        except ValueError as error:
            activity.logger.warning("activity failed on unusable data: %s", error)
            raise ApplicationError(str(error), type="InvalidData", non_retryable=True) from error


class ErrorClassifyingInterceptor(Interceptor):
    """Install on every worker."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ClassifyingActivityInbound(next)
