"""Made-up citizens for scripted days: names, mobile numbers, ID numbers and the text of
the QR on their chip ID card (CCCD). Deterministic for a seed; nobody real."""
from __future__ import annotations

import random
from dataclasses import dataclass

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
          "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Kim", "Minh"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc"]
GIVEN_F = ["Mai", "Lan", "Hoa", "Hương", "Trang", "Thảo", "Linh", "Hạnh", "Yến", "Ngân"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Phúc", "Tâm"]
STREETS = ["Nguyễn Trãi", "Hậu Giang", "Cao Văn Lầu", "Kinh Dương Vương", "Bình Tiên",
           "Lê Quang Sung", "Phạm Văn Chí", "Tân Hòa Đông"]
MOBILE_PREFIXES = ["091", "094", "088", "098", "097", "086", "090", "093", "089", "070",
                   "079", "077", "076", "078", "081", "082", "083", "084", "085", "032",
                   "033", "034", "035", "036", "037", "038", "039", "056", "058"]


@dataclass(frozen=True)
class Citizen:
    name: str
    phone: str          # 10 digits, 0xxxxxxxxx
    id_number: str      # 12 digits
    old_id: str
    birth: str          # DDMMYYYY
    gender: str
    address: str
    issued: str

    def cccd_qr(self) -> str:
        """The text of the QR on the card (seven fields separated by |)."""
        return "|".join([self.id_number, self.old_id, self.name, self.birth, self.gender,
                         self.address, self.issued])

    @property
    def masked_phone(self) -> str:
        return "*" * 7 + self.phone[-3:]


def make_citizens(count: int, seed: int = 0) -> list[Citizen]:
    rng = random.Random(f"citizens-{seed}")
    out, phones = [], set()
    for i in range(count):
        female = rng.random() < 0.5
        name = " ".join([rng.choice(FAMILY), rng.choice(MIDDLE_F if female else MIDDLE_M),
                         rng.choice(GIVEN_F if female else GIVEN_M)])
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 7):07d}"
            if phone not in phones:
                phones.add(phone)
                break
        year = rng.randrange(1945, 2006)
        province = rng.choice(["079", "080", "083", "086", "087"])
        century_gender = (0 if year < 2000 else 2) + (1 if female else 0)
        id_number = f"{province}{century_gender}{year % 100:02d}{rng.randrange(10 ** 6):06d}"
        out.append(Citizen(
            name=name, phone=phone, id_number=id_number,
            old_id=f"{rng.randrange(10 ** 9):09d}" if rng.random() < 0.5 else "",
            birth=f"{rng.randrange(1, 29):02d}{rng.randrange(1, 13):02d}{year}",
            gender="Nữ" if female else "Nam",
            address=f"{rng.randrange(1, 400)} {rng.choice(STREETS)}, Phường "
                    f"{rng.randrange(1, 15)}, Quận 6, TP.HCM",
            issued=f"{rng.randrange(1, 29):02d}{rng.randrange(1, 13):02d}"
                   f"{rng.randrange(2021, 2025)}"))
    return out
