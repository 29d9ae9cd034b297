"""Independent QR implementations for Tests/TwoFactorTests/QRCodeCrossCheckTests.swift.

    qr_peers.py segno FILE    segno's matrix for each {data (base64), error, version, mask}; version
                              and mask null let segno choose. Byte mode, no ECI, no error boost.
    qr_peers.py decode FILE   rasterizes each of our SVGs (parsing its <path>) with Pillow and reads
                              it with ZXing (zxing-cpp): the bytes it decodes, and the SVG's title

FILE holds a JSON list; the answer is one JSON list on stdout, in the same order.
"""

import base64
import json
import re
import sys
import xml.etree.ElementTree as ElementTree

import segno
import segno.encoder
import zxingcpp
from PIL import Image, ImageDraw

SVG = "{http://www.w3.org/2000/svg}"


def _write_padding_bits(buff, version, length):
    """segno 1.6.6 adds 8 zero bits when the data already ends on a codeword boundary, where ISO/IEC
    18004 section 7.4.10 adds none (segno issues #123 and #148, open): in byte mode that is every
    symbol with room after the terminator, a 0x00 codeword before the 0xEC/0x11 pad codewords.
    Readers ignore it, but it changes the modules; this is the standard's rule."""
    if version not in (segno.consts.VERSION_M1, segno.consts.VERSION_M3):
        buff.extend([0] * (-length % 8))


segno.encoder.write_padding_bits = _write_padding_bits


def segno_matrices(cases):
    answers = []
    for case in cases:
        symbol = segno.make_qr(
            base64.b64decode(case["data"]),
            error=case["error"],
            version=case.get("version"),
            mask=case.get("mask"),
            mode="byte",
            boost_error=False,
        )
        rows = ["".join("1" if module else "0" for module in row) for row in symbol.matrix]
        answers.append({"version": symbol.version, "mask": symbol.mask, "error": symbol.error, "rows": rows})
    return answers


def rasterize(svg_text, pixels_per_module=3):
    """Draws the SVG's light background and dark path; only the shapes QRCode.svg writes."""
    root = ElementTree.fromstring(svg_text)
    assert root.tag == SVG + "svg", root.tag
    _, _, width, height = (int(value) for value in root.get("viewBox").split())
    title = root.find(SVG + "title")
    paths = root.findall(SVG + "path")
    assert len(paths) == 1, "one path"
    image = Image.new("L", (width * pixels_per_module, height * pixels_per_module), 255)
    draw = ImageDraw.Draw(image)
    commands = paths[0].get("d")
    for x, y, run, back in re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", commands):
        assert run == back, "a closed rectangle"
        x, y, run = int(x), int(y), int(run)
        draw.rectangle(
            [x * pixels_per_module, y * pixels_per_module, (x + run) * pixels_per_module - 1, (y + 1) * pixels_per_module - 1],
            fill=0,
        )
    assert re.fullmatch(r"(M\d+ \d+h\d+v1h-\d+z)*", commands), "only rectangles in the path"
    return image, (title.text if title is not None else None), root


def decode(cases):
    answers = []
    for case in cases:
        image, title, root = rasterize(case["svg"])
        results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        answers.append(
            {
                "decoded": [base64.b64encode(result.bytes).decode("ascii") for result in results],
                "ec_level": [result.ec_level for result in results],
                "title": title,
                "width": root.get("width"),
                "shape_rendering": root.get("shape-rendering"),
            }
        )
    return answers


def main(argv):
    with open(argv[2], encoding="utf-8") as file:
        cases = json.load(file)
    answer = segno_matrices(cases) if argv[1] == "segno" else decode(cases)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
