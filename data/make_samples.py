#!/usr/bin/env python3
"""Writes the synthetic sample traces of data/ (run from this folder; stdlib only, seeded).

Only the file layouts are those of the public traces; every number is invented. They exist so
that the bundled scenarios run from a fresh clone; point the scenarios at the real downloads for
research (see each folder's SOURCE.md).
"""
import math, os, random

random.seed(2021)
os.makedirs("azure2021-sample", exist_ok=True)
# Azure Functions 2021 layout: app,func,end_timestamp,duration, seconds from the trace start,
# rows in end-time order. One hour, five functions with different rates and durations.
funcs = [("app-a", "checkout", 0.8, 0.08), ("app-a", "cart", 0.3, 0.05),
         ("app-b", "thumbnail", 0.2, 0.9), ("app-c", "report", 0.01, 12.0),
         ("app-c", "webhook", 0.05, 0.3)]
rows = []
for app, func, rate, med in funcs:
    t = 0.0
    while True:
        peak = 1.0 + 0.8 * math.sin(2 * math.pi * t / 3600)
        t += random.expovariate(rate * peak)
        if t >= 3600:
            break
        d = med * math.exp(random.gauss(0, 0.6))
        rows.append((t + d, app, func, d))
rows.sort()
with open("azure2021-sample/invocations.csv", "w") as f:
    f.write("app,func,end_timestamp,duration\n")
    for end, app, func, d in rows:
        f.write("%s,%s,%.6f,%.6f\n" % (app, func, end, d))

# Huawei 2023 layout: day,time,<one column per function>, requests per minute, NaN = no data.
random.seed(2023)
os.makedirs("huawei2023-sample", exist_ok=True)
n = 12
base = [10 ** random.uniform(-0.5, 2.5) for _ in range(n)]
with open("huawei2023-sample/requests_minute_day_000.csv", "w") as f:
    f.write("day,time," + ",".join(str(i) for i in range(n)) + "\n")
    for m in range(1440):
        cells = []
        for i in range(n):
            if i == 7 and 300 <= m < 420:
                cells.append("NaN")  # a gap in the data
                continue
            lam = base[i] * (1.0 + 0.6 * math.sin(2 * math.pi * (m - 360 + 40 * i) / 1440))
            cells.append(str(max(0, int(round(random.gauss(lam, math.sqrt(lam)))))))
        f.write("0,%d,%s\n" % (m * 60, ",".join(cells)))
print("azure2021 rows:", len(rows))
