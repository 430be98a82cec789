"""A separate load process: C concurrent clients POST answers to a public survey link for T
seconds, each answer a new browser (no cookie). Prints JSON: requests, errors, per-second rate
and latency percentiles. Only for 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import urllib.parse


def main(port: int, path: str, clients: int, seconds: float) -> None:
    body = urllib.parse.urlencode({"score": "9", "q-reason": "Benchmark answer", "lang": "da"})
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                connection.request("POST", path, body=body,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 302
            except OSError:
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 4) if latencies else None

    print(json.dumps({"requests": len(latencies), "errors": errors[0], "seconds": round(elapsed, 2),
                      "per_second": round(len(latencies) / elapsed, 1), "p50_s": pct(0.5), "p99_s": pct(0.99)}))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
