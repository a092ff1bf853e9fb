#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, from Debian's packages, for the `slurm` tests.
#
#   bash scripts/slurm_local.sh start    # install if missing, configure, start, wait until idle
#   bash scripts/slurm_local.sh status   # sinfo, or exit 1 when not up
#   bash scripts/slurm_local.sh stop     # stop exactly the daemons `start` started (pid files)
#
# Needs root (apt-get, munged as the munge user). State, spool, logs and pid files live under
# $CSEI_SLURM_DIR (default /tmp/csei-slurm); slurm.conf goes to /etc/slurm, where the clients
# (sbatch, squeue, scancel) look for it. The node is called localhost with 2 CPUs, one partition
# `debug`; no accounting, so nothing may depend on sacct.
set -euo pipefail

DIR=${CSEI_SLURM_DIR:-/tmp/csei-slurm}
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
START_TIMEOUT=${CSEI_SLURM_TIMEOUT:-120} # seconds to wait for the node to be idle
PIDS=(munged slurmctld slurmd)

install_packages() {
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null &&
        command -v sbatch >/dev/null && command -v munged >/dev/null; then
        return
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge \
        >/dev/null
}

write_conf() {
    # a fresh controller state: `idle` must come from this slurmd, not from a saved one
    rm -rf "$DIR"/state "$DIR"/spool
    mkdir -p "$CONF_DIR" "$DIR"/{state,spool,log,run,munge}
    chown slurm:slurm "$DIR"/state "$DIR"/log 2>/dev/null || true
    cat >"$CONF" <<EOF
# written by csei-sim's scripts/slurm_local.sh: a single-node cluster for tests
ClusterName=csei
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SchedulerParameters=defer_batch
MinJobAge=300
KillWait=5
NodeName=localhost CPUs=2 RealMemory=8000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
    if [ ! -s /etc/munge/munge.key ]; then
        dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    fi
    chown munge:munge "$DIR"/munge
    mkdir -p /run/munge && chown munge:munge /run/munge
    su -s /bin/sh munge -c "munged --pid-file=$DIR/munge/munged.pid"
    cp "$DIR"/munge/munged.pid "$DIR"/run/munged.pid
}

wait_idle() {
    local deadline=$((SECONDS + START_TIMEOUT))
    until sinfo -h -N -o '%T' 2>/dev/null | grep -qx idle; do
        if ((SECONDS > deadline)); then
            echo "slurm_local: the node is not idle after ${START_TIMEOUT}s; see $DIR/log" >&2
            sinfo -N 2>&1 | head -5 >&2 || true
            return 1
        fi
        sleep 1
    done
}

start() {
    if status >/dev/null 2>&1; then
        echo "slurm_local: already up"
        return
    fi
    install_packages
    write_conf
    start_munge
    slurmctld -i
    slurmd -N localhost
    wait_idle
    echo "slurm_local: up (partition debug, node localhost, 2 CPUs); stop with: $0 stop"
}

stop() {
    local name pid
    # slurmd first: it reports to slurmctld; munged last: both authenticate through it
    for name in slurmd slurmctld munged; do
        if running "$name"; then
            pid=$(cat "$DIR/run/$name.pid")
            kill "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$DIR/run/$name.pid"
    done
    echo "slurm_local: stopped"
}

running() { # the daemon whose pid file is $1 is alive
    local pid
    pid=$(cat "$DIR/run/$1.pid" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] && ((pid > 1)) && kill -0 "$pid" 2>/dev/null
}

status() {
    local name
    for name in "${PIDS[@]}"; do
        running "$name" || return 1
    done
    sinfo
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
