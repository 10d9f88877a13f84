// The binaries the native fixtures were recorded with (Debian 12 bookworm, x86-64): the goldens
// can only be reproduced where these exact files exist.
import { ElfFile } from "../../src/symbols/elf.ts";

const REFERENCE_BUILD_IDS: Record<string, string> = {
  "/usr/bin/python3.11": "571d98e01096d5c1c32420d229a6731a0a50d2a0",
  "/lib/x86_64-linux-gnu/libc.so.6": "93ac61ec5a8eb1396f9fbd350e3169a558528a40",
  // hashlib's import allocates in OpenSSL: those stacks hold frames of these two.
  "/lib/x86_64-linux-gnu/libcrypto.so.3": "30563306a0d30a4acfe7ce1e066c8696b5e7856f",
  "/usr/lib/python3.11/lib-dynload/_hashlib.cpython-311-x86_64-linux-gnu.so": "1880f54b8a8a34ebe6e46b96e4787a60a34ec125",
};
const LIBC_DEBUG_ROOT = "/usr/lib/debug/.build-id";

/** Why the reference binaries are unusable here (null when they all match). */
export function missingReferenceImages(): string | null {
  for (const [path, id] of Object.entries(REFERENCE_BUILD_IDS)) {
    let got: string | null;
    try {
      const elf = ElfFile.open(path);
      got = elf.buildId();
      elf.close();
    } catch {
      return `${path} is missing (the native fixtures were recorded on Debian 12 with python3.11 and libssl3)`;
    }
    if (got !== id) return `${path} has build id ${got}, the fixtures' is ${id} (another build)`;
    if (path.includes("libc.so")) {
      const debug = `${LIBC_DEBUG_ROOT}/${id.slice(0, 2)}/${id.slice(2)}.debug`;
      try {
        ElfFile.open(debug).close();
      } catch {
        return `${debug} is missing: install Debian's libc6-dbg (apt-get install -y libc6-dbg)`;
      }
    }
  }
  return null;
}
