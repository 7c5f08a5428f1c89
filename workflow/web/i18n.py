"""Words of the web interface in Vietnamese (first) and English.

Pages pick a language from ``?lang=`` (remembered in a cookie) and fall back to Vietnamese.
Labels that come from definitions (``{vi, en}`` mappings: states, fields, documents, and each
transition's button) go through :func:`pick`; the interface's own words are looked up by key
with :func:`translator`. A missing key is shown as the key itself, so a forgotten translation
is visible rather than fatal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["DEFAULT", "LANGS", "MESSAGES", "pick", "translator", "trigger_label"]

LANGS = ("vi", "en")
DEFAULT = "vi"

MESSAGES: dict[str, tuple[str, str]] = {
    "site": ("Thi đua, khen thưởng", "Emulation and commendation"),
    "skip": ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    "nav.main": ("Điều hướng chính", "Main navigation"),
    "nav.language": ("Ngôn ngữ", "Language"),
    "nav.board": ("Bảng thông báo công khai", "Public notice board"),
    "nav.home": ("Trang của tôi", "My page"),
    "nav.queue": ("Việc chờ xử lý", "My queue"),
    "nav.ballots": ("Phiếu bầu", "Ballots"),
    "nav.items": ("Hồ sơ", "Nominations"),
    "nav.nominate": ("Tạo hồ sơ đề nghị", "New nomination"),
    "nav.audit": ("Kiểm toán", "Audit"),
    "nav.login": ("Đăng nhập", "Sign in"),
    "nav.logout": ("Đăng xuất", "Sign out"),
    "nav.signed_in_as": ("Đang đăng nhập:", "Signed in as"),
    "footer": ("Mọi thao tác được ghi vào nhật ký kiểm toán có mã băm liên kết.",
               "Every action is recorded in a hash-chained audit log."),
    # notice board and notices
    "board.title": ("Bảng thông báo công khai", "Public notice board"),
    "board.intro": ("Danh sách cá nhân, tập thể được đề nghị khen thưởng được công khai để lấy "
                    "ý kiến nhân dân. Trong thời gian lấy ý kiến, bất kỳ ai cũng có thể gửi góp "
                    "ý, phản ánh.",
                    "Nominees proposed for awards are published for public comment. While a "
                    "window is open, anyone may file an objection."),
    "board.current": ("Đang lấy ý kiến", "Open for comment"),
    "board.past": ("Đã kết thúc lấy ý kiến", "Past notices"),
    "board.none_current": ("Hiện không có thông báo nào đang lấy ý kiến.",
                           "No notice is open for comment now."),
    "board.none_past": ("Chưa có thông báo nào đã kết thúc.", "No past notices yet."),
    "board.older": ("Thông báo cũ hơn", "Older notices"),
    "notice.title": ("Thông báo công khai số {id}", "Public notice no. {id}"),
    "notice.unit": ("Đơn vị công khai", "Published by"),
    "notice.award": ("Hình thức khen thưởng", "Award"),
    "notice.flow": ("Quy trình", "Procedure"),
    "notice.window": ("Thời gian lấy ý kiến", "Comment window"),
    "notice.window_range": ("Từ {start} đến hết {end}", "From {start} to the end of {end}"),
    "notice.extended": ("gia hạn đến hết {end} do tạm dừng để xem xét kiến nghị",
                        "extended to the end of {end}: paused while an objection was examined"),
    "notice.status": ("Trạng thái", "Status"),
    "notice.open": ("Đang lấy ý kiến", "Open for comment"),
    "notice.closed": ("Đã kết thúc", "Closed"),
    "notice.nominees": ("Danh sách đề nghị", "Nominees"),
    "notice.count": ("{n} hồ sơ", "{n} nomination(s)"),
    "notice.document": ("Văn bản thông báo (bản gốc)", "The published notice (original)"),
    "notice.integrity": ("Mã băm văn bản (SHA-256)", "Document hash (SHA-256)"),
    "notice.anchor": ("Điểm neo nhật ký kiểm toán", "Audit chain anchor"),
    "notice.view": ("Xem thông báo", "View notice"),
    "col.no": ("Số hồ sơ", "No."),
    "col.nominee": ("Họ và tên / Tập thể", "Nominee"),
    "col.unit": ("Đơn vị", "Unit"),
    "col.objections": ("Góp ý", "Objections"),
    "col.state": ("Bước", "Step"),
    "col.due": ("Hạn xử lý", "Due"),
    "col.flow": ("Quy trình", "Procedure"),
    "col.actions": ("Việc cần làm", "To do"),
    "col.filed": ("Ngày gửi", "Filed"),
    "col.text": ("Nội dung", "Text"),
    "nominee.title": ("Người được đề nghị: {name}", "Nominee: {name}"),
    "nominee.on_notice": ("Có trong thông báo công khai", "On public notice"),
    "nominee.open_until": ("Nhận góp ý đến hết {end}.", "Objections accepted until the end "
                           "of {end}."),
    "nominee.closed": ("Hồ sơ này hiện không nhận góp ý (ngoài thời gian lấy ý kiến).",
                       "This nomination is not accepting objections now (outside the comment "
                       "window)."),
    "object.link": ("Gửi góp ý, phản ánh", "File an objection"),
    "object.title": ("Góp ý, phản ánh về hồ sơ số {id}", "Objection to nomination no. {id}"),
    "object.intro": ("Ý kiến của bạn được chuyển tới cơ quan thường trực để xác minh. Hồ sơ có "
                     "phản ánh sẽ tạm dừng cho đến khi xác minh xong.",
                     "Your objection goes to the secretariat for verification. A nomination "
                     "with an objection waits until it is verified."),
    "object.text": ("Nội dung góp ý, phản ánh (bắt buộc)", "Your objection (required)"),
    "object.text_hint": ("Nêu rõ sự việc, thời gian, địa điểm nếu có. Tối đa 10.000 ký tự.",
                         "Describe the facts, with times and places if you can. At most "
                         "10,000 characters."),
    "object.name": ("Họ và tên (không bắt buộc)", "Your name (optional)"),
    "object.contact": ("Số điện thoại hoặc thư điện tử (không bắt buộc)",
                       "Phone or email (optional)"),
    "object.privacy": ("Thông tin liên hệ chỉ dùng để xác minh, không công khai và không ghi "
                       "vào nhật ký.",
                       "Contact details are used only for verification; they are never "
                       "published nor written to the audit log."),
    "object.submit": ("Gửi góp ý", "Send objection"),
    "object.closed_title": ("Không nhận góp ý", "Objections are closed"),
    "receipt.title": ("Đã tiếp nhận góp ý", "Objection received"),
    "receipt.number": ("Số tiếp nhận", "Receipt number"),
    "receipt.keep": ("Vui lòng ghi lại số tiếp nhận này khi liên hệ với cơ quan thường trực.",
                     "Please quote this receipt number when you contact the secretariat."),
    "receipt.none": ("Không có góp ý nào vừa được gửi từ trình duyệt này.",
                     "No objection was just filed from this browser."),
    "back.board": ("Về bảng thông báo", "Back to the notice board"),
    # sign-in
    "login.title": ("Đăng nhập", "Sign in"),
    "login.intro": ("Dành cho cán bộ, thành viên Hội đồng và người có thẩm quyền có tên trong "
                    "danh bạ.",
                    "For officers, council members and deciders listed in the directory."),
    "login.login": ("Tên đăng nhập", "Login"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Sign in"),
    "login.failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong login or password."),
    "login.welcome": ("Xin chào, {name}.", "Welcome, {name}."),
    "logout.done": ("Bạn đã đăng xuất.", "You are signed out."),
    # the person's pages
    "me.title": ("Trang của tôi", "My page"),
    "me.roles": ("Vai trò", "Roles"),
    "me.no_roles": ("Bạn chưa được giao vai trò nào.", "You hold no role."),
    "me.queue": ("{n} hồ sơ đang chờ bạn xử lý.", "{n} item(s) waiting on you."),
    "me.objections": ("{n} góp ý, phản ánh chờ xác minh.", "{n} objection(s) to resolve."),
    "queue.title": ("Việc chờ xử lý", "My queue"),
    "queue.intro": ("Hồ sơ bạn có thể xử lý ngay; quá hạn lên trước, sau đó theo hạn xử lý.",
                    "Items you can act on now: overdue first, then by due date."),
    "queue.empty": ("Không có hồ sơ nào đang chờ bạn.", "Nothing is waiting on you."),
    "queue.objections": ("Góp ý, phản ánh chờ xác minh", "Objections to resolve"),
    "queue.no_objections": ("Không có góp ý nào chờ xác minh.", "No objection is waiting."),
    "overdue": ("Quá hạn", "Overdue"),
    "no_due": ("Không có hạn", "No deadline"),
    "ballots.title": ("Phiếu bầu đang mở", "Open ballots"),
    "ballots.intro": ("Các vòng bỏ phiếu kín bạn có thể tham gia. Kết quả chỉ được công bố khi "
                      "vòng bỏ phiếu kết thúc.",
                      "Secret ballot rounds you can take part in. Results are shown only "
                      "once a round closes."),
    "ballots.empty": ("Không có phiếu bầu nào đang chờ bạn.", "No ballot is waiting for you."),
    "items.title": ("Hồ sơ tại đơn vị của tôi", "Nominations at my units"),
    "items.empty": ("Chưa có hồ sơ nào.", "No nominations yet."),
    "items.filter": ("Lọc", "Filter"),
    "items.state": ("Bước", "Step"),
    "items.flow": ("Quy trình", "Procedure"),
    "items.any": ("Tất cả", "Any"),
    "items.more": ("Hồ sơ cũ hơn", "Older nominations"),
    # an item
    "item.title": ("Hồ sơ số {id}: {nominee}", "Nomination {id}: {nominee}"),
    "item.summary": ("Tóm tắt", "Summary"),
    "item.flow": ("Quy trình", "Procedure"),
    "item.award": ("Khen thưởng", "Award"),
    "item.unit": ("Đơn vị đề nghị", "Nominating unit"),
    "item.state": ("Bước hiện tại", "Current step"),
    "item.final": ("Đã kết thúc", "Closed"),
    "item.due": ("Hạn xử lý", "Due"),
    "item.created": ("Tạo bởi", "Created by"),
    "item.version": ("Phiên bản", "Version"),
    "item.fields": ("Thông tin đề nghị", "Nomination details"),
    "item.no_fields": ("Chưa có thông tin.", "No details yet."),
    "item.documents": ("Hồ sơ tài liệu", "Dossier"),
    "item.no_documents": ("Chưa có tài liệu.", "No documents yet."),
    "item.rendered": ("Văn bản do hệ thống lập", "Documents issued"),
    "item.attach": ("Đính kèm tài liệu", "Attach a document"),
    "item.doctype": ("Loại tài liệu", "Document type"),
    "item.file": ("Tệp", "File"),
    "item.attach_submit": ("Tải lên", "Upload"),
    "item.actions": ("Thao tác", "Actions"),
    "item.no_actions": ("Bạn không có thao tác nào với hồ sơ này lúc này.",
                        "You have nothing to do on this nomination now."),
    "item.comment": ("Ý kiến", "Comment"),
    "item.comment_required": ("Ý kiến (bắt buộc)", "Comment (required)"),
    "item.comment_optional": ("Ý kiến (không bắt buộc)", "Comment (optional)"),
    "item.refused": ("Chưa thể thực hiện: {reason}", "Not possible yet: {reason}"),
    "item.go_ballot": ("Đến trang phiếu bầu", "Go to the ballot"),
    "item.ballot": ("Bỏ phiếu của Hội đồng", "Council ballot"),
    "item.confirmations": ("Xác nhận của cơ quan chức năng", "Agency confirmations"),
    "item.confirm": ("Xác nhận: {key}", "Confirm: {key}"),
    "item.confirm_yes": ("Đồng ý xác nhận", "Confirm"),
    "item.confirm_no": ("Không xác nhận", "Refuse"),
    "item.confirm_submit": ("Gửi xác nhận", "Send"),
    "item.waiting": ("Đang chờ", "Waiting"),
    "item.objections": ("Góp ý, phản ánh", "Objections"),
    "item.no_objections": ("Không có góp ý nào.", "No objections."),
    "item.resolve": ("Kết luận xác minh", "Resolve"),
    "item.dismissed": ("Không có cơ sở (bác bỏ)", "Dismissed"),
    "item.upheld": ("Có cơ sở (chấp nhận)", "Upheld"),
    "item.outcome": ("Kết luận", "Outcome"),
    "item.resolution": ("Nội dung kết luận (bắt buộc)", "Conclusion (required)"),
    "item.complain": ("Ghi nhận phản ánh, khiếu nại", "Register a complaint"),
    "item.complain_text": ("Nội dung phản ánh (bắt buộc)", "Complaint (required)"),
    "item.history": ("Lịch sử xử lý", "History"),
    "item.timeline": ("Dòng thời gian kiểm toán", "Audit timeline"),
    "item.fired": ("Đã thực hiện “{trigger}”: hồ sơ chuyển sang “{state}”.",
                   "Done “{trigger}”: the nomination is now at “{state}”."),
    "item.attached": ("Đã đính kèm {file} (SHA-256 {sha}).", "Attached {file} (SHA-256 {sha})."),
    "item.created_ok": ("Đã tạo hồ sơ số {id}.", "Nomination {id} created."),
    "item.confirmed": ("Đã ghi nhận xác nhận.", "Confirmation recorded."),
    "item.complained": ("Đã ghi nhận phản ánh số {id}.", "Complaint {id} registered."),
    "item.resolved": ("Đã kết luận góp ý số {id}.", "Objection {id} resolved."),
    "col.seq": ("Số thứ tự", "Seq"),
    "col.at": ("Thời điểm", "At"),
    "col.actor": ("Người thực hiện", "Actor"),
    "col.action": ("Thao tác", "Action"),
    "col.from": ("Từ bước", "From"),
    "col.to": ("Đến bước", "To"),
    "col.type": ("Loại", "Type"),
    "col.file": ("Tệp", "File"),
    "col.size": ("Dung lượng", "Size"),
    "col.hash": ("Mã băm SHA-256", "SHA-256"),
    "col.by": ("Người gửi", "By"),
    "col.status": ("Trạng thái", "Status"),
    "col.payload": ("Chi tiết", "Details"),
    "col.template": ("Mẫu văn bản", "Template"),
    "status.open": ("Đang mở", "Open"),
    "status.dismissed": ("Bác bỏ", "Dismissed"),
    "status.upheld": ("Chấp nhận", "Upheld"),
    "status.closed": ("Đã kết thúc", "Closed"),
    "status.abandoned": ("Đã hủy", "Abandoned"),
    "public": ("Người dân", "The public"),
    # nominate
    "nominate.title": ("Tạo hồ sơ đề nghị khen thưởng", "New nomination"),
    "nominate.choose": ("Chọn quy trình khen thưởng:", "Choose the award procedure:"),
    "nominate.none": ("Bạn không có quyền tạo hồ sơ ở quy trình nào.",
                      "You may not start a nomination in any procedure."),
    "nominate.form_title": ("Hồ sơ đề nghị: {title}", "Nomination: {title}"),
    "nominate.unit": ("Đơn vị đề nghị", "Nominating unit"),
    "nominate.nominee": ("Họ và tên người / tên tập thể được đề nghị (bắt buộc)",
                         "Nominee's name (required)"),
    "nominate.person": ("Tên đăng nhập của người được đề nghị (nếu có, để xét lịch sử khen "
                        "thưởng)",
                        "Nominee's login (if any: used to check their award history)"),
    "nominate.fields": ("Thông tin theo quy trình", "Details this procedure asks for"),
    "nominate.required": ("bắt buộc", "required"),
    "nominate.choose_value": ("— chọn —", "— choose —"),
    "nominate.yes": ("Có", "Yes"),
    "nominate.no": ("Không", "No"),
    "nominate.submit": ("Tạo hồ sơ", "Create nomination"),
    "nominate.next": ("Sau khi tạo, đính kèm tài liệu và trình hồ sơ ở trang hồ sơ.",
                      "After creating it, attach the documents and submit it from its page."),
    # ballot
    "ballot.title": ("Phiếu bầu: hồ sơ số {id}, {nominee}", "Ballot: nomination {id}, {nominee}"),
    "ballot.secret": ("Bỏ phiếu kín: không ai, kể cả quản trị viên, biết bạn đã chọn gì.",
                      "Secret ballot: nobody, administrators included, can see how you voted."),
    "ballot.rule": ("Điều kiện thông qua", "Rule"),
    "ballot.rule_text": ("Ngưỡng {threshold} của {of}", "Threshold {threshold} of {of}"),
    "ballot.quorum": ("Túc số {quorum}", "Quorum {quorum}"),
    "ballot.council": ("Hội đồng", "Council"),
    "ballot.progress": ("Đã có {voted}/{members} thành viên bỏ phiếu; {recused} khai báo xung "
                        "đột lợi ích.",
                        "{voted} of {members} members have voted; {recused} declared a "
                        "conflict."),
    "ballot.no_tally": ("Kết quả được giữ kín cho đến khi vòng bỏ phiếu kết thúc.",
                        "The tally stays sealed until the round closes."),
    "ballot.your_vote": ("Phiếu của bạn", "Your vote"),
    "ballot.yes": ("Đồng ý", "Yes"),
    "ballot.no": ("Không đồng ý", "No"),
    "ballot.abstain": ("Không biểu quyết", "Abstain"),
    "ballot.cast": ("Bỏ phiếu", "Cast my vote"),
    "ballot.recuse": ("Khai báo xung đột lợi ích (không bỏ phiếu)",
                      "Declare a conflict of interest (do not vote)"),
    "ballot.recuse_reason": ("Lý do (không bắt buộc)", "Reason (optional)"),
    "ballot.recuse_submit": ("Khai báo xung đột lợi ích", "Declare conflict"),
    "ballot.cannot": ("Bạn không có phiếu để bỏ trong vòng này (đã bỏ phiếu, đã khai báo xung "
                      "đột lợi ích, hoặc không thuộc danh sách Hội đồng).",
                      "You have no ballot to cast in this round (already voted, declared a "
                      "conflict, or not on the council's roll)."),
    "ballot.recorded": ("Phiếu của bạn đã được ghi nhận.", "Your vote is recorded."),
    "ballot.recused": ("Đã ghi nhận khai báo xung đột lợi ích.", "Your conflict is recorded."),
    "ballot.closed_now": ("Vòng bỏ phiếu đã kết thúc.", "The round is closed."),
    "ballot.secretariat": ("Cơ quan thường trực", "Secretariat"),
    "ballot.close": ("Kết thúc bỏ phiếu và kiểm phiếu", "Close the vote and count"),
    "ballot.written": ("Ghi phiếu bằng văn bản của thành viên vắng mặt",
                       "Record an absent member's written ballot"),
    "ballot.member": ("Tên đăng nhập của thành viên", "Member's login"),
    "ballot.choice": ("Lựa chọn", "Choice"),
    "ballot.record": ("Ghi phiếu", "Record"),
    "ballot.result": ("Kết quả kiểm phiếu", "Tally"),
    "ballot.passed": ("ĐẠT", "PASSED"),
    "ballot.not_passed": ("KHÔNG ĐẠT", "NOT PASSED"),
    "ballot.members": ("Tổng số thành viên", "Members on the roll"),
    "ballot.cast_count": ("Số phiếu thu về", "Ballots cast"),
    "ballot.recused_count": ("Không tham gia do xung đột lợi ích", "Recused"),
    "ballot.minutes": ("Xem biên bản họp Hội đồng", "Read the council minutes"),
    "ballot.none": ("Hồ sơ này chưa có vòng bỏ phiếu.", "This nomination has no ballot round."),
    # audit
    "audit.title": ("Kiểm toán nhật ký", "Audit"),
    "audit.head": ("Đầu chuỗi nhật ký", "Head of the chain"),
    "audit.verify": ("Kiểm tra toàn bộ chuỗi", "Verify the whole chain"),
    "audit.verify_intro": ("Tính lại mã băm của mọi bản ghi; báo bản ghi đầu tiên bị sửa, xóa, "
                           "chèn hoặc đảo thứ tự.",
                           "Recomputes every entry's hash and names the first edited, deleted, "
                           "inserted or reordered entry."),
    "audit.ok": ("Chuỗi nhật ký nguyên vẹn: {n} bản ghi, đầu chuỗi số {seq}.",
                 "The chain is intact: {n} entries, head seq {seq}."),
    "audit.broken": ("CHUỖI NHẬT KÝ BỊ PHÁ VỠ tại bản ghi số {seq}: {problem}",
                     "THE CHAIN IS BROKEN at seq {seq}: {problem}"),
    "audit.export": ("Xuất nhật ký (để kiểm tra độc lập)", "Export (for independent checking)"),
    "audit.export_intro": ("Tệp xuất giữ nguyên dạng đã băm; kiểm tra lại bằng lệnh "
                           "award audit verify --export TỆP.",
                           "The export keeps the stored form that was hashed; re-check it with "
                           "award audit verify --export FILE."),
    "audit.items": ("Dòng thời gian của hồ sơ", "An item's timeline"),
    "audit.item_id": ("Số hồ sơ", "Nomination no."),
    "audit.open": ("Xem", "Open"),
    "timeline.title": ("Dòng thời gian kiểm toán: hồ sơ số {id}",
                       "Audit timeline: nomination {id}"),
    "timeline.entries": ("Bản ghi nhật ký", "Audit entries"),
    # errors
    "error.title": ("Không thực hiện được", "That did not work"),
    "error.403": ("Bạn không có quyền thực hiện việc này.", "You are not allowed to do this."),
    "error.404": ("Không tìm thấy.", "Not found."),
    "error.409": ("Chưa thể thực hiện lúc này.", "Not possible now."),
    "error.422": ("Dữ liệu chưa hợp lệ.", "The input is not valid."),
    "error.429": ("Bạn đã gửi quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
                  "Too many attempts. Please try again in {minutes} minutes."),
    "error.csrf": ("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại "
                   "trang và thử lại.",
                   "The form has expired or is not valid. Reload the page and try again."),
    "error.500": ("Lỗi hệ thống. Thao tác không được ghi nhận.",
                  "Internal error. Nothing was recorded."),
    "error.back": ("Quay lại trang trước", "Go back"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    # what a vote's threshold counts
    "basis.members": ("tổng số thành viên", "all members"),
    "basis.present": ("số thành viên có mặt", "members present"),
    "basis.cast": ("số phiếu thu về", "ballots cast"),
    # the engine's own actions, fired like a flow's triggers (a flow's transitions carry
    # their own labels)
    "trigger.close_vote": ("Kết thúc bỏ phiếu", "Close the vote"),
    "trigger.recuse": ("Khai báo xung đột lợi ích", "Declare a conflict of interest"),
    # lists: a unit's spreadsheet in, the items list out
    "lists.heading": ("Gửi cả danh sách", "Send a whole list"),
    "lists.intro": ("Tải mẫu danh sách, điền mỗi người (hoặc tập thể) một dòng rồi gửi lại. "
                    "Cả danh sách được nhận, hoặc không dòng nào được nhận: mọi lỗi được báo "
                    "cùng lúc theo dòng và cột.",
                    "Download the list template, fill in one row per nominee and send it back. "
                    "The whole list is taken, or none of it: every problem is shown at once, "
                    "by row and column."),
    "lists.template": ("Tải mẫu danh sách (Excel)", "Download the list template (Excel)"),
    "lists.file": ("Tệp danh sách", "List file"),
    "lists.file_hint": ("Excel (.xlsx) hoặc CSV", "Excel (.xlsx) or CSV"),
    "lists.submit": ("Gửi danh sách", "Send the list"),
    "lists.created": ("Đã tạo {n} hồ sơ từ danh sách {file} ({title}).",
                      "{n} nominations created from {file} ({title})."),
    "lists.rejected_title": ("Danh sách {file} chưa được nhận", "The list {file} was not taken"),
    "lists.rejected": ("Danh sách có {n} lỗi; chưa hồ sơ nào được tạo. Sửa các lỗi dưới đây "
                       "rồi gửi lại.",
                       "The list has {n} problem(s); no nomination was created. Fix them and "
                       "send it again."),
    "lists.problems": ("Các lỗi trong {file}", "Problems in {file}"),
    "lists.row": ("Dòng", "Row"),
    "lists.column": ("Cột", "Column"),
    "lists.problem": ("Lỗi", "Problem"),
    "lists.back": ("Quay lại biểu mẫu {title}", "Back to the {title} form"),
    "lists.download": ("Tải danh sách hồ sơ", "Download the list"),
    # council sessions
    "nav.sessions": ("Phiên họp Hội đồng", "Council sessions"),
    "sessions.title": ("Phiên họp Hội đồng", "Council sessions"),
    "sessions.intro": ("Mỗi phiên họp, mỗi thành viên bỏ một phiếu cho toàn bộ danh sách; cơ "
                       "quan thường trực kết thúc phiên và lập một biên bản.",
                       "At a session each member casts one paper for the whole list; the "
                       "secretariat closes the session and one set of minutes is written."),
    "sessions.title_one": ("Phiên họp số {id} — {council}", "Session {id} — {council}"),
    "sessions.link": ("Phiên họp số {id}", "Session {id}"),
    "sessions.open": ("Đang họp", "Open sessions"),
    "sessions.none_open": ("Không có phiên họp nào đang mở.", "No session is open."),
    "sessions.run": ("Hội đồng do bạn làm thường trực", "Councils whose sessions you run"),
    "sessions.new_for": ("Mở phiên họp mới của {council}", "Open a new session of {council}"),
    "sessions.past": ("Các phiên họp đã kết thúc", "Past sessions"),
    "sessions.none_past": ("Chưa có phiên họp nào kết thúc.", "No session has closed yet."),
    "sessions.no": ("Số", "No."),
    "sessions.council": ("Hội đồng", "Council"),
    "sessions.opened_at": ("Khai mạc", "Opened"),
    "sessions.closed_at": ("Kết thúc", "Closed"),
    "sessions.minutes": ("Biên bản", "Minutes"),
    "sessions.minutes_no": ("Biên bản số {number}", "Minutes no. {number}"),
    "sessions.go_paper": ("Mở phiếu bầu của bạn", "Open your ballot paper"),
    "sessions.new_title": ("Mở phiên họp: {council}", "Open a session: {council}"),
    "sessions.meeting_title": ("Tên phiên họp (không bắt buộc)", "Meeting title (optional)"),
    "sessions.items": ("Các hồ sơ trong phiên họp", "Items on the paper"),
    "sessions.open_submit": ("Mở phiên họp", "Open the session"),
    "sessions.no_candidates": ("Không có hồ sơ nào đang chờ Hội đồng bỏ phiếu.",
                               "No item is waiting for this council's vote."),
    "sessions.opened": ("Đã mở phiên họp số {id} với {n} hồ sơ.",
                        "Session {id} is open with {n} item(s)."),
    "sessions.papers": ("Phiếu đã bỏ", "Papers cast"),
    "sessions.papers_count": ("{papers}/{members} thành viên đã bỏ phiếu",
                              "{papers} of {members} members have voted"),
    "sessions.voted": ("Đã bỏ phiếu", "Voted"),
    "sessions.not_on_paper": ("không còn trong phiếu", "no longer on the paper"),
    "sessions.not_decided": ("Không xét tại phiên họp này", "Not decided at this session"),
    "sessions.written": ("Ghi phiếu bằng văn bản của thành viên vắng mặt (cả phiếu)",
                         "Record an absent member's written paper (the whole paper)"),
    "sessions.not_marked": ("Không ghi", "Not marked"),
    "sessions.close_hint": ("Kết thúc phiên họp: kiểm phiếu mọi hồ sơ cùng lúc, mỗi hồ sơ theo "
                            "ngưỡng của mình, và lập biên bản.",
                            "Close the session: every item is counted at once, each by its own "
                            "threshold, and the minutes are written."),
    "sessions.close": ("Kết thúc phiên họp và kiểm phiếu", "Close the session and count"),
    "sessions.closed": ("Đã kết thúc phiên họp số {id}; biên bản số {number}.",
                        "Session {id} is closed; minutes no. {number}."),
    "sessions.results": ("Xem kết quả", "See the results"),
    "paper.title": ("Phiếu bầu phiên họp số {id} — {council}",
                    "Ballot paper, session {id} — {council}"),
    "paper.all_or_nothing": ("Chọn cho cả {n} hồ sơ rồi gửi một lần.",
                             "Mark all {n} items, then send once."),
    "paper.choice_for": ("Ý kiến của bạn về {nominee}", "Your vote on {nominee}"),
    "paper.submit": ("Gửi phiếu ({n} hồ sơ)", "Cast my paper ({n} items)"),
    "paper.recorded": ("Phiếu của bạn đã được ghi nhận cho cả danh sách.",
                       "Your paper is recorded for the whole list."),
    "paper.recorded_for": ("Đã ghi phiếu bằng văn bản của {member}.",
                           "The written paper of {member} is recorded."),
    "paper.voted": ("Bạn đã bỏ phiếu cho hồ sơ này.", "You have voted on this item."),
    "paper.recused": ("Bạn không bỏ phiếu cho hồ sơ này (xung đột lợi ích).",
                      "You do not vote on this item (conflict of interest)."),
    "paper.off_roll": ("Bạn không có trong danh sách bỏ phiếu của hồ sơ này.",
                       "You are not on this item's roll."),
    "paper.closed": ("Hồ sơ này không còn được bỏ phiếu.", "This item is no longer voted on."),
    "paper.done": ("Bạn đã bỏ phiếu cho phiên họp này.", "You have cast your paper."),
    "paper.nothing": ("Bạn không có phiếu trong phiên họp này.",
                      "You have no paper at this session."),
    "item.go_session": ("Hồ sơ này được bỏ phiếu trong phiên họp số {id}",
                        "This item is voted on at session {id}"),
}


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)``: the message in ``lang``, formatted with ``values``."""
    index = 1 if lang == "en" else 0

    def t(key: str, **values: Any) -> str:
        pair = MESSAGES.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


def pick(label: Mapping[str, str] | None, lang: str, fallback: str = "") -> str:
    """A ``{vi, en}`` label in ``lang``, else Vietnamese, else ``fallback``."""
    if not label:
        return fallback
    return label.get(lang) or label.get(DEFAULT) or next(iter(label.values()), fallback)


def trigger_label(label: Mapping[str, str] | None, trigger: str, lang: str) -> str:
    """A transition's own label (from its flow), else the interface's word for an engine
    action fired like a trigger (``close_vote``, ``recuse``), else the trigger's name."""
    if label:
        return pick(label, lang, trigger)
    known = MESSAGES.get(f"trigger.{trigger}")
    return known[1 if lang == "en" else 0] if known else trigger
