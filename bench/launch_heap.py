"""Benchmark: does our launch leave anything behind on the Python heap once warm? (issue 16 item 4)

RSS after 10,000 launches (bench/launch.py) mixes the Python heap with the allocator's own growth. This runs our
tool in-process (one app, the independent platform, the same launches as bench/launch.py), warms it up, then
compares tracemalloc snapshots taken after two further equal runs: bounded caches fill during the first, so a
real leak shows as growth in the second. Prints the growth per run and the places that grew most.
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import in_process_app, prepared_tool  # noqa: E402
from launch import OURS, Client  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tests.lti_platform import TestPlatform  # noqa: E402

CLIENTS = 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--warmup", type=int, default=2000)
    parser.add_argument("--launches", type=int, default=4000, help="launches per measured run")
    args = parser.parse_args()
    with TestPlatform() as platform, prepared_tool(args.db, platform) as env:
        app, port, base = in_process_app(env)
        httpd = make_server("127.0.0.1", port, app, threaded=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()

        def run(launches: int) -> tuple[int, int]:
            clients = [Client(OURS, port, base, platform, time.perf_counter() + 1800, 1000 + i,
                              limit=launches // CLIENTS) for i in range(CLIENTS)]
            for client in clients:
                client.start()
            for client in clients:
                client.join()
            return sum(len(c.latencies) for c in clients), sum(len(c.errors) for c in clients)

        done, errors = run(args.warmup)
        print(f"launch heap ({args.db}, in-process, {CLIENTS} clients): warm-up {done:,} launches, {errors} errors")
        def snapshot() -> tracemalloc.Snapshot:
            gc.collect()  # tracemalloc's own records (the earlier snapshots) are not the tool's
            return tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])

        tracemalloc.start(8)
        snapshots = [snapshot()]
        for n in (1, 2):
            done, errors = run(args.launches)
            snapshots.append(snapshot())
            growth = snapshots[-1].compare_to(snapshots[-2], "traceback")
            total = sum(stat.size_diff for stat in growth)
            print(f" run {n}: {done:,} launches, {errors} errors; Python heap {total / 1024:+.1f} KiB "
                  f"({total / max(done, 1):+.1f} bytes per launch)")
            for stat in growth[:3]:
                print(f"   {stat.size_diff / 1024:+8.1f} KiB {stat.count_diff:+6d} blocks  at {stat.traceback[-1]}")
        httpd.shutdown()


if __name__ == "__main__":
    main()
