"""Colours, sizes and the style sheet of the citizen screens, as data.

Two palettes: the default (every text/background pair ≥ 4.5:1, WCAG AA) and high
contrast (≥ 7:1, WCAG AAA). ``contrast_ratio`` computes the WCAG ratio so tests check
the palettes instead of trusting them. Sizes are in millimetres and turned into pixels
with the screen's DPI, so a 15 mm touch target stays 15 mm on any panel.
"""
from __future__ import annotations

MM_PER_INCH = 25.4
MIN_TARGET_MM = 15.0

PALETTES: dict[str, dict[str, str]] = {
    "default": {
        "bg": "#F4F6F8", "fg": "#14181F", "muted": "#3D4651",
        "panel": "#FFFFFF", "panel_fg": "#14181F", "border": "#5A6472",
        "header_bg": "#0B3D91", "header_fg": "#FFFFFF",
        "primary_bg": "#0B5CAD", "primary_fg": "#FFFFFF",
        "secondary_bg": "#FFFFFF", "secondary_fg": "#0B3D91",
        "danger_bg": "#B3261E", "danger_fg": "#FFFFFF",
        "ok_bg": "#1E6B30", "ok_fg": "#FFFFFF",
        "warn_bg": "#FFE8A3", "warn_fg": "#3A2A00",
        "input_bg": "#FFFFFF", "input_fg": "#14181F",
        "focus": "#E37400",
    },
    "high_contrast": {
        "bg": "#000000", "fg": "#FFFFFF", "muted": "#E6E6E6",
        "panel": "#000000", "panel_fg": "#FFFFFF", "border": "#FFFF00",
        "header_bg": "#000000", "header_fg": "#FFFF00",
        "primary_bg": "#FFFF00", "primary_fg": "#000000",
        "secondary_bg": "#000000", "secondary_fg": "#FFFFFF",
        "danger_bg": "#000000", "danger_fg": "#FF9C9C",
        "ok_bg": "#000000", "ok_fg": "#7CFF8A",
        "warn_bg": "#000000", "warn_fg": "#FFFF00",
        "input_bg": "#FFFFFF", "input_fg": "#000000",
        "focus": "#00FFFF",
    },
}

# Which foreground is drawn on which background: the pairs the contrast test checks.
TEXT_PAIRS = [("fg", "bg"), ("muted", "bg"), ("panel_fg", "panel"), ("header_fg", "header_bg"),
              ("primary_fg", "primary_bg"), ("secondary_fg", "secondary_bg"),
              ("danger_fg", "danger_bg"), ("ok_fg", "ok_bg"), ("warn_fg", "warn_bg"),
              ("input_fg", "input_bg"), ("fg", "panel")]
REQUIRED_RATIO = {"default": 4.5, "high_contrast": 7.0}

# Font sizes in pixels at normal size; large text multiplies them.
FONT_PX = {"body": 30, "title": 46, "small": 24, "button": 32, "key": 44, "huge": 64}
LARGE_TEXT_SCALE = 1.3
FONT_FAMILIES = '"Noto Sans", "DejaVu Sans", "WenQuanYi Micro Hei"'


def _channel(c: int) -> float:
    s = c / 255.0
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mm_to_px(mm: float, dpi: float) -> int:
    return int(round(mm * dpi / MM_PER_INCH + 0.4999))


def font_px(role: str, large: bool) -> int:
    return int(round(FONT_PX[role] * (LARGE_TEXT_SCALE if large else 1.0)))


def stylesheet(palette: str = "default", large: bool = False) -> str:
    p = PALETTES[palette]
    f = {k: font_px(k, large) for k in FONT_PX}
    return f"""
    QWidget {{ background: {p['bg']}; color: {p['fg']}; font-family: {FONT_FAMILIES};
               font-size: {f['body']}px; }}
    QLabel[role="title"] {{ font-size: {f['title']}px; font-weight: bold; }}
    QLabel[role="muted"] {{ color: {p['muted']}; font-size: {f['small']}px; }}
    QLabel[role="huge"] {{ font-size: {f['huge']}px; font-weight: bold; }}
    QLabel[role="warn"] {{ background: {p['warn_bg']}; color: {p['warn_fg']};
                           border: 3px solid {p['border']}; padding: 12px; }}
    QLabel[role="error"] {{ background: {p['danger_bg']}; color: {p['danger_fg']};
                            padding: 12px; font-weight: bold; }}
    QLabel[role="ok"] {{ background: {p['ok_bg']}; color: {p['ok_fg']}; padding: 12px;
                         font-weight: bold; }}
    QFrame[role="panel"] {{ background: {p['panel']}; border: 2px solid {p['border']};
                            border-radius: 10px; }}
    QFrame[role="panel"] QLabel {{ background: {p['panel']}; color: {p['panel_fg']}; }}
    QWidget#header, QWidget#header QLabel {{ background: {p['header_bg']};
                                             color: {p['header_fg']}; }}
    QWidget#header QLabel[role="title"] {{ font-size: {f['title']}px; }}
    QPushButton {{ background: {p['secondary_bg']}; color: {p['secondary_fg']};
                   border: 3px solid {p['border']}; border-radius: 12px;
                   font-size: {f['button']}px; font-weight: bold; padding: 6px 18px; }}
    QPushButton[kind="primary"] {{ background: {p['primary_bg']}; color: {p['primary_fg']};
                                   border-color: {p['primary_bg']}; }}
    QPushButton[kind="danger"] {{ background: {p['danger_bg']}; color: {p['danger_fg']};
                                  border-color: {p['danger_fg']}; }}
    QPushButton[kind="key"] {{ font-size: {f['key']}px; padding: 0px; }}
    QPushButton[hero="true"] {{ font-size: {f['title']}px; }}
    QPushButton[kind="smallkey"] {{ font-size: {f['button']}px; padding: 0px; }}
    QPushButton:checked {{ background: {p['primary_bg']}; color: {p['primary_fg']}; }}
    QPushButton:disabled {{ border-style: dashed; }}
    QPushButton:focus {{ border-color: {p['focus']}; }}
    QLineEdit {{ background: {p['input_bg']}; color: {p['input_fg']};
                 border: 3px solid {p['border']}; border-radius: 8px;
                 font-size: {f['key']}px; padding: 6px 12px; }}
    QScrollArea, QScrollArea > QWidget > QWidget {{ background: {p['bg']}; border: none; }}
    QScrollBar:vertical {{ width: 40px; }}
    """
