"""A real single-node Slurm cluster on this machine, for the profile test.

Needs root and Debian's packages (slurmctld, slurmd, slurm-client, munge), which it installs
with apt-get when they are missing. No systemd: munged, slurmctld and slurmd are started by
hand and stopped by their PID files. The node declares more CPUs and memory than the machine
has (``SlurmdParameters=config_overrides``) and one GPU without a device file, so that the
profile's real requests (8-16 CPUs, a GPU for the torch rules) are schedulable; two
partitions carry the profile's names, ``cpu`` and ``gpu``. Without slurmdbd ``sacct`` does
not work, so jobs are kept in ``squeue`` for ``MinJobAge`` seconds and the executor plugin
polls ``squeue``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

PACKAGES = ["slurmctld", "slurmd", "slurm-client", "munge"]
CONF_DIR = Path("/etc/slurm")
STATE = Path("/var/lib/gwda-slurm-test")
MIN_JOB_AGE = 300


def unavailable_reason() -> str | None:
    """Why a Slurm cluster cannot be started here (None if it can)."""
    if os.geteuid() != 0:
        return "the Slurm test needs root (to install and run slurmctld/slurmd/munged)"
    if all(shutil.which(b) for b in ("slurmctld", "slurmd", "munged", "sbatch")):
        return None
    if not shutil.which("apt-get"):
        return "Slurm is not installed and there is no apt-get to install it"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", *PACKAGES]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        result = subprocess.run(install, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            return f"apt-get could not install {' '.join(PACKAGES)}: {result.stderr[-300:]}"
    return None


SLURM_CONF = """\
ClusterName=gwdatest
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge={min_job_age}
SlurmdParameters=config_overrides
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation={state}/ctld
SlurmdSpoolDir={state}/slurmd
SlurmctldPidFile={state}/slurmctld.pid
SlurmdPidFile={state}/slurmd.pid
SlurmctldLogFile={state}/slurmctld.log
SlurmdLogFile={state}/slurmd.log
GresTypes=gpu
NodeName=localhost NodeAddr=127.0.0.1 CPUs=32 RealMemory=256000 Gres=gpu:1 State=UNKNOWN
PartitionName=cpu Nodes=localhost Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=localhost MaxTime=INFINITE State=UP
"""
GRES_CONF = "NodeName=localhost Name=gpu File=/dev/null\n"     # a GPU that is not there


class SlurmCluster:
    def __init__(self):
        self.backup: dict[Path, bytes] = {}
        self.munge_pid = STATE / "munge" / "munged.pid"

    def _write(self, path: Path, text: str) -> None:
        if path.exists():
            self.backup[path] = path.read_bytes()
        path.write_text(text)

    def _wait(self, what: str, check, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if check():
                return
            time.sleep(0.5)
        logs = "".join(p.read_text()[-1500:] for p in STATE.glob("*.log"))
        raise RuntimeError(f"Slurm test cluster: {what} did not happen within {timeout} s\n{logs}")

    def __enter__(self):
        try:
            return self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def _start(self):
        shutil.rmtree(STATE, ignore_errors=True)
        for sub in ("ctld", "slurmd", "munge"):
            (STATE / sub).mkdir(parents=True)
        CONF_DIR.mkdir(exist_ok=True)
        self._write(CONF_DIR / "slurm.conf", SLURM_CONF.format(state=STATE, min_job_age=MIN_JOB_AGE))
        self._write(CONF_DIR / "gres.conf", GRES_CONF)
        key = Path("/etc/munge/munge.key")
        if not key.exists():
            subprocess.run(["mungekey", "--create", "--keyfile", str(key)], check=True, capture_output=True)
            shutil.chown(key, "munge", "munge")
            key.chmod(0o400)
        Path("/run/munge").mkdir(exist_ok=True)
        shutil.chown("/run/munge", "munge", "munge")
        shutil.chown(STATE / "munge", "munge", "munge")
        subprocess.run(["runuser", "-u", "munge", "--", "munged", "--pid-file", str(self.munge_pid),
                        "--log-file", str(STATE / "munge" / "munged.log"), "--seed-file",
                        str(STATE / "munge" / "munged.seed")], check=True, capture_output=True)
        self.munge_pid = STATE / "munge" / "munged.pid" if (STATE / "munged.pid").exists() else self.munge_pid
        subprocess.run(["slurmctld"], check=True, capture_output=True)
        subprocess.run(["slurmd"], check=True, capture_output=True)
        self._wait("the node becoming idle", lambda: "idle" in subprocess.run(
            ["sinfo", "-h", "-o", "%t", "-p", "cpu"], capture_output=True, text=True).stdout)
        return self

    def __exit__(self, *exc):
        subprocess.run(["scancel", "--user", "root"], capture_output=True)
        for pid_file in (STATE / "slurmd.pid", STATE / "slurmctld.pid", self.munge_pid):
            try:
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
            except (OSError, ValueError):
                pass
        time.sleep(1)
        for path in (CONF_DIR / "slurm.conf", CONF_DIR / "gres.conf"):
            if path in self.backup:
                path.write_bytes(self.backup[path])
            else:
                path.unlink(missing_ok=True)
