"""``python -m akool_nb.sim`` (or ``akool-sim``): serve the offline Akool in the foreground until Ctrl-C."""
from __future__ import annotations

import argparse
import logging
import sys
import time

from . import start
from .clock import Timing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m akool_nb.sim", description="Serve the offline Akool (simulated results).")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port; default 8765)")
    parser.add_argument("--api-key", default=None, help="the only accepted x-api-key (default: accept any key)")
    parser.add_argument("--client-id", default="akoolnbsimclient", help="clientId accepted by getToken")
    parser.add_argument("--client-secret", default=None, help="webhook key, 16/24/32 chars (default: the api key)")
    parser.add_argument("--data-dir", default=None, help="keep jobs and files here across restarts")
    parser.add_argument("--fast", action="store_true", help="short timings and small media (implies --render fast)")
    parser.add_argument("--render", choices=("full", "fast"), default=None,
                        help="full: talking avatars 3840x2160 and 4K upscales as documented (default without --fast); "
                             "fast: small previews, marked 'fast preview' and answered with sim_render")
    parser.add_argument("--queue-seconds", type=float, default=None, help="seconds a job stays queued (status 1)")
    parser.add_argument("--process-seconds", type=float, default=None, help="minimum seconds processing (status 2)")
    args = parser.parse_args(argv)

    # Start-up warnings (e.g. a webhook key of the wrong length) go to stderr once.
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    base = Timing.fast() if args.fast else Timing()
    timing = Timing(queue_s=base.queue_s if args.queue_seconds is None else args.queue_seconds,
                    process_s=base.process_s if args.process_seconds is None else args.process_seconds)
    try:
        server = start(host=args.host, port=args.port, api_key=args.api_key, client_id=args.client_id,
                       client_secret=args.client_secret, data_dir=args.data_dir, timing=timing, fast=args.fast,
                       render=args.render)
    except (ValueError, OSError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{server.base_url}  offline Akool (simulated results)", flush=True)
    print(f"  data dir: {server.data_dir}", flush=True)
    print(f"  render: {server.render}" + (" (small previews marked 'fast preview')" if server.render == "fast" else
                                       " (documented sizes: 3840x2160 talking avatars, 4K upscales)"), flush=True)
    print(f"  clientId: {server.client_id}; api key: {'as given' if server.api_key else 'any key accepted'}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
