"""The seeded catalog of a Ho Chi Minh City ward centre, as the city system serves it.

Codes are the national procedure codes of the national public-service portal (short
form, e.g. ``1.001193``); docs/catalog-sources.md says where each one came from. Names
follow the portal; fees are whole dong, illustrative. Papers are a shared vocabulary so
each is translated once (terms of the project glossary). ``kiosk_receive``: the kiosk
may take the paper dossier in (not when the citizen must sign or be present);
``kiosk_return``: the result may be picked up from a tray; ``online``: also accepted
online; ``boundary_free``: any ward centre of the city takes it, whatever the citizen's
ward. Handling body ``ward`` means the ward centre that received the dossier.
"""
from __future__ import annotations

import hashlib
import json
import sys

CATALOG_PUBLISHED = "2026-11-20"
ISSUER = {"vi": "Ủy ban nhân dân Thành phố Hồ Chí Minh",
          "en": "Ho Chi Minh City People's Committee", "zh": "胡志明市人民委员会"}
# Extra days off and make-up working days the city announced beyond the national
# holiday law (none beyond what the law and the government's swaps already say).
CALENDAR = {"days_off": [], "working_days": []}

D: dict[str, tuple[str, str, str]] = {      # paper id → (vi, en, zh)
    "form": ("Tờ khai theo mẫu", "Application form (prescribed template)", "规定格式申请表"),
    "request": ("Đơn đề nghị", "Written request", "申请书"),
    "id_card": ("Thẻ Căn cước/CCCD của người nộp", "Applicant's ID card", "申请人身份证"),
    "birth_notice": ("Giấy chứng sinh", "Hospital birth notice", "出生医学证明"),
    "birth_cert": ("Giấy khai sinh", "Birth certificate", "出生证"),
    "marriage_cert": ("Giấy chứng nhận kết hôn (nếu có)", "Marriage certificate (if any)",
                      "结婚证（如有）"),
    "death_notice": ("Giấy báo tử", "Death notice", "死亡通知书"),
    "marital_status": ("Giấy xác nhận tình trạng hôn nhân", "Certificate of marital status",
                       "婚姻状况证明"),
    "civil_copy": ("Bản sao giấy tờ hộ tịch đã cấp (nếu có)",
                   "Copy of the civil status paper issued before (if any)",
                   "已发民事身份登记文件副本（如有）"),
    "health_cert": ("Giấy xác nhận không mắc bệnh tâm thần", "Mental health certificate",
                    "精神健康证明"),
    "passport": ("Hộ chiếu", "Passport", "护照"),
    "proof_relation": ("Chứng cứ quan hệ cha, mẹ, con", "Proof of the parent-child "
                       "relationship", "亲子关系证明"),
    "change_basis": ("Giấy tờ làm căn cứ thay đổi, cải chính",
                     "Papers supporting the change or correction", "变更、更正依据文件"),
    "guardian_paper": ("Văn bản cử người giám hộ", "Guardian appointment paper",
                       "监护人指定文件"),
    "guardian_end": ("Giấy tờ làm căn cứ chấm dứt giám hộ", "Papers ending the guardianship",
                     "终止监护依据文件"),
    "adoption": ("Hồ sơ của người nhận và trẻ được nhận làm con nuôi",
                 "Papers of the adoptive parent and of the child", "收养人及被收养儿童材料"),
    "original": ("Bản chính giấy tờ cần chứng thực", "Original paper to be certified",
                 "需认证的原件"),
    "copies": ("Bản sao cần chứng thực", "Copies to be certified", "需认证的副本"),
    "certified_contract": ("Hợp đồng, giao dịch đã được chứng thực",
                           "Contract or transaction certified before", "已认证的合同或交易"),
    "translation": ("Bản dịch và giấy tờ cần dịch", "Translation and the source paper",
                    "译文及原文"),
    "residence_proof": ("Giấy tờ chứng minh chỗ ở hợp pháp", "Proof of lawful residence",
                        "合法住所证明"),
    "owner_consent": ("Ý kiến đồng ý của chủ hộ, chủ sở hữu chỗ ở",
                      "Consent of the household head or owner", "户主或房主同意书"),
    "hkd_request": ("Giấy đề nghị đăng ký hộ kinh doanh",
                    "Household business registration request", "个体工商户登记申请书"),
    "hkd_minutes": ("Biên bản họp thành viên hộ gia đình (nếu nhiều người góp vốn)",
                    "Minutes of the household members' meeting (several owners)",
                    "家庭成员会议纪要（多人出资时）"),
    "hkd_cert": ("Giấy chứng nhận đăng ký hộ kinh doanh",
                 "Household business registration certificate", "个体工商户登记证"),
    "premises_proof": ("Giấy tờ về quyền sử dụng địa điểm kinh doanh",
                       "Proof of the right to use the business premises", "经营场所使用权证明"),
    "land_cert": ("Giấy chứng nhận quyền sử dụng đất", "Land use right certificate",
                  "土地使用权证"),
    "drawings": ("Bản vẽ thiết kế xây dựng", "Construction design drawings", "建筑设计图纸"),
    "permit": ("Giấy phép xây dựng đã cấp", "Construction permit issued", "已发建筑许可证"),
    "medical_records": ("Hồ sơ bệnh án, giấy tờ khám bệnh", "Medical records",
                        "病历及诊疗证明"),
    "disability_cert": ("Giấy xác nhận khuyết tật", "Disability certificate", "残疾证明"),
    "income_survey": ("Phiếu khảo sát thu nhập hộ gia đình", "Household income survey form",
                      "家庭收入调查表"),
    "merit_paper": ("Giấy tờ chứng minh là người có công hoặc thân nhân",
                    "Papers proving merit status or kinship", "有功人员或亲属证明"),
    "veteran_paper": ("Giấy tờ chứng minh là cựu chiến binh / thanh niên xung phong",
                      "Proof of veteran or youth volunteer service", "退伍军人或青年突击队员证明"),
    "proxy": ("Giấy ủy quyền (nếu người được ủy quyền nộp thay)",
              "Power of attorney (if an authorised person hands it in)", "委托书（受托人代办时）"),
}

F: dict[str, tuple[str, str, str]] = {      # field → (vi, en, zh)
    "HT": ("Hộ tịch", "Civil status", "民事身份登记"),
    "NC": ("Nuôi con nuôi", "Adoption", "收养"),
    "CT": ("Chứng thực", "Certification", "认证"),
    "CU": ("Cư trú", "Residence", "居住登记"),
    "KD": ("Hộ kinh doanh", "Small business", "个体工商户"),
    "XD": ("Xây dựng", "Construction", "建筑"),
    "BT": ("Bảo trợ xã hội", "Social welfare", "社会保护"),
    "GN": ("Giảm nghèo", "Poor households", "减贫"),
    "NCC": ("Người có công", "People of merit", "有功人员"),
}
WARD = {"level": "ward", "vi": "Trung tâm Phục vụ hành chính công phường nơi nhận hồ sơ",
        "en": "the Ward Public Administration Service Centre that received the dossier",
        "zh": "受理材料的坊公共行政服务中心"}
HOME_AFFAIRS = {"level": "city", "vi": "Sở Nội vụ Thành phố Hồ Chí Minh",
                "en": "Ho Chi Minh City Department of Home Affairs", "zh": "胡志明市内务厅"}
BODIES = {"ward": WARD, "noi-vu": HOME_AFFAIRS}

# code, field, vi, en, zh, fee, online fee, size, receive, return, online, boundary-free,
# id check, days, body, papers [(paper, originals, copies)]
_P = [
    ("1.001193", "HT", "Đăng ký khai sinh", "Birth registration", "出生登记",
     0, 0, "S", 1, 1, 1, 1, 0, 1, "ward",
     [("form", 1, 0), ("birth_notice", 1, 0), ("marriage_cert", 0, 1), ("proxy", 1, 0)]),
    ("1.000689", "HT", "Đăng ký khai sinh kết hợp nhận cha, mẹ, con",
     "Birth registration with recognition of a parent", "出生登记并认领父母子女",
     0, 0, "S", 1, 1, 1, 1, 1, 3, "ward",
     [("form", 1, 0), ("birth_notice", 1, 0), ("proof_relation", 1, 0)]),
    ("1.004884", "HT", "Đăng ký lại khai sinh", "Re-registration of a birth", "出生补登记",
     5000, 0, "S", 1, 1, 1, 1, 0, 5, "ward",
     [("form", 1, 0), ("civil_copy", 0, 1), ("id_card", 0, 1)]),
    ("1.000894", "HT", "Đăng ký kết hôn", "Marriage registration", "结婚登记",
     0, 0, "S", 1, 0, 1, 1, 1, 1, "ward",
     [("form", 1, 0), ("marital_status", 1, 0), ("id_card", 0, 1)]),
    ("1.004746", "HT", "Đăng ký lại kết hôn", "Re-registration of a marriage", "结婚补登记",
     5000, 0, "S", 1, 0, 1, 1, 1, 5, "ward",
     [("form", 1, 0), ("civil_copy", 0, 1), ("id_card", 0, 1)]),
    ("1.000593", "HT", "Đăng ký kết hôn lưu động", "Marriage registration at home",
     "上门结婚登记", 0, 0, "S", 0, 0, 0, 0, 1, 5, "ward",
     [("form", 1, 0), ("marital_status", 1, 0)]),
    ("1.000656", "HT", "Đăng ký khai tử", "Death registration", "死亡登记",
     0, 0, "S", 1, 1, 1, 1, 0, 1, "ward",
     [("form", 1, 0), ("death_notice", 1, 0), ("proxy", 1, 0)]),
    ("1.005461", "HT", "Đăng ký lại khai tử", "Re-registration of a death", "死亡补登记",
     5000, 0, "S", 1, 1, 1, 1, 0, 5, "ward", [("form", 1, 0), ("civil_copy", 0, 1)]),
    ("1.000419", "HT", "Đăng ký khai tử lưu động", "Death registration at home",
     "上门死亡登记", 0, 0, "S", 0, 0, 0, 0, 0, 5, "ward",
     [("form", 1, 0), ("death_notice", 1, 0)]),
    ("1.004873", "HT", "Cấp Giấy xác nhận tình trạng hôn nhân",
     "Certificate of marital status", "婚姻状况证明", 3000, 0, "S", 1, 1, 1, 1, 1, 3, "ward",
     [("form", 1, 0), ("id_card", 0, 1), ("proxy", 1, 0)]),
    ("2.000635", "HT", "Cấp bản sao Trích lục hộ tịch", "Copy of a civil status extract",
     "民事身份登记摘录副本", 8000, 4000, "S", 1, 1, 1, 1, 0, 1, "ward",
     [("request", 1, 0), ("proxy", 1, 0)]),
    ("1.004837", "HT", "Đăng ký giám hộ", "Guardianship registration", "监护登记",
     0, 0, "S", 1, 1, 1, 1, 1, 3, "ward", [("form", 1, 0), ("guardian_paper", 1, 0)]),
    ("1.004845", "HT", "Đăng ký chấm dứt giám hộ", "Ending a guardianship", "终止监护登记",
     0, 0, "S", 1, 1, 1, 1, 1, 2, "ward", [("form", 1, 0), ("guardian_end", 1, 0)]),
    ("3.000323", "HT", "Đăng ký giám sát việc giám hộ", "Registration of guardianship "
     "supervision", "监护监督登记", 0, 0, "S", 1, 1, 1, 1, 0, 3, "ward",
     [("form", 1, 0), ("guardian_paper", 0, 1)]),
    ("1.001022", "HT", "Đăng ký nhận cha, mẹ, con", "Recognition of a parent or child",
     "认领父母子女登记", 0, 0, "S", 1, 0, 1, 1, 1, 3, "ward",
     [("form", 1, 0), ("proof_relation", 1, 0), ("id_card", 0, 1)]),
    ("1.004859", "HT", "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
     "Change or correction of civil status details", "民事身份信息变更、更正、补充登记",
     15000, 7500, "S", 1, 1, 1, 1, 1, 3, "ward",
     [("form", 1, 0), ("birth_cert", 1, 0), ("change_basis", 0, 1)]),
    ("2.000528", "HT", "Đăng ký khai sinh có yếu tố nước ngoài",
     "Birth registration with a foreign element", "涉外出生登记",
     75000, 37500, "S", 1, 1, 1, 1, 1, 3, "ward",
     [("form", 1, 0), ("birth_notice", 1, 0), ("passport", 0, 1)]),
    ("2.000806", "HT", "Đăng ký kết hôn có yếu tố nước ngoài",
     "Marriage registration with a foreign element", "涉外结婚登记",
     1500000, 750000, "M", 1, 0, 1, 1, 1, 10, "ward",
     [("form", 1, 0), ("marital_status", 1, 0), ("health_cert", 1, 0), ("passport", 0, 1)]),
    ("2.001263", "NC", "Đăng ký việc nuôi con nuôi trong nước", "Domestic adoption",
     "国内收养登记", 400000, 400000, "M", 1, 0, 0, 1, 1, 20, "ward",
     [("adoption", 1, 0), ("id_card", 0, 2)]),
    ("2.000815", "CT", "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
     "Certified copy from the original", "原件副本认证",
     2000, 2000, "S", 1, 1, 0, 1, 0, 0, "ward", [("original", 1, 0), ("copies", 0, 1)]),
    ("2.000884", "CT", "Chứng thực chữ ký trong giấy tờ, văn bản", "Signature certification",
     "签名认证", 10000, 10000, "S", 0, 0, 0, 1, 1, 0, "ward",
     [("id_card", 1, 0), ("original", 1, 0)]),
    ("2.000992", "CT", "Chứng thực chữ ký người dịch là cộng tác viên dịch thuật",
     "Signature of a registered translator", "登记译者签名认证",
     10000, 10000, "S", 0, 0, 0, 1, 1, 0, "ward", [("translation", 1, 0)]),
    ("2.001008", "CT", "Chứng thực chữ ký người dịch không là cộng tác viên dịch thuật",
     "Signature of another translator", "非登记译者签名认证",
     10000, 10000, "S", 0, 0, 0, 1, 1, 0, "ward", [("translation", 1, 0), ("id_card", 1, 0)]),
    ("2.000942", "CT", "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã chứng "
     "thực", "Certified copy of a certified contract", "已认证合同的认证副本",
     2000, 2000, "S", 1, 1, 1, 1, 1, 2, "ward",
     [("request", 1, 0), ("certified_contract", 0, 1)]),
    ("1.004222", "CU", "Đăng ký thường trú", "Permanent residence registration",
     "常住居住登记", 20000, 10000, "S", 1, 1, 1, 1, 0, 7, "ward",
     [("form", 1, 0), ("residence_proof", 0, 1), ("owner_consent", 1, 0)]),
    ("1.004194", "CU", "Đăng ký tạm trú", "Temporary residence registration", "暂住登记",
     15000, 7000, "S", 1, 1, 1, 1, 0, 3, "ward",
     [("form", 1, 0), ("residence_proof", 0, 1), ("owner_consent", 1, 0)]),
    ("1.002755", "CU", "Gia hạn tạm trú", "Extension of temporary residence", "暂住延期",
     15000, 7000, "S", 1, 1, 1, 1, 0, 3, "ward", [("form", 1, 0)]),
    ("1.010028", "CU", "Xóa đăng ký tạm trú", "Ending a temporary residence registration",
     "注销暂住登记", 0, 0, "S", 1, 1, 1, 1, 0, 1, "ward", [("form", 1, 0)]),
    ("1.003197", "CU", "Xóa đăng ký thường trú", "Ending a permanent residence "
     "registration", "注销常住居住登记", 0, 0, "S", 1, 1, 1, 1, 0, 1, "ward",
     [("form", 1, 0), ("death_notice", 0, 1)]),
    ("1.001612", "KD", "Đăng ký thành lập hộ kinh doanh", "Household business registration",
     "个体工商户设立登记", 100000, 50000, "M", 1, 1, 1, 1, 1, 3, "ward",
     [("hkd_request", 1, 0), ("hkd_minutes", 1, 0), ("premises_proof", 0, 1)]),
    ("2.000720", "KD", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
     "Change of a household business registration", "个体工商户登记内容变更",
     100000, 50000, "M", 1, 1, 1, 1, 1, 3, "ward", [("hkd_request", 1, 0), ("hkd_cert", 1, 0)]),
    ("2.000575", "KD", "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh",
     "Reissue of a household business certificate", "个体工商户登记证补发",
     100000, 50000, "S", 1, 1, 1, 1, 1, 3, "ward", [("hkd_request", 1, 0)]),
    ("1.001570", "KD", "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn của hộ kinh "
     "doanh", "Pausing or resuming a household business", "个体工商户暂停或提前恢复经营",
     0, 0, "S", 1, 1, 1, 1, 0, 3, "ward", [("request", 1, 0)]),
    ("1.001266", "KD", "Chấm dứt hoạt động hộ kinh doanh", "Closing a household business",
     "个体工商户终止经营", 0, 0, "S", 1, 1, 1, 1, 0, 3, "ward",
     [("request", 1, 0), ("hkd_cert", 1, 0)]),
    ("1.013225", "XD", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
     "Construction permit for a detached house", "独立住宅新建建筑许可证",
     75000, 75000, "L", 1, 1, 1, 1, 1, 15, "ward",
     [("request", 1, 0), ("land_cert", 0, 1), ("drawings", 2, 0)]),
    ("1.013226", "XD", "Cấp điều chỉnh giấy phép xây dựng", "Amendment of a construction "
     "permit", "建筑许可证调整", 75000, 75000, "L", 1, 1, 1, 1, 1, 15, "ward",
     [("request", 1, 0), ("permit", 1, 0), ("drawings", 2, 0)]),
    ("1.013227", "XD", "Gia hạn giấy phép xây dựng", "Extension of a construction permit",
     "建筑许可证延期", 15000, 15000, "M", 1, 1, 1, 1, 1, 5, "ward",
     [("request", 1, 0), ("permit", 1, 0)]),
    ("1.013228", "XD", "Cấp lại giấy phép xây dựng", "Reissue of a construction permit",
     "建筑许可证补发", 15000, 15000, "M", 1, 1, 1, 1, 1, 5, "ward",
     [("request", 1, 0), ("permit", 0, 1)]),
    ("1.001776", "BT", "Trợ giúp xã hội thường xuyên (trợ cấp xã hội hằng tháng)",
     "Monthly social allowance", "每月社会补助", 0, 0, "S", 1, 1, 1, 1, 0, 15, "ward",
     [("form", 1, 0), ("birth_cert", 0, 1), ("disability_cert", 0, 1)]),
    ("1.001699", "BT", "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận "
     "khuyết tật", "Disability level assessment and certificate", "残疾程度认定及残疾证明",
     0, 0, "S", 1, 1, 1, 1, 0, 20, "ward", [("form", 1, 0), ("medical_records", 0, 1)]),
    ("1.001653", "BT", "Đổi, cấp lại Giấy xác nhận khuyết tật", "Renewal or reissue of a "
     "disability certificate", "残疾证明换发或补发", 0, 0, "S", 1, 1, 1, 1, 0, 5, "ward",
     [("form", 1, 0), ("disability_cert", 1, 0)]),
    ("1.001731", "BT", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
     "Funeral support for a person on social protection", "社会保护对象丧葬补助",
     0, 0, "S", 1, 1, 1, 1, 0, 3, "ward", [("form", 1, 0), ("death_notice", 0, 1)]),
    ("1.014028", "BT", "Hỗ trợ chi phí mai táng cho người hưởng trợ cấp hưu trí xã hội",
     "Funeral support for a social pension holder", "社会养老金领取者丧葬补助",
     0, 0, "S", 1, 1, 1, 1, 0, 3, "ward", [("form", 1, 0), ("death_notice", 0, 1)]),
    ("2.002307", "NCC", "Giải quyết chế độ mai táng phí đối với cựu chiến binh",
     "Funeral allowance for a veteran", "退伍军人丧葬费", 0, 0, "S", 1, 1, 1, 1, 0, 10,
     "noi-vu", [("form", 1, 0), ("death_notice", 0, 1), ("veteran_paper", 0, 1)]),
    ("2.002308", "NCC", "Giải quyết chế độ mai táng phí đối với thanh niên xung phong",
     "Funeral allowance for a former youth volunteer", "前青年突击队员丧葬费",
     0, 0, "S", 1, 1, 1, 1, 0, 10, "noi-vu",
     [("form", 1, 0), ("death_notice", 0, 1), ("veteran_paper", 0, 1)]),
    ("1.010803", "NCC", "Giải quyết trợ cấp thờ cúng liệt sĩ", "Allowance for the worship "
     "of a martyr", "烈士祭祀补助", 0, 0, "S", 1, 1, 1, 1, 1, 15, "noi-vu",
     [("form", 1, 0), ("merit_paper", 0, 1)]),
    ("1.010833", "NCC", "Cấp giấy xác nhận thân nhân của người có công",
     "Certificate of kinship with a person of merit", "有功人员亲属证明",
     0, 0, "S", 1, 1, 1, 1, 1, 5, "ward", [("request", 1, 0), ("merit_paper", 0, 1)]),
    ("1.011607", "GN", "Công nhận hộ nghèo, hộ cận nghèo thường xuyên hằng năm",
     "Poor or near-poor household recognition (yearly)", "年度贫困户、近贫困户认定",
     0, 0, "S", 1, 1, 1, 1, 0, 15, "ward", [("request", 1, 0), ("income_survey", 1, 0)]),
    ("1.011608", "GN", "Công nhận hộ thoát nghèo, hộ thoát cận nghèo",
     "Recognition of leaving poverty", "脱贫、脱离近贫困认定",
     0, 0, "S", 1, 1, 1, 1, 0, 15, "ward", [("request", 1, 0), ("income_survey", 1, 0)]),
]


