"""Run the commercetools sandbox: `python -m sandbox.commercetools --port 8081 --seed demo`."""

from __future__ import annotations

import argparse
import sys
import time

import uvicorn
from pydantic import SecretStr

from sandbox.commercetools.app import create_app
from sandbox.commercetools.config import CommercetoolsSandboxConfig, PushTarget
from sandbox.common.serving import PortInUseError, ensure_port_free
from sandbox.seed import SeedSize, generate

SEED_SIZES = {"demo": SeedSize.demo, "bench": SeedSize.bench}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.commercetools", description="Local commercetools API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--seed", choices=[*SEED_SIZES, "none"], default="demo")
    parser.add_argument("--project-key", default="demo")
    parser.add_argument("--client-id", default="sandbox-client")
    parser.add_argument("--client-secret", default="sandbox-secret")
    parser.add_argument("--push-url", help="push every new message here (Pub/Sub push format)")
    parser.add_argument("--push-token", help="bearer token sent with each push")
    parser.add_argument(
        "--push-type",
        action="append",
        default=[],
        help="only push messages of this type (repeatable; default: all)",
    )
    args = parser.parse_args(argv)
    if args.push_token and not args.push_url:
        parser.error("--push-token needs --push-url")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    seed = None if args.seed == "none" else generate(SEED_SIZES[args.seed]())
    targets = []
    if args.push_url:
        token = SecretStr(args.push_token) if args.push_token else None
        targets.append(PushTarget(url=args.push_url, token=token, message_types=args.push_type))
    config = CommercetoolsSandboxConfig(
        project_key=args.project_key,
        client_id=args.client_id,
        client_secret=SecretStr(args.client_secret),
        subscriptions=targets,
        seed=seed,
    )
    try:
        ensure_port_free(args.host, args.port, "commercetools sandbox")
    except PortInUseError as exc:
        print(exc, file=sys.stderr)
        return 1
    app = create_app(config)
    url = f"http://{args.host}:{args.port}"
    ready = time.perf_counter() - started
    print(f"commercetools sandbox: {url} (seed {args.seed}, ready in {ready:.1f} s)")
    print(f"  CT_API_URL={url} CT_AUTH_URL={url} CT_PROJECT_KEY={args.project_key}")
    print(f"  CT_CLIENT_ID={args.client_id} CT_CLIENT_SECRET={args.client_secret}")
    if args.push_url:
        print(f"  pushing messages to {args.push_url}")
    sys.stdout.flush()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
