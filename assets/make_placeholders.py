#!/usr/bin/env python3
"""Regenerate Folio's placeholder images (needs Python 3 and Pillow: `pip install pillow`).

    python3 assets/make_placeholders.py

Writes, relative to the repository root:
  assets/logo.png                      900x240 RGBA wordmark, white on transparent
  assets/photos/birmingham-event.jpg   1600x1067 abstract "event" scene
  assets/photos/kamal-mahtani.jpg      900x1200 generic portrait silhouette
  assets/photos/jordan-gorenberg.jpg   900x1200 generic portrait silhouette
  tests/fixtures/rotated.jpg           400x300 "UP" picture stored rotated, EXIF Orientation 6
  tests/fixtures/grey.jpg              200x150 greyscale (mode L)
  tests/fixtures/logo-alpha.png        300x100 RGBA wordmark on transparent

None of these is a real photo or the study's real logo. Output is deterministic.
JPEGs are baseline (not progressive), quality 82, 8-bit RGB (untagged, i.e. sRGB by
convention) or L; no ICC profile is embedded.
"""
import os
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FONT_DIRS = ["/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu",
             os.path.join(ROOT, "fonts")]


def font(names, size):
    """First font found among `names` (file names), else Pillow's default font."""
    for name in names:
        for d in FONT_DIRS:
            path = os.path.join(d, name)
            if os.path.exists(path):
                return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


BOLD = ["NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf"]
REGULAR = ["NotoSans-Regular.ttf", "DejaVuSans.ttf"]


def hexrgb(h):
    h = h.lstrip("#")
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


def mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def vgradient(size, top, bottom):
    """Vertical gradient, RGB."""
    w, h = size
    col = Image.new("RGB", (1, h))
    for y in range(h):
        col.putpixel((0, y), mix(top, bottom, y / max(1, h - 1)))
    return col.resize((w, h))


def save_jpeg(img, rel):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.save(path, "JPEG", quality=82, optimize=True, progressive=False)
    print(f"{rel}: {img.size[0]}x{img.size[1]} {img.mode}, {os.path.getsize(path)} bytes")


def save_png(img, rel):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.save(path, "PNG", optimize=True)
    print(f"{rel}: {img.size[0]}x{img.size[1]} {img.mode}, {os.path.getsize(path)} bytes")


