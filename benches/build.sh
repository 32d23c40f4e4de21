#!/usr/bin/env bash
# Benchmark `folio build`:
#   1. the seed issue issues/2023-12.json, built N times (default 10): median wall time;
#   2. a temporary copy of that issue whose photos are replaced by 3000×2000 camera-size
#      JPEGs: one cold build, then one warm build (same inputs again), with the PDF size.
# Peak memory comes from /usr/bin/time -v when it is installed.
# Nothing is written inside the repository except the release build in target/:
# PDFs and the generated photos live in a temporary folder that is removed at the end.
#
# Usage: bash benches/build.sh            (N=20 bash benches/build.sh for more runs)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10}
ISSUE=issues/2023-12.json
FOLIO=./target/release/folio

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

TIME_V=""
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
    TIME_V=/usr/bin/time
fi

echo "== release build"
cargo build --release --quiet
"$FOLIO" --version

now_ns() { date +%s%N; }

# run_build LABEL ISSUE OUT: build once; print wall time (ms), peak RSS if known, PDF size.
run_build() {
    local label=$1 issue=$2 out=$3
    local t0 t1 ms rss=""
    t0=$(now_ns)
    if [ -n "$TIME_V" ]; then
        "$TIME_V" -v -o "$tmp/time.txt" "$FOLIO" build "$issue" -o "$out" 2>"$tmp/stderr.txt" \
            || { cat "$tmp/stderr.txt" >&2; return 1; }
    else
        "$FOLIO" build "$issue" -o "$out" 2>"$tmp/stderr.txt" || { cat "$tmp/stderr.txt" >&2; return 1; }
    fi
    t1=$(now_ns)
    ms=$(( (t1 - t0) / 1000000 ))
    if [ -n "$TIME_V" ]; then
        rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f MB", $2 / 1024}' "$tmp/time.txt")
    fi
    printf '  %-6s %6d ms   PDF %s KB' "$label" "$ms" "$(( ($(stat -c %s "$out") + 1023) / 1024 ))"
    [ -n "$rss" ] && printf '   peak RSS %s' "$rss"
    printf '\n'
}

# median_of MS...: the median of whole milliseconds.
median_of() {
    local sorted n
    sorted=($(printf '%s\n' "$@" | sort -n))
    n=${#sorted[@]}
    if (( n % 2 )); then
        echo "${sorted[$((n / 2))]}"
    else
        echo $(( (sorted[n / 2 - 1] + sorted[n / 2]) / 2 ))
    fi
}

# time_builds LABEL EXTRA_ARGS...: N builds of the seed issue; prints each time and the median.
time_builds() {
    local label=$1 t0 t1 times=()
    shift
    for _ in $(seq 1 "$N"); do
        t0=$(now_ns)
        "$FOLIO" build "$ISSUE" -o "$tmp/seed/seed.pdf" "$@" 2>/dev/null
        t1=$(now_ns)
        times+=($(( (t1 - t0) / 1000000 )))
    done
    printf '  %-34s median %4d ms   (runs: %s)\n' "$label" "$(median_of "${times[@]}")" "${times[*]}"
}

# Does this build have the prepared-image cache (folio build --no-cache)?
HAS_CACHE=""
case "$("$FOLIO" build --help 2>/dev/null)" in *--no-cache*) HAS_CACHE=1 ;; esac

echo
echo "== $ISSUE, $N builds each"
mkdir -p "$tmp/seed"
if [ -n "$HAS_CACHE" ]; then
    time_builds "no image cache (--no-cache)" --no-cache
    time_builds "image cache (warm after run 1)"
else
    time_builds "default"
fi
echo "  PDF $(( ($(stat -c %s "$tmp/seed/seed.pdf") + 1023) / 1024 )) KB"
[ -n "$TIME_V" ] && run_build "once" "$ISSUE" "$tmp/seed/seed.pdf"

echo
echo "== $ISSUE with camera-size photos (3000×2000 JPEG)"
if ! python3 -c 'import PIL' 2>/dev/null; then
    echo "  installing Pillow with pip"
    pip_flags=(--quiet --disable-pip-version-check --no-input)
    [ "$(id -u)" -eq 0 ] && pip_flags+=(--root-user-action=ignore)
    if python3 -c 'import os, sys, sysconfig; sys.exit(0 if sys.prefix == sys.base_prefix and os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'; then
        pip_flags+=(--break-system-packages)
    fi
    python3 -m pip install "${pip_flags[@]}" Pillow
fi
mkdir -p "$tmp/big/photos"
# Copy the issue with every photo (section images and profile photos) replaced by a
# generated 3000×2000 JPEG, and the brand path made absolute.
python3 - "$ISSUE" "$tmp/big" <<'PY'
import json, os, random, sys
from PIL import Image, ImageDraw, ImageFilter

issue, out = sys.argv[1], sys.argv[2]
base = os.path.dirname(os.path.abspath(issue))
doc = json.load(open(issue, encoding="utf-8"))
if "brand" in doc:
    doc["brand"] = os.path.join(base, doc["brand"])

def camera_jpeg(path, seed):
    # Gradients, shapes and sensor-like noise: compresses like a photo, not like a flat fill.
    rnd = random.Random(seed)
    w, h = 3000, 2000
    img = Image.linear_gradient("L").resize((w, h))
    rgb = Image.merge("RGB", (img, img.rotate(90).resize((w, h)), img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)))
    draw = ImageDraw.Draw(rgb)
    for _ in range(60):
        x, y = rnd.randrange(w), rnd.randrange(h)
        r = rnd.randrange(40, 500)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    rgb = rgb.filter(ImageFilter.GaussianBlur(6))
    noise = Image.merge("RGB", [Image.effect_noise((w, h), 24) for _ in range(3)])
    rgb = Image.blend(rgb, noise, 0.18)
    rgb.save(path, "JPEG", quality=92)

n = 0
def replace(rel):
    global n
    n += 1
    path = os.path.join(out, "photos", f"camera-{n}.jpg")
    camera_jpeg(path, n)
    print(f"  {rel} -> {path} ({os.path.getsize(path) // 1024} KB)")
    return path

for s in doc["sections"]:
    if "photo" in s:
        s["photo"] = replace(s["photo"])
    for item in s.get("body", []):
        if isinstance(item, dict) and "image" in item:
            item["image"] = replace(item["image"])
json.dump(doc, open(os.path.join(out, "issue.json"), "w", encoding="utf-8"), ensure_ascii=False, indent=2)
print(f"  {n} photos replaced")
PY
# The output folder is new, so its image cache (out/.cache beside the PDF) starts empty:
# "cold" decodes and resamples every photo, "warm" repeats the build with the same inputs.
run_build "cold" "$tmp/big/issue.json" "$tmp/big/out/issue.pdf"
run_build "warm" "$tmp/big/issue.json" "$tmp/big/out/issue.pdf"
[ -z "$TIME_V" ] && echo "  (peak memory not measured: /usr/bin/time is not installed)"
exit 0
