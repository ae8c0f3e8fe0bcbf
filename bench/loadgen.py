"""A bounded load generator for `make bench`: N threads send GETs to one URL on 127.0.0.1, then report.

Runs as its own process (the brief's "second process"), with a fixed number of requests and a time cap.
Usage: python -m bench.loadgen --port P --path /x/ [--cookie "sessionid=..."] [--requests 400]
[--concurrency 4] [--max-seconds 60]. Prints one JSON line.
"""

import argparse
import http.client
import json
import statistics
import threading
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--cookie", default="")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args()

    headers = {"Host": "127.0.0.1", "Cookie": args.cookie} if args.cookie else {"Host": "127.0.0.1"}
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    remaining = [args.requests]
    deadline = time.monotonic() + args.max_seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            start = time.perf_counter()
            try:
                conn.request("GET", args.path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "statuses": statuses,
                "seconds": elapsed,
                "rps": len(latencies) / elapsed if elapsed else 0.0,
                "median_ms": statistics.median(ordered) * 1000 if ordered else None,
                "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000 if ordered else None,
            }
        )
    )


if __name__ == "__main__":
    main()
