"""What the engine says to people, in Vietnamese and English: the catalogue of message ids.

An error or a refusal carries a message id and the values its sentence names (see
:mod:`workflow.errors`); :func:`say` finds the sentence in :data:`CATALOGUE` for the request's
language and fills it in. Values are codes; each is shown by the label its *name* calls for
(:data:`KINDS`): a ``state`` by the flow's state label, a ``doctype`` by the document's label,
a ``unit`` by the directory's name, an ``award`` by the catalogue's title, a nested
``reason`` by its own sentence, and so on (:class:`~workflow.web.labels.Names` looks them up).
A list reads as its items joined. A name not in :data:`KINDS` is shown as it is (numbers,
what someone typed).

An error without a message id, or with one the catalogue lacks, reads as the generic sentence
of its HTTP status in Vietnamese (never the English engine message) and as the engine's
message in English; ``tests/test_messages.py`` keeps the engine's raises and this catalogue in
step.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any

from workflow.errors import AwardError, Reason
from workflow.web.labels import Names

__all__ = ["CATALOGUE", "KINDS", "placeholders", "say", "say_error"]

#: message id → (Vietnamese, English), ``str.format`` placeholders named as in :data:`KINDS`.
CATALOGUE: dict[str, tuple[str, str]] = {
    # ---- moving an item ----------------------------------------------------------------------
    "fire.not_here": ("Không thể “{trigger}” khi hồ sơ đang ở bước “{state}”. Lúc này có thể: "
                      "{triggers}.",
                      "“{trigger}” is not possible while the nomination is at “{state}”. "
                      "Possible now: {triggers}."),
    "fire.unknown": ("Quy trình không có thao tác này. Lúc này có thể: {triggers}.",
                     "The procedure has no such action. Possible now: {triggers}."),
    "fire.waiting": ("Không thể “{trigger}” khi hồ sơ đang ở bước “{state}”: bước này do hệ "
                     "thống tự chuyển.",
                     "“{trigger}” is not possible while the nomination is at “{state}”: the "
                     "engine moves it on from there."),
    "fire.final": ("Hồ sơ đã kết thúc ở bước “{state}”; không còn thao tác nào.",
                   "The nomination ended at “{state}”; nothing more can be done."),
    "fire.comment_required": ("“{trigger}” cần ghi ý kiến.", "“{trigger}” needs a comment."),
    "guard.refused": ("Chưa thể “{trigger}”: {reason}.", "“{trigger}” is not possible yet: "
                      "{reason}."),
    "guard.unknown": ("không đáp ứng điều kiện", "a condition is not met"),
    "guard.fields_missing": ("còn thiếu thông tin bắt buộc: {fields}",
                             "required details are missing: {fields}"),
    "guard.documents_missing": ("hồ sơ còn thiếu: {doctypes}", "the dossier lacks: {doctypes}"),
    "guard.open_objections": ("còn {count} góp ý, phản ánh chưa được kết luận",
                              "{count} objection(s) still open"),
    "guard.field.eq": ("“{field}” phải là {value}", "“{field}” must be {value}"),
    "guard.field.ne": ("“{field}” không được là {value}", "“{field}” must not be {value}"),
    "guard.field.lt": ("“{field}” phải nhỏ hơn {value}", "“{field}” must be below {value}"),
    "guard.field.le": ("“{field}” không được lớn hơn {value}",
                       "“{field}” must be at most {value}"),
    "guard.field.gt": ("“{field}” phải lớn hơn {value}", "“{field}” must be above {value}"),
    "guard.field.ge": ("“{field}” phải từ {value} trở lên", "“{field}” must be at least {value}"),
    "guard.field.in": ("“{field}” phải là một trong: {value}",
                       "“{field}” must be one of: {value}"),
    "guard.field.not_in": ("“{field}” không được là: {value}",
                           "“{field}” must not be: {value}"),
    "guard.field.present": ("cần có “{field}”", "“{field}” must be given"),
    "guard.field.absent": ("“{field}” phải để trống", "“{field}” must be left empty"),
    # ---- eligibility (the catalogue's rules) -------------------------------------------------
    "eligible.unknown_award": ("danh hiệu “{award}” không có trong danh mục",
                               "the award “{award}” is not in the catalogue"),
    "eligible.needs_person": ("xét “{award}” cần lịch sử khen thưởng của người được đề nghị: "
                              "hãy chọn người đó trong danh bạ khi tạo hồ sơ",
                              "“{award}” needs the nominee's award history: choose the "
                              "nominee from the directory when nominating"),
    "eligible.failed": ("chưa đủ điều kiện “{award}”: {reason}",
                        "not yet eligible for “{award}”: {reason}"),
    "rule.all": ("{rules}", "{rules}"),
    "rule.any": ("một trong: {rules}", "one of: {rules}"),
    "rule.not": ("không {rule}", "not {rule}"),
    "rule.held.same": ("đạt “{award}” trong năm xét", "“{award}” in the nomination's year"),
    "rule.held.previous": ("đạt “{award}” năm trước", "“{award}” in the year before"),
    "rule.held.any": ("đã từng đạt “{award}”", "“{award}” in any year"),
    "rule.streak.same": ("“{award}” {years} năm liên tục đến năm xét",
                         "“{award}” in {years} consecutive years up to that year"),
    "rule.streak.previous": ("“{award}” {years} năm liên tục đến năm trước",
                             "“{award}” in {years} consecutive years up to the year before"),
    "rule.count": ("“{award}” ít nhất {at_least} lần{within}{since}",
                   "“{award}” at least {at_least} times{within}{since}"),
    "rule.within": (" trong {years} năm", " within {years} years"),
    "rule.since": (" kể từ khi đạt “{award}”", " since “{award}”"),
    "rule.field.eq": ("“{field}” là {value}", "“{field}” is {value}"),
    "rule.field.ne": ("“{field}” khác {value}", "“{field}” is not {value}"),
    "rule.field.lt": ("“{field}” nhỏ hơn {value}", "“{field}” below {value}"),
    "rule.field.le": ("“{field}” không quá {value}", "“{field}” at most {value}"),
    "rule.field.gt": ("“{field}” lớn hơn {value}", "“{field}” above {value}"),
    "rule.field.ge": ("“{field}” từ {value} trở lên", "“{field}” at least {value}"),
    "rule.field.in": ("“{field}” là một trong: {value}", "“{field}” one of: {value}"),
    "rule.field.not_in": ("“{field}” không thuộc: {value}", "“{field}” none of: {value}"),
    "rule.field.present": ("có “{field}”", "“{field}” given"),
    "rule.field.absent": ("không có “{field}”", "no “{field}”"),
    "rule.nominee": ("đối tượng là {kinds}", "the nominee is {kinds}"),
    "rule.cluster_leader": ("dẫn đầu cụm, khối thi đua trong năm",
                            "leads its emulation cluster's ranking in the year"),
    "rule.none_of": ("chưa đáp ứng điều kiện nào trong số: {reasons}",
                     "none of these is met: {reasons}"),
    "rule.must_not": ("không được {rule}", "must not have {rule}"),
    "rule.needs": ("cần {rule}", "needs {rule}"),
    "rule.needs_has": ("cần {rule} (hiện có {has})", "needs {rule} (has {has})"),
    "rule.needs_first": ("cần đạt “{award}” trước (để xét {rule})",
                         "needs “{award}” first (for {rule})"),
    "rule.needs_is": ("cần {rule} (hiện là {value})", "needs {rule} (is {value})"),
    # ---- the item, its fields and dossier ----------------------------------------------------
    "item.unknown": ("Không tìm thấy hồ sơ số {id}.", "No nomination {id}."),
    "item.changed": ("Hồ sơ số {id} vừa được người khác thay đổi. Vui lòng tải lại trang rồi "
                     "thử lại.",
                     "Nomination {id} was just changed by someone else. Reload the page and "
                     "try again."),
    "item.final_fields": ("Hồ sơ đã kết thúc (“{state}”): không sửa được thông tin.",
                          "The nomination has ended (“{state}”): its details are frozen."),
    "item.final_dossier": ("Hồ sơ đã kết thúc (“{state}”): không bổ sung tài liệu được nữa.",
                           "The nomination has ended (“{state}”): the dossier is closed."),
    "id.unknown": ("Không tìm thấy {what} này.", "No such {what}."),
    "nominate.unit_not_collective": ("Chỉ quy trình khen thưởng tập thể mới chọn đơn vị được "
                                     "đề nghị.", "Only a collective flow takes a nominee unit."),
    "nominate.person_collective": ("Quy trình này đề nghị khen thưởng tập thể (một đơn vị), "
                                   "không chọn cá nhân.", "This flow nominates a collective (a "
                                   "unit), not a person."),
    "nominate.unit_elsewhere": ("Đơn vị được đề nghị không phải đơn vị đề nghị hoặc đơn vị "
                                "trực thuộc.", "The nominee unit is not the nominating unit or "
                                "one below it."),
    "nominate.no_name": ("Cần nhập họ và tên người (hoặc tên tập thể) được đề nghị.",
                         "Give the nominee's name."),
    "nominate.name_mismatch": ("Họ tên đã nhập không khớp với người có tên đăng nhập "
                               "“{person}” trong danh bạ; hãy nhập đúng họ tên như trong danh "
                               "bạ.",
                               "The name given is not the name the directory has for "
                               "“{person}”; give it as the directory has it."),
    "nominate.denied": ("Bạn không có quyền tạo hồ sơ theo quy trình “{flow}”.",
                        "You may not nominate in “{flow}”."),
    "unit.unknown": ("Không có đơn vị “{unit}” trong danh bạ.",
                     "No unit “{unit}” in the directory."),
    "nominate.works_elsewhere": ("Người được chọn không công tác tại đơn vị đề nghị hoặc "
                                 "đơn vị trực thuộc.",
                                 "The person chosen does not work at the nominating unit or a "
                                 "unit below it."),
    "person.unknown": ("Không có ai có tên đăng nhập “{person}” trong danh bạ.",
                       "Nobody with the login “{person}” in the directory."),
    "fields.assignment": ("Hãy ghi thông tin theo dạng TÊN=GIÁ TRỊ.", "Write KEY=VALUE."),
    "fields.unknown": ("Quy trình này không có thông tin “{field}”; các thông tin: {fields}.",
                       "This procedure has no detail “{field}”; its details: {fields}."),
    "fields.too_long": ("“{field}” dài quá {max} ký tự.",
                        "“{field}” is longer than {max} characters."),
    "fields.integer": ("“{field}” phải là số nguyên.", "“{field}” must be a whole number."),
    "fields.number": ("“{field}” phải là một số.", "“{field}” must be a number."),
    "fields.not_text": ("“{field}” phải là chữ.", "“{field}” must be text."),
    "fields.control": ("“{field}” không được chứa ký tự điều khiển (như NUL).",
                       "“{field}” must not contain control characters (such as NUL)."),
    "fields.boolean": ("“{field}” phải là Có hoặc Không.", "“{field}” must be yes or no."),
    "fields.date": ("“{field}” phải là một ngày (năm-tháng-ngày).",
                    "“{field}” must be a date (year-month-day)."),
    "fields.enum": ("“{field}” phải là một trong: {choices}.",
                    "“{field}” must be one of: {choices}."),
    "fields.min": ("“{field}” phải từ {min} trở lên.", "“{field}” must be at least {min}."),
    "fields.max": ("“{field}” không được lớn hơn {max}.", "“{field}” must be at most {max}."),
    "fields.range": ("“{field}” phải trong khoảng {min} đến {max}.",
                     "“{field}” must lie between {min} and {max}."),
    "attach.unknown_type": ("Quy trình này không có loại tài liệu “{doctype}”; các loại: "
                            "{doctypes}.",
                            "This procedure has no document type “{doctype}”; its types: "
                            "{doctypes}."),
    "attach.no_file": ("Không tìm thấy tệp “{name}”.", "No file “{name}”."),
    "attach.folder": ("“{name}” là thư mục, không phải tệp.", "“{name}” is a folder, not a file."),
    "attach.unreadable": ("Không đọc được tệp “{name}”.", "Cannot read “{name}”."),
    "attach.too_large": ("Tệp “{name}” lớn hơn {mib} MiB.", "“{name}” is larger than {mib} MiB."),
    "attach.frozen": ("Hồ sơ đã được khóa từ khi trình (đang ở bước “{state}”); chỉ có thể "
                      "thay đổi khi hồ sơ bị trả lại để bổ sung.",
                      "The dossier is frozen since it was submitted (at “{state}”); it can "
                      "change again only if it is returned."),
    "edit.denied": ("Chỉ đơn vị lập hồ sơ mới sửa được thông tin của hồ sơ này.",
                    "Only the unit that prepared this nomination may edit its details."),
    "receipt.unknown": ("Không có góp ý nào với mã tiếp nhận này; hãy kiểm tra lại mã.",
                        "No objection has that receipt code; please check it."),
    "attach.empty": ("Tệp “{name}” rỗng.", "“{name}” is empty."),
    "attach.none_to_withdraw": ("Hồ sơ không có “{doctype}” để rút.",
                                "The dossier holds no “{doctype}” to withdraw."),
    "attach.not_regular": ("“{name}” không phải là một tệp thông thường.",
                           "“{name}” is not a regular file."),
    "attach.name_too_long": ("Tên tệp dài quá {max} ký tự; hãy đặt tên ngắn hơn.",
                             "The file name is longer than {max} characters; shorten it."),
    "delivery.no_server": ("Chưa cấu hình máy chủ thư điện tử; thư vẫn nằm trong hàng đợi.",
                           "No mail server is configured; messages stay in the outbox."),
    "ballot.none_open": ("Hồ sơ này không có phiên bỏ phiếu nào đang mở.",
                         "This nomination has no open ballot."),
    "text.control": ("Nội dung không được chứa ký tự điều khiển (như NUL).",
                     "The text must not contain control characters (such as NUL)."),
    "text.too_long": ("Nội dung dài quá {max} ký tự.", "The text is longer than {max} characters."),
    # ---- ballots -----------------------------------------------------------------------------
    "vote.not_voting": ("Hồ sơ không ở bước bỏ phiếu (đang ở “{state}”).",
                        "The nomination is not in a vote (it is at “{state}”)."),
    "vote.closed": ("Vòng bỏ phiếu đã kết thúc.", "The ballot round is closed."),
    "vote.bad_choice": ("Hãy chọn Đồng ý, Không đồng ý hoặc Không biểu quyết.",
                        "Choose yes, no or abstain."),
    "vote.not_on_roll": ("“{member}” không có trong danh sách thành viên Hội đồng ({council}).",
                         "“{member}” is not on the roll of the council ({council})."),
    "vote.own_nomination": ("Người được đề nghị không bỏ phiếu cho hồ sơ của chính mình.",
                            "The nominee does not vote on their own nomination."),
    "vote.recused": ("“{member}” đã khai báo xung đột lợi ích nên không bỏ phiếu.",
                     "“{member}” declared a conflict of interest and does not vote."),
    "vote.twice": ("“{member}” đã bỏ phiếu trong vòng này.",
                   "“{member}” has already voted in this round."),
    "vote.no_council": ("Không tìm thấy Hội đồng phụ trách {unit}.",
                        "No council is responsible for {unit}."),
    "vote.empty_council": ("Hội đồng ({council}) chưa có thành viên nào.",
                           "The council ({council}) has no members."),
    "recuse.twice": ("Bạn đã khai báo xung đột lợi ích.",
                     "You have already declared a conflict of interest."),
    "recuse.after_vote": ("Bạn đã bỏ phiếu nên không khai báo xung đột lợi ích được nữa.",
                          "You have voted and can no longer declare a conflict."),
    # ---- notices and objections --------------------------------------------------------------
    "notice.no_publisher": ("Không tìm thấy đơn vị công khai cho {unit}.",
                            "No publishing unit for {unit}."),
    "public.no_nominee": ("Không có hồ sơ số {id} trên bảng thông báo công khai.",
                          "No nominee {id} on a public notice."),
    "objection.empty": ("Cần nhập nội dung góp ý, phản ánh.", "Write your objection."),
    "objection.too_long": ("Nội dung góp ý dài quá {max} ký tự.",
                           "An objection is at most {max} characters."),
    "objection.decided": ("Hồ sơ đã có kết quả (“{state}”); khiếu nại về quyết định thực hiện "
                          "theo Luật Khiếu nại.",
                          "The nomination is decided (“{state}”); a complaint about the "
                          "decision follows the Law on Complaints."),
    "objection.window_closed": ("Thời gian lấy ý kiến về hồ sơ này đã kết thúc.",
                                "The comment window for this nomination is closed."),
    "objection.not_on_notice": ("Hồ sơ này hiện không được công khai lấy ý kiến.",
                                "This nomination is not on public notice now."),
    "objection.unknown": ("Không tìm thấy góp ý số {id}.", "No objection {id}."),
    "hold.no_origin": ("Hồ sơ không có bước nào để trở lại.",
                       "The nomination has no step to return to."),
    "resolve.bad_outcome": ("Hãy chọn kết luận: bác bỏ hoặc chấp nhận.",
                            "Choose the outcome: dismissed or upheld."),
    "resolve.denied": ("Chỉ cơ quan thường trực của {unit} hoặc cấp trên kết luận được góp ý "
                       "này.",
                       "Only the secretariat of {unit} or above may resolve this objection."),
    "resolve.twice": ("Góp ý số {id} đã được kết luận ({status}).",
                      "Objection {id} is already resolved ({status})."),
    "resolve.comment_required": ("Cần nhập nội dung kết luận.", "Write the conclusion."),
    "resolve.reason_required": ("Chấp nhận khiếu nại này là hủy bỏ khen thưởng của hồ sơ số "
                                "{id}: cần nhập lý do hủy bỏ.",
                                "Upholding this complaint revokes the award of nomination {id}: "
                                "give the reason for the revocation."),
    "objection.revoked": ("Khen thưởng của hồ sơ số {id} đã bị hủy bỏ.",
                          "The award of nomination {id} has been revoked."),
    "objection.bad_kind": ("Loại đơn không hợp lệ: chọn góp ý, khiếu nại, tố cáo hoặc kiến "
                           "nghị.",
                           "Unknown kind of objection: choose a comment, complaint, "
                           "denunciation or petition."),
    "extend.denied": ("Chỉ cơ quan thường trực của {unit} hoặc cấp trên gia hạn được đơn này.",
                      "Only the secretariat of {unit} or above may extend this objection."),
    "extend.closed": ("Đơn số {id} đã được kết luận ({status}), không gia hạn được.",
                      "Objection {id} is already resolved ({status}); it cannot be extended."),
    "extend.not_allowed": ("Loại đơn này ({kind}) không được gia hạn thời hạn giải quyết.",
                           "This kind of objection ({kind}) has no extension."),
    "extend.twice": ("Đơn số {id} đã được gia hạn; pháp luật chỉ cho gia hạn một lần.",
                     "Objection {id} was already extended; the law allows one extension."),
    "extend.reason_required": ("Cần nhập lý do gia hạn.", "Give the reason for the extension."),
    # ---- decisions, the register, revocation -------------------------------------------------
    "decision.no_items": ("Quyết định cần ít nhất một hồ sơ.",
                          "A decision needs at least one nomination."),
    "decision.too_many": ("Một quyết định có tối đa {max} hồ sơ.",
                          "A decision lists at most {max} nominations."),
    "decision.twice": ("Hồ sơ số {id} có hai lần trong danh sách.",
                       "Nomination {id} is listed twice."),
    "decision.bad_number": ("Số quyết định {number} không hợp lệ (từ 1 đến 999999).",
                            "Decision number {number} is not valid (1 to 999999)."),
    "decision.bad_date": ("Ngày quyết định “{date}” không đúng dạng năm-tháng-ngày.",
                          "The decision's date “{date}” is not a year-month-day date."),
    "decision.future_date": ("Ngày quyết định {date} chưa đến: quyết định mang ngày ký.",
                             "The decision's date {date} is still to come: a decision is "
                             "dated when it is signed."),
    "decision.not_awardable": ("Hồ sơ số {id} chưa thể quyết định khen thưởng: đang ở bước "
                               "“{state}”. Chưa quyết định hồ sơ nào.",
                               "Nomination {id} cannot be awarded now: it is at “{state}”. "
                               "Nothing was decided."),
    "decision.item_refused": ("Hồ sơ số {id} chưa thể quyết định khen thưởng: {reason} Chưa "
                              "quyết định hồ sơ nào.",
                              "Nomination {id} cannot be awarded: {reason} Nothing was "
                              "decided."),
    "decision.other_issuer": ("Hồ sơ số {id} do {unit} quyết định, không phải {issuer}: một "
                              "quyết định chỉ có một cấp ban hành. Chưa quyết định hồ sơ nào.",
                              "Nomination {id} is decided by {unit}, not {issuer}: a decision "
                              "has one issuer. Nothing was decided."),
    "decision.number_used": ("Số quyết định {number} đã dùng (ngày {date}); số quyết định "
                             "không bao giờ dùng lại.",
                             "Decision number {number} is already used (dated {date}); "
                             "numbers are never reused."),
    "decision.needs_decider": ("Chỉ người có thẩm quyền quyết định khen thưởng (thủ trưởng đơn "
                               "vị, chủ tịch) mới ký quyết định khen thưởng.",
                               "Only a decider (a unit head, a chairman) signs award "
                               "decisions."),
    "decision.unknown": ("Không tìm thấy quyết định số {id}.", "No decision {id}."),
    "decision.no_document": ("Quyết định {number} chưa có văn bản.",
                             "Decision {number} has no document."),
    "award.granted_already": ("Một thành tích chỉ khen thưởng một lần: người được đề nghị đã "
                              "được tặng “{award}” năm {year} (khen thưởng mã {grant}, quyết "
                              "định {decision}).",
                              "One achievement, one award: the nominee already holds “{award}” "
                              "for {year} (award {grant}, decision {decision})."),
    "award.imported_already": ("Một thành tích chỉ khen thưởng một lần: người được đề nghị "
                               "đã được tặng “{award}” năm {year} (khen thưởng mã {grant}, "
                               "ghi nhận từ hồ sơ cũ).",
                               "One achievement, one award: the nominee already holds "
                               "“{award}” for {year} (award {grant}, recorded from earlier "
                               "files)."),
    "award.open_already": ("Một thành tích chỉ khen thưởng một lần: người được đề nghị đã có "
                           "hồ sơ số {id} đề nghị “{award}” năm {year}, đang ở bước “{state}”.",
                           "One achievement, one award: the nominee is already proposed for "
                           "“{award}” for {year} in nomination #{id}, at “{state}”."),
    "decision.granted_already": ("Hồ sơ số {id} chưa thể quyết định khen thưởng: {reason} "
                                 "Chưa quyết định hồ sơ nào.",
                                 "Nomination {id} cannot be awarded: {reason} Nothing was "
                                 "decided."),
    "decision.twice_in_batch": ("Hồ sơ số {id} và hồ sơ số {first} cùng đề nghị “{award}” năm "
                                "{year} cho một người: một thành tích chỉ khen thưởng một "
                                "lần. Chưa quyết định hồ sơ nào.",
                                "Nominations {first} and {id} both grant “{award}” for {year} "
                                "to one nominee: one achievement, one award. Nothing was "
                                "decided."),
    "grant.unknown": ("Không có khen thưởng mã {id} trong sổ.",
                      "No award {id} in the register."),
    "revoke.denied": ("Chỉ người có thẩm quyền quyết định khen thưởng ({roles}) hủy bỏ được "
                      "khen thưởng này.",
                      "Only the authority that decides this award ({roles}) may revoke it."),
    "revoke.no_reason": ("Cần nhập lý do hủy bỏ khen thưởng.",
                         "Give the reason for the revocation."),
    "revoke.twice": ("Khen thưởng mã {id} đã ở trạng thái “{status}”.",
                     "Award {id} is already {status}."),
    "registry.bad_status": ("Trạng thái “{status}” không có: chọn còn hiệu lực hoặc đã hủy bỏ.",
                            "No status “{status}”: choose granted or revoked."),
    "registry.bad_source": ("Nguồn “{source}” không có: chọn theo quyết định hoặc nhập từ hồ sơ "
                            "cũ.", "No source “{source}”: choose decision or imported."),
    "lookup.bad_page": ("Trang {page} không có.", "There is no page {page}."),
    # ---- confirmations -----------------------------------------------------------------------
    "confirm.not_here": ("Hồ sơ đang ở bước “{state}”, không lấy xác nhận ở bước này.",
                         "The nomination is at “{state}”, which takes no confirmations."),
    "confirm.bad_decision": ("Hãy chọn đồng ý hoặc không xác nhận.", "Choose yes or no."),
    "confirm.unknown_key": ("Bước này không có xác nhận “{key}”.",
                            "This step has no confirmation “{key}”."),
    "confirm.twice": ("“{key}” đã được xác nhận.", "“{key}” is already signed off."),
    # ---- who may do what ---------------------------------------------------------------------
    "access.needs_role": ("Bạn không có quyền thực hiện việc này; cần một trong các vai trò: "
                          "{roles}.",
                          "You are not allowed to do this; it needs one of: {roles}."),
    "access.not_system": ("“{trigger}” không do hệ thống thực hiện.",
                          "“{trigger}” is not done by the engine."),
    "access.system_only": ("“{trigger}” chỉ do hệ thống tự thực hiện.",
                           "“{trigger}” is done by the engine only."),
    "access.not_visible": ("Bạn không có quyền xem hồ sơ số {id}.",
                           "You may not see nomination {id}."),
    "access.own_case": ("Không ai tự quyết định khen thưởng cho mình: hồ sơ số {id} do cấp "
                        "trên ({unit}) quyết định.",
                        "Nobody decides their own case: nomination {id} is decided by the "
                        "level above ({unit})."),
    "access.own_case_refused": ("Không ai tự quyết định khen thưởng cho mình: bạn không thể "
                                "quyết định hồ sơ số {id}, và hồ sơ không được chuyển lên "
                                "cấp trên.",
                                "Nobody decides their own case: you may not decide nomination "
                                "{id}, and it is not sent to the level above."),
    "access.routed_up": ("Người được đề nghị của hồ sơ số {id} là người quyết định ở cấp này, "
                         "nên hồ sơ do cấp trên ({unit}) quyết định; cần vai trò: {roles}.",
                         "The nominee of nomination {id} decides at this level, so the level "
                         "above ({unit}) decides it; it needs: {roles}."),
    "audit.needs_auditor": ("Trang này dành cho kiểm toán viên.", "This page is for auditors."),
    "audit.export_denied": ("Chỉ kiểm toán viên của {units} xuất được toàn bộ nhật ký.",
                            "Only an auditor at {units} may export the whole audit trail."),
    "audit.item_denied": ("Chỉ kiểm toán viên của {unit} hoặc cấp trên xem được nhật ký của hồ "
                          "sơ số {id}.",
                          "Only an auditor at {unit} or above may read the audit trail of "
                          "nomination {id}."),
    "audit.bad_format": ("Hãy chọn định dạng JSON Lines hoặc CSV.", "Choose JSON Lines or CSV."),
    # ---- reports -----------------------------------------------------------------------------
    "report.unknown_kind": ("Không có loại báo cáo “{kind}”. Có thể chọn: {allowed}.",
                            "There is no report “{kind}”. Possible: {allowed}."),
    "report.unknown_unit": ("Không có đơn vị {unit} trong danh bạ.",
                            "There is no unit {unit} in the directory."),
    "report.denied": ("Chỉ cơ quan thường trực, thành viên Hội đồng, thủ trưởng và kiểm toán "
                      "viên của {unit} hoặc cấp trên xem được báo cáo của đơn vị này.",
                      "Only the secretariat, council members, the head and auditors of {unit} "
                      "or above may read its reports."),
    "report.denied_any": ("Báo cáo dành cho cơ quan thường trực, thành viên Hội đồng, thủ "
                          "trưởng và kiểm toán viên.",
                          "Reports are for the secretariat, council members, heads and "
                          "auditors."),
    "report.period_both": ("Hãy chọn theo năm hoặc theo khoảng ngày, không chọn cả hai.",
                           "Choose a year or a range of days, not both."),
    "report.bad_year": ("Năm phải từ 1900 đến 2100.", "The year must be between 1900 and "
                        "2100."),
    "report.bad_period": ("Ngày kết thúc phải sau ngày bắt đầu.",
                          "The last day must come after the first."),
    "report.bad_date": ("Ngày ở ô {option} không hợp lệ; hãy ghi YYYY-MM-DD.",
                        "The date in {option} is not valid; write YYYY-MM-DD."),
    "report.bad_format": ("Hãy chọn định dạng Excel (.xlsx), HTML hoặc CSV.",
                          "Choose Excel (.xlsx), HTML or CSV."),
    "report.no_table": ("Báo cáo không có bảng “{table}”.", "The report has no table “{table}”."),
    "report.campaign_missing": ("Hãy chọn phong trào thi đua cho báo cáo phong trào.",
                                "Choose the emulation campaign for the campaign report."),
    # ---- documents and definitions -----------------------------------------------------------
    "template.unknown": ("Không có mẫu văn bản này.", "No such document template."),
    "render.not_on_notice": ("Hồ sơ chưa được công khai lấy ý kiến.",
                             "The nomination has not been on public notice."),
    "render.not_issued": ("Văn bản này được lập khi hồ sơ đến bước {states}; hồ sơ đang ở "
                          "“{state}”.",
                          "This document is issued on entering {states}; the nomination is "
                          "at “{state}”."),
    "render.no_minutes": ("Hồ sơ chưa có vòng bỏ phiếu nào kết thúc; biên bản được lập khi kết "
                          "thúc bỏ phiếu.",
                          "No ballot round of this nomination has closed yet; minutes are "
                          "written when a vote closes."),
    "document.unknown": ("Không tìm thấy văn bản số {id}.", "No document {id}."),
    "document.unknown_kind": ("Không có loại văn bản này.", "No such kind of document."),
    "document.no_pdf": ("Văn bản này chưa có bản PDF; bản HTML vẫn xem được.",
                        "This document has no PDF yet; its HTML copy can be read."),
    "pdf.out_needs_id": ("Hãy chọn một văn bản để ghi bản PDF.", "Choose one document to write."),
    "pdf.unavailable": ("Máy chủ chưa lập được bản PDF; bản HTML vẫn xem được.",
                        "The server cannot make PDFs; the HTML copy can be read."),
    "dossier.no_document": ("Hồ sơ số {id} chưa có tài liệu “{doctype}”.",
                            "Nomination {id} has no “{doctype}” in its dossier."),
    "flow.unknown": ("Không có quy trình “{flow}”.", "No procedure “{flow}”."),
    "flow.version_unknown": ("Không tìm thấy phiên bản quy trình của hồ sơ.",
                             "The nomination's procedure version is not stored."),
    "flow.none_stored": ("Quy trình này chưa có phiên bản nào được lưu (chưa có hồ sơ nào).",
                         "No version of this procedure is stored yet (no nomination used it)."),
    "flow.version_ambiguous": ("“{version}” khớp với nhiều phiên bản; hãy ghi dài hơn.",
                               "“{version}” matches several versions; give more of it."),
    "flow.version_none": ("Quy trình không có phiên bản “{version}”.",
                          "The procedure has no version “{version}”."),
    "migrate.bad_map": ("“{map}”: hãy ghi BƯỚC_CŨ=BƯỚC_MỚI.", "“{map}”: write OLD=NEW."),
    "migrate.map_twice": ("Bước “{state}” được chỉ định hai lần.",
                          "The step “{state}” is mapped twice."),
    "migrate.map_unknown": ("Phiên bản mới không có bước “{state}”.",
                            "The new version has no step “{state}”."),
    "admin.denied": ("Trang này dành cho quản trị quy trình (vai trò quản trị tại đơn vị cấp "
                     "cao nhất).",
                     "This page is for procedure administrators (admin at a top unit)."),
    "flows.too_large": ("Tệp “{name}” quá lớn đối với một tệp quy trình (tối đa 1 MiB).",
                        "“{name}” is larger than a procedure file may be (1 MiB)."),
    "flows.not_text": ("Tệp “{name}” không phải văn bản UTF-8.", "“{name}” is not UTF-8 text."),
    "flows.nothing": ("Hãy dán nội dung tệp quy trình hoặc chọn một tệp.",
                      "Paste a procedure file or choose one."),
    "notice.unknown": ("Không tìm thấy thông báo số {id}.", "No notice {id}."),
    "store.key_mismatch": ("Hệ thống đang được cấu hình sai khóa cài đặt. Vui lòng báo quản "
                           "trị viên.",
                           "The installation key does not match this database; tell the "
                           "administrator."),
    "store.missing": ("Chưa có cơ sở dữ liệu.", "There is no database yet."),
    "store.busy": ("Hệ thống đang bận. Vui lòng thử lại sau giây lát.",
                   "The system is busy. Please try again in a moment."),
    # ---- lists (a unit's spreadsheet) --------------------------------------------------------
    "list.rejected": ("Danh sách có {count} lỗi; chưa hồ sơ nào được tạo.",
                      "The list has {count} problem(s); no nomination was created."),
    "list.no_header": ("Không tìm thấy dòng tiêu đề: danh sách cần một dòng ghi tên các cột "
                       "(họ và tên hoặc tài khoản, rồi các thông tin: {fields}). Hãy dùng mẫu "
                       "danh sách.",
                       "No header row: the list needs a row naming its columns (the name or "
                       "the login, then: {fields}). Start from the list template."),
    "list.missing_column": ("Thiếu cột “{field}”, thông tin bắt buộc của mọi dòng.",
                            "The column “{field}” is missing; every row must fill it."),
    "list.no_nominee_column": ("Thiếu cột họ và tên (hoặc tài khoản) của người được đề nghị.",
                               "There is no column for the nominee's name (or login)."),
    "list.too_many_rows": ("Một danh sách có tối đa {max} dòng; hãy chia thành nhiều tệp.",
                           "A list holds at most {max} rows; split the file."),
    "list.same_nominee": ("Trùng người được đề nghị với dòng {row}.",
                          "The same nominee as row {row}."),
    "list.unknown_column": ("Cột “{column}” không có trong mẫu danh sách của quy trình này.",
                            "“{column}” is not a column of this procedure's list."),
    "list.column_twice": ("Cột “{column}” bị lặp lại (đã có ở cột {first}).",
                          "The column “{column}” appears twice (first in {first})."),
    "list.formula": ("Ô này chứa công thức {formula} nhưng tệp không lưu kết quả; hãy mở và "
                     "lưu lại tệp bằng Excel, hoặc gõ giá trị.",
                     "The cell holds the formula {formula} but the file keeps no result; open "
                     "and save it in a spreadsheet program, or type the value."),
    "list.bad_value": ("“{field}” không hợp lệ.", "“{field}” is not valid."),
    "list.required": ("Chưa điền “{field}” (bắt buộc).", "“{field}” is required."),
    "list.no_nominee": ("Chưa có họ và tên hoặc tài khoản của người được đề nghị.",
                        "No nominee: give the name or the login."),
    "list.bad_login": ("“{login}” không phải là một tên đăng nhập.",
                       "“{login}” is not a login."),
    "list.empty": ("Danh sách chưa có người nào được đề nghị.", "The list has no nominees."),
    "list.not_the_person": ("“{nominee}” không khớp với họ tên trong danh bạ của người có "
                            "tài khoản “{person}”.",
                            "“{nominee}” is not the name the directory has for “{person}”."),
    "list.works_elsewhere": ("“{person}” không công tác tại {units} hoặc đơn vị cấp dưới.",
                             "“{person}” does not work at {units} or a unit below it."),
    "list.person_collective": ("Quy trình này đề nghị khen thưởng tập thể: để trống tài khoản "
                               "người và ghi mã đơn vị được đề nghị.",
                               "This flow nominates collectives: leave the person empty and "
                               "give the nominated unit."),
    "list.needs_person": ("Xét “{award}” cần lịch sử khen thưởng: hãy ghi tài khoản của người "
                          "được đề nghị.",
                          "“{award}” is granted on the nominee's history: give their login."),
    "list.not_eligible": ("Chưa đủ điều kiện “{award}”: {reason}.",
                          "Not eligible for “{award}”: {reason}."),
    "list.old_excel": ("Tệp “{name}” là định dạng Excel cũ (.xls); hãy lưu lại dưới dạng Excel "
                       "Workbook (.xlsx) hoặc CSV UTF-8.",
                       "“{name}” is in the old Excel format (.xls); save it as Excel Workbook "
                       "(.xlsx) or CSV UTF-8."),
    "list.not_spreadsheet": ("Tệp “{name}” không phải bảng tính; hãy gửi tệp .xlsx hoặc .csv.",
                             "“{name}” is not a spreadsheet; send an .xlsx or .csv file."),
    "list.unreadable": ("Không đọc được tệp “{name}” như một bảng tính; hãy lưu lại tệp bằng "
                        "Excel (.xlsx) hoặc CSV.",
                        "“{name}” cannot be read as a spreadsheet; save it again as Excel "
                        "(.xlsx) or CSV."),
    "list.encoding": ("Không đọc được chữ trong tệp “{name}”; hãy lưu lại dưới dạng CSV UTF-8.",
                      "The text of “{name}” cannot be read; save it as CSV UTF-8."),
    "export.bad_format": ("Hãy chọn Excel (.xlsx) hoặc CSV.", "Choose Excel (.xlsx) or CSV."),
    # ---- council sessions --------------------------------------------------------------------
    "session.unknown": ("Không tìm thấy phiên họp số {id}.", "No council session {id}."),
    "session.not_secretariat": ("Chỉ cơ quan thường trực Hội đồng của {unit} làm được việc này.",
                                "Only the secretariat of the council of {unit} may do this."),
    "session.not_visible": ("Bạn không có quyền xem phiên họp số {id} của {unit}.",
                            "You may not see session {id} of {unit}."),
    "session.no_items": ("Hãy chọn các hồ sơ đưa vào phiên họp.",
                         "Choose the items of the session."),
    "session.listed_twice": ("Hồ sơ số {id} được chọn hai lần.", "Item {id} is listed twice."),
    "session.not_in_vote": ("Hồ sơ số {id} không ở bước chờ Hội đồng của {council} bỏ phiếu.",
                            "Item {id} is not waiting for the vote of the council of {council}."),
    "session.other_council": ("Hồ sơ số {id} do Hội đồng của {council} bỏ phiếu, không phải "
                              "{unit}.",
                              "Item {id} is voted on by the council of {council}, not {unit}."),
    "session.on_other_paper": ("Hồ sơ số {id} đã có trong phiên họp số {session} đang mở.",
                               "Item {id} is already on the paper of open session {session}."),
    "session.closed": ("Phiên họp số {session} đã kết thúc.", "Session {session} is closed."),
    "session.already_closed": ("Phiên họp số {session} đã kết thúc rồi.",
                               "Session {session} is already closed."),
    "session.not_closed": ("Phiên họp số {session} chưa kết thúc; biên bản được lập khi kết "
                           "thúc phiên họp.",
                           "Session {session} is not closed yet; its minutes are written when "
                           "it closes."),
    "session.bad_mark": ("Ghi mỗi lựa chọn theo dạng SỐ_HỒ_SƠ=LỰA_CHỌN.",
                         "Write each mark as ID=CHOICE."),
    "session.marked_twice": ("Hồ sơ số {id} được chọn hai lần trên phiếu.",
                             "Item {id} is marked twice on the paper."),
    "session.empty_paper": ("Phiếu chưa có lựa chọn nào.", "The paper marks nothing."),
    "session.foreign": ("Hồ sơ số {items} không có trong phiếu của phiên họp số {session}.",
                        "Item(s) {items} are not on the paper of session {session}."),
    "session.left_vote": ("hồ sơ đã rời bước bỏ phiếu", "it has left the vote"),
    "session.round_closed": ("vòng bỏ phiếu của hồ sơ đã kết thúc", "its ballot round is closed"),
    "session.cannot_vote": ("Hồ sơ số {id} không bỏ phiếu được lúc này: {reason}.",
                            "Item {id} cannot be voted on now: {reason}."),
    "session.off_roll": ("“{member}” không có trong danh sách bỏ phiếu của hồ sơ số {id}.",
                         "“{member}” is not on the roll of item {id}."),
    "session.own_nomination": ("Người được đề nghị không bỏ phiếu cho hồ sơ số {id} của chính "
                               "mình.",
                               "A nominee does not vote on their own nomination ({id})."),
    "session.recused": ("“{member}” đã khai báo xung đột lợi ích với hồ sơ số {id} nên không "
                        "bỏ phiếu cho hồ sơ này.",
                        "“{member}” declared a conflict on item {id} and does not vote on it."),
    "session.voted": ("“{member}” đã bỏ phiếu cho hồ sơ số {items}.",
                      "“{member}” has already voted on item(s) {items}."),
    "session.nothing_left": ("“{member}” không còn hồ sơ nào phải bỏ phiếu trong phiên họp này.",
                             "“{member}” has nothing left to vote on in this session."),
    "session.missing": ("Phiếu phải có lựa chọn cho mọi hồ sơ “{member}” được bỏ phiếu; còn "
                        "thiếu hồ sơ số {missing}.",
                        "The paper must mark every item “{member}” may vote on; missing: "
                        "{missing}."),
    "vote.in_session": ("Hồ sơ này được bỏ phiếu trong phiên họp số {session}, trên một phiếu "
                        "cho cả danh sách.",
                        "This item is voted on at session {session}, on one paper for the "
                        "whole list."),
    # ---- emulation campaigns: registration ---------------------------------------------------
    "campaign.unknown": ("Không có phong trào thi đua này.", "No such emulation campaign."),
    "campaign.registration_closed": ("Phong trào “{campaign}” đã hết hạn đăng ký thi đua "
                                     "({closes}).",
                                     "Registration for “{campaign}” closed at {closes}."),
    "campaign.award_not_offered": ("Phong trào “{campaign}” không có đăng ký danh hiệu "
                                   "“{award}”.",
                                   "“{award}” is not an award of “{campaign}”."),
    "campaign.out_of_scope": ("“{unit}” không thuộc phạm vi phong trào “{campaign}”.",
                              "“{unit}” is outside the scope of “{campaign}”."),
    "campaign.not_officer": ("Chỉ cán bộ thi đua – khen thưởng của “{unit}” được đăng ký cho "
                             "đơn vị này.",
                             "Only the emulation officer of “{unit}” registers for it."),
    "campaign.not_own_person": ("Người được đăng ký không công tác tại “{unit}”: đơn vị chỉ "
                                "đăng ký cho người của mình.",
                                "The person does not work at “{unit}”: a unit registers its "
                                "own people."),
    "campaign.award_collective": ("“{award}” dành cho tập thể: hãy đăng ký cho đơn vị.",
                                  "“{award}” is for collectives: register the unit."),
    "campaign.award_individual": ("“{award}” dành cho cá nhân: hãy chọn người được đăng ký.",
                                  "“{award}” is for individuals: choose the person."),
    "campaign.already_registered": ("Đã đăng ký “{award}” trong phong trào “{campaign}”.",
                                    "Already registered for “{award}” in “{campaign}”."),
    "campaign.no_registration": ("Không có đăng ký “{award}” nào trong phong trào "
                                 "“{campaign}” để rút.",
                                 "No registration for “{award}” in “{campaign}” to withdraw."),
    "registered.no_campaign": ("Năm {year} không có phong trào thi đua nào nhận đăng ký "
                               "“{award}”.",
                               "No emulation campaign for {year} takes registrations for "
                               "“{award}”."),
    "registered.needs_person": ("Xét “{award}” cần đăng ký thi đua của người được đề nghị: "
                                "hãy chọn người đó trong danh bạ khi tạo hồ sơ.",
                                "“{award}” needs the nominee's registration: choose the "
                                "nominee from the directory when nominating."),
    "registered.missing": ("Người hoặc đơn vị được đề nghị chưa đăng ký thi đua danh hiệu "
                           "“{award}” năm {year} (phong trào “{campaign}”).",
                           "The nominee did not register for “{award}” in {year} (campaign "
                           "“{campaign}”)."),
    # ---- emulation campaigns: clusters -------------------------------------------------------
    "cluster.unknown": ("Phong trào “{campaign}” không có cụm, khối thi đua này.",
                        "“{campaign}” has no such cluster."),
    "cluster.not_organiser": ("Chỉ cơ quan thường trực của “{unit}” mở và kết thúc việc bình "
                              "xét của cụm, khối.",
                              "Only the secretariat of “{unit}” opens and closes a cluster's "
                              "ranking."),
    "cluster.not_reviewing": ("Cụm, khối bình xét, suy tôn tại hội nghị tổng kết (từ ngày "
                              "{day}) của phong trào “{campaign}”.",
                              "A cluster ranks its members at the final review (from {day}) "
                              "of “{campaign}”."),
    "cluster.bad_runoff": ("Bình xét lại phải giữa hai đơn vị trở lên của cụm “{cluster}”.",
                           "A run-off is among two or more members of “{cluster}”."),
    "cluster.already_open": ("Cụm “{cluster}” đang bình xét.",
                             "The ranking of “{cluster}” is already open."),
    "cluster.not_open": ("Cụm “{cluster}” không có cuộc bình xét nào đang mở.",
                         "The ranking of “{cluster}” is not open."),
    "cluster.not_head": ("Bạn không phải thủ trưởng của “{unit}” trong cụm này.",
                         "You are not the head of “{unit}” in this cluster."),
    "cluster.no_head": ("Bạn không phải thủ trưởng đơn vị nào của cụm “{cluster}”.",
                        "You head no member unit of “{cluster}”."),
    "cluster.which_unit": ("Bạn là thủ trưởng của nhiều đơn vị trong cụm “{cluster}”: hãy "
                           "chọn đơn vị bỏ phiếu.",
                           "You head several units of “{cluster}”: choose the voting unit."),
    "cluster.voted_twice": ("“{unit}” đã bỏ phiếu bình xét.",
                            "“{unit}” has already cast its paper."),
    "cluster.no_papers": ("Chưa có phiếu nào trong cuộc bình xét của cụm “{cluster}”.",
                          "No paper has been cast in the ranking of “{cluster}” yet."),
    "cluster.ranks_self": ("Thủ trưởng không xếp hạng đơn vị mình (“{unit}”).",
                           "A head does not rank their own unit (“{unit}”)."),
    "cluster.not_candidate": ("“{unit}” không thuộc danh sách bình xét lần này.",
                              "“{unit}” is not a candidate of this round."),
    "cluster.ranked_twice": ("“{unit}” được xếp hai lần; mỗi đơn vị xếp một lần.",
                             "“{unit}” is ranked twice; rank each unit once."),
    "cluster.paper_incomplete": ("Phiếu còn thiếu “{unit}”: hãy xếp hạng tất cả các đơn vị "
                                 "còn lại.",
                                 "The paper leaves out “{unit}”: rank every other unit."),
    "cluster.not_member": ("“{unit}” không thuộc cụm, khối thi đua nào của năm {year}.",
                           "“{unit}” is in no emulation cluster for {year}."),
    "cluster.not_leader": ("“{unit}” không phải đơn vị dẫn đầu cụm, khối thi đua năm {year}.",
                           "“{unit}” does not lead its emulation cluster for {year}."),
}

#: How a value is shown, by the name of its placeholder.
KINDS: dict[str, str] = {
    "state": "state", "states": "state", "origin": "state",
    "trigger": "trigger", "triggers": "trigger",
    "doctype": "document", "doctypes": "document",
    "field": "field", "fields": "field",
    "choices": "value", "value": "value",
    "award": "award",
    "unit": "unit", "units": "unit", "council": "unit", "issuer": "unit",
    "roles": "role",
    "flow": "flow",
    "key": "confirmation",
    "status": "status",
    "what": "thing",
    "reason": "reason", "reasons": "reason", "rule": "reason", "rules": "reason",
    "within": "reason", "since": "reason",
}

_SEPARATORS = {"reason": "; "}
_NONE = {"vi": "chưa có", "en": "not set"}


def placeholders(text: str) -> set[str]:
    """The names a catalogue sentence fills in."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def say(reason: Reason | Mapping[str, Any], names: Names) -> str:
    """``reason`` (a :class:`Reason`, or its ``as_dict()`` form) as a sentence in
    ``names.lang``; one the catalogue lacks reads as its English text in English and as a
    plain refusal in Vietnamese."""
    if isinstance(reason, Reason):
        msgid, text, values = reason.msgid, reason.text, reason.values
    else:
        msgid, text, values = reason["msgid"], reason.get("text", ""), reason.get("values", {})
    pair = CATALOGUE.get(msgid)
    if pair is None:
        return text if names.lang == "en" else CATALOGUE["guard.unknown"][0]
    sentence = pair[1] if names.lang == "en" else pair[0]
    filled = {name: _shown(name, values.get(name), values, names)
              for name in placeholders(sentence)}
    return sentence.format(**filled)


def say_error(error: AwardError, names: Names, fallback: Callable[[], str]) -> str:
    """An engine error in ``names.lang``: its catalogue sentence; ``fallback()`` (the generic
    sentence of its status) in Vietnamese when it has none; its message in English then."""
    reason = error.reason
    if reason is None or reason.msgid not in CATALOGUE:
        return error.message if names.lang == "en" else fallback()
    return say(reason, names)


def _shown(name: str, value: Any, values: Mapping[str, Any], names: Names) -> str:
    kind = KINDS.get(name)
    if isinstance(value, list | tuple):
        return _SEPARATORS.get(kind or "", ", ").join(
            _shown(name, v, values, names) for v in value)
    if kind == "reason" and isinstance(value, Reason | Mapping):
        return say(value, names)
    if value is None or value == "":
        return "" if kind == "reason" else _NONE["en" if names.lang == "en" else "vi"]
    if isinstance(value, bool):
        return names.yes_no(value)
    text = str(value)
    look = {
        "state": names.state, "trigger": names.trigger, "document": names.document,
        "field": names.field, "award": names.award, "unit": names.unit, "role": names.role,
        "flow": names.flow, "confirmation": names.confirmation, "status": names.status,
        "thing": names.thing,
    }.get(kind or "")
    if look is not None:
        return look(text)
    if kind == "value":
        return names.value(str(values.get("field", "")), text)
    return text
