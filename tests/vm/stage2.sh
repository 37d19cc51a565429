#!/bin/bash
# PID 1 inside the VM, on the overlaid host filesystem: mounts, the kernel's modules (bind-mounted at
# /lib/modules: mac80211 loads its CCMP crypto modules on demand), the hwsim radios, then the command that
# run.sh left in the shared output folder. Its output and exit status go back through that folder.
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm /run; mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run; mount -t tmpfs tmpfs /dev/shm
mkdir -p /mnt/out /mnt/shared; mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 outshare /mnt/out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 sharedrw /mnt/shared 2>/dev/null  # run.sh's VM_SHARED
ip link set lo up
mkdir -p /lib/modules && mount --bind "$(arg pywps_art)/kroot/lib/modules" /lib/modules
modprobe mac80211_hwsim radios="$(cat /mnt/out/radios)"
cd "$(cat /mnt/out/cwd)"
bash /mnt/out/cmd.sh > /mnt/out/output.txt 2>&1
echo $? > /mnt/out/rc
sync
poweroff -f
