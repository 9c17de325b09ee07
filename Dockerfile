# The connector image: the worker and the webhook app run from it (see docker-compose.yml).
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY connector ./connector
COPY workflows ./workflows
COPY activities ./activities
COPY cli ./cli
COPY sandbox ./sandbox
COPY worker.py starter.py ./
RUN pip install . && useradd --system --uid 10001 connector
USER connector

# Default: the worker. The webhook app: `python -m connector.webhooks --host 0.0.0.0`.
CMD ["python", "worker.py"]
