#!/usr/bin/env bash
# Brings up a single-node Slurm cluster on this machine (for tests/slurm.rs and CI): installs
# Debian's slurm-wlm and munge if they are missing, writes /etc/slurm/slurm.conf for this host
# (its real CPUs and memory from `slurmd -C`, no accounting, no cgroups), starts munged,
# slurmctld and slurmd directly (no systemd needed) and waits until `sinfo` shows the node idle.
# Needs root. Running it again while the cluster is up does nothing.
#
#   sudo tools/slurm-localhost.sh          # then: sinfo; sbatch ...
#   tools/slurm-localhost.sh --stop        # stops the daemons it started
set -euo pipefail

log() { echo "slurm-localhost: $*" >&2; }
die() { log "error: $*"; exit 1; }

CONF=/etc/slurm/slurm.conf
SPOOL=/var/spool/slurm-localhost
LOGS=/var/log/slurm-localhost
RUN=/run/slurm-localhost

stop() {
    for d in slurmd slurmctld; do
        if [[ -f $RUN/$d.pid ]]; then
            kill "$(cat "$RUN/$d.pid")" 2>/dev/null || true
            rm -f "$RUN/$d.pid"
        fi
    done
    if [[ -f /run/munge/munged.pid ]]; then
        kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    fi
    log "stopped"
}

if [[ ${1:-} == --stop ]]; then
    stop
    exit 0
fi

[[ $(id -u) == 0 ]] || die "run it as root (it installs packages, writes $CONF and starts daemons)"

# True when the daemon whose pid file is $RUN/$1.pid is alive (no procps needed).
running() {
    [[ -f $RUN/$1.pid ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null
}

node_ready() {
    local state
    state=$(sinfo -h -N -o '%t' 2>/dev/null | head -n1) || return 1
    [[ $state == idle || $state == mix || $state == alloc ]]
}

if command -v sinfo >/dev/null && running slurmctld && running slurmd && node_ready; then
    log "already up: $(sinfo -h -N -o '%N %t %c CPUs %m MB')"
    exit 0
fi

started=$(date +%s)
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    command -v apt-get >/dev/null || die "slurmctld is not installed and there is no apt-get to install it"
    log "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

# munge: a key shared by every daemon (one machine: any key will do).
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [[ ! -s /etc/munge/munge.key ]]; then
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile=/etc/munge/munge.key
    else
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 0.1
    done
    munge -n | unmunge >/dev/null || die "munged did not start (see /var/log/munge/munged.log)"
fi

# slurm.conf for this host: the node as `slurmd -C` sees it.
host=$(hostname -s)
hardware=$(slurmd -C | head -n1 | sed -E 's/^NodeName=[^ ]+ //; s/ UpTime=.*//')
[[ $hardware == *CPUs=* ]] || die "slurmd -C did not report the node's CPUs: $hardware"
install -d -m 0755 /etc/slurm "$SPOOL/ctld" "$SPOOL/d" "$LOGS" "$RUN"
cat >"$CONF" <<EOF
# Written by tools/slurm-localhost.sh: a single-node cluster on $host.
ClusterName=localhost
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$SPOOL/ctld
SlurmdSpoolDir=$SPOOL/d
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=$host NodeAddr=127.0.0.1 $hardware State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

if ! running slurmctld; then
    # -c: a clean start, forgetting jobs from an earlier cluster on this machine.
    slurmctld -c || die "slurmctld did not start (see $LOGS/slurmctld.log)"
fi
if ! running slurmd; then
    slurmd || die "slurmd did not start (see $LOGS/slurmd.log)"
fi

for _ in $(seq 120); do
    node_ready && break
    state=$(sinfo -h -N -o '%t' 2>/dev/null | head -n1 || true)
    if [[ $state == down* || $state == drain* ]]; then
        scontrol update NodeName="$host" State=RESUME 2>/dev/null || true
    fi
    sleep 0.5
done
node_ready || die "the node is not idle after 60 s: $(sinfo -N 2>&1 | tail -n +2); see $LOGS/"
log "up in $(($(date +%s) - started)) s: $(sinfo -h -N -o '%N %t %c CPUs %m MB')"