def label(img, text, size):
    """Small white label on a translucent dark pill, bottom-right corner."""
    base = img.convert("RGBA")
    over = Image.new("RGBA", base.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(over)
    f = font(REGULAR, size)
    x0, y0, x1, y1 = d.textbbox((0, 0), text, font=f)
    pad = size // 2
    w, h = x1 - x0 + 2 * pad, y1 - y0 + 2 * pad
    X, Y = base.size[0] - w - size, base.size[1] - h - size
    d.rounded_rectangle((X, Y, X + w, Y + h), radius=h // 2, fill=(20, 25, 35, 150))
    d.text((X + pad - x0, Y + pad - y0), text, font=f, fill=(255, 255, 255, 235))
    return Image.alpha_composite(base, over).convert("RGB")


# --------------------------------------------------------------------------- photos

def event_scene():
    """A soft abstract 'people at an event' scene, muted colours."""
    W, H, S = 1600, 1067, 2                       # drawn at 2x, then reduced (anti-aliasing)
    rnd = random.Random(2023)
    img = vgradient((W * S, H * S), hexrgb("#9DB4C8"), hexrgb("#E9D8C4"))
    d = ImageDraw.Draw(img, "RGBA")
    # soft light "bokeh" circles in the background
    for _ in range(26):
        r = rnd.randint(40, 140) * S
        x, y = rnd.randint(0, W * S), rnd.randint(0, int(H * S * 0.55))
        c = mix(hexrgb("#FFFFFF"), hexrgb("#F3C98B"), rnd.random())
        d.ellipse((x - r, y - r, x + r, y + r), fill=c + (rnd.randint(28, 60),))
    # floor
    d.rectangle((0, int(H * S * 0.72), W * S, H * S), fill=hexrgb("#B9A792") + (255,))
    # a long table
    ty = int(H * S * 0.70)
    d.rounded_rectangle((int(W * S * 0.18), ty, int(W * S * 0.82), ty + 40 * S),
                        radius=8 * S, fill=hexrgb("#8C7B6B") + (255,))
    palette = ["#4F6D7A", "#7A5C61", "#5E7D5A", "#8A6E4B", "#56657F", "#6B5B7B", "#7D6A58"]
    # two rows of people silhouettes (back row smaller and lighter)
    for row, (count, scale, yb, fade) in enumerate([(8, 0.72, 0.71, 0.35), (6, 1.0, 0.98, 0.0)]):
        for i in range(count):
            cx = int(W * S * (0.08 + 0.84 * (i + 0.5 + rnd.uniform(-0.2, 0.2)) / count))
            s = scale * rnd.uniform(0.9, 1.1) * S
            colour = mix(hexrgb(rnd.choice(palette)), hexrgb("#D9D4CC"), fade)
            base_y = int(H * S * yb)
            bw, bh, hr = int(150 * s), int(300 * s), int(58 * s)
            d.rounded_rectangle((cx - bw // 2, base_y - bh, cx + bw // 2, base_y + 60 * S),
                                radius=int(70 * s), fill=colour + (255,))
            hy = base_y - bh - int(hr * 0.75)
            d.ellipse((cx - hr, hy - hr, cx + hr, hy + hr), fill=colour + (255,))
    img = img.resize((W, H), Image.LANCZOS).filter(ImageFilter.GaussianBlur(1.2))
    return label(img, "Placeholder photo", 26)


def portrait(bg_top, bg_bottom, figure):
    """A plain gradient and a generic head-and-shoulders silhouette."""
    W, H, S = 900, 1200, 2
    img = vgradient((W * S, H * S), hexrgb(bg_top), hexrgb(bg_bottom))
    d = ImageDraw.Draw(img)
    c = hexrgb(figure)
    cx = W * S // 2
    # shoulders: a wide rounded shape running off the bottom edge
    d.rounded_rectangle((cx - 380 * S, 820 * S, cx + 380 * S, 1500 * S), radius=300 * S, fill=c)
    # neck
    d.rectangle((cx - 75 * S, 640 * S, cx + 75 * S, 860 * S), fill=c)
    # head
    d.ellipse((cx - 180 * S, 270 * S, cx + 180 * S, 720 * S), fill=c)
    img = img.resize((W, H), Image.LANCZOS).filter(ImageFilter.GaussianBlur(0.8))
    return label(img, "Placeholder portrait", 24)


# --------------------------------------------------------------------------- logos

def link_mark(size, square, ring, S):
    """Rounded square with two interlocking rings (a 'link')."""
    m = Image.new("RGBA", (size * S, size * S), (0, 0, 0, 0))
    d = ImageDraw.Draw(m)
    d.rounded_rectangle((0, 0, size * S - 1, size * S - 1), radius=int(size * S * 0.22), fill=square)
    r, w = int(size * S * 0.21), int(size * S * 0.075)
    cy = size * S // 2
    for cx in (int(size * S * 0.39), int(size * S * 0.61)):
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=ring, width=w)
    return m


def logo():
    W, H, S = 900, 240, 2
    img = Image.new("RGBA", (W * S, H * S), (255, 255, 255, 0))
    img.alpha_composite(link_mark(200, (255, 255, 255, 255), hexrgb("#1F4E79") + (255,), S),
                        (20 * S, 20 * S))
    d = ImageDraw.Draw(img)
    size = 86
    while True:                                   # largest size that fits beside the mark
        f = font(BOLD, size * S)
        x0, y0, x1, y1 = d.textbbox((0, 0), "Link Worker Study", font=f)
        if x1 - x0 <= (W - 260 - 24) * S or size <= 20:
            break
        size -= 2
    d.text((260 * S - x0, (H * S - (y1 - y0)) // 2 - y0), "Link Worker Study", font=f,
           fill=(255, 255, 255, 255))
    return img.resize((W, H), Image.LANCZOS)


def logo_alpha():
    W, H, S = 300, 100, 2
    img = Image.new("RGBA", (W * S, H * S), (255, 255, 255, 0))
    img.alpha_composite(link_mark(76, hexrgb("#2E7D4F") + (255,), (255, 255, 255, 255), S),
                        (12 * S, 12 * S))
    d = ImageDraw.Draw(img)
    f = font(BOLD, 36 * S)
    x0, y0, x1, y1 = d.textbbox((0, 0), "Greenway", font=f)
    d.text((100 * S - x0, (H * S - (y1 - y0)) // 2 - y0), "Greenway", font=f,
           fill=hexrgb("#A8472F") + (255,))
    return img.resize((W, H), Image.LANCZOS)


# --------------------------------------------------------------------------- test fixtures

def upright_test_picture():
    """400x300 as a viewer should show it: red band at the top, blue at the bottom,
    a big arrow and 'UP ↑' pointing up."""
    img = Image.new("RGB", (400, 300), (250, 250, 245))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 399, 29), fill=(214, 40, 40))        # top: red
    d.rectangle((0, 270, 399, 299), fill=(30, 80, 200))     # bottom: blue
    d.polygon([(110, 50), (170, 130), (135, 130), (135, 250), (85, 250), (85, 130), (50, 130)],
              fill=(20, 20, 20))
    f = font(["DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf"], 72)
    d.text((200, 150), "UP ↑", font=f, fill=(20, 20, 20), anchor="lm")
    return img


def rotated():
    img = upright_test_picture()
    stored = img.transpose(Image.Transpose.ROTATE_90)         # 300x400, turned 90° anticlockwise
    exif = Image.Exif()
    exif[0x0112] = 6                                          # Orientation: rotate 90° CW to view
    path = os.path.join(ROOT, "tests/fixtures/rotated.jpg")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    stored.save(path, "JPEG", quality=82, optimize=True, progressive=False, exif=exif.tobytes())
    # self-check: honouring EXIF gives back the upright 400x300 picture
    shown = ImageOps.exif_transpose(Image.open(path))
    assert shown.size == (400, 300), shown.size
    r, g, b = shown.getpixel((200, 10))
    assert r > 150 and g < 100 and b < 100, (r, g, b)
    print(f"tests/fixtures/rotated.jpg: stored 300x400, EXIF Orientation 6, shown 400x300, "
          f"{os.path.getsize(path)} bytes")


def grey():
    img = Image.new("L", (200, 150))
    for x in range(200):
        for y in range(150):
            img.putpixel((x, y), 40 + (x * 170) // 199)
    d = ImageDraw.Draw(img)
    d.ellipse((70, 40, 130, 100), fill=235)
    d.text((8, 128), "grey", fill=20, font=font(REGULAR, 14))
    return img


def main():
    save_png(logo(), "assets/logo.png")
    save_jpeg(event_scene(), "assets/photos/birmingham-event.jpg")
    save_jpeg(portrait("#CFE0E8", "#7FA6B8", "#2F4858"), "assets/photos/kamal-mahtani.jpg")
    save_jpeg(portrait("#F1DFC0", "#C99A6B", "#5B3A4F"), "assets/photos/jordan-gorenberg.jpg")
    rotated()
    save_jpeg(grey(), "tests/fixtures/grey.jpg")
    save_png(logo_alpha(), "tests/fixtures/logo-alpha.png")


if __name__ == "__main__":
    main()
