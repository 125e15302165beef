#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the tests of `nsim sweep --executor slurm`:
# munged, slurmctld and slurmd from Debian's munge and slurm-wlm, with every file (slurm.conf,
# key, sockets, spool, logs) in one state directory. Run as root.
#
#   scripts/slurm-one-node.sh start   # starts the daemons, waits until the node is idle
#   scripts/slurm-one-node.sh stop    # stops the daemons it started (their pid files) and cleans up
#   scripts/slurm-one-node.sh env     # prints `export SLURM_CONF=...` for the clients
#
# There is no slurmdbd in Debian's slurm-wlm, so there is no accounting: `sacct` reports it is
# disabled, and nsim reads task states from `scontrol show job` instead (README "Running a study
# on a cluster"). NSIM_SLURM_STATE overrides the state directory (default /tmp/nsim-slurm).
set -euo pipefail

state=${NSIM_SLURM_STATE:-/tmp/nsim-slurm}
conf=$state/slurm.conf
node=$(hostname -s)

write_conf() {
  local cpus memory_mb
  cpus=$(nproc)
  memory_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) - 512 }' /proc/meminfo)
  cat >"$conf" <<EOF
# Written by scripts/slurm-one-node.sh: one node, controller and node daemon on this machine.
ClusterName=nsim-test
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge/munge.socket
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# Ended jobs stay in the controller (scontrol show job) for 10 minutes: nsim's source of states.
MinJobAge=600
ReturnToService=2
SchedulerParameters=sched_interval=1
MessageTimeout=10
KillWait=5
NodeName=$node CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  if [ -s "$state/slurmctld.pid" ] && kill -0 "$(cat "$state/slurmctld.pid")" 2>/dev/null; then
    echo "slurm-one-node: already running (state in $state)"
    return 0
  fi
  for tool in munged slurmctld slurmd; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
      echo "slurm-one-node: $tool not found: install Debian's munge and slurm-wlm" >&2
      exit 1
    }
  done
  mkdir -p "$state/munge" "$state/ctld" "$state/spool"
  chmod 700 "$state/munge"
  # munged checks that its key and directories are private to the user it runs as.
  dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$state/munge/munge.key"
  write_conf
  /usr/sbin/munged --force --key-file="$state/munge/munge.key" \
    --socket="$state/munge/munge.socket" --pid-file="$state/munge/munged.pid" \
    --log-file="$state/munge/munged.log" --seed-file="$state/munge/munged.seed"
  export SLURM_CONF=$conf
  /usr/sbin/slurmctld -f "$conf" -i
  /usr/sbin/slurmd -f "$conf"
  for _ in $(seq 60); do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^idle'; then
      echo "slurm-one-node: node $node idle; export SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.5
  done
  echo "slurm-one-node: the node did not become idle in 30 s; logs in $state" >&2
  tail -n 20 "$state/slurmctld.log" "$state/slurmd.log" >&2 || true
  stop
  exit 1
}

# Stops one daemon by its pid file and waits (at most 10 s) for it to go.
stop_daemon() {
  local pid_file=$1 pid
  [ -s "$pid_file" ] || return 0
  pid=$(cat "$pid_file")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  stop_daemon "$state/slurmd.pid"
  stop_daemon "$state/slurmctld.pid"
  stop_daemon "$state/munge/munged.pid"
  rm -rf "$state"
  echo "slurm-one-node: stopped"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
