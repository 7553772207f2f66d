"""The workers of the local cluster a scan starts: glibc's own malloc thresholds, no profiler,
also in a worker the nanny starts again after the first one was killed."""

from __future__ import annotations

import os
import signal
import time

import pytest

from caseseries.scan.run import local_cluster


def _settings() -> tuple[str | None, bool]:
    import dask

    return os.environ.get("MALLOC_TRIM_THRESHOLD_"), bool(dask.config.get("distributed.worker.profile.enabled"))


def test_local_workers_keep_glibc_malloc_defaults_and_no_profiler(monkeypatch: pytest.MonkeyPatch) -> None:
    from dask.distributed import Client

    # a cluster started earlier in this process with Dask's defaults leaves the variable in os.environ
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with local_cluster(1) as cluster, Client(cluster) as client:
        assert list(client.run(_settings).values()) == [(None, False)]
        (pid,) = client.run(os.getpid).values()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        pids: list[int] = []
        while time.monotonic() < deadline:
            try:
                pids = list(client.run(os.getpid).values())
            except Exception:  # the scheduler may still list the dead worker
                pids = []
            if pids and pid not in pids:
                break
            time.sleep(0.2)
        assert pids and pid not in pids, "the nanny did not start a new worker within 60 s"
        assert list(client.run(_settings).values()) == [(None, False)]
    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ
