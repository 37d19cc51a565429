#!/bin/bash
# Builds the mac80211_hwsim test VM's artefacts in vm-artefacts/ (git-ignored), once: Debian's kernel package
# with its modules (modules.dep rebuilt) and a busybox initramfs that mounts this machine's root read-only over
# virtio-9p under a tmpfs overlay. Needs (scripts/setup.sh installs them): qemu-system-x86 busybox-static kmod
# cpio, and apt sources for linux-image-amd64.
set -eu
here=$(dirname "$(readlink -f "$0")")
ART=${VM_ARTEFACTS:-$(readlink -f "$here/../..")/vm-artefacts}
mkdir -p "$ART" && cd "$ART"
if [ -f initrd.gz ] && [ initrd.gz -nt "$here/init.in" ] && [ initrd.gz -nt "$here/build.sh" ]; then
  echo "vm: artefacts up to date in $ART (kernel $(cat kver))"; exit 0
fi
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[ -n "$pkg" ] || { echo "vm: no linux-image-amd64 in the apt sources (run apt-get update)"; exit 1; }
[ -f "$pkg.deb" ] || { apt-get download "$pkg" && mv "$pkg"_*.deb "$pkg.deb"; }
rm -rf kroot initrd && dpkg -x "$pkg.deb" kroot
kver=$(ls kroot/lib/modules); depmod -b kroot "$kver"; echo "$kver" > kver
K=kroot/lib/modules/$kver/kernel
mkdir -p initrd/{bin,proc,sys,dev,lower,upper,newroot,lib/modules}
cp /bin/busybox initrd/bin/busybox
# Only what mounting the host root needs, in modules.dep order (dependencies first); the rest is loaded in
# stage2 from the kernel's full module tree, bind-mounted at /lib/modules.
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
         drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci fs/netfs/netfs fs/fscache/fscache \
         net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p fs/overlayfs/overlay; do
  [ -f "$K/$m.ko" ] && cp "$K/$m.ko" initrd/lib/modules/
done
cp "$here/init.in" initrd/init && chmod +x initrd/init
(cd initrd && find . | cpio -o -H newc 2>/dev/null | gzip -1 > ../initrd.gz)
rm -rf initrd
echo "vm: built kernel $kver and initrd.gz in $ART"
