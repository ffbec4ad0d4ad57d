#!/usr/bin/env python3
"""Draws the KammerDesk app icon (a white "K" on a dark-blue rounded square) into icons/.

The "K" is drawn from polygons rather than a font, so the icons come out the same on
every machine. Needs Pillow (`pip install pillow`). Run from the repository top:

    python3 scripts/make-icons.py

Tauri's `generate_context!` insists that the first PNG is RGBA, and it does not notice an
icon change by itself: after regenerating, touch tauri.conf.json before building.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (22, 52, 96, 255)  # calm dark blue, the desk's accent colour
WHITE = (255, 255, 255, 255)
MASTER = 1024  # drawn once large, then scaled down with a good filter


def master() -> Image.Image:
    img = Image.new("RGBA", (MASTER, MASTER), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    margin = 40
    d.rounded_rectangle(
        (margin, margin, MASTER - margin, MASTER - margin), radius=200, fill=BLUE
    )
    # The K: a vertical stem and two diagonal arms meeting at the stem's middle.
    left, top, bottom = 300, 250, 774
    stem = 120
    mid = (top + bottom) // 2
    d.rectangle((left, top, left + stem, bottom), fill=WHITE)
    joint = left + stem - 10
    d.polygon(
        [(joint, mid + 30), (joint, mid - 120), (600, top), (750, top)], fill=WHITE
    )
    d.polygon(
        [(joint + 40, mid - 50), (530, mid - 130), (770, bottom), (620, bottom)],
        fill=WHITE,
    )
    return img


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "icons"
    out.mkdir(exist_ok=True)
    big = master()

    def sized(px: int) -> Image.Image:
        return big.resize((px, px), Image.LANCZOS)

    sized(32).save(out / "32x32.png")
    sized(128).save(out / "128x128.png")
    sized(256).save(out / "128x128@2x.png")
    sized(512).save(out / "icon.png")
    sized(256).save(
        out / "icon.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (256, 256)]
    )
    big.save(out / "icon.icns")


if __name__ == "__main__":
    main()
