"""`python -m sandbox.fluent`: run the Fluent sandbox and print what to configure.

    python -m sandbox.fluent --host 127.0.0.1 --port 8082 --seed demo \
        --webhook-url http://127.0.0.1:8090/webhooks/fluent --autopilot
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import uvicorn

from sandbox.common.serving import ensure_port_free
from sandbox.fluent.app import create_app
from sandbox.fluent.config import AutopilotConfig, FluentSandboxConfig
from sandbox.fluent.service import sandbox_of
from sandbox.seed import SeedSize, generate

SEED_SIZES = {"demo": SeedSize.demo, "bench": SeedSize.bench}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox.fluent", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--seed", choices=[*SEED_SIZES, "none"], default="demo")
    parser.add_argument(
        "--webhook-url", action="append", default=[], help="webhook target; repeatable"
    )
    parser.add_argument("--autopilot", action="store_true", help="simulate store staff")
    parser.add_argument("--autopilot-interval", type=float, default=0.5, metavar="SECONDS")
    parser.add_argument("--autopilot-rejection-rate", type=float, default=0.0, metavar="RATE")
    return parser.parse_args(argv)


def build_config(args: argparse.Namespace) -> FluentSandboxConfig:
    seed = None if args.seed == "none" else generate(SEED_SIZES[args.seed]())
    return FluentSandboxConfig(
        seed=seed,
        webhook_urls=args.webhook_url,
        autopilot=AutopilotConfig(
            enabled=args.autopilot,
            step_interval_seconds=args.autopilot_interval,
            rejection_rate=args.autopilot_rejection_rate,
        ),
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    ensure_port_free(args.host, args.port, "Fluent sandbox")
    started = time.perf_counter()
    config = build_config(args)
    app = create_app(config)
    sandbox = sandbox_of(app)
    url = f"http://{args.host}:{args.port}"
    print(f"Fluent sandbox on {url} (ready in {time.perf_counter() - started:.1f} s)")
    print(f"  FLUENT_HOST={url}")
    print(f"  FLUENT_ACCOUNT_ID={config.account_id}  FLUENT_RETAILER_ID={config.retailer_id}")
    print(f"  FLUENT_CLIENT_ID={config.client_id}  FLUENT_CLIENT_SECRET={config.client_secret}")
    print(f"  FLUENT_USERNAME={config.username}  FLUENT_PASSWORD={config.password}")
    print(f"  FLUENT_NETWORK_REF={config.network_ref}")
    print(f"  FLUENT_VIRTUAL_CATALOGUE_REF={config.virtual_catalogue_ref}")
    print(f"  FLUENT_WEBHOOK_PUBLIC_KEYS={sandbox.webhooks.signer.public_key_der_base64}")
    print(f"  webhook targets: {', '.join(config.webhook_urls) or '(none)'}")
    if sandbox.seed_summary is not None:
        summary = sandbox.seed_summary
        print(
            f"  seed {args.seed}: {summary.locations} locations in {config.network_ref}, "
            f"{summary.inventory_positions} inventory positions"
        )
    print(f"  auto-pilot: {'on' if config.autopilot.enabled else 'off'}")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
