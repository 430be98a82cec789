"""The fallback load process when wrk is not installed (wrk costs far less CPU per request on a
machine the server shares): C concurrent clients POST answers to a public survey link for T
seconds, each answer a new browser (no cookie) with a comment unique to it
("bench-<client>-<n>"), like benchmarks/submit.lua. Prints the same JSON line as that script.
Only for 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import urllib.parse


def main(port: int, path: str, clients: int, seconds: float) -> None:
    latencies: list[float] = []
    errors = {"socket": 0, "status": 0}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(client: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.perf_counter() < stop:
            n += 1
            body = urllib.parse.urlencode({"score": "9", "lang": "da", "q-reason": f"bench-{client}-{n}"})
            started = time.perf_counter()
            try:
                connection.request("POST", path, body=body,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                response.read()
                kind = None if response.status == 302 else "status"
            except OSError:
                kind = "socket"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                if kind is None:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors[kind] += 1

    threads = [threading.Thread(target=run, args=(i + 1,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 4) if latencies else None

    print(json.dumps({"requests": len(latencies) + errors["status"], "socket_errors": errors["socket"],
                      "status_errors": errors["status"], "seconds": round(elapsed, 2),
                      "p50_s": pct(0.5), "p99_s": pct(0.99)}))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
