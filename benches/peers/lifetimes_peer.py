#!/usr/bin/env python3
"""Peer for benches/benches/clv.rs: the Python `lifetimes` package fits BG/NBD and
Gamma-Gamma on the same summary.

Usage:
  lifetimes_peer.py SUMMARY.csv    fit both models, print one JSON line
  lifetimes_peer.py --cdnow-path   print the path of the CDNOW summary that
                                   lifetimes ships (x, t_x, T, zbar per customer)

SUMMARY.csv has the columns frequency, recency, T, monetary_value (one row per
client, monetary_value 0 for clients with no repeat purchase). The JSON line holds
the package version, each model's parameters, log-likelihood and fit seconds
(`BetaGeoFitter.fit` and `GammaGammaFitter.fit` as a user calls them, CSV reading
excluded). The log-likelihoods are summed over clients and evaluated with lifetimes'
own likelihood functions at its fitted parameters on the unscaled data, so they are
in the same units as clientbase's (lifetimes fits on time scaled to max T = 10,
whose log-likelihood differs by a constant). Gamma-Gamma is fitted on the clients
with frequency > 0 and monetary_value > 0. Exits with status 3 when lifetimes is
missing.
"""

import json
import os
import sys
import time

try:
    import numpy as np
    import pandas as pd
    import lifetimes
    from lifetimes import BetaGeoFitter, GammaGammaFitter
except ImportError:
    print("lifetimes is not installed: pip install lifetimes", file=sys.stderr)
    sys.exit(3)


def main():
    if sys.argv[1] == "--cdnow-path":
        here = os.path.dirname(lifetimes.__file__)
        print(os.path.join(here, "datasets", "cdnow_customers_summary_with_transactions.csv"))
        return
    data = pd.read_csv(sys.argv[1])
    freq = data["frequency"].to_numpy()
    rec = data["recency"].to_numpy()
    age = data["T"].to_numpy()
    money = data["monetary_value"].to_numpy()

    start = time.perf_counter()
    bg = BetaGeoFitter().fit(freq, rec, age)
    bg_seconds = time.perf_counter() - start
    bg_params = [float(bg.params_[k]) for k in ["r", "alpha", "a", "b"]]
    n = len(freq)
    bg_ll = -BetaGeoFitter._negative_log_likelihood(
        np.log(bg_params), freq.astype(int), rec, age, np.ones(n), 0.0
    ) * n

    repeat = (freq > 0) & (money > 0)
    start = time.perf_counter()
    gg = GammaGammaFitter().fit(freq[repeat], money[repeat])
    gg_seconds = time.perf_counter() - start
    gg_params = [float(gg.params_[k]) for k in ["p", "q", "v"]]
    m = int(repeat.sum())
    gg_ll = -GammaGammaFitter._negative_log_likelihood(
        np.log(gg_params), freq[repeat], money[repeat], np.ones(m), 0.0
    ) * m

    print(
        json.dumps(
            {
                "version": lifetimes.__version__,
                "clients": n,
                "bg_nbd": {"params": bg_params, "log_likelihood": float(bg_ll), "seconds": bg_seconds},
                "gamma_gamma": {
                    "params": gg_params,
                    "log_likelihood": float(gg_ll),
                    "seconds": gg_seconds,
                    "clients": m,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