def procedures() -> list[dict]:
    """The catalog's procedures as the API serves them."""
    out = []
    for (code, field, vi, en, zh, fee, fee_online, size, receive, ret, online, free_b,
         id_check, days, body, papers) in _P:
        fld = dict(zip(("vi", "en", "zh"), F[field]))
        docs = [{"id": d, "vi": D[d][0], "en": D[d][1], "zh": D[d][2], "originals": o,
                 "copies": c} for d, o, c in papers]
        out.append({
            "code": code, "name": {"vi": vi, "en": en, "zh": zh},
            "field": fld, "category": fld,
            "handling_body": dict(BODIES[body]),
            "processing_days": days, "fee": fee, "fee_online": fee_online,
            "tray_size": size, "kiosk_receive": bool(receive), "kiosk_return": bool(ret),
            "online": bool(online), "boundary_free": bool(free_b), "id_check": bool(id_check),
            "papers": docs, "documents": docs,
        })
    return out


def by_code() -> dict[str, dict]:
    return {p["code"]: p for p in procedures()}


def document() -> dict:
    """The whole ``GET /catalog`` body: version, publication date, calendar, procedures."""
    procs = procedures()
    text = json.dumps([procs, CALENDAR], ensure_ascii=False, sort_keys=True)
    version = f"{CATALOG_PUBLISHED}.{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    return {"version": version, "published": CATALOG_PUBLISHED, "issuer": ISSUER,
            "calendar": CALENDAR, "procedures": procs}


if __name__ == "__main__":      # python -m sim.city.catalog > kiosk/catalog/snapshot.json
    json.dump(document(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
