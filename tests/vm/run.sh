#!/bin/bash
# tests/vm/run.sh CMD... : runs CMD (bash, in the current directory) in a throwaway QEMU VM that sees this
# machine's filesystem read-only under a tmpfs overlay (writes vanish) and has HWSIM_RADIOS (default 2)
# mac80211_hwsim radios wlan0, wlan1, ... Prints CMD's output and exits with its status; VM_OUT=DIR keeps the
# shared folder (output.txt, console.log, and whatever CMD wrote to /mnt/out) there; VM_SHARED=DIR is seen
# writable at /mnt/shared (a folder that VMs running at once can all see).
# TCG by default: nested KVM hangs on the machines this was built on (VM_ACCEL=kvm to try it).
# One vCPU by default (VM_SMP): with two VMs and a busy loop on 2 cores, three test cases took 85-88 s on one vCPU
# and 131-132 s on two (57 and 56 s with the machine idle). Not proven why; likely, with the host's cores
# overcommitted, a vCPU spins on a guest kernel lock that a vCPU the host has descheduled holds.
set -u
here=$(dirname "$(readlink -f "$0")")
ART=${VM_ARTEFACTS:-$(readlink -f "$here/../..")/vm-artefacts}
[ -f "$ART/initrd.gz" ] || { echo "vm: no artefacts in $ART: run tests/vm/build.sh"; exit 98; }
out=${VM_OUT:-$(mktemp -d /tmp/pywps-vm.XXXXXX)}; mkdir -p "$out"
printf '%s\n' "$*" > "$out/cmd.sh"; echo "${HWSIM_RADIOS:-2}" > "$out/radios"; pwd > "$out/cwd"
rm -f "$out/rc" "$out/output.txt"
shared=()
[ -n "${VM_SHARED:-}" ] && shared=(-fsdev "local,id=s,path=$VM_SHARED,security_model=none"
                                  -device virtio-9p-pci,fsdev=s,mount_tag=sharedrw)
timeout "${VM_TIMEOUT:-600}" qemu-system-x86_64 -accel "${VM_ACCEL:-tcg}" -cpu max -m "${VM_MEM:-1024}" \
  -smp "${VM_SMP:-1}" -nographic -no-reboot \
  -kernel "$ART/kroot/boot/vmlinuz-$(cat "$ART/kver")" -initrd "$ART/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 pywps_stage2=$here/stage2.sh pywps_art=$ART" \
  -fsdev local,id=r,path=/,readonly=on,security_model=none,multidevs=remap -device virtio-9p-pci,fsdev=r,mount_tag=hostroot \
  -fsdev local,id=o,path="$out",security_model=none -device virtio-9p-pci,fsdev=o,mount_tag=outshare \
  "${shared[@]}" -nic none > "$out/console.log" 2>&1
cat "$out/output.txt" 2>/dev/null
rc=$(cat "$out/rc" 2>/dev/null || echo 99)
[ "$rc" = 99 ] && { echo "vm: the VM ended without a result; console:"; tail -30 "$out/console.log"; }
[ -z "${VM_OUT:-}" ] && rm -rf "$out"
exit "$rc"
