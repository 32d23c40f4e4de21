"""Fail when a crate in Cargo.lock needs a newer Rust than Cargo.toml's rust-version."""
import json, re, subprocess, sys

meta = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1", "--locked"], check=True, capture_output=True, text=True).stdout)
ours = next(p for p in meta["packages"] if p["name"] == "folio")["rust_version"]
def key(v):
    return tuple((list(map(int, re.findall(r"\d+", v))) + [0, 0, 0])[:3])
used = {n["id"] for n in meta["resolve"]["nodes"]}
newer = [f'{p["name"]} {p["version"]} needs Rust {p["rust_version"]}' for p in meta["packages"] if p["id"] in used and p.get("rust_version") and key(p["rust_version"]) > key(ours)]
if newer:
    print(f"Cargo.toml says rust-version {ours}, but:\n  " + "\n  ".join(newer) + "\npin an older version (cargo update -p NAME --precise X.Y.Z) or raise rust-version and README's minimum")
    sys.exit(1)
print(f"every crate builds with Rust {ours}")
