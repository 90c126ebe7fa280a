#!/usr/bin/env bash
# Makes TorchSharp's native libLibTorchSharp.so load where the system libstdc++ is older than GCC 13's.
#
# WHY: TorchSharp 0.107's libLibTorchSharp.so is linked against GCC 13's libstdc++ and asks for one symbol of
# GLIBCXX_3.4.32, std::ios_base_library_init() (GCC 13 moved the iostream set-up into it). Debian 12 ships
# libstdc++ up to GLIBCXX_3.4.30, so the library fails to load, and TorchSharp reports it as a package that "was
# not restored", which it was. The fix: a tiny shim library that defines that one symbol under that version (it
# runs the same std::ios_base::Init the old headers ran), made a dependency of libLibTorchSharp.so with patchelf,
# and the version requirement marked weak so the loader no longer insists that libstdc++ itself defines it.
#
# Usage: torchsharp-native-fix.sh <folder holding libLibTorchSharp.so> [--check]
# Idempotent; a no-op (exit 0) off Linux, when the library does not need GLIBCXX_3.4.32, when the system libstdc++
# has it, or when the folder is already fixed. --check only reports (exit 0 = loads as is or fixed, 1 = needs the fix).
set -euo pipefail
dir=${1:?usage: $0 <folder holding libLibTorchSharp.so> [--check]}
mode=${2:-fix}
lib="$dir/libLibTorchSharp.so"
shim_name=libdisrouter_glibcxx_shim.so
shim="$dir/$shim_name"
version=GLIBCXX_3.4.32

[ "$(uname -s)" = Linux ] || exit 0
[ -f "$lib" ] || { echo "torchsharp-native-fix: $lib not found (restore first)" >&2; exit 1; }
grep -q "$version" "$lib" || exit 0                                 # this build of the library does not need it
system_stdcxx=$( (/sbin/ldconfig -p 2>/dev/null || ldconfig -p) | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*x86_64/ {print $NF}' | head -n 1 || true)
if [ -n "$system_stdcxx" ] && grep -q "$version" "$system_stdcxx"; then exit 0; fi  # a new enough libstdc++
if [ -f "$shim" ] && grep -q "$shim_name" "$lib"; then exit 0; fi  # already fixed
[ "$mode" = --check ] && { echo "torchsharp-native-fix: $lib needs $version, which $system_stdcxx lacks" >&2; exit 1; }

for tool in g++ patchelf readelf; do
  command -v "$tool" >/dev/null || { echo "torchsharp-native-fix: '$tool' is missing; install it (Debian: apt-get install -y g++ patchelf) and build again" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/shim.cpp" <<'CPP'
// GCC 13's libstdc++ exports std::ios_base_library_init() (GLIBCXX_3.4.32) to set up cin/cout once per process;
// older ones do that in every translation unit including <iostream>. Constructing an ios_base::Init is the same work.
#include <ios>
namespace std { __attribute__((visibility("default"))) void ios_base_library_init() { static ios_base::Init init; } }
CPP
printf '%s { global: _ZSt21ios_base_library_initv; local: *; };\n' "$version" > "$work/shim.map"
g++ -shared -fPIC -O2 -o "$work/$shim_name" "$work/shim.cpp" -Wl,--version-script="$work/shim.map" -Wl,-soname,"$shim_name"

cp "$lib" "$work/lib.so"
grep -q "$shim_name" "$work/lib.so" || patchelf --add-needed "$shim_name" "$work/lib.so"
# Mark the GLIBCXX_3.4.32 entry of the libstdc++.so.6 version needs weak (vna_flags |= VER_FLG_WEAK): the loader then
# accepts a libstdc++ without it and binds the versioned symbol to the shim, which defines it.
section_offset=$(readelf -SW "$work/lib.so" | sed -n 's/.*\] \.gnu\.version_r *[A-Z_]* *[0-9a-f]* \([0-9a-f]*\) .*/\1/p')
entry=$(readelf -VW "$work/lib.so" | awk -v v="$version" '$2 == "Name:" && $3 == v {sub(":", "", $1); print $1; exit}')
[ -n "$section_offset" ] && [ -n "$entry" ] || { echo "torchsharp-native-fix: no $version version need found in $lib" >&2; exit 1; }
flags_at=$(( 0x$section_offset + entry + 4 ))
printf '\x02' | dd of="$work/lib.so" bs=1 seek="$flags_at" conv=notrunc status=none
versions=$(readelf -VW "$work/lib.so")
grep -q "Name: $version  Flags: WEAK" <<< "$versions" || { echo "torchsharp-native-fix: could not mark $version weak" >&2; exit 1; }

# Shim first, then the library, each by rename: a build running beside this one sees the old or the new file, never half of one.
cp "$work/$shim_name" "$shim.tmp.$$" && mv -f "$shim.tmp.$$" "$shim"
cp "$work/lib.so" "$lib.tmp.$$" && mv -f "$lib.tmp.$$" "$lib"
echo "torchsharp-native-fix: patched $lib (+ $shim_name) for a libstdc++ without $version"
