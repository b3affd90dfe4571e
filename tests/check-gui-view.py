#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The app is a view, measured with nm on libscaler-gui's object files.

Fails (TAP) when a file of the GUI builds or runs an engine (the engine
itself, the simulator, the real clients or the composition root that puts
them together): autoscalers run in the background service only. Also fails
when the sidebar row calls the application (rows follow their item, and
the application -> window -> sidebar-row -> application cycle stays
broken).

Usage: check-gui-view.py NM OBJECT_DIR
"""
import glob
import os
import subprocess
import sys

# Symbols no file of the GUI may call.
FORBIDDEN_PREFIXES = [
    "scaler_engine_new", "scaler_engine_start", "scaler_engine_stop", "scaler_engine_run_cycle",
    "scaler_engine_registry_", "scaler_sim_", "scaler_ec2_cloud_", "scaler_clearml_source_",
    "scaler_autoscaler_store_",
]
# (file, symbol prefixes it must not call).
FORBIDDEN_PER_FILE = [
    ("scaler-sidebar-row", ["scaler_application_", "scaler_window_"]),
    ("scaler-machine-row", ["scaler_application_", "scaler_window_"]),
    ("scaler-dashboard", ["scaler_application_", "scaler_window_"]),
]


def undefined_symbols(nm, obj):
    out = subprocess.run([nm, "--undefined-only", obj], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def main():
    nm, objdir = sys.argv[1], sys.argv[2]
    objects = sorted(glob.glob(os.path.join(objdir, "*.o")))
    n = 0
    status = 0
    for obj in objects:
        name = os.path.basename(obj)
        stem = name[:-len(".c.o")] if name.endswith(".c.o") else name
        symbols = undefined_symbols(nm, obj)
        bad = sorted(s for s in symbols if any(s.startswith(p) for p in FORBIDDEN_PREFIXES))
        for file_stem, prefixes in FORBIDDEN_PER_FILE:
            if stem == file_stem:
                bad += sorted(s for s in symbols if any(s.startswith(p) for p in prefixes))
        n += 1
        if bad:
            print(f"not ok {n} - {stem} calls {', '.join(bad)}")
            status = 1
        else:
            print(f"ok {n} - {stem} runs no engine")
    if n == 0:
        print("not ok 1 - no object files in " + objdir)
        n, status = 1, 1
    print(f"1..{n}")
    return status


if __name__ == "__main__":
    sys.exit(main())
